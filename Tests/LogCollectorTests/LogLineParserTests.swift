import AoftopModel
import Foundation
import Testing
@testable import LogCollector

/// One line layout, rendering a message the way that Redis/Valkey version writes it.
/// The local time is 2024-03-05 14:07:09.123 at UTC+1, i.e. 13:07:09.123Z.
struct LineFormat: Sendable, CustomTestStringConvertible {
    let name: String
    let render: @Sendable (String) -> String
    let time: String
    let level: Bool
    let role: String?
    var testDescription: String { name }

    static let epochMillis = "1709644029123"
    static let all: [LineFormat] = [
        LineFormat(name: "2.x", render: { "[1838] 05 Mar 14:07:09.123 # \($0)" }, time: "2024-03-05T13:07:09.123Z", level: true, role: nil),
        LineFormat(name: "2.x no ms", render: { "[1838] 05 Mar 14:07:09 # \($0)" }, time: "2024-03-05T13:07:09.000Z", level: true, role: nil),
        LineFormat(name: "3.0-6.x", render: { "1838:M 05 Mar 14:07:09.123 # \($0)" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "M"),
        LineFormat(name: "7.x", render: { "1838:C 05 Mar 2024 14:07:09.123 # \($0)" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "C"),
        LineFormat(name: "valkey legacy iso8601", render: { "1838:S 2024-03-05T14:07:09.123+01:00 # \($0)" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "S"),
        LineFormat(name: "valkey legacy milliseconds", render: { "1838:X \(epochMillis) # \($0)" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "X"),
        LineFormat(name: "valkey logfmt legacy", render: { "pid=1838 role=primary timestamp=\"05 Mar 2024 14:07:09.123\" level=warning message=\"\($0)\"" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "primary"),
        LineFormat(name: "valkey logfmt iso8601", render: { "pid=1838 role=RDB/AOF timestamp=\"2024-03-05T14:07:09.123+01:00\" level=warning message=\"\($0)\"" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "RDB/AOF"),
        LineFormat(name: "valkey logfmt milliseconds", render: { "pid=1838 role=replica timestamp=\"\(epochMillis)\" level=warning message=\"\($0)\"" }, time: "2024-03-05T13:07:09.123Z", level: true, role: "replica"),
        LineFormat(name: "signal handler", render: { "1838:signal-handler (1709644029) \($0)" }, time: "2024-03-05T13:07:09.000Z", level: false, role: nil),
    ]
}

/// A message and what it must classify to.
struct KindCase: Sendable, CustomTestStringConvertible {
    let message: String
    let kind: LogEventKind
    var growth: Int64? = nil
    var error: String? = nil
    var fd: Int? = nil
    var childPid: Int32? = nil
    var value: Int64? = nil
    var testDescription: String { "\(kind.rawValue): \(message.prefix(50))" }

    static let all: [KindCase] = [
        KindCase(message: "Starting automatic rewriting of AOF on 6938200% growth", kind: .aofRewriteStart, growth: 6_938_200),
        KindCase(message: "Can't rewrite append only file in background: fork: Cannot allocate memory", kind: .aofForkFailed, error: "Cannot allocate memory"),
        KindCase(message: "Can't save in background: fork: Cannot allocate memory", kind: .rdbForkFailed, error: "Cannot allocate memory"),
        KindCase(message: "Error opening /setting AOF rewrite IPC pipes: Numerical result out of range", kind: .aofPipesFailed, error: "Numerical result out of range"),
        KindCase(message: "Error registering fd event for the new client: Numerical result out of range (fd=10311)", kind: .clientRegisterFailed, error: "Numerical result out of range", fd: 10311),
        KindCase(message: "Error registering fd event for the new client connection: Numerical result out of range (addr=127.0.0.1:51000 laddr=127.0.0.1:6379)", kind: .clientRegisterFailed, error: "Numerical result out of range"),
        KindCase(message: "Error registering fd event for the new client: Numerical result out of range (conn: fd=329)", kind: .clientRegisterFailed, error: "Numerical result out of range", fd: 329),
        KindCase(message: "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf", kind: .noConfigFile),
        KindCase(message: "Accepting client connection: accept: Too many open files", kind: .acceptFailed, error: "accept: Too many open files"),
        KindCase(message: "Error accepting a client connection: Connection reset by peer (conn: fd=12)", kind: .acceptFailed, error: "Connection reset by peer"),
        KindCase(message: "Background append only file rewriting started by pid 1234", kind: .aofRewriteStarted, childPid: 1234),
        KindCase(message: "Background AOF rewrite finished successfully", kind: .aofRewriteDone),
        KindCase(message: "Background AOF rewrite terminated with success", kind: .aofRewriteDone),
        KindCase(message: "Background AOF rewrite terminated with error", kind: .aofRewriteFailed),
        KindCase(message: "Background AOF rewrite terminated by signal 9", kind: .aofRewriteFailed),
        KindCase(message: "Background AOF rewrite killed by signal 9", kind: .aofRewriteFailed),
        KindCase(message: "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in 1 minutes", kind: .aofRewriteLimited, value: 1),
        KindCase(message: "Creating AOF incr file appendonly.aof.3.incr.aof on background rewrite", kind: .aofIncrFileCreated),
        KindCase(message: "Creating AOF incr file appendonly.aof.1.incr.aof on server start", kind: .other),
        KindCase(message: "Increased maximum number of open files to 10032 (it was originally set to 1024).", kind: .fdLimitRaised, value: 10032),
        KindCase(message: "You requested maxclients of 1000 requiring at least 1032 max file descriptors.", kind: .maxclientsReduced),
        KindCase(message: "Redis can't set maximum open files to 1032 because of OS error: Operation not permitted.", kind: .maxclientsReduced),
        KindCase(message: "Server can't set maximum open files to 1032 because of OS error: Operation not permitted.", kind: .maxclientsReduced),
        KindCase(message: "Current maximum open files is 1024. maxclients has been reduced to 992 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", kind: .maxclientsReduced, value: 992),
        KindCase(message: "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1838, just started", kind: .serverStart),
        KindCase(message: "Valkey version=8.1.1, bits=64, commit=00000000, modified=0, pid=1838, just started", kind: .serverStart),
        KindCase(message: "Server started, Redis version 3.2.8", kind: .serverStart),
        KindCase(message: "Redis is now ready to exit, bye bye...", kind: .serverShutdown),
        KindCase(message: "Valkey is now ready to exit, bye bye...", kind: .serverShutdown),
        KindCase(message: "Received SIGTERM scheduling shutdown...", kind: .serverShutdown),
        KindCase(message: "User requested shutdown...", kind: .serverShutdown),
        KindCase(message: "Ready to accept connections tcp", kind: .other),
        KindCase(message: "DB saved on disk", kind: .other),
        KindCase(message: "Background saving started by pid 4242", kind: .other),
    ]
}

@Suite struct LogLineParserTests {
    static let reference = time("2024-06-01T00:00:00Z")
    func parser() -> LogLineParser { LogLineParser(reference: Self.reference, zone: .fixed(offsetSeconds: 3600)) }

    @Test(arguments: LineFormat.all, KindCase.all)
    func everyFormatTimesEveryKind(format: LineFormat, expected: KindCase) {
        var parser = parser()
        let line = format.render(expected.message)
        let event = parser.parse(line)
        #expect(event.kind == expected.kind)
        #expect(event.time == time(format.time))
        #expect(event.pid == 1838)
        #expect(event.role == format.role)
        #expect(event.level == (format.level ? .warning : nil))
        #expect(event.message == expected.message)
        #expect(event.growthPercent == expected.growth)
        #expect(event.error == expected.error)
        #expect(event.fd == expected.fd)
        #expect(event.childPid == expected.childPid)
        #expect(event.value == expected.value)
        // The hot path agrees with the full parse.
        var fast = self.parser()
        let (kind, fastTime) = Array(line.utf8).withUnsafeBytes { fast.classify($0) }
        #expect(kind == expected.kind)
        #expect(fastTime == (expected.kind == .other ? nil : time(format.time)))
        // So does the sampler's path, which keeps the time of `other` lines too.
        let (samplerKind, samplerTime) = Array(line.utf8).withUnsafeBytes { fast.kindAndTime($0) }
        #expect(samplerKind == event.kind)
        #expect(samplerTime == event.time)
    }

    @Test func levelsAndRoles() {
        var parser = parser()
        let levels: [(String, LogLevel)] = [(".", .debug), ("-", .verbose), ("*", .notice), ("#", .warning)]
        for (char, level) in levels {
            #expect(parser.parse("1838:S 05 Mar 14:07:09.123 \(char) DB saved on disk").level == level)
        }
        let words: [(String, LogLevel)] = [("debug", .debug), ("info", .verbose), ("notice", .notice), ("warning", .warning)]
        for (word, level) in words {
            #expect(parser.parse("pid=1 role=primary timestamp=\"1709644029123\" level=\(word) message=\"x\"").level == level)
        }
    }

    @Test func seedLinesFromTheOriginalWriteUps() throws {
        var parser = LogLineParser(reference: time("2017-08-20T00:00:00Z"), zone: .fixed(offsetSeconds: 8 * 3600))
        let text = try String(contentsOfFile: fixturePath("seed-3x.log"), encoding: .utf8)
        let events = text.split(separator: "\n").map { parser.parse(String($0)) }
        #expect(events.map(\.kind) == [
            .aofPipesFailed, .aofRewriteStart, .aofPipesFailed, .aofRewriteStart, .aofPipesFailed,
            .clientRegisterFailed, .clientRegisterFailed, .clientRegisterFailed, .clientRegisterFailed,
            .clientRegisterFailed, .clientRegisterFailed,
            .aofForkFailed, .aofRewriteStart, .aofForkFailed, .aofRewriteStart, .aofForkFailed,
            .aofRewriteStart, .aofPipesFailed,
        ])
        #expect(events[0].time == time("2017-08-16T01:07:39.319+08:00"))
        #expect(events[0].error == "Numerical result out of range")
        #expect(events[1].growthPercent == 110)
        #expect(events[5].fd == 10311)
        #expect(events[11].error == "Cannot allocate memory")
        #expect(events[11].time == time("2017-08-15T13:52:01.101+08:00"))
        #expect(events.allSatisfy { $0.pid == 1838 && $0.role == "M" })

        let excerpt = try String(contentsOfFile: fixturePath("seed-excerpt.log"), encoding: .utf8)
        let quoted = excerpt.split(separator: "\n").map { parser.parse(String($0)) }
        #expect(quoted.map(\.kind) == [.clientRegisterFailed, .clientRegisterFailed, .clientRegisterFailed,
                                       .aofRewriteStart, .aofForkFailed, .aofRewriteStart, .aofForkFailed])
        #expect(quoted[0].fd == 10247)
        #expect(quoted.allSatisfy { $0.time == nil })
    }

    @Test func logfmtEscapesAndQuotes() {
        var parser = parser()
        let escaped = parser.parse(#"pid=7 role=primary timestamp="1709644029123" level=notice message="say \"hi\" to C:\\redis""#)
        #expect(escaped.message == #"say "hi" to C:\redis"#)
        #expect(escaped.kind == .other)
        let forked = parser.parse(#"pid=7 role=primary timestamp="1709644029123" level=warning message="Can't save in background: fork: \"quoted\" error""#)
        #expect(forked.kind == .rdbForkFailed)
        #expect(forked.error == #""quoted" error"#)
        // An unescaped quote inside the message (Valkey never writes one) must not cut it short.
        let raw = parser.parse(#"pid=7 role=primary timestamp="1709644029123" level=warning message="Error opening /setting AOF rewrite IPC pipes: a "b" c""#)
        #expect(raw.kind == .aofPipesFailed)
        #expect(raw.error == #"a "b" c"#)
        // Field order does not matter and a missing closing quote is tolerated.
        let reordered = parser.parse(#"level=warning pid=9 timestamp="1709644029123" role=replica message="User requested shutdown..."#)
        #expect(reordered.kind == .other) // does not start with pid=: not logfmt as Valkey writes it
        let unterminated = parser.parse(#"pid=9 role=replica timestamp="1709644029123" level=warning message="User requested shutdown..."#)
        #expect(unterminated.kind == .serverShutdown)
        #expect(unterminated.message == "User requested shutdown...")
    }

    @Test func invalidUTF8AndNULBytesAreKept() {
        var parser = parser()
        var bytes = Array("1838:M 05 Mar 14:07:09.123 # Can't rewrite append only file in background: fork: Cannot".utf8)
        bytes += [0x00, 0xFF, 0xFE, 0x20, 0xC3]
        let event = parser.parse(bytes: bytes)
        #expect(event.kind == .aofForkFailed)
        #expect(event.error?.hasPrefix("Cannot\u{0}\u{FFFD}") == true)
        let garbage = parser.parse(bytes: [0xFF, 0x00, 0x0D, 0x80, 0x80])
        #expect(garbage.kind == .other)
        #expect(garbage.time == nil)
    }

    @Test func messagesAreCutToOneKiBOnACharacterBoundary() {
        var parser = parser()
        let long = "Error opening /setting AOF rewrite IPC pipes: " + String(repeating: "é", count: 2000)
        let event = parser.parse("1838:M 05 Mar 14:07:09.123 # \(long)")
        #expect(event.kind == .aofPipesFailed)
        #expect(event.message.utf8.count <= 1024)
        #expect(event.message.utf8.count >= 1022)
        #expect(!event.message.contains("\u{FFFD}"))
    }

    @Test func garbageAndTruncatedLinesAreOther() {
        var parser = parser()
        let banner = parser.parse("                _._                                                  ")
        #expect(banner.kind == .other)
        #expect(banner.time == nil)
        let bad = [
            "", "1838", "1838:", "1838:M", "1838:M 16 Aug", "[", "[1838]", "pid=", "pid=1 message=\"", "1838:signal-handler (",
            "1838:M 16 Aug 01:07:39.319 #",
            "1838:M 99 Xyz 01:07:39.319 # Can't save in background: fork: x",
            "1838:M 16 Aug 25:07:39.319 # Can't save in background: fork: x",
            "1838:M 31 Feb 2024 01:07:39.319 # Can't save in background: fork: x",
            "1838:Q 16 Aug 01:07:39.319 # Can't save in background: fork: x",
            "1838:M 16 Aug 01:07:39.31x # Can't save in background: fork: x",
            "1838:M 2024-13-05T14:07:09.123+01:00 # Can't save in background: fork: x",
        ]
        for line in bad {
            #expect(parser.parse(line).kind == .other, "\(line)")
        }
        // Every truncation of a good line parses without crashing; cut inside the header or the prefix it is `other`.
        let good = "1838:M 16 Aug 2024 01:07:39.319 # Can't save in background: fork: Cannot allocate memory"
        let bytes = Array(good.utf8)
        let prefixEnd = "1838:M 16 Aug 2024 01:07:39.319 # Can't save in background: fork".utf8.count
        for length in 0...bytes.count {
            let event = parser.parse(bytes: Array(bytes[0..<length]))
            #expect(event.kind == (length >= prefixEnd ? .rdbForkFailed : .other), "length \(length)")
        }
    }
}
