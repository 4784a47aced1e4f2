import AoftopModel
import Foundation
import Testing
@testable import LogCollector

/// A transport's envelope around a line (the line's local time is 2024-03-05 14:07:09.123 at UTC+1, as in
/// `LineFormat`), and what it says when Redis's own line carries no time or pid.
struct EnvelopeFormat: Sendable, CustomTestStringConvertible {
    let name: String
    let prefix: String
    /// The envelope's instant, and its pid (`nil`: none).
    let time: String
    let pid: Int32?
    var testDescription: String { name }

    static let all: [EnvelopeFormat] = [
        EnvelopeFormat(name: "journald short", prefix: "Mar 05 14:07:09 host redis-server[4242]: ", time: "2024-03-05T13:07:09Z", pid: 4242),
        EnvelopeFormat(name: "journald short-precise", prefix: "Mar 05 14:07:09.123456 host valkey-server[4242]: ", time: "2024-03-05T13:07:09.123Z", pid: 4242),
        EnvelopeFormat(name: "syslog file, space-padded day", prefix: "Mar  5 14:07:09 host redis[4242]: ", time: "2024-03-05T13:07:09Z", pid: 4242),
        EnvelopeFormat(name: "journald short --no-hostname", prefix: "Mar 05 14:07:09 redis-server[4242]: ", time: "2024-03-05T13:07:09Z", pid: 4242),
        EnvelopeFormat(name: "journald short, no pid", prefix: "Mar 05 14:07:09 host redis: ", time: "2024-03-05T13:07:09Z", pid: nil),
        // The offset is the envelope's, not the parser's zone (UTC+1).
        EnvelopeFormat(name: "journald short-iso", prefix: "2024-03-05T14:07:09+0000 host redis-server[4242]: ", time: "2024-03-05T14:07:09Z", pid: 4242),
        EnvelopeFormat(name: "journald short-iso, newer systemd", prefix: "2024-03-05T09:07:09-05:00 host redis[4242]: ", time: "2024-03-05T14:07:09Z", pid: 4242),
        EnvelopeFormat(name: "journald short-iso-precise", prefix: "2024-03-05T14:07:09.123456+01:00 host docker/0123abcd[77]: ", time: "2024-03-05T13:07:09.123Z", pid: 77),
        EnvelopeFormat(name: "journald short-iso --no-hostname", prefix: "2024-03-05T14:07:09.123456+0100 redis: ", time: "2024-03-05T13:07:09.123Z", pid: nil),
        EnvelopeFormat(name: "docker logs -t", prefix: "2024-03-05T13:07:09.123456789Z ", time: "2024-03-05T13:07:09.123Z", pid: nil),
        EnvelopeFormat(name: "kubectl logs --timestamps, offset", prefix: "2024-03-05T14:07:09.123456789+01:00 ", time: "2024-03-05T13:07:09.123Z", pid: nil),
        EnvelopeFormat(name: "CRI stdout", prefix: "2024-03-05T13:07:09.123456789Z stdout F ", time: "2024-03-05T13:07:09.123Z", pid: nil),
        EnvelopeFormat(name: "CRI stderr, offset", prefix: "2024-03-05T14:07:09.5+01:00 stderr F ", time: "2024-03-05T13:07:09.500Z", pid: nil),
    ]
}

@Suite struct LineEnvelopeTests {
    static let reference = time("2024-06-01T00:00:00Z")
    func parser() -> LogLineParser { LogLineParser(reference: Self.reference, zone: .fixed(offsetSeconds: 3600)) }

    func classify(_ parser: inout LogLineParser, _ line: String) -> (kind: LogEventKind, time: Timestamp?) {
        Array(line.utf8).withUnsafeBytes { parser.classify($0) }
    }

    func kindAndTime(_ parser: inout LogLineParser, _ line: String) -> (kind: LogEventKind, time: Timestamp?) {
        Array(line.utf8).withUnsafeBytes { parser.kindAndTime($0) }
    }

    /// Every layout of every version inside every envelope parses to exactly the event of the plain line: Redis's
    /// own time and pid win over the envelope's.
    @Test(arguments: EnvelopeFormat.all, LineFormat.all)
    func envelopedLinesParseLikePlainOnes(envelope: EnvelopeFormat, format: LineFormat) {
        for expected in KindCase.all {
            let plain = format.render(expected.message)
            let wrapped = envelope.prefix + plain
            var plainParser = parser(), wrappedParser = parser()
            let event = wrappedParser.parse(wrapped)
            #expect(event == plainParser.parse(plain), "\(wrapped)")
            #expect(event.kind == expected.kind)
            #expect(event.pid == 1838)
            #expect(classify(&wrappedParser, wrapped) == classify(&plainParser, plain), "\(wrapped)")
            #expect(kindAndTime(&wrappedParser, wrapped) == kindAndTime(&plainParser, plain), "\(wrapped)")
        }
    }

