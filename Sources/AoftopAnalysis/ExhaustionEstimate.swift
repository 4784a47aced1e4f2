import AoftopModel

/// The fd-exhaustion forecast.
public struct ExhaustionEstimate: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Not enough history since the (re)start to judge a trend.
        case warmingUp = "warming-up"
        /// No sustained, corroborated rise.
        case flat
        /// A sustained rise: `seconds` until the spare room below the effective limit is down to its margin.
        case rising
        /// The binding limit is reached (`FdLimitAssessment.isExhausted`): new clients are refused or hang.
        case exhausted
        /// No `/proc` reading or no limit known: `reason` says which.
        case unknown
    }

    public var status: Status
    /// Seconds until exhaustion (`rising`): `(spare − margin) / slope`; 0 when `exhausted`, else `nil`.
    /// Rounded to 0.1 s.
    public var seconds: Double?
    /// The slope the forecast uses, fds per second (rounded to 0.01).
    public var slopePerS: Double?
    /// The window whose slope is used.
    public var window: TrendWindow?
    /// Why the status is `unknown` or `warming-up`, or what corroborated a `rising`.
    public var reason: String?
    /// `exhausted`: since when, by the log (the first refused client or rewrite pipe since the server started).
    public var since: Timestamp?

    public init(status: Status, seconds: Double? = nil, slopePerS: Double? = nil, window: TrendWindow? = nil,
                reason: String? = nil, since: Timestamp? = nil) {
        self.status = status
        self.seconds = seconds
        self.slopePerS = slopePerS
        self.window = window
        self.reason = reason
        self.since = since
    }

    /// The live estimate, completed by the log's history: since when fds are exhausted, and an ETA for a leak too
    /// slow (or too bursty) for the live windows, from the fork failures per hour the log shows and the fds each
    /// one leaks.
    func continued(with log: LogHistory?, leak: LeakAssessment, limit: FdLimitAssessment, now: Timestamp) -> ExhaustionEstimate {
        guard let log else { return self }
        var out = self
        if status == .exhausted {
            out.since = log.firstRefusal
            return out
        }
        // Only a leak the log shows over a span the live windows cannot see (10 min or more); a fast one that just
        // started is theirs, and a rate over a span the log does not cover would be diluted.
        guard status == .flat || status == .warmingUp, leak.suspected, let perFailure = leak.fdsPerFailure, perFailure > 0,
              let buckets = log.forkFailureBuckets, let first = log.firstForkFailure,
              now.millisecondsSince1970 - first.millisecondsSince1970 >= Self.minHistorySpanMs,
              let remaining = limit.remainingBeforeExhaustion else { return self }
        for hours in [1, 6] {
            let span = min(Int64(hours) * 3_600_000, now.millisecondsSince1970 - first.millisecondsSince1970)
            guard let perHour = buckets.ratePerHour(lastMs: span, end: now), perHour > 0 else { continue }
            let slope = perHour * perFailure / 3600
            return ExhaustionEstimate(status: .rising, seconds: rounded(Double(remaining) / slope, 1),
                                      slopePerS: rounded(slope, 4), window: .history,
                                      reason: "\(rounded(perHour, 1)) fork failures/h in the log's last \(Rules.duration(Double(span) / 1000)) × \(rounded(perFailure, 1)) fds each")
        }
        return self
    }

    /// The least span of fork failures in the log that gets an ETA from the history.
    static let minHistorySpanMs: Int64 = 600_000

    enum CodingKeys: String, CodingKey {
        case status, seconds, window, reason, since
        case slopePerS = "slope_per_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(slopePerS, forKey: .slopePerS)
        try c.encode(window, forKey: .window)
        try c.encode(reason, forKey: .reason)
        try c.encode(since, forKey: .since)
    }
}

/// The span of history a slope was measured over.
public enum TrendWindow: String, Sendable, Codable {
    /// The last 5 s of samples.
    case short
    /// The last 60 s of samples.
    case long
    /// The server's log since its start: fork failures per hour × fds leaked per failure.
    case history
}

/// Trend detection over a short and a long window with Theil–Sen slopes.
///
/// `rising` needs a rise that is sustained (at least two increases and `minRise` fds net in the window) and
/// corroborated: pipes or self-held pipe pairs carry the rise, or (long window only) the rise dwarfs the
/// window's churn. Client sockets alone are bounded by maxclients, and a good rewrite's temporary pipes
/// vanish again, so neither produces an ETA.
public struct ExhaustionEstimator {
    public static let shortWindowMs: Int64 = 5_000
    public static let longWindowMs: Int64 = 60_000
    static let minSamples = 3
    static let minSpanMs: Int64 = 2_000
    static let minRise = 6
    public static let minSlope = 0.05
    /// The `eta.reason` of a long-window rise that is not carried by pipes but dwarfs the churn.
    public static let churnReason = "rise far above churn"
    static let minLongSpanMs: Int64 = 20_000

    var history: AnalysisHistory
    var limit: FdLimitAssessment

