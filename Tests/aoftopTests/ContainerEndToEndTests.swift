import AoftopTestSupport
import Foundation
import Testing

/// Servers run the way containers and services run them: in a mount and pid namespace of their own with their
/// files on a tmpfs only they see, logging to standard output, watched through another mount of `/proc`.
@Suite(.serialized) struct ContainerEndToEndTests {
    static func json(_ result: Subprocess.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                     "\(result.standardOutput)\n\(result.standardError)")
    }

    static func nsPids(_ pid: Int32) -> [Int32] {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let row = status.split(separator: "\n").first { $0.hasPrefix("NSpid:") } ?? ""
        return row.dropFirst("NSpid:".count).split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { Int32($0) }
    }

    /// The container case end to end: aoftop on the host finds the server by its port, maps INFO's pid 1 to the
    /// host's, reads the log and the data directory through `/proc/PID/root` (they exist nowhere else), counts the
    /// failed forks and names the leak of this release — a diskless sync's exit pipe on Redis 7.0 (redis#12919).
    @Test func aServerInItsOwnNamespacesIsFoundMappedAndRead() throws {
        var options = RedisServerOptions()
        options.ownNamespaces = true
        options.appendonly = true
        options.forkFailureShim = .failForks
        options.extraConfig = ["repl-diskless-sync yes", "repl-diskless-sync-delay 1"]
        let master = try RedisServer.start(options)
        defer { master.stop() }
        let privateDirectory = try #require(master.privateDirectory)
        #expect(Self.nsPids(master.pid) == [master.pid, 1], "the server is pid 1 in its own pid namespace")
        #expect(try FileManager.default.contentsOfDirectory(atPath: privateDirectory).isEmpty,
                "the host must not see the server's tmpfs")
        #expect(master.logText().contains("Ready to accept connections"))
        try master.setForkFailure(true)
        var replicaOptions = RedisServerOptions()
        replicaOptions.appendonly = false
        replicaOptions.extraConfig = ["replicaof 127.0.0.1 \(master.port)"]
        let replica = try RedisServer.start(replicaOptions)
        defer { replica.stop() }

        let port = String(master.port)
        let result = try AoftopBinary.run(["check", "-p", port, "--duration", "30s", "--interval", "1s", "--json"], timeout: 90)
        let failures = Exhaustion.count("BGSAVE for replication failed", in: master.logText())
        try #require(failures >= 15, "only \(failures) failed diskless syncs: \(master.logText().suffix(1500))")
        let object = try Self.json(result)
        #expect(object["pid"] as? Int == Int(master.pid))
        #expect(object["namespace_pid"] as? Int == 1)
        let sources = try #require(object["sources"] as? [String: Any])
        let log = try #require(sources["log"] as? [String: Any])
        #expect(log["status"] as? String == "ok", "\(log)")
        #expect(log["path"] as? String == "/proc/\(master.pid)/root\(master.logPath)", "\(log)")
        let aofDirectory = try #require(sources["aof_directory"] as? [String: Any])
        #expect(aofDirectory["status"] as? String == "ok", "\(aofDirectory)")
        #expect(aofDirectory["path"] as? String == "/proc/\(master.pid)/root\(privateDirectory)/appendonlydir", "\(aofDirectory)")
        // The log's own pid is 1: the since-start history is read back to the start line of pid 1.
        let forks = try #require(object["fork_failures"] as? [String: Any])
        let since = try #require(forks["since_start"] as? [String: Any], "\(forks)")
        let counted = try #require(since["by_mechanism"] as? [String: Int], "\(since)")
        #expect((failures - 3...failures).contains(counted["diskless-sync"] ?? 0), "\(counted) vs the log's \(failures)")
        let attribution = try #require((object["leak"] as? [String: Any])?["attribution"] as? [String: Any], "\(object["leak"] ?? "")")
        #expect(attribution["leak"] as? String == "redis#12919", "\(attribution)")
        let codes = (object["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.contains("known-fork-leak"), "\(codes)")

        // The text views show both pids, and the file actually read.
        let snapshot = try AoftopBinary.run(["snapshot", "-p", port])
        #expect(snapshot.standardOutput.contains("pid \(master.pid) (ns 1)"), "\(snapshot.standardOutput)")
        #expect(snapshot.standardOutput.contains("/proc/\(master.pid)/root\(master.logPath)"))
        let list = try AoftopBinary.run(["list", "-p", port, "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8))
        let rows = try #require(parsed as? [[String: Any]], "\(list.standardOutput)")
        #expect(rows.first?["pid"] as? Int == Int(master.pid))
        #expect(rows.first?["namespace_pid"] as? Int == 1, "\(rows)")
        let table = try AoftopBinary.run(["list", "-p", port])
        #expect(table.standardOutput.contains("\(master.pid) (ns 1)"), "\(table.standardOutput)")
    }

    /// The config file a containerised server was started with is a path inside its mount namespace: read through
    /// `/proc/PID/root`, and said so, with the values it sets.
    @Test func theConfigFileIsReadInsideTheNamespace() throws {
        var options = RedisServerOptions()
        options.ownNamespaces = true
        options.keepsProcessTitle = true
        options.maxclients = 77
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let privateConfig = try #require(server.privateDirectory) + "/redis.conf"
        #expect(access(privateConfig, F_OK) != 0, "the host must not see the server's copy")
        let object = try Self.json(try AoftopBinary.run(["snapshot", "-p", String(server.port), "--json"]))
        let startup = try #require(object["startup"] as? [String: Any])
        #expect(startup["status"] as? String == "ok", "\(startup)")
        let value = try #require(startup["value"] as? [String: Any], "\(startup)")
        #expect(value["config_file"] as? String == privateConfig, "\(value)")
        let warnings = value["warnings"] as? [String] ?? []
        #expect(warnings.contains("config read inside the server's mount namespace, through /proc/\(server.pid)/root"), "\(warnings)")
        let maxclients = try #require(value["maxclients"] as? [String: Any], "\(value)")
        #expect(maxclients["value"] as? Int == 77, "\(maxclients)")
        #expect(maxclients["origin"] as? String == "config-file", "\(maxclients)")
    }

    /// `--proc-root` on a bind mount of `/proc` (a sidecar's view of the host) gives the same census as `/proc`.
    @Test func aBindMountedProcGivesTheSameCensus() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let mountPoint = try TemporaryDirectory()
        defer { mountPoint.remove() }
        let mount = try Subprocess.run("/bin/mount", ["--bind", "/proc", mountPoint.path])
        try #require(mount.status == 0, "mount --bind /proc: \(mount.standardError)")
        defer { _ = try? Subprocess.run("/bin/umount", ["-l", mountPoint.path]) }

        func census(_ arguments: [String]) throws -> [String: Any] {
            let result = try AoftopBinary.run(["snapshot", "-p", String(server.port), "--json"] + arguments)
            let object = try Self.json(result)
            let process = try #require(object["process"] as? [String: Any], "\(object.keys)")
            return try #require((process["value"] as? [String: Any])?["fds"] as? [String: Any], "\(process)")
        }
        // Each run holds its own connection to the server, so the two censuses match unless the server changed.
        let keys = ["total", "sockets", "listening_sockets", "pipes", "regular_files", "other", "highest_fd"]
        let plain = try census([])
        let bound = try census(["--proc-root", mountPoint.path])
        for key in keys { #expect(plain[key] as? Int == bound[key] as? Int, "\(key): \(plain) vs \(bound)") }
        #expect((bound["total"] as? Int ?? 0) > 5)
        // Discovery reads it too.
        let list = try AoftopBinary.run(["list", "--json", "--proc-root", mountPoint.path])
        let rows = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [[String: Any]] ?? []
        #expect(rows.contains { $0["pid"] as? Int == Int(server.pid) }, "\(list.standardOutput.prefix(400))")
    }

    @Test func aProcRootThatIsNoProcIsRefusedInOneLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for command in [["snapshot"], ["check"], ["list"], ["metrics"], ["record", "--duration", "1s", "--output", directory.path + "/r.jsonl"]] {
            let result = try AoftopBinary.run(command + ["--proc-root", directory.path])
            #expect(result.status == 64, "\(command): \(result.status) \(result.standardError)")
            #expect(result.stderrLines.first?.contains("--proc-root \(directory.path) is not a proc file system") == true,
                    "\(command): \(result.standardError)")
        }
        let sys = try AoftopBinary.run(["snapshot", "--sys-root", directory.path])
        #expect(sys.status == 64)
        #expect(sys.stderrLines.first?.contains("--sys-root \(directory.path) is not a sysfs") == true, "\(sys.standardError)")
    }

    /// `logfile ""` with standard output on a file: that file is the log, followed like any other.
    @Test func standardOutputOnAFileIsFollowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = RedisServerOptions()
        options.extraConfig = ["logfile \"\""]
        options.standardOutputPath = directory.path + "/stdout.log"
        options.forkFailureShim = .failForks
        let server = try RedisServer.start(options)
        defer { server.stop() }
        try server.setForkFailure(true)
        _ = try? server.cli(["BGREWRITEAOF"])
        let output = try #require(options.standardOutputPath)
        let logged = { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        #expect(RedisServer.waitUntil { Exhaustion.count("Can't rewrite append only file in background", in: logged()) >= 1 })
        let object = try Self.json(try AoftopBinary.run(["check", "-p", String(server.port), "--json"]))
        let log = try #require((object["sources"] as? [String: Any])?["log"] as? [String: Any])
        #expect(log["status"] as? String == "ok", "\(log)")
        #expect(log["path"] as? String == output)
        let forks = try #require(object["fork_failures"] as? [String: Any])
        #expect(((forks["since_start"] as? [String: Any])?["by_mechanism"] as? [String: Int])?["aof"] ?? 0 >= 1, "\(forks)")
    }

    /// `logfile ""` with standard output thrown away: the log pane says so and what to do, in one line.
    @Test func standardOutputToDevNullIsExplained() throws {
        var options = RedisServerOptions()
        options.extraConfig = ["logfile \"\""]
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let object = try Self.json(try AoftopBinary.run(["check", "-p", String(server.port), "--json"]))
        let log = try #require((object["sources"] as? [String: Any])?["log"] as? [String: Any])
        #expect(log["status"] as? String == "failed")
        #expect(log["reason"] as? String == "Redis logs to standard output (logfile \"\"), which goes to /dev/null: nothing keeps it; restart it with logfile PATH (CONFIG SET cannot change logfile)", "\(log)")
    }
}