    /// Redis with `syslog-enabled yes` gives journald the message alone: the envelope's time and pid stand in.
    @Test(arguments: EnvelopeFormat.all)
    func bareMessagesTakeTheEnvelopesTimeAndPid(envelope: EnvelopeFormat) {
        // A runtime's envelope with an offset and then a word ending in `:` reads as journald's `ident:`; Redis only
        // writes bare messages to syslog, and its lines in a runtime's log begin with its pid.
        let runtimeWithOffset = envelope.name.hasPrefix("kubectl")
        for expected in KindCase.all where !(runtimeWithOffset && expected.message.hasPrefix("Warning:")) {
            var parser = parser()
            let line = envelope.prefix + expected.message
            let event = parser.parse(line)
            #expect(event.kind == expected.kind, "\(line)")
            #expect(event.time == time(envelope.time))
            #expect(event.pid == envelope.pid)
            #expect(event.level == nil)
            #expect(event.role == nil)
            #expect(event.message == expected.message)
            #expect(event.error == expected.error)
            #expect(event.fd == expected.fd)
            #expect(event.value == expected.value)
            #expect(classify(&parser, line) == (expected.kind, expected.kind == .other ? nil : time(envelope.time)))
            #expect(kindAndTime(&parser, line) == (expected.kind, time(envelope.time)))
        }
    }

    @Test func plainLinesHaveNoEnvelope() {
        let lines = LineFormat.all.map { $0.render("Can't save in background: fork: Cannot allocate memory") } + [
            "2026:M 05 Dec 2026 08:03:18.123 # Can't save in background: fork: x", // a pid that looks like a year
            "20261:M 05 Dec 08:03:18.123 # x", "[2026] 05 Dec 08:03:18 # x", "2026-12-05", "Dec", "Dec 05",
            "# Can't save in background: fork: Cannot allocate memory", "                _._        ", "",
            "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1838, just started",
            "Server started, Redis version 3.2.8", "DB saved on disk",
        ]
        for line in lines {
            var copy = line
            copy.withUTF8 { bytes in
                let (envelope, inner) = LineEnvelope.split(ByteLine(UnsafeRawBufferPointer(bytes)))
                #expect(envelope == nil, "\(line)")
                #expect(inner.count == bytes.count)
            }
        }
        var parser = parser()
        let year = parser.parse("2026:M 05 Dec 2026 08:03:18.123 # Can't save in background: fork: x")
        #expect(year.pid == 2026)
        #expect(year.kind == .rdbForkFailed)
        // And an RFC 3339 time is not a pid: the pid is Redis's `1`.
        let docker = parser.parse("2026-12-05T08:03:18.123456789Z 1:M 05 Dec 2026 08:03:18.123 # Can't save in background: fork: x")
        #expect(docker.pid == 1)
        #expect(docker.role == "M")
        #expect(docker.kind == .rdbForkFailed)
    }

    /// The journald `short` time has no year: inside it, Redis's line has one (7.x) or is read like a plain 6.x line;
    /// a bare message takes the year as a plain 6.x line would.
    @Test func yearsComeFromRedisBeforeTheEnvelope() {
        var parser = LogLineParser(reference: time("2027-01-01T12:00:00Z"), zone: .fixed(offsetSeconds: 0))
        // An old journal read in the new year: Redis's 2025 wins over the inferred 2026.
        let seven = parser.parse("Dec 31 23:59:59 host redis-server[7]: 7:M 31 Dec 2025 23:59:59.500 # Can't save in background: fork: x")
        #expect(seven.time == time("2025-12-31T23:59:59.500Z"))
        let bare = parser.parse("Dec 31 23:59:59.250000 host redis[7]: Can't save in background: fork: x")
        #expect(bare.time == time("2026-12-31T23:59:59.250Z"))
        let nextYear = parser.parse("Jan 01 00:00:01 host redis[7]: Can't save in background: fork: x")
        #expect(nextYear.time == time("2027-01-01T00:00:01Z"))
        // Redis's time wins over an RFC 3339 envelope's too, zone and all (a plain log of the server says the same).
        let docker = parser.parse("2026-12-05T08:03:18.999Z 1:M 05 Dec 2026 09:03:18.123 # Can't save in background: fork: x")
        #expect(docker.time == time("2026-12-05T09:03:18.123Z"))
        // No year around the reference has a 29 February: `other`, as the same time in a plain 6.x line.
        #expect(parser.parse("Feb 29 08:00:00 host redis[7]: Can't save in background: fork: x").kind == .other)
    }

