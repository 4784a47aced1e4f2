/// What `INFO` and `CONFIG GET` said. Every field is optional: Redis 2.8 through 7.x and Valkey differ,
/// and a missing field is `nil`, never a made-up zero.
public struct RedisSample: Sendable, Codable, Equatable {
    /// `redis` or `valkey`.
    public var server: String?
    public var version: String?
    public var processId: Int32?
    /// `master`, `slave`/`replica`, or `sentinel` mode.
    public var role: String?
    public var tcpPort: Int?
    public var uptimeSeconds: Int64?
    public var hz: Int?
    public var connectedClients: Int?
    /// INFO `maxclients` (clients section, Redis ≥ 5.0).
    public var maxclients: Int?
    public var rejectedConnections: Int64?
    public var totalConnectionsReceived: Int64?
    /// Clients blocked in BLPOP, WAIT, XREAD…: each holds a socket while it waits.
    public var blockedClients: Int?
    /// Replicas attached (INFO replication): Redis counts them against `maxclients`, INFO `connected_clients` does not.
    public var connectedReplicas: Int?
    /// Cluster-bus links (INFO clients, Redis ≥ 7.0): counted against `maxclients` when a client connects.
    public var clusterConnections: Int?
    /// A replica's master (INFO replication `master_host`/`master_port`): names its outbound connection.
    public var masterHost: String?
    public var masterPort: Int?
    public var aofEnabled: Bool?
    public var aofCurrentSize: Int64?
    public var aofBaseSize: Int64?
    public var aofRewriteInProgress: Bool?
    public var aofRewriteScheduled: Bool?
    public var aofLastBgrewriteStatus: String?
    public var aofRewrites: Int64?
    public var aofRewritesConsecutiveFailures: Int64?
    public var rdbLastBgsaveStatus: String?
    public var totalForks: Int64?
    public var latestForkUsec: Int64?
    public var usedMemory: Int64?
    /// INFO `current_cow_size` (Redis ≥ 6.2): bytes copied on write by the fork child running now, 0 without one.
    public var currentCowSize: Int64?
    /// INFO `rdb_last_cow_size` / `aof_last_cow_size` (Redis ≥ 4.0): what the last save or rewrite copied on write,
    /// the best guess of the memory the next one needs beyond Redis itself.
    public var rdbLastCowSize: Int64?
    public var aofLastCowSize: Int64?
    /// INFO fields that have no property above, kept verbatim (`section` is not part of the key).
    public var otherFields: [String: String]
    /// `CONFIG GET`; `.failed` when CONFIG is renamed away or denied by ACL (aoftop then carries on with INFO alone).
    public var config: Reading<RedisConfig>
    /// Round trip of the INFO call, in microseconds.
    public var infoLatencyMicros: Int64?
    /// `CLIENT LIST`, summarised: `.notConfigured` unless the operator asked for it (`--client-list`).
    public var clientList: Reading<ClientListSummary>

