import AoftopModel

/// One failed fork as the log reported it.
public struct ForkFailureEvent: Sendable, Equatable, Codable {
    public var time: Timestamp
    public var kind: ForkMechanism
    /// The error text after `fork: ` (e.g. `Cannot allocate memory`); `nil` when only the totals moved.
    public var error: String?

    public init(time: Timestamp, kind: ForkMechanism, error: String?) {
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

    /// Fork-failure lines of every mechanism since the log follower started; `nil` without a log reading.
    public var total: Int?
    public var aof: Int?
    /// BGSAVE for a `save` schedule or the command (a replica's sync is in `byMechanism`).
    public var rdb: Int?
    /// Every mechanism's count (0 where none failed); `nil` without a log reading.
    public var byMechanism: [ForkMechanism: Int]?
    /// Failures of every mechanism per minute over the last 60 s of history (totals deltas); `nil` until two log samples.
    public var perMinute: Double?
    public var last: ForkFailureEvent?
    /// INFO says the last rewrite failed (`aof_last_bgrewrite_status:err`) while a rewrite is due and neither
    /// `aof_rewrites` nor `total_forks` rose over the window: forks are failing even if the log is not read.
    public var inferredFromInfo: Bool
    /// Since the server process started, from its log read back to the start line; `nil` without a log.
    public var sinceStart: ForkFailureHistory?

    public init(total: Int? = nil, aof: Int? = nil, rdb: Int? = nil, byMechanism: [ForkMechanism: Int]? = nil,
                perMinute: Double? = nil, last: ForkFailureEvent? = nil, inferredFromInfo: Bool = false,
                sinceStart: ForkFailureHistory? = nil) {
        self.total = total
        self.aof = aof
        self.rdb = rdb
        self.byMechanism = byMechanism
        self.perMinute = perMinute
        self.last = last
        self.inferredFromInfo = inferredFromInfo
        self.sinceStart = sinceStart
    }

    init(history: AnalysisHistory, log: LogSample?, logHistory: LogHistory? = nil, redis: RedisSample?, rewriteDue: Bool,
         now: Timestamp? = nil) {
        sinceStart = logHistory.map { ForkFailureHistory($0, now: now) }
        if let log {
            let counts = ForkMechanism.failures(in: log.totals)
            byMechanism = counts
            aof = counts[.aofRewrite]
            rdb = counts[.bgsave]
            total = counts.values.reduce(0, +)
        }
        let window = history.window(milliseconds: Self.windowMs).filter { $0.forkFailures != nil }
        if let first = window.first, let latest = window.last, latest.time > first.time {
            let delta = (latest.forkFailures ?? 0) - (first.forkFailures ?? 0)
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
        case byMechanism = "by_mechanism"
        case perMinute = "per_minute"
        case inferredFromInfo = "inferred_from_info"
        case sinceStart = "since_start"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(total, forKey: .total)
        try c.encode(aof, forKey: .aof)
        try c.encode(rdb, forKey: .rdb)
        try c.encode(byMechanism, forKey: .byMechanism)
        try c.encode(perMinute, forKey: .perMinute)
        try c.encode(last, forKey: .last)
        try c.encode(inferredFromInfo, forKey: .inferredFromInfo)
        try c.encode(sinceStart, forKey: .sinceStart)
    }
}

/// Fork failures since the server process started, as its log tells them: what an aoftop started in the middle
/// of an incident knows from its first sample on.
public struct ForkFailureHistory: Sendable, Equatable, Codable {
    /// `reading` until the log has been read back (counts `nil` meanwhile), then `complete` or `start-not-found`.
    public var state: LogHistory.State
    /// Why the read-back failed or found no start line.
    public var reason: String?
    public var processStart: Timestamp?
    public var total: Int?
    public var aof: Int?
    public var rdb: Int?
    public var byMechanism: [ForkMechanism: Int]?
    public var first: Timestamp?
    public var last: Timestamp?
    /// Failures per hour over the last hour (up to the snapshot), and over the whole span since the first failure.
    public var perHourLastHour: Double?
    public var perHourOverall: Double?
    /// Out of fds since (the first refused client or rewrite pipe since the start).
    public var refusingSince: Timestamp?
    /// Failures per bucket since the first one (for a sparkline), oldest first, and the bucket width.
    public var buckets: [Int]
    public var bucketSeconds: Int?
    /// Bytes of log read back so far (progress while `reading`).
    public var bytesRead: UInt64

    public init(state: LogHistory.State, reason: String? = nil, processStart: Timestamp? = nil, total: Int? = nil,
                aof: Int? = nil, rdb: Int? = nil, first: Timestamp? = nil, last: Timestamp? = nil,
                perHourLastHour: Double? = nil, perHourOverall: Double? = nil, refusingSince: Timestamp? = nil,
                buckets: [Int] = [], bucketSeconds: Int? = nil, bytesRead: UInt64 = 0) {
        self.state = state
        self.reason = reason
        self.processStart = processStart
        self.total = total
        self.aof = aof
        self.rdb = rdb
        self.first = first
        self.last = last
        self.perHourLastHour = perHourLastHour
        self.perHourOverall = perHourOverall
        self.refusingSince = refusingSince
        self.buckets = buckets
        self.bucketSeconds = bucketSeconds
        self.bytesRead = bytesRead
    }

    /// `now`: the end of the last hour (the snapshot's time; the last failure's when unknown).
    init(_ history: LogHistory, now: Timestamp? = nil) {
        self.init(state: history.state, reason: history.reason, bytesRead: history.bytesRead)
        guard history.isSettled, let totals = history.totals else { return }
        processStart = history.processStart
        let counts = ForkMechanism.failures(in: totals)
        byMechanism = counts
        aof = counts[.aofRewrite]
        rdb = counts[.bgsave]
        total = counts.values.reduce(0, +)
        first = history.firstForkFailure
        last = history.lastForkFailure
        refusingSince = history.firstRefusal
        if let buckets = history.forkFailureBuckets, let last = history.lastForkFailure, let first = history.firstForkFailure {
            self.buckets = buckets.counts
            bucketSeconds = Int(buckets.widthMs / 1000)
            perHourLastHour = buckets.ratePerHour(lastMs: 3_600_000, end: max(now ?? last, last)).map { rounded($0, 1) }
            let span = max(last.millisecondsSince1970 - first.millisecondsSince1970, 60_000)
            perHourOverall = rounded(Double(total ?? 0) * 3_600_000 / Double(span), 1)
        }
    }

    enum CodingKeys: String, CodingKey {
        case state, reason, total, aof, rdb, first, last, buckets
        case byMechanism = "by_mechanism"
        case processStart = "process_start"
        case perHourLastHour = "per_hour_last_hour"
        case perHourOverall = "per_hour_overall"
        case refusingSince = "refusing_since"
        case bucketSeconds = "bucket_seconds"
        case bytesRead = "bytes_read"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(reason, forKey: .reason)
        try c.encode(processStart, forKey: .processStart)
        try c.encode(total, forKey: .total)
        try c.encode(aof, forKey: .aof)
        try c.encode(rdb, forKey: .rdb)
        try c.encode(byMechanism, forKey: .byMechanism)
        try c.encode(first, forKey: .first)
        try c.encode(last, forKey: .last)
        try c.encode(perHourLastHour, forKey: .perHourLastHour)
        try c.encode(perHourOverall, forKey: .perHourOverall)
        try c.encode(refusingSince, forKey: .refusingSince)
        try c.encode(buckets, forKey: .buckets)
        try c.encode(bucketSeconds, forKey: .bucketSeconds)
        try c.encode(bytesRead, forKey: .bytesRead)
    }
}
