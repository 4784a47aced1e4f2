import AoftopFleet
import RedisCollector
import Testing

@Suite struct InstanceAddressTests {
    @Test(arguments: [
        ("6380", RedisEndpoint.tcp(host: "127.0.0.1", port: 6380)),
        ("10.0.0.5:6379", .tcp(host: "10.0.0.5", port: 6379)),
        ("redis-a.internal:7000", .tcp(host: "redis-a.internal", port: 7000)),
        ("[::1]:6379", .tcp(host: "::1", port: 6379)),
        ("/run/redis/redis.sock", .unix(path: "/run/redis/redis.sock")),
        ("./redis.sock", .unix(path: "./redis.sock")),
    ])
    func parses(text: String, endpoint: RedisEndpoint) throws {
        #expect(try InstanceAddress.parse(text).get() == endpoint)
    }

    @Test(arguments: ["", ":", "host:", "host:0", "host:65536", "6379x", "::1:6379", "[::1]6379", "[::1", ":6379"])
    func refuses(text: String) {
        guard case .failure(let error) = InstanceAddress.parse(text) else {
            Issue.record("'\(text)' parsed")
            return
        }
        #expect(error.description.contains("'\(text)'"))
        #expect(!error.description.contains("\n"))
    }

}

@Suite struct ForkFailureCounterTests {
    @Test func countsOnlyLinesAppendedWhileWatchingAndNeverGoesBack() {
        var counter = ForkFailureCounter()
        let log = "/var/log/redis/redis-server.log"
        // The backlog read at start is history.
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 495, .bgsave: 2]), path: log) == ForkFailureCounts([.aofRewrite: 0, .bgsave: 0]))
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 505, .bgsave: 2]), path: log) == ForkFailureCounts([.aofRewrite: 10, .bgsave: 0]))
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 505, .bgsave: 3]), path: log) == ForkFailureCounts([.aofRewrite: 10, .bgsave: 1]))
        // CONFIG SET logfile: a new follower re-reads the new file's backlog, larger or smaller — history either way.
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 900, .bgsave: 0]), path: "/tmp/r.log") == ForkFailureCounts([.aofRewrite: 10, .bgsave: 1]))
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 906, .bgsave: 0]), path: "/tmp/r.log") == ForkFailureCounts([.aofRewrite: 16, .bgsave: 1]))
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 35, .bgsave: 0]), path: log) == ForkFailureCounts([.aofRewrite: 16, .bgsave: 1]))
        // Totals that fall on the same path (a follower started over): nothing added, counting goes on from there.
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 0, .bgsave: 0]), path: log) == ForkFailureCounts([.aofRewrite: 16, .bgsave: 1]))
        #expect(counter.observe(ForkFailureCounts([.aofRewrite: 4, .bgsave: 0]), path: log) == ForkFailureCounts([.aofRewrite: 20, .bgsave: 1]))
    }
}