    @Test func garbageAndTruncatedEnvelopesAreOther() {
        var parser = parser()
        let bad = [
            "2026-12-05T", "2026-12-05T08:03", "2026-12-05T08:03:18", "2026-12-05T08:03:18.", "2026-12-05T08:03:18.Z",
            "2026-12-05T08:03:18+01", "2026-12-05T08:03:18Z", "2026-12-05T08:03:18Z ", "2026-12-05T08:03:18Z stdout F ",
            "2026-12-05T08:03:18Zx Can't save in background: fork: x",
            "2026-12-05T08:03:18 Can't save in background: fork: x",             // no offset: not RFC 3339
            "2026-13-05T08:03:18Z Can't save in background: fork: x",            // envelope found, time malformed
            "2026-12-05T25:03:18+00:00 host redis[1]: Can't save in background: fork: x",
            "Dec 32 08:03:18 host redis[1]: Can't save in background: fork: x",
            "Dec 05 08:03:61.5 host redis[1]: Can't save in background: fork: x",
            "Xyz 05 08:03:18 host redis[1]: Can't save in background: fork: x",
            "Dec 05 08:03:18 host redis[1]:", "Dec 05 08:03:18 host redis[1]: ", "Dec 05 08:03:18 host", "Dec 05 08:03:18 ",
            "Dec 05 08:03:18 host redis[1] Can't save in background: fork: x",  // no colon: not journald
            "Dec  5 08:03:18  redis[1]: Can't save in background: fork: x",      // an empty host
            "Dec 05 08:03:18 host redis[99999999999999]: 1:M 05 Dec 2026 08:03:18.123 # x",
        ]
        for line in bad {
            #expect(parser.parse(line).kind == .other, "\(line)")
            #expect(classify(&parser, line).kind == .other, "\(line)")
            #expect(kindAndTime(&parser, line).kind == .other, "\(line)")
        }
        #expect(parser.parse("Dec 05 08:03:18 host redis[99999999999999]: x").pid == nil)
        #expect(kindAndTime(&parser, "2026-12-05T08:03:18Z").time == time("2026-12-05T08:03:18Z"))
        // Every truncation of good lines parses without crashing; until the message's prefix is whole it is `other`.
        let inner = "1838:M 16 Aug 2024 01:07:39.319 # Can't save in background: fork: Cannot allocate memory"
        let prefixEnd = "1838:M 16 Aug 2024 01:07:39.319 # Can't save in background: fork".utf8.count
        for envelope in EnvelopeFormat.all {
            let bytes = Array((envelope.prefix + inner).utf8)
            let wholeEnd = envelope.prefix.utf8.count + prefixEnd
            for length in 0...bytes.count {
                let line = Array(bytes[0..<length])
                let kind: LogEventKind = length >= wholeEnd ? .rdbForkFailed : .other
                #expect(parser.parse(bytes: line).kind == kind, "\(envelope.name), length \(length)")
                #expect(line.withUnsafeBytes { parser.classify($0) }.kind == kind, "\(envelope.name), length \(length)")
            }
        }
    }

    /// A CRI line cut into `P` fragments counts once, by its first fragment; what follows it, up to and with the
    /// `F` that ends it, is the same line and `other`, even when it reads like a line of its own.
    @Test func criPartialLinesCountOnce() throws {
        let fork = "1:M 05 Dec 2026 08:03:18.123 # Can't rewrite append only file in background: fork: Cannot allocate memory"
        let log = [
            "2026-12-05T08:03:18.1Z stdout P 1:M 05 Dec 2026 08:03:18.123 # Can't rewrite append only file in background: fork: Cannot al",
            "2026-12-05T08:03:18.2Z stderr F \(fork)",     // another stream: a line of its own
            "2026-12-05T08:03:18.3Z stdout P \(fork)",     // continues the first: not a second failure
            "2026-12-05T08:03:18.4Z stdout F locate memory",
            "2026-12-05T08:03:18.5Z stdout F \(fork)",     // a new line
            "2026-12-05T08:03:18.6Z stdout P \(fork)",     // a new line, split
            "2026-12-05T08:03:18.7Z stdout F \(fork)",     // its end
        ]
        let expected: [LogEventKind] = [.aofForkFailed, .aofForkFailed, .other, .other, .aofForkFailed, .aofForkFailed, .other]
        var hot = parser(), sampler = parser()
        #expect(log.map { classify(&hot, $0).kind } == expected)
        #expect(log.map { kindAndTime(&sampler, $0).kind } == expected)

        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/cri.log"
        try append(path, log.joined(separator: "\n") + "\n")
        let report = try LogScanner(zone: .fixed(offsetSeconds: 0)).scan(path: path, referenceTime: time("2026-12-05T09:00:00Z"))
        #expect(report.lines == 7)
        #expect(report.kinds[.aofForkFailed]?.count == 4)
        #expect(report.kinds[.other]?.count == 3)
    }
}
