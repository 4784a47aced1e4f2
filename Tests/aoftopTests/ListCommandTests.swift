import AoftopTestSupport
import Foundation
import Testing

/// `aoftop list` against real servers: several at once, the leaking one first, a dead one on its own row.
@Suite struct ListCommandTests {
    @Test func leakingServerIsListedFirstWithEtaAndProcPipes() throws {
        let healthy = try RedisServer.start()
        defer { healthy.stop() }
        var options = RedisServerOptions()
        options.maxclients = 1000 // setsize 1128: still rising while list samples
        options.openFilesLimit = 4096
        options.forkFailureShim = .failForksAndLeakPipes
        let leaking = try RedisServer.start(options)
        defer { leaking.stop() }
        let deadPort = try Loopback.freePort()
        let baseline = leaking.countFds(withTargetPrefix: "pipe:")
        try leaking.setForkFailure(true)
        try leaking.triggerAutomaticRewrites()
        try #require(RedisServer.waitUntil(timeout: 20) { leaking.countFds(withTargetPrefix: "pipe:") >= baseline + 40 })

        let result = try AoftopBinary.run(["list", "-p", String(healthy.port), "-p", String(leaking.port),
                                           String(deadPort), "--duration", "3s", "--interval", "250ms", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let procPipes = leaking.countFds(withTargetPrefix: "pipe:")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        #expect(list.map { $0["port"] as? Int } == [leaking.port, deadPort, healthy.port],
                "most urgent first: the leak (ETA), then the unknown, then the healthy one")

        let first = list[0]
        #expect(first["instance"] as? String == "127.0.0.1:\(leaking.port)")
        #expect(first["pid"] as? Int == Int(leaking.pid))
        #expect(first["severity"] as? String == "critical")
        let eta = try #require(first["eta"] as? [String: Any])
        #expect(eta["status"] as? String == "rising", "\(eta) samples \(first["samples"] ?? "-") \(result.standardError)")
        #expect((eta["seconds"] as? Double ?? 0) > 0)
        let pipes = try #require((first["fds"] as? [String: Any])?["pipe"] as? Int)
        // The last sample is at most 250 ms older than the /proc count; the shim leaks ~20 fds/s.
        #expect(pipes <= procPipes && pipes >= procPipes - 40, "listed \(pipes) pipes, /proc has \(procPipes)")
        // The shim keeps 2 fds of every failed rewrite fork: no release of 7.0 leaks that, so the rise is named after
        // the failed AOF rewrite forks it follows.
        let attribution = try #require((first["leak"] as? [String: Any])?["attribution"] as? [String: Any], "\(first["leak"] ?? "-")")
        #expect(attribution["verdict"] as? String == "follows-failures" && attribution["mechanism"] as? String == "aof", "\(attribution)")
        #expect(abs((attribution["fds_per_event"] as? Double ?? 0) - 2) < 0.5, "\(attribution)")
        #expect(((first["fork_failures"] as? [String: Any])?["by_mechanism"] as? [String: Int])?["aof"] ?? 0 > 0)
        #expect((first["fork_readiness"] as? [String: Any])?["outcome"] is String, "a local server: its host is read")

        let dead = list[1]
        #expect(dead["severity"] as? String == "unknown")
        #expect((dead["diagnosis"] as? String ?? "").hasPrefix("no Redis reading:"), "\(dead)")
        #expect(list[2]["severity"] as? String == "ok")
        let clients = try #require(list[2]["clients"] as? [String: Any])
        #expect(clients["maxclients"] as? Int == 64 && clients["state"] as? String == "ok", "\(clients)")
        #expect((clients["clients"] as? Int ?? 0) >= 1, "aoftop's own connection at least: \(clients)")
        let sockets = try #require(list[2]["sockets"] as? [String: Any])
        #expect((sockets["roles"] as? [String: Int])?["listener"] == 2, "TCP and unix listeners: \(sockets)")
        #expect(list[2]["samples"] as? Int ?? 0 >= 2, "every instance sampled all along, none waited for another")
    }

    @Test func withoutTargetsEveryLocalServerIsListed() throws {
        let first = try RedisServer.start()
        defer { first.stop() }
        let second = try RedisServer.start()
        defer { second.stop() }
        let result = try AoftopBinary.run(["list", "--duration", "0"])
        #expect(result.status == 0, "\(result.standardError)")
        let header = try #require(result.stdoutLines.first)
        #expect(header.hasPrefix("INSTANCE") && header.contains("PIPES") && header.contains("ETA") && header.contains("SEVERITY"))
        for server in [first, second] {
            let row = result.stdoutLines.first { $0.hasPrefix("127.0.0.1:\(server.port) ") }
            #expect(row?.contains(" \(server.pid) ") ?? false, "row of \(server.port): \(row ?? "missing")")
            #expect(row?.contains("7.") ?? false, "the version from INFO: \(row ?? "missing")")
        }
    }

    @Test(arguments: [
        (["list", "--all", "-p", "6379"], "name instances or use --all, not both"),
        (["list", "-p", "0"], "--port must be between 1 and 65535"),
        (["list", "-h", "10.0.0.1"], "-h/--host needs at least one -p/--port"),
        (["list", "host:port"], "'host:port' is not HOST:PORT"),
        (["list", "--duration", "forever"], "duration"),
        (["list", "-a", "secret"], "visible to every user"),
    ])
    func badArgumentsAreOneLine(arguments: [String], message: String) throws {
        let result = try AoftopBinary.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.contains(message) ?? false, "\(result.standardError)")
    }
}