    public init(server: String? = nil, version: String? = nil, processId: Int32? = nil, role: String? = nil,
                tcpPort: Int? = nil, uptimeSeconds: Int64? = nil, hz: Int? = nil, connectedClients: Int? = nil,
                maxclients: Int? = nil, rejectedConnections: Int64? = nil, totalConnectionsReceived: Int64? = nil,
                blockedClients: Int? = nil, connectedReplicas: Int? = nil, clusterConnections: Int? = nil,
                masterHost: String? = nil, masterPort: Int? = nil, aofEnabled: Bool? = nil, aofCurrentSize: Int64? = nil, aofBaseSize: Int64? = nil,
                aofRewriteInProgress: Bool? = nil, aofRewriteScheduled: Bool? = nil,
                aofLastBgrewriteStatus: String? = nil, aofRewrites: Int64? = nil,
                aofRewritesConsecutiveFailures: Int64? = nil, rdbLastBgsaveStatus: String? = nil,
                totalForks: Int64? = nil, latestForkUsec: Int64? = nil, usedMemory: Int64? = nil,
                currentCowSize: Int64? = nil, rdbLastCowSize: Int64? = nil, aofLastCowSize: Int64? = nil,
                otherFields: [String: String] = [:], config: Reading<RedisConfig> = .notConfigured,
                infoLatencyMicros: Int64? = nil, clientList: Reading<ClientListSummary> = .notConfigured) {
        self.server = server
        self.version = version
        self.processId = processId
        self.role = role
        self.tcpPort = tcpPort
        self.uptimeSeconds = uptimeSeconds
        self.hz = hz
        self.connectedClients = connectedClients
        self.maxclients = maxclients
        self.rejectedConnections = rejectedConnections
        self.totalConnectionsReceived = totalConnectionsReceived
        self.blockedClients = blockedClients
        self.connectedReplicas = connectedReplicas
        self.clusterConnections = clusterConnections
        self.masterHost = masterHost
        self.masterPort = masterPort
        self.aofEnabled = aofEnabled
        self.aofCurrentSize = aofCurrentSize
        self.aofBaseSize = aofBaseSize
        self.aofRewriteInProgress = aofRewriteInProgress
        self.aofRewriteScheduled = aofRewriteScheduled
        self.aofLastBgrewriteStatus = aofLastBgrewriteStatus
        self.aofRewrites = aofRewrites
        self.aofRewritesConsecutiveFailures = aofRewritesConsecutiveFailures
        self.rdbLastBgsaveStatus = rdbLastBgsaveStatus
        self.totalForks = totalForks
        self.latestForkUsec = latestForkUsec
        self.usedMemory = usedMemory
        self.currentCowSize = currentCowSize
        self.rdbLastCowSize = rdbLastCowSize
        self.aofLastCowSize = aofLastCowSize
        self.otherFields = otherFields
        self.config = config
        self.infoLatencyMicros = infoLatencyMicros
        self.clientList = clientList
    }

    private enum CodingKeys: String, CodingKey {
        case server, version, role, hz, maxclients, config
        case processId = "process_id"
        case tcpPort = "tcp_port"
        case uptimeSeconds = "uptime_in_seconds"
        case connectedClients = "connected_clients"
        case rejectedConnections = "rejected_connections"
        case totalConnectionsReceived = "total_connections_received"
        case blockedClients = "blocked_clients"
        case connectedReplicas = "connected_slaves"
        case clusterConnections = "cluster_connections"
        case masterHost = "master_host"
        case masterPort = "master_port"
        case aofEnabled = "aof_enabled"
        case aofCurrentSize = "aof_current_size"
        case aofBaseSize = "aof_base_size"
        case aofRewriteInProgress = "aof_rewrite_in_progress"
        case aofRewriteScheduled = "aof_rewrite_scheduled"
        case aofLastBgrewriteStatus = "aof_last_bgrewrite_status"
        case aofRewrites = "aof_rewrites"
        case aofRewritesConsecutiveFailures = "aof_rewrites_consecutive_failures"
        case rdbLastBgsaveStatus = "rdb_last_bgsave_status"
        case totalForks = "total_forks"
        case latestForkUsec = "latest_fork_usec"
        case usedMemory = "used_memory"
        case currentCowSize = "current_cow_size"
        case rdbLastCowSize = "rdb_last_cow_size"
        case aofLastCowSize = "aof_last_cow_size"
        case otherFields = "other_fields"
        case infoLatencyMicros = "info_latency_us"
        case clientList = "client_list"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys) throws -> T? { try c.decodeIfPresent(T.self, forKey: key) }
        self.init(server: try value(.server), version: try value(.version), processId: try value(.processId),
                  role: try value(.role), tcpPort: try value(.tcpPort), uptimeSeconds: try value(.uptimeSeconds),
                  hz: try value(.hz), connectedClients: try value(.connectedClients), maxclients: try value(.maxclients),
                  rejectedConnections: try value(.rejectedConnections),
                  totalConnectionsReceived: try value(.totalConnectionsReceived),
                  blockedClients: try value(.blockedClients), connectedReplicas: try value(.connectedReplicas),
                  clusterConnections: try value(.clusterConnections), masterHost: try value(.masterHost),
                  masterPort: try value(.masterPort), aofEnabled: try value(.aofEnabled),
                  aofCurrentSize: try value(.aofCurrentSize), aofBaseSize: try value(.aofBaseSize),
                  aofRewriteInProgress: try value(.aofRewriteInProgress),
                  aofRewriteScheduled: try value(.aofRewriteScheduled),
                  aofLastBgrewriteStatus: try value(.aofLastBgrewriteStatus), aofRewrites: try value(.aofRewrites),
                  aofRewritesConsecutiveFailures: try value(.aofRewritesConsecutiveFailures),
                  rdbLastBgsaveStatus: try value(.rdbLastBgsaveStatus), totalForks: try value(.totalForks),
                  latestForkUsec: try value(.latestForkUsec), usedMemory: try value(.usedMemory),
                  currentCowSize: try value(.currentCowSize), rdbLastCowSize: try value(.rdbLastCowSize),
                  aofLastCowSize: try value(.aofLastCowSize),
                  otherFields: try value(.otherFields) ?? [:], config: try value(.config) ?? .notConfigured,
                  infoLatencyMicros: try value(.infoLatencyMicros), clientList: try value(.clientList) ?? .notConfigured)
        liftFieldsModelledLater()
    }

    /// Recordings made before a field was modelled carry it verbatim in `otherFields`: it is taken from there, so an
    /// old recording replays with the same figures as a new one.
    private mutating func liftFieldsModelledLater() {
        func take(_ key: CodingKeys) -> String? { otherFields.removeValue(forKey: key.stringValue) }
        if let text = take(.blockedClients) { blockedClients = blockedClients ?? Int(text) }
        if let text = take(.connectedReplicas) { connectedReplicas = connectedReplicas ?? Int(text) }
        if let text = take(.clusterConnections) { clusterConnections = clusterConnections ?? Int(text) }
        if let text = take(.masterHost) { masterHost = masterHost ?? text }
        if let text = take(.masterPort) { masterPort = masterPort ?? Int(text) }
        if let text = take(.currentCowSize) { currentCowSize = currentCowSize ?? Int64(text) }
        if let text = take(.rdbLastCowSize) { rdbLastCowSize = rdbLastCowSize ?? Int64(text) }
        if let text = take(.aofLastCowSize) { aofLastCowSize = aofLastCowSize ?? Int64(text) }
    }
}

