import AoftopTestSupport
import Foundation
import Testing

/// `aoftop scan` counts what `grep -c` counts, on the blog-style log and on a real Redis 7 fork-failure log.
@Suite struct ScanCommandTests {
    /// The kinds and the (extended) regular expression an operator would `grep -c -E` for each.
    static let greps: [(kind: String, pattern: String)] = [
        ("aof-rewrite-start", "Starting automatic rewriting of AOF on"),
        ("aof-fork-failed", "Can't rewrite append only file in background: fork:"),
        ("aof-pipes-failed", "Error opening /setting AOF rewrite IPC pipes"),
        ("client-register-failed", "Error registering fd event for the new client"),
        // Not the `… on server start` line every Redis 7 writes at start-up: one per rewrite attempt.
        ("aof-incr-file-created", "Creating AOF incr file .* on background rewrite"),
    ]

    @Test func seedLogCountsEqualGrep() throws {
        let path = RepositoryPaths.root + "/Tests/LogCollectorTests/Fixtures/seed-3x.log"
        let counts = try Self.expectCountsEqualGrep(path)
        #expect(counts["aof-fork-failed"] == 3)
        #expect(counts["client-register-failed"] == 6)
    }

    @Test func realForkFailureLogCountsEqualGrep() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForks
        let server = try RedisServer.start(options)
        defer { server.stop() }
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        let marker = "Can't rewrite append only file in background: fork:"
        try #require(RedisServer.waitUntil(timeout: 20) { server.logText().components(separatedBy: marker).count > 20 })
        // Stop the retries so the copy ends on a whole line.
        try server.cli(["CONFIG", "SET", "auto-aof-rewrite-percentage", "0"])
        usleep(300_000)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let copy = directory.path + "/redis.log"
        try FileManager.default.copyItem(atPath: server.logPath, toPath: copy)
        let counts = try Self.expectCountsEqualGrep(copy)
        #expect((counts["aof-fork-failed"] ?? 0) >= 20)
        #expect(counts["aof-incr-file-created"] == counts["aof-fork-failed"], "Redis 7 creates one incr file per attempt")

        let table = try AoftopBinary.run(["scan", copy])
        #expect(table.status == 0)
        let row = table.stdoutLines.first { $0.hasPrefix("aof-fork-failed ") }
        #expect(row?.split(separator: " ").dropFirst().first.map(String.init) == String(counts["aof-fork-failed"] ?? -1))
    }

    @Test func missingFileOrDirectoryIsOneLineAndExitOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for path in [directory.path + "/no-such.log", directory.path] {
            let result = try AoftopBinary.run(["scan", path])
            #expect(result.status == 1)
            #expect(result.standardOutput.isEmpty)
            #expect(result.stderrLines.count == 1, "\(result.standardError)")
            #expect(result.standardError.hasPrefix("aoftop: ") && result.standardError.contains(path))
        }
    }

    /// Scans `path` with `--json`, compares every kind's count with `grep -c -E`, returns the counts.
    @discardableResult
    static func expectCountsEqualGrep(_ path: String) throws -> [String: Int] {
        let result = try AoftopBinary.run(["scan", "--json", path])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let kinds = try #require(object["kinds"] as? [String: Any])
        var counts: [String: Int] = [:]
        for (kind, pattern) in greps {
            let grep = try Subprocess.run("/usr/bin/grep", ["-c", "-E", "--", pattern, path], timeout: 30)
            let expected = Int(grep.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let count = ((kinds[kind] as? [String: Any])?["count"] as? Int) ?? 0
            #expect(count == expected, "\(kind): scan \(count), grep -c \(expected)")
            counts[kind] = count
        }
        return counts
    }
}
