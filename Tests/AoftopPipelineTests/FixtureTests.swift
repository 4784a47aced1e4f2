import Foundation
import Testing
import AoftopTestSupport

/// The fixtures other suites rely on: if these fail, every real-Redis test is suspect.
@Suite struct FixtureTests {
    @Test func leakShimLeaksTwoPipeFdsPerFailedFork() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let baseline = server.countFds(withTargetPrefix: "pipe:")
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        let leaked = RedisServer.waitUntil { server.countFds(withTargetPrefix: "pipe:") >= baseline + 20 }
        #expect(leaked)
        try server.setForkFailure(false)
        let failures = server.logText().components(separatedBy: "Can't rewrite append only file in background: fork: Cannot allocate memory").count - 1
        let pipes = server.countFds(withTargetPrefix: "pipe:")
        #expect(failures > 0)
        // Each failed fork leaks one pipe (2 fds); a rewrite may have succeeded after the flag was removed.
        #expect(pipes - baseline >= 2 * (failures - 2) && pipes - baseline <= 2 * failures)
        #expect(try server.cli(["INFO", "persistence"]).contains("aof_last_bgrewrite_status:err"))
    }

    @Test func plainServerAnswersAndStops() throws {
        let server = try RedisServer.start()
        #expect(try server.cli(["PING"]) == "PONG")
        let pid = server.pid
        server.stop()
        #expect(kill(pid, 0) != 0)
    }

    @Test func openFilesLimitAppliesToTheServerAndNoPipeIsInherited() throws {
        var options = RedisServerOptions()
        options.openFilesLimit = 1200
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2) == ["1200", "1200"])
        // Redis 7 keeps exactly one internal pipe (2 fds); anything more would be inherited from the test runner.
        #expect(server.countFds(withTargetPrefix: "pipe:") == 2)
    }
}
