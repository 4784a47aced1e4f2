import RedisCollector

/// What to watch and how: the Redis connection (optional: `/proc` and the log work without it), and any pid or
/// log path the operator gave explicitly (they win over what is discovered).
public struct CollectionTarget: Sendable {
    public var endpoint: RedisEndpoint?
    public var credentials: RedisCredentials?
    /// Connect and read timeout for Redis, in seconds.
    public var timeout: Double
    public var pid: Int32?
    public var logPath: String?
    /// Read the log from this open descriptor instead of a file (`--log -`: standard input, 0); wins over `logPath`.
    public var logStreamFd: Int32?
    /// The server's config file as the operator named it (`--config`): wins over what `/proc` suggests.
    public var configFile: String?
    /// How much of an existing log to read at start.
    public var logBacklogBytes: Int
    /// `/proc`, or a fake tree in tests.
    public var procRoot: String
    /// `/sys`, or a fake tree in tests (transparent huge pages, memory cgroups).
    public var sysRoot: String
    /// Read `CLIENT LIST` at most this often (seconds); `nil`: never (it needs `+client|list` in the ACL).
    public var clientListInterval: Double?

    public init(endpoint: RedisEndpoint?, credentials: RedisCredentials? = nil, timeout: Double = 1.0,
                pid: Int32? = nil, logPath: String? = nil, configFile: String? = nil, logBacklogBytes: Int = 64 * 1024,
                procRoot: String = "/proc", sysRoot: String = "/sys", clientListInterval: Double? = nil,
                logStreamFd: Int32? = nil) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.pid = pid
        self.logPath = logPath
        self.configFile = configFile
        self.logBacklogBytes = logBacklogBytes
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.clientListInterval = clientListInterval
        self.logStreamFd = logStreamFd
    }
}
