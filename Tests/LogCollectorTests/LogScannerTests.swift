import AoftopModel
import Foundation
import Testing
@testable import LogCollector

@Suite struct LogScannerTests {
    /// Sets a file's mtime, the reference for year-less lines.
    func setModificationTime(_ path: String, _ iso: String) {
        let seconds = time(iso).millisecondsSince1970 / 1000
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    @Test func seedLogReportUsesTheMtimeYear() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, try String(contentsOfFile: fixturePath("seed-3x.log"), encoding: .utf8))
        try append(path, "garbage \u{1} line\n[\n1838:M 16 Aug 01:09:00.000 # Can't save in background: fork: Cannot allocate memory")
        setModificationTime(path, "2017-08-20T00:00:00Z")
        let report = try LogScanner(zone: .fixed(offsetSeconds: 0)).scan(path: path)
        #expect(report.lines == 21)
        #expect(report.count(.aofPipesFailed) == 4)
        #expect(report.count(.clientRegisterFailed) == 6)
        #expect(report.count(.rdbForkFailed) == 1) // the last line has no newline and still counts
        #expect(report.count(.other) == 2)
        #expect(report.kinds[.aofForkFailed] == .init(count: 3, first: time("2017-08-15T13:52:01.101Z"),
                                                       last: time("2017-08-15T13:52:01.304Z")))
        #expect(report.perMinute == [
            .init(minute: time("2017-08-15T13:52:00Z"), aofForkFailed: 3, aofPipesFailed: 0),
            .init(minute: time("2017-08-16T01:07:00Z"), aofForkFailed: 0, aofPipesFailed: 4),
        ])
    }

    @Test func jsonHasTheAgreedShape() throws {
        let report = LogScanReport(file: "/var/log/redis.log", lines: 3,
                                   kinds: [.aofForkFailed: .init(count: 2, first: time("2017-08-15T13:52:01.101Z"),
                                                                 last: time("2017-08-15T13:52:01.304Z")),
                                           .other: .init(count: 1)],
                                   perMinute: [.init(minute: time("2017-08-15T13:52:00Z"), aofForkFailed: 2, aofPipesFailed: 0)])
        let json = String(decoding: try AoftopJSON.encoder().encode(report), as: UTF8.self)
        #expect(json == #"{"file":"/var/log/redis.log","kinds":{"aof-fork-failed":{"count":2,"first":"2017-08-15T13:52:01.101Z","last":"2017-08-15T13:52:01.304Z"},"other":{"count":1}},"lines":3,"per_minute":[{"aof-fork-failed":2,"aof-pipes-failed":0,"minute":"2017-08-15T13:52:00.000Z"}]}"#)
        #expect(try AoftopJSON.decoder().decode(LogScanReport.self, from: Data(json.utf8)) == report)
    }

    @Test func textTable() throws {
        let report = LogScanReport(file: "redis.log", lines: 3,
                                   kinds: [.aofForkFailed: .init(count: 2, first: time("2017-08-15T13:52:01.101Z"),
                                                                 last: time("2017-08-15T13:52:01.304Z")),
                                           .other: .init(count: 1)],
                                   perMinute: [.init(minute: time("2017-08-15T13:52:00Z"), aofForkFailed: 2, aofPipesFailed: 0)])
        #expect(report.renderTable() == """
            redis.log: 3 lines

            kind             count  first                     last
            aof-fork-failed      2  2017-08-15T13:52:01.101Z  2017-08-15T13:52:01.304Z
            other                1  -                         -

            per minute (UTC)
            minute                    aof-fork-failed  aof-pipes-failed
            2017-08-15T13:52:00.000Z                2                 0

            """)
    }

    @Test func linesLongerThanTheBufferAndBuffersBoundaries() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let fork = "1838:M 7 Aug 01:07:39.319 # Can't rewrite append only file in background: fork: x\n"
            .replacingOccurrences(of: " 7 Aug", with: " 07 Aug")
        var text = String(repeating: "z", count: 10_000) + "\n"
        for _ in 0..<500 { text += fork }
        text += String(repeating: "y", count: 9_000) + "\n" + fork
        try append(path, text)
        let report = try LogScanner(bufferBytes: 4096, zone: .fixed(offsetSeconds: 0)).scan(path: path, referenceTime: time("2017-09-01T00:00:00Z"))
        #expect(report.lines == 503)
        #expect(report.count(.aofForkFailed) == 501)
        #expect(report.count(.other) == 2)
    }

    @Test func missingFileThrowsAReadableError() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: LogScanError(description: "cannot read \(dir)/none.log: no such file or directory")) {
            try LogScanner().scan(path: dir + "/none.log")
        }
        #expect(throws: LogScanError(description: "cannot scan \(dir): not a regular file")) {
            try LogScanner().scan(path: dir)
        }
    }

    @Test func scannerAgreesWithTheFullParser() throws {
        // Every format × kind line through both paths: the fast scan must count exactly what parse() classifies.
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/mixed.log"
        var parser = LogLineParser(reference: time("2024-06-01T00:00:00Z"), zone: .fixed(offsetSeconds: 3600))
        var expected: [LogEventKind: Int] = [:]
        var text = ""
        for format in LineFormat.all {
            for kindCase in KindCase.all {
                let line = format.render(kindCase.message)
                expected[parser.parse(line).kind, default: 0] += 1
                text += line + "\n"
            }
        }
        try append(path, text)
        let report = try LogScanner(zone: .fixed(offsetSeconds: 3600)).scan(path: path, referenceTime: time("2024-06-01T00:00:00Z"))
        #expect(report.kinds.mapValues(\.count) == expected)
        // A CRLF copy of the same log (as the follower and the log replay see it) counts the same.
        let crlf = dir + "/mixed-crlf.log"
        try append(crlf, text.replacingOccurrences(of: "\n", with: "\r\n"))
        let crlfReport = try LogScanner(zone: .fixed(offsetSeconds: 3600)).scan(path: crlf, referenceTime: time("2024-06-01T00:00:00Z"))
        #expect(crlfReport.kinds.mapValues(\.count) == expected)
    }
}
