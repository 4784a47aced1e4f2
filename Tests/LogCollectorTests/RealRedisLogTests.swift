import AoftopModel
import AoftopTestSupport
import Foundation
import Testing
import LogCollector

/// The collector against the real Redis 7 log, with `fork()` failing through the LD_PRELOAD shim.
@Suite struct RealRedisLogTests {
    static func now() -> Timestamp { Timestamp(secondsSince1970: Date().timeIntervalSince1970) }

    @Test func forkFailuresOfARealServerAreCollected() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForks
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let collector = LogSampler(path: server.logPath, clock: { RealRedisLogTests.now() })
        var events: [LogEvent] = []
        var latest: LogSample?
        func drain() {
            if let sample = collector.collect().value {
                events += sample.events
                latest = sample
            }
        }

        drain()
        // Redis 7's start-up lines (role C for the first ones) parse as server-start.
        #expect(RedisServer.waitUntil(timeout: 20) { drain(); return latest?.totals[.serverStart] ?? 0 >= 1 })

        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        let sawStorm = RedisServer.waitUntil(timeout: 30, interval: 0.1) {
            drain()
            return events.filter { $0.kind == .aofForkFailed }.count >= 3 && events.contains { $0.kind == .aofRewriteStart }
        }
        #expect(sawStorm, "log so far:\n\(server.logText().suffix(2000))")
        let forkFailure = try #require(events.first { $0.kind == .aofForkFailed })
        #expect(forkFailure.error == "Cannot allocate memory")
        #expect(forkFailure.level == .warning)
        #expect(forkFailure.pid == server.pid)
        #expect(forkFailure.role == "M")
        let now = RealRedisLogTests.now()
        let forkTime = try #require(forkFailure.time)
        #expect(abs(forkTime.seconds(since: now)) < 120) // local time converted to UTC, this year
        let start = try #require(events.first { $0.kind == .aofRewriteStart })
        #expect((start.growthPercent ?? -1) >= 1)

        _ = try? server.cli(["BGSAVE"])
        let sawRDB = RedisServer.waitUntil(timeout: 30, interval: 0.1) {
            drain()
            return events.contains { $0.kind == .rdbForkFailed }
        }
        #expect(sawRDB, "log so far:\n\(server.logText().suffix(2000))")
        #expect(events.first { $0.kind == .rdbForkFailed }?.error == "Cannot allocate memory")
        #expect(latest?.fileState == .following)
    }
}
