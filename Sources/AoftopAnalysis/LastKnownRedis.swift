import AoftopModel

/// The Redis settings last read from this process (since its start), for when Redis cannot be asked.
///
/// At the moment that matters most — the event loop refusing new clients — a fresh connection gets no INFO or
/// CONFIG, and without `maxclients` the analysis could only fall back to RLIMIT_NOFILE. These values cannot
/// change without a `CONFIG SET` or a restart (which resets the history), so the last reading stands in,
/// marked `last-known`.
public struct LastKnownRedis: Sendable, Equatable {
    public var maxclients: Int?
    /// Where `maxclients` was read: `config` (CONFIG GET) or `info` (INFO clients section).
    public var maxclientsSource: SettingOrigin?
    public var autoAofRewritePercentage: Int?
    public var autoAofRewriteMinSize: Int64?
    public var hz: Int?
    public var version: String?
    /// When any of these was last read.
    public var time: Timestamp?

    public init(maxclients: Int? = nil, maxclientsSource: SettingOrigin? = nil, autoAofRewritePercentage: Int? = nil,
                autoAofRewriteMinSize: Int64? = nil, hz: Int? = nil, version: String? = nil, time: Timestamp? = nil) {
        self.maxclients = maxclients
        self.maxclientsSource = maxclientsSource
        self.autoAofRewritePercentage = autoAofRewritePercentage
        self.autoAofRewriteMinSize = autoAofRewriteMinSize
        self.hz = hz
        self.version = version
        self.time = time
    }

    /// Takes what `redis` says; a value it lacks (failed CONFIG, older INFO) keeps the previous one.
    mutating func note(_ redis: RedisSample, at time: Timestamp) {
        let config = redis.config.value
        if let configured = config?.maxclients {
            maxclients = configured
            maxclientsSource = .config
        } else if let info = redis.maxclients {
            maxclients = info
            maxclientsSource = .info
        }
        autoAofRewritePercentage = config?.autoAofRewritePercentage ?? autoAofRewritePercentage
        autoAofRewriteMinSize = config?.autoAofRewriteMinSize ?? autoAofRewriteMinSize
        hz = config?.hz ?? redis.hz ?? hz
        version = redis.version ?? version
        self.time = time
    }
}
