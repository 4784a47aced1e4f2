import AoftopModel
import AoftopTestSupport
import Foundation
import Glibc
import Testing
@testable import RedisCollector

/// Against the real Debian redis-server 7.0.15 (AoftopTestSupport fixture).
@Suite struct RealRedisTests {
    /// The value of `key` in `redis-cli INFO` output: an independent reading to compare the parser with.
    static func cliInfoField(_ server: RedisServer, _ key: String) throws -> String? {
        // "\r\n" is one Character in Swift, so split on both line-end forms.
        try server.cli(["INFO"]).split { $0 == "\n" || $0 == "\r\n" }
            .first { $0.hasPrefix(key + ":") }
            .map { String($0.dropFirst(key.count + 1)) }
    }

    @Test func infoAndConfigMatchTheServer() throws {
        let server = try RedisServer.start()
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let sample = try #require(collector.collect().value)
        #expect(sample.server == "redis")
        #expect(sample.version == (try Self.cliInfoField(server, "redis_version")))
        #expect(sample.processId == server.pid)
        #expect(sample.tcpPort == server.port)
        #expect(sample.role == "master")
        #expect(sample.maxclients == 64)
        #expect(sample.hz.map(String.init) == (try Self.cliInfoField(server, "hz")))
        #expect(sample.aofEnabled == true)
        #expect(sample.aofLastBgrewriteStatus == (try Self.cliInfoField(server, "aof_last_bgrewrite_status")))
        #expect(sample.connectedClients.map { $0 >= 1 } == true)
        #expect(sample.usedMemory.map { $0 > 0 } == true)
        #expect(sample.infoLatencyMicros.map { $0 > 0 } == true)
        #expect(sample.otherFields["executable"] == (try Self.cliInfoField(server, "executable")))
        #expect(sample.config == .ok(RedisConfig(maxclients: 64, autoAofRewritePercentage: 100,
                                                 autoAofRewriteMinSize: 67_108_864, logfile: server.logPath,
                                                 dir: server.directory, appenddirname: "appendonlydir", hz: 10,
                                                 appendonly: true, timeout: 0, tcpKeepalive: 300,
                                                 protectedMode: false)))
        // Changes show up on the same persistent connection.
        try server.cli(["CONFIG", "SET", "auto-aof-rewrite-percentage", "7"])
        #expect(collector.collect().value?.config.value?.autoAofRewritePercentage == 7)
        // Persistent: more samples open no connection (the one extra is redis-cli's own).
        let before = try #require(try Self.cliInfoField(server, "total_connections_received").flatMap { Int($0) })
        for _ in 0..<3 { #expect(collector.collect().isOK) }
        let after = try #require(try Self.cliInfoField(server, "total_connections_received").flatMap { Int($0) })
        #expect(after == before + 1)
    }

    @Test func aclUserWithInfoPingConfigGetWorksFully() throws {
        var options = RedisServerOptions()
        options.extraConfig = ["user mon on >secret -@all +info +ping +config|get"]
        let server = try RedisServer.start(options)
        let credentials = try #require(try RedisCredentials.resolve(user: "mon", passwordFile: nil,
                                                                     environment: ["REDISCLI_AUTH": "secret"]))
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port), credentials: credentials)
        let sample = try #require(collector.collect().value)
        #expect(sample.processId == server.pid)
        #expect(sample.config.value?.maxclients == 64)
        // The password never reaches the sample (nor its JSON).
        let json = String(decoding: try AoftopJSON.encoder().encode(sample), as: UTF8.self)
        #expect(!json.contains("secret"))
    }

    @Test func aclUserWithoutConfigGetsInfoAndFailedConfigAskedOncePerInterval() throws {
        var options = RedisServerOptions()
        options.extraConfig = ["user mon on >pw -@all +info +ping"]
        let server = try RedisServer.start(options)
        let clock = FakeClock()
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                       credentials: RedisCredentials(user: "mon", password: "pw"), clock: clock.closure)
        for _ in 0..<4 {
            let sample = try #require(collector.collect().value)
            #expect(sample.processId == server.pid)
            // Redis 7.0.15 says "NOPERM this user has no permissions to run the 'config|get' command".
            let reason = try #require(sample.config.failureReason)
            #expect(reason.hasPrefix("CONFIG unavailable: NOPERM"))
            #expect(reason.contains("config|get"))
        }
        #expect(try Self.deniedConfigAttempts(server) == 1)
        clock.advance(60)
        #expect(collector.collect().value?.config.isOK == false)
        #expect(try Self.deniedConfigAttempts(server) == 2)
    }

    /// `count` of the ACL LOG entry for the denied `config|get` (Redis aggregates identical denials).
    static func deniedConfigAttempts(_ server: RedisServer) throws -> Int {
        let lines = try server.cli(["ACL", "LOG"]).split(separator: "\n").map(String.init)
        guard let index = lines.firstIndex(of: "count"), index + 1 < lines.count else { return 0 }
        return Int(lines[index + 1]) ?? -1
    }

    @Test func renamedConfigLeavesInfoAlone() throws {
        var options = RedisServerOptions()
        options.extraConfig = ["rename-command CONFIG \"\""]
        let server = try RedisServer.start(options)
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let sample = try #require(collector.collect().value)
        #expect(sample.processId == server.pid)
        let reason = try #require(sample.config.failureReason)
        #expect(reason.hasPrefix("CONFIG unavailable: ERR unknown command 'CONFIG'"))
    }

    @Test func wrongPasswordIsAClearError() throws {
        let server = try RedisServer.start() // the fixture's readiness PING needs no password, so set it afterwards
        try server.cli(["CONFIG", "SET", "requirepass", "right"])
        let wrong = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                   credentials: RedisCredentials(password: "wrong"))
        #expect(wrong.collect() == .failed("authentication failed: WRONGPASS invalid username-password pair or user is disabled."))
        let none = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(none.collect() == .failed("NOAUTH Authentication required. (no password given)"))
        let right = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                   credentials: RedisCredentials(password: "right"))
        #expect(right.collect().value?.processId == server.pid)
    }

    @Test func unixSocketEndpoint() throws {
        let server = try RedisServer.start()
        let collector = RedisSampler(endpoint: .unix(path: server.unixSocketPath))
        let sample = try #require(collector.collect().value)
        #expect(sample.processId == server.pid)
        #expect(sample.config.value?.dir == server.directory)
    }

    @Test func killedServerFailsThenReconnectsAfterRestart() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socketPath = directory + "/redis.sock"
        var options = RedisServerOptions()
        options.extraConfig = ["unixsocket \(socketPath)"] // the later line wins: a path that outlives the server
        let first = try RedisServer.start(options)
        let clock = FakeClock()
        let collector = RedisSampler(endpoint: .unix(path: socketPath), clock: clock.closure)
        #expect(collector.collect().value?.processId == first.pid)

        kill(first.pid, SIGKILL)
        #expect(RedisServer.waitUntil(timeout: 10) { !first.isRunning })
        let failure = try #require(collector.collect().failureReason)
        #expect(failure.hasPrefix("connection closed by") || failure.hasPrefix("connection reset by peer"))
        first.stop()

        let second = try RedisServer.start(options)
        // Still inside the backoff window: the last error, no new attempt.
        #expect(collector.collect().failureReason == failure)
        clock.advance(0.5)
        #expect(collector.collect().value?.processId == second.pid)
    }

    @Test func persistentConnectionSurvivesWhileNewConnectionsAreRefused() throws {
        let server = try RedisServer.start()
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(collector.collect().isOK)
        // Only the collector's connection and redis-cli's own fit; after redis-cli leaves, one slot is taken.
        try server.cli(["CONFIG", "SET", "maxclients", "1"])
        let newcomer = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let refusal = try #require(newcomer.collect().failureReason)
        #expect(refusal.contains("max number of clients reached") || refusal.hasPrefix("connection"))
        let sample = try #require(collector.collect().value)
        #expect(sample.rejectedConnections.map { $0 >= 1 } == true)
        #expect(sample.config.value?.maxclients == 1)
    }

    /// Redis at maxclients greets a new client with `-ERR max number of clients reached` and closes it: the reading
    /// says so (not "connection reset"), and a sampler connected before keeps reading the counts.
    @Test func refusalAtMaxclientsIsNamed() throws {
        var options = RedisServerOptions()
        options.maxclients = 4
        let server = try RedisServer.start(options)
        let early = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(early.collect().isOK)
        var held: [Int32] = []
        defer { held.forEach { _ = Glibc.close($0) } }
        for _ in 0..<3 {
            let fd = try Loopback.connect(port: server.port)
            held.append(fd)
            #expect(Exhaustion.command(fd, ["PING"]).contains("PONG"))
        }
        for attempt in 0..<3 {
            let late = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
            let reason = try #require(late.collect().failureReason, "attempt \(attempt)")
            #expect(RedisRefusal.isMaxClientsReached(reason), "attempt \(attempt): \(reason)")
            #expect(reason.contains("refused new clients"))
        }
        let sample = try #require(early.collect().value)
        #expect(sample.connectedClients == 4)
        #expect(sample.maxclients == 4)
        #expect((sample.rejectedConnections ?? 0) >= 3)
        #expect(sample.blockedClients == 0)
        #expect(sample.connectedReplicas == 0)
        #expect(sample.clusterConnections == 0)
    }

    /// With a password, the refusal is what answers AUTH: it must read as the refusal, not as a wrong password.
    @Test func refusalAnsweringAuthIsNotAWrongPassword() throws {
        var options = RedisServerOptions()
        options.maxclients = 2
        options.extraConfig = ["requirepass secret"]
        let server = try RedisServer.start(options)
        var held: [Int32] = []
        defer { held.forEach { _ = Glibc.close($0) } }
        for _ in 0..<2 {
            let fd = try Loopback.connect(port: server.port)
            held.append(fd)
            #expect(Exhaustion.command(fd, ["AUTH", "secret"]).contains("OK"))
        }
        let sampler = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                   credentials: RedisCredentials(user: nil, password: "secret"))
        let reason = try #require(sampler.collect().failureReason)
        #expect(RedisRefusal.isMaxClientsReached(reason), "\(reason)")
        #expect(!reason.contains("authentication failed"), "\(reason)")
    }
}