/// The `CONFIG GET` values aoftop needs. A parameter the server does not know (older versions) is `nil`.
public struct RedisConfig: Sendable, Codable, Equatable {
    public var maxclients: Int?
    public var autoAofRewritePercentage: Int?
    public var autoAofRewriteMinSize: Int64?
    public var logfile: String?
    public var dir: String?
    /// Redis ≥ 7.0 multi-part AOF directory name, relative to `dir`.
    public var appenddirname: String?
    public var hz: Int?
    public var appendonly: Bool?
    /// Seconds after which an idle client is closed; 0 = never (the default), so dead peers stay.
    public var timeout: Int?
    /// Seconds between TCP keepalive probes; 0 = off. What finds a vanished peer.
    public var tcpKeepalive: Int?
    /// `protected-mode`: with it on (and no password for the default user) clients from other addresses are denied,
    /// and Redis 7 counts those denials in `rejected_connections`. (`requirepass` is never asked: it is the password.)
    public var protectedMode: Bool?

    public init(maxclients: Int? = nil, autoAofRewritePercentage: Int? = nil, autoAofRewriteMinSize: Int64? = nil,
                logfile: String? = nil, dir: String? = nil, appenddirname: String? = nil, hz: Int? = nil,
                appendonly: Bool? = nil, timeout: Int? = nil, tcpKeepalive: Int? = nil, protectedMode: Bool? = nil) {
        self.maxclients = maxclients
        self.autoAofRewritePercentage = autoAofRewritePercentage
        self.autoAofRewriteMinSize = autoAofRewriteMinSize
        self.logfile = logfile
        self.dir = dir
        self.appenddirname = appenddirname
        self.hz = hz
        self.appendonly = appendonly
        self.timeout = timeout
        self.tcpKeepalive = tcpKeepalive
        self.protectedMode = protectedMode
    }

    private enum CodingKeys: String, CodingKey {
        case maxclients, logfile, dir, appenddirname, hz, appendonly, timeout
        case tcpKeepalive = "tcp_keepalive"
        case protectedMode = "protected_mode"
        case autoAofRewritePercentage = "auto_aof_rewrite_percentage"
        case autoAofRewriteMinSize = "auto_aof_rewrite_min_size"
    }
}
