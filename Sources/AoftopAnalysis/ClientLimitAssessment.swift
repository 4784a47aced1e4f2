import AoftopModel

/// The client limit as a state of its own: clients against `maxclients`, refused connections, and a forecast.
///
/// `maxclients` refuses clients with `-ERR max number of clients reached` while the fds are fine, long before the
/// event loop's `maxclients + 128` (ERANGE) or RLIMIT_NOFILE (EMFILE): three ways to refuse, three remedies, so
/// `refusal` says which one is at work.
public struct ClientLimitAssessment: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case ok
        /// At or above `nearPercent` of `maxclients`.
        case near
        /// At `maxclients`, or refusing clients there now.
        case reached
        /// No client count or no `maxclients` known.
        case unknown
    }

    /// Why new clients are refused now.
    public enum Refusal: String, Sendable, Codable {
        /// `-ERR max number of clients reached`: the fds are fine, the client count is not.
        case maxclients
        /// The next fd number is ≥ the event loop's setsize (ERANGE): see `FdLimitAssessment`.
        case eventLoop = "event-loop"
        /// RLIMIT_NOFILE reached (EMFILE).
        case emfile
        /// Rejections counted while the clients stayed well below `maxclients`: not the client limit. Redis 7.0
        /// counts protected-mode denials in `rejected_connections` too (measured: a client from 127.0.0.2 with no
        /// password set is denied and counted).
        case belowLimit = "below-limit"
    }

    /// From this share of `maxclients` on, the state is `near`.
    public static let nearPercent = 80.0
    /// Rejections are "rising" when counted over this window.
    public static let rejectedWindowMs: Int64 = 60_000
    /// Rejections count as refusals at `maxclients` when the clients came this close to it in the same window
    /// (between two samples the count can touch the limit and fall back).
    public static let rejectedNearPercent = 90.0

    /// What Redis compares with `maxclients` on accept: INFO `connected_clients` (which leaves replicas out) plus
    /// replicas plus cluster-bus links (Redis ≥ 7.0). `nil` without INFO.
    public var clients: Int?
    public var connectedClients: Int?
    public var replicas: Int?
    public var clusterConnections: Int?
    /// Clients waiting in blocking commands: each holds a connection while it waits.
    public var blockedClients: Int?
    public var maxclients: Int?
    public var maxclientsSource: SettingOrigin?
    /// `clients / maxclients`, in percent (one decimal).
    public var percent: Double?
    public var state: State
    /// INFO `rejected_connections` since the server started (refusals at `maxclients`).
    public var rejectedConnections: Int64?
    /// Rejections per minute over the last minute of history; `nil` until there is such a span.
    public var rejectedPerMinute: Double?
    public var refusal: Refusal?
    /// Clients against `maxclients`: `rising` with the seconds until it is reached, `exhausted` when it is.
    public var forecast: ExhaustionEstimate
    /// `CLIENT LIST` summarised (`--client-list`): who holds the connections. `nil` when not read.
    public var clientList: ClientListSummary?
    /// Why `CLIENT LIST` could not be read although asked for (`NOPERM`: the ACL lacks `+client|list`).
    public var clientListFailure: String?

    public init(clients: Int? = nil, connectedClients: Int? = nil, replicas: Int? = nil, clusterConnections: Int? = nil,
                blockedClients: Int? = nil, maxclients: Int? = nil, maxclientsSource: SettingOrigin? = nil,
                percent: Double? = nil, state: State = .unknown, rejectedConnections: Int64? = nil,
                rejectedPerMinute: Double? = nil, refusal: Refusal? = nil,
                forecast: ExhaustionEstimate = ExhaustionEstimate(status: .unknown), clientList: ClientListSummary? = nil,
                clientListFailure: String? = nil) {
        self.clients = clients
        self.connectedClients = connectedClients
        self.replicas = replicas
        self.clusterConnections = clusterConnections
        self.blockedClients = blockedClients
        self.maxclients = maxclients
        self.maxclientsSource = maxclientsSource
        self.percent = percent
        self.state = state
        self.rejectedConnections = rejectedConnections
        self.rejectedPerMinute = rejectedPerMinute
        self.refusal = refusal
        self.forecast = forecast
        self.clientList = clientList
        self.clientListFailure = clientListFailure
    }

    /// INFO's clients plus what it leaves out but Redis counts; `nil` without `connected_clients`.
    public static func countedClients(_ redis: RedisSample) -> Int? {
        redis.connectedClients.map { $0 + (redis.connectedReplicas ?? 0) + (redis.clusterConnections ?? 0) }
    }

    init(redis: RedisSample?, redisFailure: String?, limit: FdLimitAssessment, history: AnalysisHistory) {
        let clients = redis.flatMap(Self.countedClients)
        let maxclients = limit.maxclients
        let rejectedPerMinute = Self.rejectedRate(history)
        let percent = clients.flatMap { c in maxclients.flatMap { $0 > 0 ? rounded(Double(c) * 100 / Double($0), 1) : nil } }
        let refusedAtMaxclients = redisFailure.map(RedisRefusal.isMaxClientsReached) ?? false
        // Integers, not the rounded percentage: 9,996 of 10,000 is 100.0 % rounded, and 4 more still get in.
        let atLimit = refusedAtMaxclients || (clients.flatMap { c in maxclients.map { c >= $0 } } ?? false)
        var refusal: Refusal?
        if atLimit {
            // Redis said so itself, or counts the clients at the limit: whatever the fds, accept() worked.
            refusal = .maxclients
        } else if limit.isExhausted {
            refusal = limit.binding == .rlimit ? .emfile : .eventLoop
        } else if (rejectedPerMinute ?? 0) > 0 {
            // Redis 7 counts protected-mode denials too, but those happen only with protected mode on. With it off
            // or unknown the rejections are the limit's, however briefly the count touched it between samples.
            let peak = history.window(milliseconds: Self.rejectedWindowMs).compactMap(\.clientsCounted).max()
            let neared = peak.flatMap { p in maxclients.map { Double(p) * 100 >= Self.rejectedNearPercent * Double($0) } }
            let protectedMode = redis?.config.value?.protectedMode == true
            refusal = protectedMode && neared == false ? .belowLimit : .maxclients
        }
        let state: State
        if atLimit {
            state = .reached
        } else if let percent {
            state = percent >= Self.nearPercent ? .near : .ok
        } else {
            state = .unknown
        }
        self.init(clients: clients, connectedClients: redis?.connectedClients, replicas: redis?.connectedReplicas,
                  clusterConnections: redis?.clusterConnections, blockedClients: redis?.blockedClients,
                  maxclients: maxclients, maxclientsSource: limit.maxclientsSource, percent: percent, state: state,
                  rejectedConnections: redis?.rejectedConnections, rejectedPerMinute: rejectedPerMinute, refusal: refusal,
                  forecast: ClientTrend.forecast(history: history, clients: clients, maxclients: maxclients,
                                                 reached: state == .reached),
                  clientList: redis?.clientList.value, clientListFailure: redis?.clientList.failureReason)
    }

    /// Rejections per minute over the last `rejectedWindowMs` of history (the counter is per process: a restart
    /// starts the history again).
    static func rejectedRate(_ history: AnalysisHistory) -> Double? {
        let window = history.window(milliseconds: rejectedWindowMs).filter { $0.rejectedConnections != nil }
        guard let first = window.first, let last = window.last, let a = first.rejectedConnections,
              let b = last.rejectedConnections else { return nil }
        let spanMs = last.time.millisecondsSince1970 - first.time.millisecondsSince1970
        guard spanMs > 0 else { return nil }
        return rounded(Double(max(0, b - a)) * 60_000 / Double(spanMs), 1)
    }

    enum CodingKeys: String, CodingKey {
        case clients, replicas, percent, state, refusal, forecast, maxclients
        case clientList = "client_list"
        case clientListFailure = "client_list_failure"
        case connectedClients = "connected_clients"
        case clusterConnections = "cluster_connections"
        case blockedClients = "blocked_clients"
        case maxclientsSource = "maxclients_source"
        case rejectedConnections = "rejected_connections"
        case rejectedPerMinute = "rejected_per_minute"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clients, forKey: .clients)
        try c.encode(connectedClients, forKey: .connectedClients)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(clusterConnections, forKey: .clusterConnections)
        try c.encode(blockedClients, forKey: .blockedClients)
        try c.encode(maxclients, forKey: .maxclients)
        try c.encode(maxclientsSource, forKey: .maxclientsSource)
        try c.encode(percent, forKey: .percent)
        try c.encode(state, forKey: .state)
        try c.encode(rejectedConnections, forKey: .rejectedConnections)
        try c.encode(rejectedPerMinute, forKey: .rejectedPerMinute)
        try c.encode(refusal, forKey: .refusal)
        try c.encode(forecast, forKey: .forecast)
        try c.encode(clientList, forKey: .clientList)
        try c.encode(clientListFailure, forKey: .clientListFailure)
    }
}

