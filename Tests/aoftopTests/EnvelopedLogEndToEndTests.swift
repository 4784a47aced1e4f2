import AoftopTestSupport
import Foundation
import Testing

/// `aoftop scan` and `aoftop replay --log` say the same of a real Redis log with failed forks of every mechanism
/// whether it is read plain, as the real `journalctl` prints it, bare as `syslog-enabled yes` sends it, or from a
/// CRI log file.
@Suite struct EnvelopedLogEndToEndTests {
    static let styles: [EnvelopedLog.Style] = [
        .journald(output: "short-iso"), .journald(output: "short"), .journaldBare(output: "short-iso-precise"), .cri,
    ]
    /// The log's times are read as UTC, as `EnvelopedLog` writes them.
    static let utc = ["TZ": "UTC"]

    @Test func scanAndReplayReadEveryTransportLikeThePlainLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plainPath = directory.path + "/redis.log"
        try RedisServer.captureForkFailureLog(to: plainPath)
        let plainText = try String(contentsOfFile: plainPath, encoding: .utf8)
        let plainScan = try Self.scan(plainPath)
        let kinds = try #require(plainScan["kinds"] as? [String: Any])
        #expect(((kinds["aof-fork-failed"] as? [String: Any])?["count"] as? Int ?? 0) >= 10)
        #expect(((kinds["replica-sync-fork-failed"] as? [String: Any])?["count"] as? Int ?? 0) >= 1, "\(kinds.keys)")
        let plainReplay = try Self.replay(plainPath)
        #expect(plainReplay.count > 1)

        for style in Self.styles {
            let path = directory.path + "/enveloped.log"
            try EnvelopedLog.write(plain: plainText, to: path, style: style)
            let scan = try Self.scan(path)
            #expect(NSDictionary(dictionary: scan["kinds"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: kinds), "\(style)")
            #expect(scan["lines"] as? Int == plainScan["lines"] as? Int, "\(style)")
            #expect(NSArray(array: scan["per_minute"] as? [Any] ?? []) == NSArray(array: plainScan["per_minute"] as? [Any] ?? [0]), "\(style)")
            // Only the file named in `sources.log.path` may differ.
            let replay = try Self.replay(path).map { $0.replacing(path, with: plainPath) }
            #expect(replay == plainReplay, "\(style)")
        }
    }

    static func scan(_ path: String) throws -> [String: Any] {
        let result = try AoftopBinary.run(["scan", "--json", path], environment: utc)
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    /// The replay's snapshots, one JSON line each.
    static func replay(_ path: String) throws -> [String] {
        let result = try AoftopBinary.run(["replay", "--log", path, "--json"], environment: utc, timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(separator: "\n").map(String.init)
    }
}
