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
    /// Event loop: see `FdCensus.eventLoopExhaustionMargin`.
    public static let eventLoopExhaustionMargin = FdCensus.eventLoopExhaustionMargin
    /// RLIMIT: below this many spare fds the next leak tick cannot open its pipes; the EMFILE plateau is RLIMIT − 5.
    public static let rlimitExhaustionMargin = 6

    public var effective: Int?
    public var binding: LimitBinding
    public var setsize: Int?
    /// `nil` when unlimited or unknown (no `/proc` reading).
    public var rlimitSoft: Int?
    public var rlimitHard: Int?
    public var maxclients: Int?
    /// Where `maxclients` came from, most trusted first: CONFIG GET, INFO, read earlier from this process, what the
    /// server logged at start (`evidence`), its command line, its config file, that version's default.
    public var maxclientsSource: SettingOrigin?
    /// `evidence` when a refused client's fd number set `setsize` (lower than any setting implies), else
    /// `maxclientsSource`.
    public var setsizeSource: SettingOrigin?
    /// What proved `setsize` when no setting read from this process could (`setsizeSource == .evidence`).
    public var evidence: LimitEvidence?
    /// Room left before the binding limit: free fd numbers below setsize (event loop; a lower bound when more
    /// than `FdCensus.maxHoles` free numbers lie below it), or `rlimit_soft − total` (RLIMIT). Never negative.
    public var spare: Int?

    public init(effective: Int? = nil, binding: LimitBinding = .unknown, setsize: Int? = nil, rlimitSoft: Int? = nil,
                rlimitHard: Int? = nil, maxclients: Int? = nil, maxclientsSource: SettingOrigin? = nil,
                setsizeSource: SettingOrigin? = nil, evidence: LimitEvidence? = nil, spare: Int? = nil) {
        self.effective = effective
        self.binding = binding
        self.setsize = setsize
        self.rlimitSoft = rlimitSoft
        self.rlimitHard = rlimitHard
        self.maxclients = maxclients
        self.maxclientsSource = maxclientsSource
        self.setsizeSource = setsizeSource ?? maxclientsSource
        self.evidence = evidence
        self.spare = spare
    }

    /// `CONFIG_MIN_RESERVED_FDS`: Redis asks for RLIMIT_NOFILE ≥ maxclients + 32 at start.
    public static let reservedFds = 32

    init(redis: RedisSample?, process: ProcSample?, lastKnown: LastKnownRedis = LastKnownRedis(),
         startup: ServerStartup? = nil, log: LogHistory? = nil) {
        let candidates: [(Int?, SettingOrigin)] = [
            (redis?.config.value?.maxclients, .config),
            (redis?.maxclients, .info),
            (lastKnown.maxclients, .lastKnown),
            // What the server did at start: it raised RLIMIT_NOFILE to exactly maxclients + 32, or cut maxclients.
            (log?.maxclientsReducedTo ?? log?.openFilesRaisedTo.map { $0 - Self.reservedFds }, .evidence),
            (startup?.maxclients?.value, startup?.maxclients?.origin ?? .configFile),
            // Started without a config file, by its own log: the built-in default, unless the command line set it.
            (log?.startedWithoutConfigFile == true ? Self.defaultMaxclients : nil, .defaultValue),
        ]
        if let (value, origin) = candidates.first(where: { $0.0 != nil }) {
            maxclients = value
            maxclientsSource = origin
        }
        setsize = maxclients.map { $0 + Self.eventLoopReserve }
        setsizeSource = maxclientsSource
        // Redis refuses fd numbers ≥ setsize, so a refused fd proves the event loop is at most that large: worth it
        // when no value read from this process is known (a config file edited since the start, none at all).
        // What Redis said itself is exact, and newer than any refusal: `CONFIG SET maxclients` resizes the loop.
        let readFromRedis = maxclientsSource == .config || maxclientsSource == .info || maxclientsSource == .lastKnown
        if !readFromRedis, let proof = LimitEvidence.strongest(log: log, process: process), proof.fd < (setsize ?? .max) {
            evidence = proof
            evidence?.impliedSetsize = setsize
            evidence?.impliedBy = maxclientsSource
            setsize = proof.fd
            setsizeSource = .evidence
        }
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

    /// Redis's and Valkey's `maxclients` when no config sets it (2.6 through 8.x).
    public static let defaultMaxclients = 10_000

    enum CodingKeys: String, CodingKey {
        case effective, binding, setsize, maxclients, spare, evidence
        case rlimitSoft = "rlimit_soft"
        case rlimitHard = "rlimit_hard"
        case maxclientsSource = "maxclients_source"
        case setsizeSource = "setsize_source"
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
        try c.encode(setsizeSource, forKey: .setsizeSource)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(spare, forKey: .spare)
    }
}

/// What proves the event loop's size without any setting: an fd number the server refused to register.
public struct LimitEvidence: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// `Error registering fd event for the new client … (fd=N)` in the log (≤ 5.x log the refused fd).
        case refusedInLog = "refused-in-log"
        /// aoftop's own connections the server accepted and never answered (≥ 6.0 leave such clients open and
        /// silent). Two are required: one could be a slow command right after the accept.
        case unansweredConnections = "unanswered-connections"
    }

    public var kind: Kind
    /// The lowest such fd number: setsize is at most this.
    public var fd: Int
    /// How many connections (`unanswered-connections`).
    public var connections: Int?
    /// The first refusal in the log (`refused-in-log`).
    public var since: Timestamp?
    /// The setsize the settings implied, and where that came from, when the evidence is lower.
    public var impliedSetsize: Int?
    public var impliedBy: SettingOrigin?

    public init(kind: Kind, fd: Int, connections: Int? = nil, since: Timestamp? = nil, impliedSetsize: Int? = nil,
                impliedBy: SettingOrigin? = nil) {
        self.kind = kind
        self.fd = fd
        self.connections = connections
        self.since = since
        self.impliedSetsize = impliedSetsize
        self.impliedBy = impliedBy
    }

    /// The lowest proof of either kind.
    static func strongest(log: LogHistory?, process: ProcSample?) -> LimitEvidence? {
        var proofs: [LimitEvidence] = []
        if let refused = log?.lowestRefusedFd {
            proofs.append(LimitEvidence(kind: .refusedInLog, fd: refused, since: log?.firstRefusal))
        }
        if let unserved = process?.unservedConnectionFds, unserved.count >= 2, let lowest = unserved.min() {
            proofs.append(LimitEvidence(kind: .unansweredConnections, fd: lowest, connections: unserved.count))
        }
        return proofs.min { $0.fd < $1.fd }
    }

    /// One line: `a client was refused at fd 2129 (log, since …): below the setsize 10128 that config-file implies`.
    public var text: String {
        var out: String
        switch kind {
        case .refusedInLog:
            out = "a client was refused at fd \(fd) (log\(since.map { ", since \($0.iso8601)" } ?? ""))"
        case .unansweredConnections:
            out = "\(connections ?? 2) of aoftop's connections were accepted at fd ≥ \(fd) and never answered"
        }
        if let impliedSetsize { out += ": below the setsize \(impliedSetsize) that \(impliedBy?.rawValue ?? "a setting") implies" }
        return out
    }

    enum CodingKeys: String, CodingKey {
        case kind, fd, connections, since
        case impliedSetsize = "implied_setsize"
        case impliedBy = "implied_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(fd, forKey: .fd)
        try c.encode(connections, forKey: .connections)
        try c.encode(since, forKey: .since)
        try c.encode(impliedSetsize, forKey: .impliedSetsize)
        try c.encode(impliedBy, forKey: .impliedBy)
    }
}
