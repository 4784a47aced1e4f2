import AoftopModel
import AoftopTestSupport
import Foundation
import Testing
@testable import LogCollector

/// A real Redis log with failed forks of every mechanism reads the same through every transport: the same lines,
/// kinds, counts per kind and per minute, and first and last times, as the plain file. The journald forms are what
/// the real `journalctl` prints of a journal built from the log.
@Suite struct EnvelopeScanTests {
    /// Readers take the plain log's times as UTC, like `EnvelopedLog`.
    static let scanner = LogScanner(zone: .fixed(offsetSeconds: 0))

    /// Forms whose times are Redis's own or, for bare messages, the envelope's to the millisecond.
    static let exact: [EnvelopedLog.Style] = [
        .journald(output: "short"), .journald(output: "short-precise"), .journald(output: "short-iso"),
        .journald(output: "short-iso-precise"), .journaldBare(output: "short-precise"),
        .journaldBare(output: "short-iso-precise"), .runtime(offsetMinutes: nil), .runtime(offsetMinutes: -300), .cri,
    ]
    /// Bare messages under a time in whole seconds: the same counts, the times cut to the second.
    static let toTheSecond: [EnvelopedLog.Style] = [.journaldBare(output: "short"), .journaldBare(output: "short-iso")]

    @Test func everyTransportScansLikeThePlainLog() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plainPath = directory + "/redis.log"
        try RedisServer.captureForkFailureLog(to: plainPath)
        let plainText = try String(contentsOfFile: plainPath, encoding: .utf8)
        let reference = Timestamp(secondsSince1970: Date().timeIntervalSince1970)
        var plain = try Self.scanner.scan(path: plainPath, referenceTime: reference)
        plain.file = ""
        // The log has what the comparison is about.
        #expect((plain.kinds[.aofForkFailed]?.count ?? 0) >= 10)
        #expect((plain.kinds[.rdbForkFailed]?.count ?? 0) >= 1, "BGSAVE commands and the save schedule")
        #expect((plain.kinds[.replicaSyncForkFailed]?.count ?? 0) >= 1)
        #expect((plain.kinds[.rdbSaveScheduled]?.count ?? 0) >= 1)
        #expect((plain.kinds[.serverStart]?.count ?? 0) == 1)

        for style in Self.exact + Self.toTheSecond {
            let path = directory + "/enveloped.log"
            try EnvelopedLog.write(plain: plainText, to: path, style: style)
            var report = try Self.scanner.scan(path: path, referenceTime: reference)
            report.file = ""
            if Self.exact.contains(where: { $0.description == style.description }) {
                #expect(report == plain, "\(style)")
            } else {
                #expect(report.lines == plain.lines, "\(style)")
                #expect(report.perMinute == plain.perMinute, "\(style)")
                #expect(report.kinds.mapValues(\.count) == plain.kinds.mapValues(\.count), "\(style)")
                for (kind, summary) in plain.kinds where kind != .other {
                    let second = { (t: Timestamp?) in t.map { $0.millisecondsSince1970 / 1000 } }
                    #expect(second(report.kinds[kind]?.first) == second(summary.first), "\(style) \(kind)")
                    #expect(second(report.kinds[kind]?.last) == second(summary.last), "\(style) \(kind)")
                }
            }
            // The live sampler too: the same totals, and the same events (bare messages have no level or role).
            let live = try Self.sample(try String(contentsOfFile: path, encoding: .utf8), in: directory, reference: reference)
            let plainLive = try Self.sample(plainText, in: directory, reference: reference)
            #expect(live.totals == plainLive.totals, "\(style)")
            #expect(live.history?.totals == plainLive.history?.totals, "\(style)")
            #expect(live.events.map(\.kind) == plainLive.events.map(\.kind), "\(style)")
            #expect(live.events.map(\.pid) == plainLive.events.map(\.pid), "\(style)")
            #expect(live.events.map(\.error) == plainLive.events.map(\.error), "\(style)")
            if case .journaldBare = style {} else {
                #expect(live.events == plainLive.events, "\(style)")
                #expect(live.lastLineTime == plainLive.lastLineTime, "\(style)")
            }
            // And the read-back history counts the same.
            let history = LogHistoryReader(zone: .fixed(offsetSeconds: 0)).read(path: path, pid: nil)
            let plainHistory = LogHistoryReader(zone: .fixed(offsetSeconds: 0)).read(path: plainPath, pid: nil)
            #expect(history.state == .complete, "\(style)")
            #expect(history.totals == plainHistory.totals, "\(style)")
            #expect(history.server == plainHistory.server && history.version == plainHistory.version, "\(style)")
        }
    }

    /// What a sampler that started on an empty file says once `text` has been appended (read live, not as backlog).
    static func sample(_ text: String, in directory: String, reference: Timestamp) throws -> LogSample {
        let path = directory + "/live-\(UUID().uuidString).log"
        try append(path, "")
        let sampler = LogSampler(path: path, zone: .fixed(offsetSeconds: 0), history: .init(pid: nil), clock: { reference })
        _ = sampler.collect()
        try append(path, text)
        return try #require(sampler.collect().value)
    }
}