    func estimate(process: Reading<ProcSample>) -> ExhaustionEstimate {
        guard process.value != nil else {
            let why = process.failureReason.map { "no /proc reading: \($0)" } ?? "no /proc reading (no local pid)"
            return ExhaustionEstimate(status: .unknown, reason: why)
        }
        guard limit.effective != nil, let remainingFds = limit.remainingBeforeExhaustion else {
            return ExhaustionEstimate(status: .unknown, reason: "no fd limit known (maxclients and RLIMIT_NOFILE unknown)")
        }
        // Only the long window feeds the trends; the whole history only says whether warm-up is over.
        let recent = history.window(milliseconds: Self.longWindowMs)
            .compactMap { point in point.fds.map { (point.time.millisecondsSince1970, $0) } }
        let short = Trend(recent.filter { $0.0 >= (recent.last?.0 ?? 0) - Self.shortWindowMs })
        if limit.isExhausted {
            return ExhaustionEstimate(status: .exhausted, seconds: 0, slopePerS: short.map { rounded($0.totalSlope, 2) },
                                      window: short == nil ? nil : .short)
        }
        let sampleCount = history.points.lazy.filter { $0.fds != nil }.count
        guard sampleCount >= Self.minSamples,
              let firstTime = history.points.first(where: { $0.fds != nil })?.time.millisecondsSince1970,
              let lastTime = recent.last?.0, lastTime - firstTime >= Self.minSpanMs else {
            return ExhaustionEstimate(status: .warmingUp, reason: "\(sampleCount) fd samples since start")
        }
        // Fds still to be consumed before the binding limit's margin: in the contiguous case ≈ setsize − total,
        // with holes only the free numbers below setsize count (leaked fds above it do not bring it closer).
        let remaining = Double(remainingFds)
        if let short, let why = short.risingReason(allowChurnRule: false) {
            return rising(slope: short.totalSlope, remaining: remaining, window: .short, reason: why)
        }
        if let long = Trend(recent), long.spanMs >= Self.minLongSpanMs,
           let why = long.risingReason(allowChurnRule: true, clientsStopFirst: limit.binding == .eventLoop),
           (short?.totalSlope ?? 0) >= 0 {
            return rising(slope: long.totalSlope, remaining: remaining, window: .long, reason: why)
        }
        return ExhaustionEstimate(status: .flat, slopePerS: rounded((short?.totalSlope ?? 0), 2),
                                  window: short == nil ? nil : .short)
    }

    private func rising(slope: Double, remaining: Double, window: TrendWindow, reason: String) -> ExhaustionEstimate {
        ExhaustionEstimate(status: .rising, seconds: rounded(max(0, remaining) / slope, 1),
                           slopePerS: rounded(slope, 2), window: window, reason: reason)
    }
}

/// Slopes of one window of fd samples. The pipe, pair and churn figures are only computed when the total
/// rises at all: most windows are flat and this runs on every snapshot.
struct Trend {
    var samples: [(Int64, FdPoint)]
    var spanMs: Int64
    var totalSlope: Double
    var netRise: Int
    var increases: Int

    init?(_ samples: [(Int64, FdPoint)]) {
        guard samples.count >= ExhaustionEstimator.minSamples, let first = samples.first, let last = samples.last,
              last.0 - first.0 > 0,
              let total = TheilSen.slope(times: samples.map(\.0), values: samples.map { Double($0.1.total) })
        else { return nil }
        self.samples = samples
        spanMs = last.0 - first.0
        totalSlope = total
        netRise = last.1.total - first.1.total
        increases = zip(samples, samples.dropFirst()).filter { $1.1.total > $0.1.total }.count
    }

    private func slope(_ value: (FdPoint) -> Int) -> Double {
        TheilSen.slope(times: samples.map(\.0), values: samples.map { Double(value($0.1)) }) ?? 0
    }

    /// Median absolute residual of the totals around the Theil–Sen line: the window's churn.
    private var churn: Double {
        let t0 = samples[0].0
        var centre = samples.map { Double($0.1.total) - totalSlope * Double($0.0 - t0) / 1000 }
        let intercept = TheilSen.median(&centre) ?? 0
        var residuals = centre.map { abs($0 - intercept) }
        return TheilSen.median(&residuals) ?? 0
    }

    /// Why this window counts as rising, or `nil`.
    /// - Parameter clientsStopFirst: the limit is the event loop's (`maxclients + 128`): a rise of client sockets
    ///   stops at `maxclients`, 128 fds before it, so it gets no fd ETA (the client forecast covers it).
    func risingReason(allowChurnRule: Bool, clientsStopFirst: Bool = false) -> String? {
        guard totalSlope > ExhaustionEstimator.minSlope, netRise >= ExhaustionEstimator.minRise, increases >= 2
        else { return nil }
        let needed = max(ExhaustionEstimator.minSlope, 0.5 * totalSlope)
        if slope(\.pipes) >= needed { return "pipes rising" }
        if 2 * slope(\.selfHeldPipePairs) >= needed { return "self-held pipe pairs rising" }
        // Sockets alone: only a long rise far above the window's own scatter.
        if clientsStopFirst, slope(\.clientSockets) >= needed { return nil }
        if allowChurnRule, Double(netRise) >= max(30, 8 * churn) { return ExhaustionEstimator.churnReason }
        return nil
    }
}

func rounded(_ value: Double, _ digits: Int) -> Double {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return (value * scale).rounded() / scale
}
