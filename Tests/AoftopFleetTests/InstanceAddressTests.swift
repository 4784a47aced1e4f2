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
