import AoftopModel

/// Which ceiling stops the fds first: the event loop (`setsize = maxclients + 128`, fds ≥ setsize are refused
/// with ERANGE) or the soft `RLIMIT_NOFILE` (EMFILE).
public enum LimitBinding: String, Sendable, Codable {
    case eventLoop = "event-loop"
    case rlimit
    case unknown
}

/// The effective fd limit, both candidate numbers, and how much room is left below the one that binds.
///
/// The two limits are of different kinds. The event loop refuses fd *numbers* ≥ setsize, and the kernel gives a
/// new fd the lowest free number, so its room is the count of free numbers below setsize, however many fds are
/// open above it (Redis 7 with the leak shim: 1,568 fds open, setsize 192, one hole at fd 7 — one client at a time
/// still gets in). RLIMIT_NOFILE caps the *count* (EMFILE), so its room is `rlimit_soft − total`.
public struct FdLimitAssessment: Sendable, Equatable, Codable {
    /// `CONFIG_FDSET_INCR` (32 + 96): Redis sizes its event loop `maxclients + 128` in 3.0 through 7.x.
    public static let eventLoopReserve = 128
    /// Event loop: with this many free numbers below setsize or fewer, single connections may still get in but a
    /// reconnect burst fails (measured 20/20 with 1–2 spare), so it counts as exhausted.
    public static let eventLoopExhaustionMargin = 2
    /// RLIMIT: below this many spare fds the next leak tick cannot open its pipes; the EMFILE plateau is RLIMIT − 5.
    public static let rlimitExhaustionMargin = 6

    public var effective: Int?
    public var binding: LimitBinding
    public var setsize: Int?
    /// `nil` when unlimited or unknown (no `/proc` reading).
    public var rlimitSoft: Int?
    public var rlimitHard: Int?
    public var maxclients: Int?
    /// `config` (CONFIG GET), `info` (INFO clients section), or `last-known` (read earlier from this process,
    /// while Redis or CONFIG cannot be read now); `nil` when unknown.
    public var maxclientsSource: String?
    /// Room left before the binding limit: free fd numbers below setsize (event loop; a lower bound when more
    /// than `FdCensus.maxHoles` free numbers lie below it), or `rlimit_soft − total` (RLIMIT). Never negative.
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

    init(redis: RedisSample?, process: ProcSample?, lastKnown: LastKnownRedis = LastKnownRedis()) {
        if let configured = redis?.config.value?.maxclients {
            maxclients = configured
            maxclientsSource = "config"
        } else if let info = redis?.maxclients {
            maxclients = info
            maxclientsSource = "info"
        } else if let known = lastKnown.maxclients {
            maxclients = known
            maxclientsSource = "last-known"
        }
        setsize = maxclients.map { $0 + Self.eventLoopReserve }
        rlimitSoft = process?.limits.soft
        rlimitHard = process?.limits.hard
        binding = .unknown

        if let fds = process?.fds {
            // Bind to whichever limit is closer to its margin in this census; a tie goes to RLIMIT (equal limits:
            // pipe()/accept() hit EMFILE before the event loop could refuse anything).
            let eventLoop = setsize.map { fds.freeFdBounds(below: $0).lowerBound }
            let rlimit = rlimitSoft.map { $0 - fds.total }
            switch (eventLoop, rlimit) {
            case let (free?, room?):
                let eventLoopFirst = free - Self.eventLoopExhaustionMargin < room - Self.rlimitExhaustionMargin
                binding = eventLoopFirst ? .eventLoop : .rlimit
                spare = eventLoopFirst ? free : room
            case let (free?, nil):
                binding = .eventLoop
                spare = free
            case let (nil, room?):
                binding = .rlimit
                spare = room
            case (nil, nil):
                break
            }
            spare = spare.map { max(0, $0) }
        } else {
            switch (setsize, rlimitSoft) {
            case let (setsize?, soft?): binding = soft <= setsize ? .rlimit : .eventLoop
            case (_?, nil): binding = .eventLoop
            case (nil, _?): binding = .rlimit
            case (nil, nil): binding = .unknown
            }
        }
        switch binding {
        case .eventLoop: effective = setsize
        case .rlimit: effective = rlimitSoft
        case .unknown: effective = nil
        }
    }

    /// The spare count at or below which the binding limit counts as reached.
    public var exhaustionMargin: Int {
        binding == .eventLoop ? Self.eventLoopExhaustionMargin : Self.rlimitExhaustionMargin
    }

    /// The binding limit is reached: at most `exhaustionMargin` free fd numbers below setsize (ERANGE, new clients
    /// refused or hung whenever the last ones are taken), or RLIMIT leaves no room for another rewrite's pipes
    /// (EMFILE). `false` when the spare room is unknown.
    public var isExhausted: Bool { spare.map { $0 <= exhaustionMargin } ?? false }

    /// Fds that can still be opened before the binding limit is reached: what an ETA divides by the slope.
    public var remainingBeforeExhaustion: Int? { spare.map { max(0, $0 - exhaustionMargin) } }

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
