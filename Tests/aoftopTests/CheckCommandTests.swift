import AoftopTestSupport
import Foundation
import Testing

/// `aoftop check` as a monitoring system runs it: one line, perfdata, exit 0/1/2/3.
@Suite struct CheckCommandTests {
    @Test func healthyServerIsOKWithPerfdata() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", "1s", "--interval", "250ms"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.stdoutLines.count == 1)
        let line = try #require(result.stdoutLines.first)
        #expect(line.hasPrefix("OK - "))
        #expect(line.contains(" | fds="))
        #expect(line.contains(";;\(64 + 128)"), "perfdata carries the event-loop limit: \(line)")
        #expect(line.contains("pipes="))
    }

    @Test func leakingServerIsCriticalWithEtaAndPipes() throws {
        var options = RedisServerOptions()
        options.maxclients = 1000 // setsize 1128: still rising (not yet exhausted) while check samples
        options.openFilesLimit = 4096
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let baseline = server.countFds(withTargetPrefix: "pipe:")
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        try #require(RedisServer.waitUntil(timeout: 20) { server.countFds(withTargetPrefix: "pipe:") >= baseline + 40 })
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", "3s", "--interval", "250ms"])
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(result.stdoutLines.count == 1)
        let line = try #require(result.stdoutLines.first)
        #expect(line.hasPrefix("CRITICAL - "))
        #expect(line.contains("eta="), "\(line)")
        #expect(line.contains("pipes="), "\(line)")
        #expect(line.contains("pipes leak"), "the cause is named: \(line)")
    }

    @Test func unreachablePortWithoutPidIsUnknownOnOneLine() throws {
        let port = try Loopback.freePort()
        let result = try AoftopBinary.run(["check", "-p", String(port), "--duration", "500ms", "--interval", "250ms"])
        #expect(result.status == 3)
        #expect(result.stdoutLines.count == 1, "\(result.standardOutput)")
        #expect(result.stdoutLines.first?.hasPrefix("UNKNOWN - ") ?? false, "\(result.standardOutput)")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", "500ms", "--interval", "250ms", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        // docs/json.md: every key is always present; unknown values are null.
        #expect(Set(object.keys) == ["time", "pid", "namespace_pid", "server", "version", "fds", "limit", "eta", "clients", "sockets", "master", "leak", "aof", "fork_failures",
                                     "fork_readiness", "process", "severity", "diagnosis", "findings", "sources"])
        let nested: [String: Set<String>] = [
            "fds": ["total", "socket", "client_socket", "pipe", "self_pipe_pairs", "highest", "lowest_free",
                    "connected_clients", "baseline_pipes"],
            "limit": ["effective", "binding", "setsize", "rlimit_soft", "rlimit_hard", "maxclients", "maxclients_source",
                      "setsize_source", "evidence", "spare"],
            "eta": ["status", "seconds", "slope_per_s", "window", "reason", "since"],
            "clients": ["clients", "connected_clients", "replicas", "cluster_connections", "blocked_clients", "maxclients",
                        "maxclients_source", "percent", "state", "rejected_connections", "rejected_per_minute", "refusal",
                        "forecast", "client_list", "client_list_failure"],
            "leak": ["suspected", "signature", "excess_pipes", "fds_per_failure", "client_sockets_trend", "ratchet", "attribution"],
            "aof": ["enabled", "current_size", "base_size", "growth_percent", "threshold_percent", "min_size", "state",
                    "last_bgrewrite_status", "dir_files", "incr_files", "config_source"],
            "fork_failures": ["total", "aof", "rdb", "by_mechanism", "per_minute", "last", "inferred_from_info", "since_start"],
            // A local server: its host's fork readiness is read.
            "fork_readiness": ["outcome", "summary", "remedy", "check_command", "causes"],
            "process": ["cpu_percent", "log_silent_seconds"],
            "sources": ["redis", "process", "log", "aof_directory", "config", "startup", "fork_readiness"],
        ]
        for (key, expected) in nested {
            let value = try #require(object[key] as? [String: Any], "\(key) is not an object")
            #expect(Set(value.keys) == expected, "\(key)")
        }
        #expect(object["severity"] as? String == "ok")
        #expect(object["pid"] as? Int == Int(server.pid))
        #expect((object["limit"] as? [String: Any])?["binding"] as? String == "event-loop" ||
                (object["limit"] as? [String: Any])?["binding"] as? String == "rlimit")
        #expect((object["findings"] as? [Any])?.isEmpty ?? false)
    }
}
