import AoftopModel
import Foundation
import RESP
import Testing
@testable import RedisCollector

/// Behaviour against peers a real redis-server cannot imitate: older CONFIG semantics, silence, HTTP, a full backlog.
@Suite struct ScriptedServerTests {
    /// Redis ≤ 6.2 answers a many-pattern CONFIG GET with an arity error; one pattern per call works.
    static func redis32Replies(_ command: [String]) -> RESPValue? {
        let upper = command.map { $0.uppercased() }
        if upper.first == "INFO" { return .bulkString(Array(crlf(info328).utf8)) }
        guard upper.count >= 3, upper[0] == "CONFIG", upper[1] == "GET" else { return .error("ERR unknown command") }
        guard upper.count == 3 else { return .error("ERR Wrong number of arguments for CONFIG get") }
        let known = ["maxclients": "10000", "auto-aof-rewrite-percentage": "100", "auto-aof-rewrite-min-size": "67108864",
                     "logfile": "/var/log/redis/redis.log", "dir": "/var/lib/redis", "hz": "10", "appendonly": "yes"]
        let name = command[2].lowercased()
        guard let value = known[name] else { return .array([]) } // appenddirname does not exist before 7.0
        return .array([.bulkString(Array(name.utf8)), .bulkString(Array(value.utf8))])
    }

