import AoftopModel

/// AOF growth against the automatic-rewrite threshold, computed exactly as `serverCron` does.
public struct AofAssessment: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case disabled
        case belowThreshold = "below-threshold"
        case due
        case rewriting
        /// Due, but forks fail (log, or INFO `aof_last_bgrewrite_status:err`).
        case dueButFailing = "due-but-failing"
        /// Redis 7 stopped retrying for a while after failed children (`aof-rewrite-limited`).
        case throttled
        case unknown
    }

    public var enabled: Bool?
    public var currentSize: Int64?
    public var baseSize: Int64?
    public var growthPercent: Int64?
    public var thresholdPercent: Int?
    public var minSize: Int64?
    /// Where `thresholdPercent` and `minSize` come from: CONFIG GET now, read earlier from this process, or (Redis
    /// cannot be asked) the config file, command line or default the server started with; `nil` when unknown.
    public var configSource: SettingOrigin?
    public var state: State
    public var lastBgrewriteStatus: String?
    /// Entries in the AOF directory (Redis 7 `appenddirname`) and how many are `.incr.aof`.
    public var dirFiles: Int?
    public var incrFiles: Int?

    public init(enabled: Bool? = nil, currentSize: Int64? = nil, baseSize: Int64? = nil, growthPercent: Int64? = nil,
                thresholdPercent: Int? = nil, minSize: Int64? = nil, configSource: SettingOrigin? = nil,
                state: State = .unknown, lastBgrewriteStatus: String? = nil, dirFiles: Int? = nil,
                incrFiles: Int? = nil) {
        self.enabled = enabled
        self.currentSize = currentSize
        self.baseSize = baseSize
        self.growthPercent = growthPercent
        self.thresholdPercent = thresholdPercent
        self.minSize = minSize
        self.configSource = configSource
        self.state = state
        self.lastBgrewriteStatus = lastBgrewriteStatus
        self.dirFiles = dirFiles
        self.incrFiles = incrFiles
    }

    /// `serverCron`: `base = aof_base_size ? aof_base_size : 1; growth = (aof_current_size*100/base) - 100`,
    /// in 64-bit integer arithmetic (so the first growth after start can read `6938200`).
    public static func growthPercent(current: Int64, base: Int64) -> Int64 {
        let divisor = base == 0 ? 1 : base
        return current.multipliedReportingOverflow(by: 100).partialValue / divisor - 100
    }

    /// `server.aof_rewrite_perc && server.aof_current_size > server.aof_rewrite_min_size && growth >= perc`.
    public static func rewriteDue(current: Int64, base: Int64, percentage: Int, minSize: Int64) -> Bool {
        percentage > 0 && current > minSize && growthPercent(current: current, base: base) >= Int64(percentage)
    }

    /// Whether the automatic rewrite condition holds; `nil` when a number is unknown.
    public var isDue: Bool? {
        guard let currentSize, let baseSize, let thresholdPercent, let minSize else { return nil }
        return Self.rewriteDue(current: currentSize, base: baseSize, percentage: thresholdPercent, minSize: minSize)
    }

    init(redis: RedisSample?, directory: AofDirectorySample?, lastKnown: LastKnownRedis = LastKnownRedis(),
         startup: ServerStartup? = nil) {
        state = .unknown
        dirFiles = directory?.files
        incrFiles = directory?.incrFiles
        let config = redis?.config.value
        if let config, config.autoAofRewritePercentage != nil || config.autoAofRewriteMinSize != nil {
            thresholdPercent = config.autoAofRewritePercentage
            minSize = config.autoAofRewriteMinSize
            configSource = .config
        } else if lastKnown.autoAofRewritePercentage != nil || lastKnown.autoAofRewriteMinSize != nil {
            thresholdPercent = lastKnown.autoAofRewritePercentage
            minSize = lastKnown.autoAofRewriteMinSize
            configSource = .lastKnown
        } else if let startup, let percentage = startup.autoAofRewritePercentage {
            thresholdPercent = percentage.value
            minSize = startup.autoAofRewriteMinSize?.value
            configSource = percentage.origin
        }
        guard let redis else {
            enabled = startup?.appendonly?.value
            return
        }
        enabled = redis.aofEnabled ?? config?.appendonly
        currentSize = redis.aofCurrentSize
        baseSize = redis.aofBaseSize
        if let currentSize, let baseSize { growthPercent = Self.growthPercent(current: currentSize, base: baseSize) }
        lastBgrewriteStatus = redis.aofLastBgrewriteStatus
    }

    /// Decides `state` once fork failures and throttling are known. Precedence: disabled, rewriting, throttled,
    /// failing, due, below threshold.
    mutating func decideState(redis: RedisSample?, forksFailing: Bool, throttled: Bool) {
        guard redis != nil else { state = .unknown; return }
        if enabled == false { state = .disabled; return }
        if redis?.aofRewriteInProgress == true { state = .rewriting; return }
        if throttled { state = .throttled; return }
        let due = isDue
        if forksFailing || (lastBgrewriteStatus == "err" && due != false) { state = .dueButFailing; return }
        switch due {
        case true?: state = .due
        case false?: state = .belowThreshold
        case nil: state = .unknown
        }
    }

    enum CodingKeys: String, CodingKey {
        case enabled, state
        case currentSize = "current_size"
        case baseSize = "base_size"
        case growthPercent = "growth_percent"
        case thresholdPercent = "threshold_percent"
        case minSize = "min_size"
        case configSource = "config_source"
        case lastBgrewriteStatus = "last_bgrewrite_status"
        case dirFiles = "dir_files"
        case incrFiles = "incr_files"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(currentSize, forKey: .currentSize)
        try c.encode(baseSize, forKey: .baseSize)
        try c.encode(growthPercent, forKey: .growthPercent)
        try c.encode(thresholdPercent, forKey: .thresholdPercent)
        try c.encode(minSize, forKey: .minSize)
        try c.encode(configSource, forKey: .configSource)
        try c.encode(state, forKey: .state)
        try c.encode(lastBgrewriteStatus, forKey: .lastBgrewriteStatus)
        try c.encode(dirFiles, forKey: .dirFiles)
        try c.encode(incrFiles, forKey: .incrFiles)
    }
}
