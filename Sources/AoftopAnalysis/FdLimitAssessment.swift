import AoftopModel

/// Which ceiling stops the fds first: the event loop (`setsize = maxclients + 128`, fds ≥ setsize are refused
/// with ERANGE) or the soft `RLIMIT_NOFILE` (EMFILE).
public enum LimitBinding: String, Sendable, Codable {
    case eventLoop = "event-loop"
    case rlimit
    case unknown
}

/// The effective fd limit and both candidate numbers.
public struct FdLimitAssessment: Sendable, Equatable, Codable {
    /// `CONFIG_FDSET_INCR` (32 + 96): Redis sizes its event loop `maxclients + 128` in 3.0 through 7.x.
    public static let eventLoopReserve = 128
    /// Below this many spare fds the next leak tick cannot open its pipes: the EMFILE plateau is RLIMIT − 5.
    public static let exhaustionMargin = 6

    public var effective: Int?
    public var binding: LimitBinding
    public var setsize: Int?
    /// `nil` when unlimited or unknown (no `/proc` reading).
    public var rlimitSoft: Int?
    public var rlimitHard: Int?
    public var maxclients: Int?
    /// `config` (CONFIG GET) or `info` (INFO clients section); `nil` when unknown.
    public var maxclientsSource: String?
    /// Fds left before the effective limit (0 when exhausted).
    public var spare: Int?

    public init(effective: Int? = nil, binding: LimitBinding = .unknown, setsize: Int? = nil, rlimitSoft: Int? = nil,
                rlimitHard: Int? = nil, maxclients: Int? = nil, maxclientsSource: String? = nil, spare: Int? = nil) {
        self.effective = effective
        self.binding = binding
        self.setsize = setsize
        self.rlimitSoft = rlimitSoft
        self.rlimitHard = rlimitHard
        self.maxclients = maxclients
        self.maxclientsSource = maxclientsSource
        self.spare = spare
    }

    init(redis: RedisSample?, process: ProcSample?) {
        if let configured = redis?.config.value?.maxclients {
            maxclients = configured
            maxclientsSource = "config"
        } else if let info = redis?.maxclients {
            maxclients = info
            maxclientsSource = "info"
        }
        setsize = maxclients.map { $0 + Self.eventLoopReserve }
        rlimitSoft = process?.limits.soft
        rlimitHard = process?.limits.hard
        switch (setsize, rlimitSoft) {
        case let (setsize?, soft?):
            // Equal limits: pipe()/accept() hit EMFILE before the event loop could refuse anything.
            binding = soft <= setsize ? .rlimit : .eventLoop
            effective = min(setsize, soft)
        case let (setsize?, nil):
            binding = .eventLoop
            effective = setsize
        case let (nil, soft?):
            binding = .rlimit
            effective = soft
        case (nil, nil):
            binding = .unknown
        }
        if let fds = process?.fds, let effective {
            spare = isExhausted(fds) ? 0 : max(0, effective - fds.total)
        }
    }

    /// The next fd would be refused: its number reaches setsize (ERANGE), or RLIMIT leaves no room for another
    /// rewrite's pipes (EMFILE). Counting open fds alone would miss the first case when fds have holes.
    public func isExhausted(_ fds: FdCensus) -> Bool {
        if let setsize, fds.lowestFreeFd >= setsize { return true }
        if let rlimitSoft, fds.total >= rlimitSoft - Self.exhaustionMargin { return true }
        return false
    }

    enum CodingKeys: String, CodingKey {
        case effective, binding, setsize, maxclients, spare
        case rlimitSoft = "rlimit_soft"
        case rlimitHard = "rlimit_hard"
        case maxclientsSource = "maxclients_source"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(effective, forKey: .effective)
        try c.encode(binding, forKey: .binding)
        try c.encode(setsize, forKey: .setsize)
        try c.encode(rlimitSoft, forKey: .rlimitSoft)
        try c.encode(rlimitHard, forKey: .rlimitHard)
        try c.encode(maxclients, forKey: .maxclients)
        try c.encode(maxclientsSource, forKey: .maxclientsSource)
        try c.encode(spare, forKey: .spare)
    }
}
