/// Everything aoftop knows about one Redis/Valkey process at one instant: the raw material of every pane,
/// of `check`, of `metrics`, and one line of a recording. Analysis is never stored here; it is recomputed.
public struct Snapshot: Sendable, Codable, Equatable {
    /// When the snapshot was assembled (the collectors' injected clock; the recording's clock on replay).
    public var time: Timestamp
    public var source: SourceIdentity
    public var redis: Reading<RedisSample>
    public var process: Reading<ProcSample>
    public var log: Reading<LogSample>
    /// Files in the AOF directory (Redis 7 `appenddirname`); the incr-file storm shows here.
    public var aofDirectory: Reading<AofDirectorySample>
    /// What the process was started with (binary, config file, command line), read without Redis.
    public var startup: Reading<ServerStartup>
    /// What decides whether the next fork succeeds (overcommit, commit figures, THP, the memory cgroup), from
    /// `/proc` and `/sys`; host-wide figures only when the pid is unknown.
    public var forkReadiness: Reading<ForkReadinessSample>

    public init(time: Timestamp, source: SourceIdentity,
                redis: Reading<RedisSample> = .notConfigured, process: Reading<ProcSample> = .notConfigured,
                log: Reading<LogSample> = .notConfigured, aofDirectory: Reading<AofDirectorySample> = .notConfigured,
                startup: Reading<ServerStartup> = .notConfigured,
                forkReadiness: Reading<ForkReadinessSample> = .notConfigured) {
        self.time = time
        self.source = source
        self.redis = redis
        self.process = process
        self.log = log
        self.aofDirectory = aofDirectory
        self.startup = startup
        self.forkReadiness = forkReadiness
    }

    private enum CodingKeys: String, CodingKey {
        case time, source, redis, process, log, startup
        case aofDirectory = "aof_directory"
        case forkReadiness = "fork_readiness"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Recordings made before `startup` or `fork_readiness` existed must replay: they are then simply not configured.
        self.init(time: try c.decode(Timestamp.self, forKey: .time), source: try c.decode(SourceIdentity.self, forKey: .source),
                  redis: try c.decode(Reading<RedisSample>.self, forKey: .redis),
                  process: try c.decode(Reading<ProcSample>.self, forKey: .process),
                  log: try c.decode(Reading<LogSample>.self, forKey: .log),
                  aofDirectory: try c.decode(Reading<AofDirectorySample>.self, forKey: .aofDirectory),
                  startup: try c.decodeIfPresent(Reading<ServerStartup>.self, forKey: .startup) ?? .notConfigured,
                  forkReadiness: try c.decodeIfPresent(Reading<ForkReadinessSample>.self, forKey: .forkReadiness)
                      ?? .notConfigured)
    }
}

/// Which server the snapshot describes. A change of `pid` or `processStartTicks` means Redis restarted
/// (or the pid was reused) and any history must start again.
public struct SourceIdentity: Sendable, Codable, Equatable, Hashable {
    public var host: String?
    public var port: Int?
    public var unixSocket: String?
    public var pid: Int32?
    /// Field 22 of `/proc/PID/stat`: start time in clock ticks after boot.
    public var processStartTicks: UInt64?
    /// `redis` or `valkey`.
    public var server: String?
    public var version: String?

    public init(host: String? = nil, port: Int? = nil, unixSocket: String? = nil, pid: Int32? = nil,
                processStartTicks: UInt64? = nil, server: String? = nil, version: String? = nil) {
        self.host = host
        self.port = port
        self.unixSocket = unixSocket
        self.pid = pid
        self.processStartTicks = processStartTicks
        self.server = server
        self.version = version
    }

    /// `127.0.0.1:6379`, `/run/redis.sock` or `pid 1838`.
    public var displayName: String {
        if let unixSocket { return unixSocket }
        if let host, let port { return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        if let pid { return "pid \(pid)" }
        return "unknown"
    }

    private enum CodingKeys: String, CodingKey {
        case host, port, pid, server, version
        case unixSocket = "unix_socket"
        case processStartTicks = "process_start_ticks"
    }
}

/// A count of the entries in the AOF directory.
public struct AofDirectorySample: Sendable, Codable, Equatable {
    public var path: String
    public var files: Int
    /// Files whose name ends in `.incr.aof`: each failed Redis 7 rewrite attempt leaves one.
    public var incrFiles: Int
    public var totalBytes: UInt64

    public init(path: String, files: Int, incrFiles: Int, totalBytes: UInt64) {
        self.path = path
        self.files = files
        self.incrFiles = incrFiles
        self.totalBytes = totalBytes
    }

    private enum CodingKeys: String, CodingKey {
        case path, files
        case incrFiles = "incr_files"
        case totalBytes = "total_bytes"
    }
}
