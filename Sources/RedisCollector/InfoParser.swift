import AoftopModel

/// Turns `INFO` text into a `RedisSample`, for Redis 2.8 through 7.x and Valkey.
///
/// Lines are `key:value`, sections start with `# Name`, lines end in CRLF (LF accepted). Fields aoftop models
/// get typed properties; everything else goes to `otherFields` verbatim. A missing field stays `nil`, and so
/// does one whose value does not parse: a strange server must degrade a number, never crash the collector.
public enum InfoParser {
    public static func parse(_ text: String) -> RedisSample {
        var fields: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            guard !line.isEmpty, line.first != "#", let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return sample(from: fields)
    }

    /// Builds the sample from already split fields (consumed keys are removed; the rest become `otherFields`).
    static func sample(from fields: [String: String]) -> RedisSample {
        var rest = fields
        func take(_ key: String) -> String? { rest.removeValue(forKey: key) }
        func int(_ key: String) -> Int? { take(key).flatMap { Int($0) } }
        func int64(_ key: String) -> Int64? { take(key).flatMap { Int64($0) } }
        func bool(_ key: String) -> Bool? {
            switch take(key) {
            case "1": return true
            case "0": return false
            default: return nil
            }
        }

        var sample = RedisSample()
        // Valkey 8 also reports `redis_version` (the Redis version it is compatible with, listed first), so the
        // Valkey fields win whenever present.
        let serverName = take("server_name")
        let valkeyVersion = take("valkey_version")
        let redisVersion = take("redis_version")
        if valkeyVersion != nil || serverName?.lowercased() == "valkey" {
            sample.server = "valkey"
            sample.version = valkeyVersion ?? redisVersion
            // Keep the compatibility version visible for operators who look for it.
            if valkeyVersion != nil, let redisVersion { rest["redis_version"] = redisVersion }
        } else if redisVersion != nil || serverName != nil {
            sample.server = serverName?.lowercased() ?? "redis"
            sample.version = redisVersion
        }
        sample.processId = take("process_id").flatMap { Int32($0) }
        let mode = rest["redis_mode"]
        sample.role = take("role") ?? (mode == "sentinel" ? "sentinel" : nil)
        sample.tcpPort = int("tcp_port")
        sample.uptimeSeconds = int64("uptime_in_seconds")
        sample.hz = int("hz")
        sample.connectedClients = int("connected_clients")
        sample.maxclients = int("maxclients")
        sample.rejectedConnections = int64("rejected_connections")
        sample.totalConnectionsReceived = int64("total_connections_received")
        sample.blockedClients = int("blocked_clients")
        sample.connectedReplicas = int("connected_slaves")
        sample.clusterConnections = int("cluster_connections")
        sample.masterHost = take("master_host")
        sample.masterPort = int("master_port")
        sample.aofEnabled = bool("aof_enabled")
        sample.aofCurrentSize = int64("aof_current_size")
        sample.aofBaseSize = int64("aof_base_size")
        sample.aofRewriteInProgress = bool("aof_rewrite_in_progress")
        sample.aofRewriteScheduled = bool("aof_rewrite_scheduled")
        sample.aofLastBgrewriteStatus = take("aof_last_bgrewrite_status")
        sample.aofRewrites = int64("aof_rewrites")
        sample.aofRewritesConsecutiveFailures = int64("aof_rewrites_consecutive_failures")
        sample.rdbLastBgsaveStatus = take("rdb_last_bgsave_status")
        sample.totalForks = int64("total_forks")
        sample.latestForkUsec = int64("latest_fork_usec")
        sample.usedMemory = int64("used_memory")
        sample.currentCowSize = int64("current_cow_size")
        sample.rdbLastCowSize = int64("rdb_last_cow_size")
        sample.aofLastCowSize = int64("aof_last_cow_size")
        sample.otherFields = rest
        return sample
    }
}
