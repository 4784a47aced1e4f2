import AoftopModel

/// One failed fork as the log reported it.
public struct ForkFailureEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case aof, rdb }
    public var time: Timestamp
    public var kind: Kind
    /// The error text after `fork: ` (e.g. `Cannot allocate memory`); `nil` when only the totals moved.
    public var error: String?

    public init(time: Timestamp, kind: Kind, error: String?) {
        self.time = time
        self.kind = kind
        self.error = error
    }

    enum CodingKeys: String, CodingKey { case time, kind, error }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(kind, forKey: .kind)
        try c.encode(error, forKey: .error)
    }
}

/// Fork failures from the log (the only source on 3.x, whose INFO says `ok` throughout) and, on 7.x, from INFO.
public struct ForkFailureAssessment: Sendable, Equatable, Codable {
    public static let windowMs: Int64 = 60_000

    /// AOF + RDB fork-failure lines since the log follower started; `nil` without a log reading.
    public var total: Int?
    public var aof: Int?
    public var rdb: Int?
    /// AOF + RDB failures per minute over the last 60 s of history (totals deltas); `nil` until two log samples.
    public var perMinute: Double?
    public var last: ForkFailureEvent?
    /// INFO says the last rewrite failed (`aof_last_bgrewrite_status:err`) while a rewrite is due and neither
    /// `aof_rewrites` nor `total_forks` rose over the window: forks are failing even if the log is not read.
    public var inferredFromInfo: Bool

    public init(total: Int? = nil, aof: Int? = nil, rdb: Int? = nil, perMinute: Double? = nil,
                last: ForkFailureEvent? = nil, inferredFromInfo: Bool = false) {
        self.total = total
        self.aof = aof
        self.rdb = rdb
        self.perMinute = perMinute
        self.last = last
        self.inferredFromInfo = inferredFromInfo
    }

    init(history: AnalysisHistory, log: LogSample?, redis: RedisSample?, rewriteDue: Bool) {
        if let log {
            aof = log.totals[.aofForkFailed] ?? 0
            rdb = log.totals[.rdbForkFailed] ?? 0
            total = (aof ?? 0) + (rdb ?? 0)
        }
        let window = history.window(milliseconds: Self.windowMs).filter { $0.aofForkFailures != nil }
        if let first = window.first, let latest = window.last, latest.time > first.time {
            let delta = (latest.aofForkFailures ?? 0) + (latest.rdbForkFailures ?? 0)
                - (first.aofForkFailures ?? 0) - (first.rdbForkFailures ?? 0)
            perMinute = rounded(Double(max(0, delta)) * 60 / latest.time.seconds(since: first.time), 1)
        }
        last = history.lastForkFailure
        if rewriteDue, redis?.aofLastBgrewriteStatus == "err" {
            let info = history.window(milliseconds: Self.windowMs)
            let rewrites = info.compactMap(\.aofRewrites)
            let forks = info.compactMap(\.totalForks)
            let spanned = info.count >= 2 && (info.last!.time.seconds(since: info.first!.time) >= 5)
            let rewritesStuck = rewrites.count >= 2 && rewrites.last! <= rewrites.first!
            let forksStuck = forks.count < 2 || forks.last! <= forks.first!
            inferredFromInfo = spanned && rewritesStuck && forksStuck
        } else {
            inferredFromInfo = false
        }
    }

    /// A fork failed within the last minute (log), or INFO implies it.
    func failingRecently(now: Timestamp, history: AnalysisHistory) -> Bool {
        if let perMinute, perMinute > 0 { return true }
        if let time = history.lastForkFailure?.time, now.seconds(since: time) * 1000 <= Double(Self.windowMs) {
            return true
        }
        return inferredFromInfo
    }

    enum CodingKeys: String, CodingKey {
        case total, aof, rdb, last
        case perMinute = "per_minute"
        case inferredFromInfo = "inferred_from_info"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(total, forKey: .total)
        try c.encode(aof, forKey: .aof)
        try c.encode(rdb, forKey: .rdb)
        try c.encode(perMinute, forKey: .perMinute)
        try c.encode(last, forKey: .last)
        try c.encode(inferredFromInfo, forKey: .inferredFromInfo)
    }
}
