import AoftopModel
import AoftopTestSupport
import Foundation
import Glibc
import Testing

/// The client and socket states of issue 11 with real servers, through the real binary: a replica's link to its
/// master, dead peers in CLOSE_WAIT, maxclients reached with fds to spare, and CLIENT LIST denied by the ACL.
@Suite struct ClientStatesEndToEndTests {
    private static func check(_ port: Int, _ extra: [String] = [], duration: String = "1500ms") throws -> [String: Any] {
        let result = try AoftopBinary.run(["check", "-p", String(port), "--duration", duration, "--interval", "250ms",
                                           "--json"] + extra)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                            "\(result.standardOutput) \(result.standardError)")
    }

    private static func findings(_ object: [String: Any]) -> [[String: Any]] { object["findings"] as? [[String: Any]] ?? [] }

    @Test func aReplicasLinkToItsMasterIsOutboundAndNamedNotAClient() throws {
        let (master, replica) = try RedisServer.startReplicated()
        defer { master.stop(); replica.stop() }
        let seen = try Self.check(replica.port)
        #expect(seen["master"] as? String == "127.0.0.1:\(master.port)")
        let sockets = try #require(seen["sockets"] as? [String: Any])
        let roles = try #require(sockets["roles"] as? [String: Int])
        #expect(roles["outbound_tcp"] == 1, "\(roles)")
        let outbound = try #require(sockets["outbound"] as? [[String: Any]])
        #expect((outbound.first?["endpoint"] as? [String: String])?["tcp"] == "127.0.0.1:\(master.port)", "\(outbound)")
        // Only aoftop's own connection is an inbound client of the replica.
        #expect((sockets["top_peers"] as? [[String: Any]])?.count == 1)
        // The master counts it as a replica against maxclients, not in connected_clients.
        let mastersView = try #require(try Self.check(master.port)["clients"] as? [String: Any])
        #expect(mastersView["replicas"] as? Int == 1)
        #expect(mastersView["clients"] as? Int == (mastersView["connected_clients"] as? Int).map { $0 + 1 })
    }

    @Test func deadPeersInCloseWaitWhileRedisIsStopped() throws {
        var options = RedisServerOptions()
        options.appendonly = false
        let server = try RedisServer.start(options)
        defer { server.stop() }
        var clients: [Int32] = []
        for _ in 0..<12 { clients.append(try Loopback.connect(port: server.port, from: "127.0.0.6")) }
        try #require(RedisServer.waitUntil(timeout: 10) {
            (try? server.cli(["INFO", "clients"]).contains("connected_clients:13")) ?? false
        })
        // Redis stopped cannot read the peers' FIN: their sockets stay in CLOSE_WAIT until it runs again.
        kill(server.pid, SIGSTOP)
        defer { kill(server.pid, SIGCONT) }
        clients.forEach { _ = Glibc.close($0) }
        let seen = try Self.check(server.port, ["--timeout", "0.3"])
        let states = try #require((seen["sockets"] as? [String: Any])?["tcp_states"] as? [String: Int])
        #expect(states["close_wait"] == 12, "\(states)")
        let dead = try #require(Self.findings(seen).first { $0["code"] as? String == "dead-peers" }, "\(Self.findings(seen))")
        #expect(dead["headline"] as? String == "12 connections in CLOSE_WAIT: the peers hung up and Redis has not closed them")
        #expect((dead["remedy"] as? String)?.hasPrefix("Redis is not reading them: its event loop is stuck") == true)
        // Running again, Redis reads the EOFs and closes them.
        kill(server.pid, SIGCONT)
        let sampler = ProcStates(pid: server.pid)
        let closed = RedisServer.waitUntil(timeout: 10) { sampler.closeWait() == 0 }
        #expect(closed)
    }

    @Test func maxclientsReachedWithFdsToSpareIsItsOwnState() throws {
        var options = RedisServerOptions()
        options.maxclients = 10
        options.appendonly = false
        let server = try RedisServer.start(options)
        defer { server.stop() }
        var clients: [Int32] = []
        defer { clients.forEach { _ = Glibc.close($0) } }
        for _ in 0..<9 { clients.append(try Loopback.connect(port: server.port)) }
        // aoftop's own connection is the tenth; the one after it is refused (and counted).
        let seen = try Self.check(server.port, duration: "2s")
        let limit = try #require(seen["clients"] as? [String: Any])
        #expect(limit["state"] as? String == "reached", "\(limit)")
        #expect(limit["refusal"] as? String == "maxclients")
        let codes = Self.findings(seen).compactMap { $0["code"] as? String }
        #expect(codes.first == "maxclients-reached", "\(codes)")
        #expect(!codes.contains("fd-exhausted") && !codes.contains("fd-exhaustion-imminent"))
        #expect((seen["eta"] as? [String: Any])?["status"] as? String != "exhausted")
        #expect((Self.findings(seen).first?["headline"] as? String)?.contains("fds fine: ") == true)
        // Full without aoftop: its connection is refused at the greeting, and that is evidence enough.
        clients.append(try Loopback.connect(port: server.port))
        #expect(Exhaustion.command(clients.last!, ["PING"]).contains("PONG"))
        // Redis hides its config file's path (set-proc-title): the operator names it, as the README says.
        let refused = try Self.check(server.port, ["--config", server.configPath], duration: "500ms")
        let first = try #require(Self.findings(refused).first)
        #expect(first["code"] as? String == "maxclients-reached")
        #expect((first["headline"] as? String)?.hasPrefix("clients refused at maxclients 10 (Redis refused aoftop's connection)") == true,
                "\(first)")
    }

    @Test func clientListDeniedByTheACLSaysWhyInThePane() throws {
        var options = RedisServerOptions()
        options.appendonly = false
        options.extraConfig = ["user mon on >pw -@all +info +ping +config|get", "user lister on >pw -@all +info +ping +config|get +client|list"]
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let denied = try TmuxSession.start(command: [RepositoryPaths.aoftopBinary, "-p", String(server.port), "--user", "mon",
                                                     "--client-list"], columns: 120, rows: 40,
                                           environment: ["REDISCLI_AUTH": "pw", "SWIFT_BACKTRACE": "interactive=no"])
        defer { denied.kill() }
        let deniedShown = denied.waitFor { $0.contains("names   CLIENT LIST denied: the ACL needs +client|list") }
        #expect(deniedShown, "\((try? denied.capture()) ?? "")")
        let allowed = try TmuxSession.start(command: [RepositoryPaths.aoftopBinary, "-p", String(server.port), "--user", "lister",
                                                      "--client-list"], columns: 120, rows: 40,
                                            environment: ["REDISCLI_AUTH": "pw", "SWIFT_BACKTRACE": "interactive=no"])
        defer { allowed.kill() }
        let allowedShown = allowed.waitFor { $0.contains("names   (no name) ") && $0.contains("idle    <1m ") }
        #expect(allowedShown, "\((try? allowed.capture()) ?? "")")
    }
}

/// CLOSE_WAIT sockets of one process as `ss` counts them.
private struct ProcStates {
    let pid: Int32
    func closeWait() -> Int? { (try? SocketStatistics.tcp(pid: pid))?.states[.closeWait] ?? 0 }
}