/// The client count's trend against `maxclients`. Unlike fds, clients come and go with load, so only a long,
/// sustained rise (a connection leak) gets an ETA: at least two minutes of it, which a deploy's ramp-up or a
/// reconnect burst does not last.
enum ClientTrend {
    static let windowMs: Int64 = 5 * 60_000
    static let minSpanMs: Int64 = 120_000
    static let minRise = 10
    static let minSlope = 0.05

    static func forecast(history: AnalysisHistory, clients: Int?, maxclients: Int?, reached: Bool) -> ExhaustionEstimate {
        guard let clients, let maxclients else {
            return ExhaustionEstimate(status: .unknown, reason: clients == nil ? "no client count (INFO)" : "maxclients unknown")
        }
        if reached { return ExhaustionEstimate(status: .exhausted, seconds: 0) }
        let samples = history.window(milliseconds: windowMs)
            .compactMap { p in p.clientsCounted.map { (ms: p.time.millisecondsSince1970, value: Double($0)) } }
        guard let trend = SustainedRise(samples, minSpanMs: minSpanMs) else {
            return ExhaustionEstimate(status: .warmingUp, reason: "\(samples.count) client samples in the last 5 min")
        }
        let slope = trend.slope
        guard trend.isRising(minRise: Double(minRise), minSlope: minSlope) else {
            return ExhaustionEstimate(status: .flat, slopePerS: rounded(slope, 2), window: .long)
        }
        let room = Double(max(0, maxclients - clients))
        return ExhaustionEstimate(status: .rising, seconds: rounded(room / slope, 1), slopePerS: rounded(slope, 2),
                                  window: .long, reason: "clients +\(Int(trend.rise)) in \(trend.spanMs / 1000) s")
    }
}
