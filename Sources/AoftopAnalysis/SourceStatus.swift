import AoftopModel

/// How each source of the snapshot fared, so a pane can say why it is empty.
public struct SourceStatus: Sendable, Equatable, Codable {
    public struct State: Sendable, Equatable, Codable {
        /// `ok`, `failed` or `not_configured`.
        public var status: String
        public var reason: String?
        /// When `ok`: the log file followed (or `standard input`, `--log -`) and the AOF directory counted; under
        /// `/proc/PID/root` when read inside the server's own mount namespace (a container), so the view is named.
        public var path: String?
        /// The log only, when it is `ok`: `following`, `waiting_for_file` or `stream_ended` (standard input closed:
        /// the counts are final).
        public var fileState: String?

        public init(status: String, reason: String? = nil, path: String? = nil, fileState: String? = nil) {
            self.status = status
            self.reason = reason
            self.path = path
            self.fileState = fileState
        }

        init<Value>(_ reading: Reading<Value>) {
            switch reading {
            case .ok: self.init(status: "ok")
            case .failed(let reason): self.init(status: "failed", reason: reason)
            case .notConfigured: self.init(status: "not_configured")
            }
        }

        public var isOK: Bool { status == "ok" }

        enum CodingKeys: String, CodingKey {
            case status, reason, path
            case fileState = "file_state"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(reason, forKey: .reason)
            // Only the log and the AOF directory have them; the other sources keep their two keys.
            try c.encodeIfPresent(path, forKey: .path)
            try c.encodeIfPresent(fileState, forKey: .fileState)
        }
    }

    public var redis: State
    public var process: State
    public var log: State
    public var aofDirectory: State
    /// `CONFIG GET` (renamed away or denied by ACL leaves INFO alone); `not_configured` without a Redis reading.
    public var config: State
    /// What the process was started with (config file, command line, binary), read without Redis.
    public var startup: State
    /// Overcommit, meminfo, THP and the memory cgroup (`/proc/sys/vm`, `/sys`); `not_configured` without a local process.
    public var forkReadiness: State

    public init(redis: State, process: State, log: State, aofDirectory: State, config: State,
                startup: State = State(status: "not_configured"), forkReadiness: State = State(status: "not_configured")) {
        self.redis = redis
        self.process = process
        self.log = log
        self.aofDirectory = aofDirectory
        self.config = config
        self.startup = startup
        self.forkReadiness = forkReadiness
    }

    init(_ snapshot: Snapshot) {
        var log = State(snapshot.log)
        if let sample = snapshot.log.value { (log.path, log.fileState) = (sample.path, sample.fileState.rawValue) }
        var aofDirectory = State(snapshot.aofDirectory)
        aofDirectory.path = snapshot.aofDirectory.value?.path
        self.init(redis: State(snapshot.redis), process: State(snapshot.process), log: log, aofDirectory: aofDirectory,
                  config: snapshot.redis.value.map { State($0.config) } ?? State(status: "not_configured"),
                  startup: State(snapshot.startup), forkReadiness: State(snapshot.forkReadiness))
    }

    enum CodingKeys: String, CodingKey {
        case redis, process, log, config, startup
        case aofDirectory = "aof_directory"
        case forkReadiness = "fork_readiness"
    }
}
