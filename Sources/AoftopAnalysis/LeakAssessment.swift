import AoftopModel

/// The redis#2857 signature: pipes above the process's baseline, held at both ends by Redis itself, rising
/// with failed forks while client sockets stay flat or fall.
public struct LeakAssessment: Sendable, Equatable, Codable {
    /// Redis normally holds a handful of pipes at most (one internal pipe on 7.x, three during a rewrite):
    /// this many self-held pairs cannot be normal, even from a single snapshot.
    public static let abnormalSelfHeldPairs = 16
    /// Pipe fds above baseline needed before a rise with failed forks counts as a leak (a good rewrite opens ~6).
    public static let minExcessPipes = 12

    public var suspected: Bool
    /// One line of evidence (`+1062 pipe fds over baseline 2, 531 self-held pairs, ≈6.0 per failed fork …`).
    public var signature: String?
    public var excessPipes: Int?
    /// Pipe fds gained per AOF fork failure (6 on ≤ 3.2.8, 2 under the Redis 7 leak shim); `nil` without failures.
    public var fdsPerFailure: Double?
    /// `rising`, `flat` or `falling` over the last minute; `nil` without `/proc` history.
    public var clientSocketsTrend: String?
    /// After exhaustion, sockets fall while pipes rise: each freed client slot goes to the next leaked pipes.
    public var ratchet: Bool
    /// Which mechanism the rise follows and whether it is a known leak; `nil` unless suspected with a log to compare.
    public var attribution: PipeLeakAttribution?

    public init(suspected: Bool = false, signature: String? = nil, excessPipes: Int? = nil,
                fdsPerFailure: Double? = nil, clientSocketsTrend: String? = nil, ratchet: Bool = false) {
        self.suspected = suspected
        self.signature = signature
        self.excessPipes = excessPipes
        self.fdsPerFailure = fdsPerFailure
        self.clientSocketsTrend = clientSocketsTrend
        self.ratchet = ratchet
    }

    /// `aofForkFailuresSinceStart`: from the log read back to the server's start line, when known; it pairs with
    /// every pipe above the baseline, however late aoftop started.
    init(history: AnalysisHistory, census: FdCensus?, eta: ExhaustionEstimate, aofForkFailures: Int?,
         aofForkFailuresSinceStart: Int? = nil, nearLimit: Bool) {
        guard let census, let baseline = history.baselinePipes else {
            self.init()
            return
        }
        let excess = census.pipes - baseline
        let pairs = census.selfHeldPipePairs
        let pairsGained = pairs - (history.minSelfHeldPipePairs ?? pairs)

        // Fork failures since the (re)start pair with the pipes gained since then; a single snapshot (or no
        // failures in the history) falls back on the log's totals against all pipes above a nominal 2.
        var perFailure: Double?
        // Since the start, the failures pair with the pipes above the baseline only when that baseline is the server's
        // own: aoftop saw it clean (≤ 1 self-held pair) or derived it from a mid-leak census (≥ 16 pairs); in between
        // the fewest pipes aoftop saw already include some leaked ones.
        let baselineIsTheServers = Self.baselineIsTheServers(history, pairs: pairs)
        if let sinceStart = aofForkFailuresSinceStart, sinceStart >= 2, excess >= 2, baselineIsTheServers {
            perFailure = Double(excess) / Double(sinceStart)
        } else if let now = aofForkFailures, let before = history.first?.aofForkFailures, now - before >= 2, excess >= 2 {
            perFailure = Double(excess) / Double(now - before)
        } else if let now = aofForkFailures, now >= 2, pairs >= Self.abnormalSelfHeldPairs {
            perFailure = Double(max(0, census.pipes - 2)) / Double(now)
        }

        let window = history.window(milliseconds: 60_000).compactMap { point in
            point.fds.map { (point.time.millisecondsSince1970, $0) }
        }
        var trend: String?
        var ratchet = false
        if window.count >= 2, let first = window.first, let last = window.last, last.0 > first.0,
           let slope = TheilSen.slope(times: window.map(\.0), values: window.map { Double($0.1.clientSockets) }) {
            trend = slope > 0.2 ? "rising" : slope < -0.2 ? "falling" : "flat"
            let socketsFell = last.1.clientSockets < first.1.clientSockets
            let pipesRose = last.1.pipes > first.1.pipes
            ratchet = (eta.status == .exhausted || nearLimit) && socketsFell && pipesRose
        }

        let selfHeld = 2 * pairsGained >= excess - 2
        let pipesRising = eta.status == .rising && eta.reason != ExhaustionEstimator.churnReason
        let failuresMatch = perFailure != nil
        let suspected = pairs >= Self.abnormalSelfHeldPairs
            || (excess >= Self.minExcessPipes && selfHeld && (failuresMatch || pipesRising || ratchet))

        var parts = ["+\(excess) pipe fds over baseline \(baseline)", "\(pairs) self-held pairs"]
        if let perFailure { parts.append("≈\(rounded(perFailure, 1)) per failed fork") }
        if let trend { parts.append("client sockets \(trend)") }
        if ratchet { parts.append("sockets fall while pipes rise") }
        self.init(suspected: suspected, signature: suspected ? parts.joined(separator: ", ") : nil,
                  excessPipes: excess, fdsPerFailure: perFailure.map { rounded($0, 2) },
                  clientSocketsTrend: trend, ratchet: ratchet)
    }

    /// Whether the fewest pipes aoftop saw are the server's own baseline: seen clean (≤ 1 self-held pair) or
    /// derived from a mid-leak census (≥ 16 pairs); in between they already include some leaked ones.
    static func baselineIsTheServers(_ history: AnalysisHistory, pairs: Int) -> Bool {
        let minPairs = history.minSelfHeldPipePairs ?? pairs
        return minPairs <= 1 || minPairs >= abnormalSelfHeldPairs
    }

    enum CodingKeys: String, CodingKey {
        case suspected, signature, ratchet, attribution
        case excessPipes = "excess_pipes"
        case fdsPerFailure = "fds_per_failure"
        case clientSocketsTrend = "client_sockets_trend"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suspected, forKey: .suspected)
        try c.encode(signature, forKey: .signature)
        try c.encode(excessPipes, forKey: .excessPipes)
        try c.encode(fdsPerFailure, forKey: .fdsPerFailure)
        try c.encode(clientSocketsTrend, forKey: .clientSocketsTrend)
        try c.encode(ratchet, forKey: .ratchet)
        try c.encode(attribution, forKey: .attribution)
    }
}