    @Test func olderServerFallsBackToOnePatternPerCallAndRemembersIt() throws {
        let server = try ScriptedServer(.respond(Self.redis32Replies))
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let first = try #require(collector.collect().value)
        #expect(first.version == "3.2.8")
        #expect(first.infoLatencyMicros.map { $0 >= 0 } == true)
        #expect(first.config == .ok(RedisConfig(maxclients: 10000, autoAofRewritePercentage: 100,
                                                autoAofRewriteMinSize: 67_108_864, logfile: "/var/log/redis/redis.log",
                                                dir: "/var/lib/redis", appenddirname: nil, hz: 10, appendonly: true)))
        _ = collector.collect()
        let configCalls = server.received.filter { $0.first == "CONFIG" }
        // First sample: one many-pattern attempt + one single call per parameter; second sample: the single calls
        // again, no new attempt.
        let parameters = ConfigParser.parameters.count
        #expect(configCalls.count == 1 + parameters + parameters)
        #expect(configCalls.filter { $0.count > 3 }.count == 1)
        #expect(server.received.allSatisfy { ["INFO", "CONFIG"].contains($0.first ?? "") })
    }

    @Test func authWithUserIsSentFirstOnEachConnection() throws {
        let server = try ScriptedServer(.respond { command in
            command.first == "AUTH" ? .simpleString("OK") : .bulkString(Array("# Server\r\nredis_version:6.2.0\r\n".utf8))
        })
        defer { server.stop() }
        let client = RedisClient(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                 credentials: RedisCredentials(user: "mon", password: "pw"))
        _ = try client.call(["PING"])
        _ = try client.call(["INFO"])
        #expect(server.received == [["AUTH", "mon", "pw"], ["PING"], ["INFO"]])
        #expect(client.connectionGeneration == 1)
    }

    @Test func stalledServerTimesOutAndTheCallReturns() throws {
        let server = try ScriptedServer(.respond { _ in nil })
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port), timeout: 0.5)
        let (reading, elapsed) = withinHangGuard { collector.collect() }
        #expect(elapsed < 10)
        #expect(reading == .failed("timed out after 0.5 s waiting for the reply to INFO from 127.0.0.1:\(server.port)"))
        #expect(!collector.isConnected)
    }

    @Test func fullAcceptBacklogTimesOutConnecting() throws {
        // Backlog 0 holds one pending connection; fill it, then the next SYN is dropped and connect() hangs.
        let server = try ScriptedServer(.neverAccept, backlog: 0)
        defer { server.stop() }
        var fillers: [RedisConnection] = []
        var outcome: RedisError?
        let (_, elapsed) = withinHangGuard {
            for _ in 0..<8 {
                do { fillers.append(try RedisConnection(endpoint: .tcp(host: "127.0.0.1", port: server.port), timeout: 0.3)) }
                catch let error as RedisError { outcome = error; break } catch { break }
            }
        }
        #expect(elapsed < 10)
        #expect(outcome == .timedOut(seconds: 0.3, doing: "connecting to 127.0.0.1:\(server.port)"))
        #expect(outcome?.description == "timed out after 0.3 s connecting to 127.0.0.1:\(server.port)")
    }

    @Test func httpServerIsNotRedis() throws {
        let server = try ScriptedServer(.raw(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)))
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(collector.collect() == .failed("not a Redis server (got \"HTTP/1.1 400 Bad Request\")"))
    }

    @Test func absurdBulkLengthIsRefusedWithoutAllocating() throws {
        let server = try ScriptedServer(.raw(Array("$9999999999\r\n".utf8)))
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let reason = try #require(collector.collect().failureReason)
        #expect(reason.contains("exceeds the limit"))
    }

    @Test func peerThatClosesSilently() throws {
        let server = try ScriptedServer(.raw([]))
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let reason = try #require(collector.collect().failureReason)
        #expect(reason == "connection closed by 127.0.0.1:\(server.port)" || reason.hasPrefix("connection reset by peer"))
    }

    @Test func errorReplyToInfoIsReported() throws {
        let server = try ScriptedServer(.respond { _ in .error("NOPERM this user has no permissions to run the 'info' command") })
        defer { server.stop() }
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(collector.collect() == .failed("INFO failed: NOPERM this user has no permissions to run the 'info' command"))
        #expect(collector.isConnected) // an error reply is not a broken connection
    }

    @Test func backoffIsDrivenByTheInjectedClockAndSkipsTheNetwork() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/missing.sock"
        let clock = FakeClock()
        let client = RedisClient(endpoint: .unix(path: path), clock: clock.closure)
        let expected = RedisError.system("connect to \(path): No such file or directory")
        #expect(throws: expected) { _ = try client.call(["PING"]) }
        #expect(client.backoff.nextAttemptAt == clock.now + 0.5)

        // Make the endpoint reachable: while backing off the client must not even try.
        let unixServer = try ScriptedServer.pong(at: .unix(path: path))
        defer { unixServer.stop() }
        #expect(throws: expected) { _ = try client.call(["PING"]) }
        clock.advance(0.49)
        #expect(throws: expected) { _ = try client.call(["PING"]) }
        #expect(unixServer.acceptedCount == 0)
        clock.advance(0.01)
        #expect(try client.call(["PING"]) == .simpleString("PONG"))
        #expect(unixServer.acceptedCount == 1)
        #expect(client.backoff.nextAttemptAt == nil)
    }

    @Test func unresolvableHostIsAClearError() throws {
        let collector = RedisSampler(endpoint: .tcp(host: "no-such-host.invalid", port: 6379), timeout: 1)
        let (reading, elapsed) = withinHangGuard { collector.collect() }
        #expect(elapsed < 10)
        let reason = try #require(reading.failureReason)
        #expect(reason.hasPrefix("cannot resolve host \"no-such-host.invalid\"")
                || reason == "timed out after 1.0 s resolving host \"no-such-host.invalid\"")
    }

    @Test func refusedPort() throws {
        // Bind then close: the port is free and nothing listens on it.
        let port = try { let probe = try ScriptedServer(.neverAccept); defer { probe.stop() }; return probe.port }()
        let collector = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: port))
        #expect(collector.collect() == .failed("connection refused by 127.0.0.1:\(port)"))
    }

    @Test(.enabled(if: ipv6LoopbackAvailable(), "no IPv6 loopback on this machine"))
    func ipv6Literal() throws {
        let listener = try ScriptedServer.pong(at: .loopbackIPv6)
        defer { listener.stop() }
        let client = RedisClient(endpoint: .tcp(host: "::1", port: listener.port))
        #expect(try client.call(["PING"]) == .simpleString("PONG"))
    }
}

/// Whether `::1` can be bound here (containers sometimes disable IPv6).
func ipv6LoopbackAvailable() -> Bool {
    guard let probe = try? ScriptedServer(.neverAccept, at: .loopbackIPv6) else { return false }
    probe.stop()
    return true
}
