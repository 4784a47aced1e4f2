import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation

/// Snapshots for tests: a tiny one, and a realistic one with every reading filled and counters that move every
/// second the way a busy server's do (the recording size depends on how much changes from line to line).
enum SnapshotFactory {
    static let start = Timestamp(iso8601: "2026-11-21T17:39:52.123Z")!

    static func header(started: Timestamp = start) -> RecordingHeader {
        RecordingHeader(aoftopVersion: "0.1.0", host: "db7", target: "127.0.0.1:6379", intervalSeconds: 1.0, started: started)
    }

    static func simple(_ i: Int) -> Snapshot {
        Snapshot(time: start.adding(milliseconds: Int64(i) * 1000),
                 source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838),
                 redis: .ok(RedisSample(connectedClients: i, otherFields: ["n": "\(i)"])),
                 process: i % 3 == 0 ? .failed("permission denied") : .notConfigured)
    }

    /// INFO fields that `RedisSample` has properties for; everything else goes to `otherFields`, as the collector does.
    private static let mappedFields: Set<String> = [
        "redis_version", "process_id", "role", "tcp_port", "uptime_in_seconds", "hz", "connected_clients", "maxclients",
        "rejected_connections", "total_connections_received", "aof_enabled", "aof_current_size", "aof_base_size",
        "aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_last_bgrewrite_status", "aof_rewrites",
        "aof_rewrites_consecutive_failures", "rdb_last_bgsave_status", "total_forks", "latest_fork_usec", "used_memory",
        "blocked_clients", "connected_slaves", "cluster_connections", "master_host", "master_port",
        "current_cow_size", "rdb_last_cow_size", "aof_last_cow_size",
    ]

    static let baseOtherFields: [String: String] = {
        var fields: [String: String] = [:]
        for line in CapturedInfo.redis7015.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            if !mappedFields.contains(key) { fields[key] = String(line[line.index(after: colon)...]) }
        }
        return fields
    }()

    /// Second `i` of a busy server during a fork-failure storm (~10 failed forks a second, fds climbing).
    static func realistic(_ i: Int, start: Timestamp = start, storm: Bool = true) -> Snapshot {
        var rng = SplitMix64(spreading: UInt64(i))
        let time = start.adding(milliseconds: Int64(i) * 1000 + Int64(rng.next() % 40))
        let ops = 8_000 + Int(rng.next() % 4_000)
        let commands = Int64(i) * 10_000 + Int64(rng.next() % 5_000)
        let usedMemory = 1_200_000_000 + Int64(i) * 512 + Int64(rng.next() % 100_000)
        var other = baseOtherFields
        other["uptime_in_days"] = "\(12 + i / 86_400)"
        other["server_time_usec"] = "\(time.millisecondsSince1970 * 1000 + Int64(rng.next() % 1000))"
        other["lru_clock"] = "\(121_500 + i)"
        other["used_memory_human"] = String(format: "%.2fG", Double(usedMemory) / 1_073_741_824)
        other["used_memory_rss"] = "\(usedMemory + 80_000_000 + Int64(rng.next() % 4096) * 4096)"
        other["used_memory_peak"] = "\(usedMemory + 10_000_000)"
        other["used_memory_dataset"] = "\(usedMemory - 9_000_000)"
        other["used_memory_dataset_perc"] = String(format: "%.2f%%", 97 + Double(rng.next() % 200) / 100)
        other["allocator_allocated"] = "\(usedMemory + 1_000_000 + Int64(rng.next() % 100_000))"
        other["allocator_active"] = "\(usedMemory + 3_000_000 + Int64(rng.next() % 100_000))"
        other["allocator_resident"] = "\(usedMemory + 9_000_000 + Int64(rng.next() % 100_000))"
        other["mem_fragmentation_ratio"] = String(format: "%.2f", 1.05 + Double(rng.next() % 10) / 100)
        other["mem_fragmentation_bytes"] = "\(60_000_000 + Int64(rng.next() % 10_000_000))"
        other["mem_clients_normal"] = "\(1_900_000 + Int64(rng.next() % 50_000))"
        other["mem_aof_buffer"] = "\(rng.next() % 65_536)"
        other["rdb_changes_since_last_save"] = "\(Int64(i) * 3_000 + Int64(rng.next() % 1000))"
        other["aof_buffer_length"] = "\(rng.next() % 4096)"
        other["aof_pending_bio_fsync"] = "\(rng.next() % 2)"
        other["total_commands_processed"] = "\(commands)"
        other["instantaneous_ops_per_sec"] = "\(ops)"
        other["total_net_input_bytes"] = "\(commands * 48)"
        other["total_net_output_bytes"] = "\(commands * 31)"
        other["instantaneous_input_kbps"] = String(format: "%.2f", Double(ops) * 0.047)
        other["instantaneous_output_kbps"] = String(format: "%.2f", Double(ops) * 0.030)
        other["expired_keys"] = "\(i * 3 + Int(rng.next() % 3))"
        other["keyspace_hits"] = "\(commands * 7 / 10)"
        other["keyspace_misses"] = "\(commands / 10)"
        other["total_reads_processed"] = "\(commands + 1000)"
        other["total_writes_processed"] = "\(commands + 900)"
        other["expire_cycle_cpu_milliseconds"] = "\(i * 2)"
        other["master_repl_offset"] = "\(Int64(i) * 310_000 + Int64(rng.next() % 10_000))"
        other["used_cpu_sys"] = String(format: "%.6f", Double(i) * 0.21 + Double(rng.next() % 1000) / 1e6)
        other["used_cpu_user"] = String(format: "%.6f", Double(i) * 0.35 + Double(rng.next() % 1000) / 1e6)
        other["used_cpu_sys_main_thread"] = String(format: "%.6f", Double(i) * 0.2 + Double(rng.next() % 1000) / 1e6)
        other["used_cpu_user_main_thread"] = String(format: "%.6f", Double(i) * 0.34 + Double(rng.next() % 1000) / 1e6)
        other["db0"] = "keys=\(2_000_000 + i),expires=\(1_000 + i % 97),avg_ttl=\(3_600_000 - Int(rng.next() % 100_000))"

        let forkFailures = Int64(i) * 10 + Int64(rng.next() % 3)
        let pipes = Int(min(forkFailures * 6, 9_823))
        let redis = RedisSample(
            server: "redis", version: "3.2.8", processId: 1838, role: "master", tcpPort: 6379, uptimeSeconds: 1_036_800 + Int64(i),
            hz: 10, connectedClients: 499 - Int(rng.next() % 3), maxclients: 10_000, rejectedConnections: 0,
            totalConnectionsReceived: 40_000 + Int64(i / 7), aofEnabled: true, aofCurrentSize: 2_100_000_000 + Int64(i) * 3_100,
            aofBaseSize: 1_000_000_000, aofRewriteInProgress: false, aofRewriteScheduled: false, aofLastBgrewriteStatus: "ok",
            aofRewrites: 311, aofRewritesConsecutiveFailures: 0, rdbLastBgsaveStatus: "ok", totalForks: 4_200,
            latestForkUsec: 18_231, usedMemory: usedMemory, otherFields: other,
            config: .ok(RedisConfig(maxclients: 10_000, autoAofRewritePercentage: 100, autoAofRewriteMinSize: 67_108_864,
                                    logfile: "/var/log/redis/redis.log", dir: "/var/lib/redis", appenddirname: nil, hz: 10,
                                    appendonly: true)),
            infoLatencyMicros: 180 + Int64(rng.next() % 200))
        let process = ProcSample(
            pid: 1838, command: "redis-server", startTicks: 4242, cpuTicks: 90_000 + UInt64(i) * 55, clockTicksPerSecond: 100,
            fds: FdCensus(total: 510 + pipes, sockets: 500, listeningSockets: 1, pipes: pipes, selfHeldPipePairs: pipes / 2,
                          anonInodes: ["[eventpoll]": 1], regularFiles: 3, other: 3, highestFd: 509 + pipes, lowestFreeFd: 510 + pipes),
            limits: FdLimits(soft: 65_535, hard: 65_535))
        var events: [LogEvent] = []
        for k in 0..<(storm ? 10 : 0) {
            let at = time.adding(milliseconds: Int64(k) * 100 - 1000)
            events.append(LogEvent(time: at, kind: .aofRewriteStart, pid: 1838, role: "M", level: .notice, growthPercent: 100,
                                   message: "Starting automatic rewriting of AOF on 100% growth"))
            events.append(LogEvent(time: at, kind: .aofForkFailed, pid: 1838, role: "M", level: .warning,
                                   error: "Cannot allocate memory",
                                   message: "Can't rewrite append only file in background: fork: Cannot allocate memory"))
        }
        let log = LogSample(path: "/var/log/redis/redis.log", fileState: .following, events: events,
                            totals: [.aofRewriteStart: Int(forkFailures), .aofForkFailed: Int(forkFailures), .serverStart: 3, .other: 40],
                            linesRead: Int(forkFailures) * 2 + 43, bytesRead: UInt64(forkFailures) * 160 + 5_000, lastLineTime: time)
        return Snapshot(time: time,
                        source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838, processStartTicks: 4242,
                                               server: "redis", version: "3.2.8"),
                        redis: .ok(redis), process: .ok(process), log: .ok(log),
                        aofDirectory: .ok(AofDirectorySample(path: "/var/lib/redis", files: 2, incrFiles: 0,
                                                             totalBytes: 2_100_000_000 + UInt64(i) * 3_100)))
    }
}
