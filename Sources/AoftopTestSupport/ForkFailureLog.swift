import Foundation

extension RedisServer {
    /// A server whose forks all fail (the shim, flag set) with a `save 1 1` schedule, AOF rewrites due on every
    /// cron tick, and a replica asking it for a full sync to disk: every way a server forks, failing. The caller
    /// stops both.
    public static func startForkFailingWithReplica(binary: String = RedisServer.redisServerBinary) throws
        -> (master: RedisServer, replica: RedisServer) {
        var options = RedisServerOptions()
        options.binary = binary
        options.forkFailureShim = .failForks
        options.extraConfig = ["save 1 1", "repl-diskless-sync no"]
        let master = try RedisServer.start(options)
        try master.setForkFailure(true)
        try master.triggerAutomaticRewrites() // also the change the save schedule waits for
        var replicaOptions = RedisServerOptions()
        replicaOptions.binary = binary
        replicaOptions.appendonly = false
        replicaOptions.extraConfig = ["replicaof 127.0.0.1 \(master.port)"]
        do {
            return (master, try RedisServer.start(replicaOptions))
        } catch {
            master.stop()
            throw error
        }
    }

    /// Copies to `path` the log of a real server whose forks all fail (the shim): AOF rewrites, a `save` schedule, a
    /// replica's sync to disk and BGSAVE commands, each failure after the line that triggered it, so readers that pair
    /// them see every mechanism. Takes about 10 s (the first scheduled save comes some 6 s after the start).
    public static func captureForkFailureLog(to path: String, aofFailures: Int = 10) throws {
        let (master, replica) = try startForkFailingWithReplica()
        defer { replica.stop(); master.stop() }
        for _ in 0..<3 { _ = try? master.cli(["BGSAVE"]) }
        let log = { master.logText() }
        let complete = RedisServer.waitUntil(timeout: 40) {
            Exhaustion.count("BGSAVE for replication failed", in: log()) >= 1
                && Exhaustion.count("seconds. Saving...", in: log()) >= 1
                && Exhaustion.count("Can't rewrite append only file in background: fork", in: log()) >= aofFailures
        }
        guard complete else { throw FixtureError("the fork failures did not all appear: \(log().suffix(2000))") }
        // Stop the retries so the copy ends on a whole line.
        try master.cli(["CONFIG", "SET", "auto-aof-rewrite-percentage", "0"])
        try master.cli(["CONFIG", "SET", "save", ""])
        usleep(300_000)
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: master.logPath, toPath: path)
    }
}
