import AoftopModel

/// A bounded, thinned history of one server process, plus the few facts that must outlive thinning
/// (baseline pipes, last fork failure, last throttle, last-known Redis settings). Value type: copying it is how `assess` stays pure.
///
/// Recent points (the last `recentSpan`) are kept at full rate for the short and long slope windows; older
/// points are thinned to one per `thinnedInterval` up to `retainedSpan`. A different pid or process start time
/// (restart, pid reuse) or time going backwards (replay seek) starts the history again.
public struct AnalysisHistory: Sendable, Equatable {
    public static let recentSpanMs: Int64 = 120_000
    public static let thinnedIntervalMs: Int64 = 10_000
    public static let retainedSpanMs: Int64 = 15 * 60_000
    /// Guards memory against a very fast sampler: the recent part never holds more points than this.
    public static let maxRecentPoints = 2_400

    /// Oldest first.
    public private(set) var points: [HistoryPoint] = []
    /// The first point since the (re)start: log totals and pipes are compared with it.
    public private(set) var first: HistoryPoint?
    public private(set) var pid: Int32?
    public private(set) var startTicks: UInt64?
    /// The fewest pipes seen since the (re)start: the process's own baseline (Redis 7 keeps one internal pipe,
    /// a launcher may leave an inherited one).
    public private(set) var minPipes: Int?
    public private(set) var minSelfHeldPipePairs: Int?
    public private(set) var lastForkFailure: ForkFailureEvent?
    public private(set) var lastAofForkFailureTime: Timestamp?
    /// Time and retry minutes of the last `aof-rewrite-limited` line.
    public private(set) var lastRewriteLimitedTime: Timestamp?
    public private(set) var lastRewriteLimitedMinutes: Int64 = 1
    /// When the log's line count last changed (a silent log is a symptom of the EMFILE regime).
    public private(set) var lastLogActivity: Timestamp?
    /// `maxclients`, the rewrite thresholds, hz and version as last read from this process: what the analysis
    /// uses while Redis (or CONFIG) cannot be read. Cleared with the rest on a restart.
    public private(set) var lastKnown = LastKnownRedis()
    /// How many times the history started again since this value was created.
    public private(set) var resets = 0

    public init() {}

    public var latest: HistoryPoint? { points.last }

    /// The pipes this process holds normally. When even the fewest pipes seen already include an abnormal
    /// number of self-held pairs (the history started mid-leak), assume one internal pair plus the pipes that
    /// are not self-held.
    public var baselinePipes: Int? {
        guard let minPipes else { return nil }
        let pairs = minSelfHeldPipePairs ?? 0
        guard pairs >= LeakAssessment.abnormalSelfHeldPairs else { return minPipes }
        return max(0, minPipes - 2 * (pairs - 1))
    }
    public var isEmpty: Bool { points.isEmpty }

    /// Adds one snapshot. Appending a snapshot with the same time as the latest point replaces that point.
    public mutating func append(_ snapshot: Snapshot) {
        let identity = Self.identity(of: snapshot)
        let identityChanged = (identity.pid != nil && pid != nil && identity.pid != pid)
            || (identity.startTicks != nil && startTicks != nil && identity.startTicks != startTicks)
        if identityChanged || (latest.map { snapshot.time < $0.time } ?? false) {
            let count = resets + 1
            self = AnalysisHistory()
            resets = count
        }
        pid = identity.pid ?? pid
        startTicks = identity.startTicks ?? startTicks

        let point = HistoryPoint(snapshot)
        if let last = points.last, last.time == point.time {
            points[points.count - 1] = point
        } else {
            points.append(point)
        }
        if first == nil { first = point }
        if let redis = snapshot.redis.value { lastKnown.note(redis, at: snapshot.time) }
        if let fds = point.fds {
            minPipes = min(minPipes ?? fds.pipes, fds.pipes)
            minSelfHeldPipePairs = min(minSelfHeldPipePairs ?? fds.selfHeldPipePairs, fds.selfHeldPipePairs)
        }
        noteLog(snapshot, point: point)
        thin(now: point.time)
    }

    /// Points no older than `milliseconds` before the latest one.
    public func window(milliseconds: Int64) -> ArraySlice<HistoryPoint> {
        guard let last = points.last else { return [] }
        let start = last.time.millisecondsSince1970 - milliseconds
        // Binary search (points are in time order; a step back in time resets the history): called several
        // times per snapshot over up to `maxPoints` points.
        var low = points.startIndex, high = points.endIndex
        while low < high {
            let mid = (low + high) / 2
            if points[mid].time.millisecondsSince1970 < start { low = mid + 1 } else { high = mid }
        }
        return points[low...]
    }

    private static func identity(of snapshot: Snapshot) -> (pid: Int32?, startTicks: UInt64?) {
        let process = snapshot.process.value
        return (snapshot.source.pid ?? process?.pid ?? snapshot.redis.value?.processId,
                snapshot.source.processStartTicks ?? process?.startTicks)
    }

    private mutating func noteLog(_ snapshot: Snapshot, point: HistoryPoint) {
        guard let log = snapshot.log.value else { return }
        let previous = points.count >= 2 ? points[points.count - 2] : nil
        if let lines = point.logLinesRead, lastLogActivity == nil || lines != previous?.logLinesRead {
            lastLogActivity = snapshot.time
        }
        for event in log.events {
            let time = event.time ?? snapshot.time
            switch event.kind {
            case .aofForkFailed, .rdbForkFailed, .replicaSyncForkFailed, .disklessSyncForkFailed:
                guard let mechanism = event.kind.failedFork else { break }
                if lastForkFailure.map({ time >= $0.time }) ?? true {
                    lastForkFailure = ForkFailureEvent(time: time, kind: mechanism, error: event.error)
                }
                if mechanism == .aofRewrite { lastAofForkFailureTime = max(lastAofForkFailureTime ?? time, time) }
            case .aofRewriteLimited:
                lastRewriteLimitedTime = time
                lastRewriteLimitedMinutes = max(1, event.value ?? 1)
            default:
                break
            }
        }
        // Failures counted in the totals but not delivered as events (per-snapshot cap): still recent.
        if let previous, let now = point.aofForkFailures, let before = previous.aofForkFailures, now > before,
           (lastAofForkFailureTime.map { $0 < previous.time } ?? true) {
            lastAofForkFailureTime = snapshot.time
            if lastForkFailure.map({ $0.time < previous.time }) ?? true {
                lastForkFailure = ForkFailureEvent(time: snapshot.time, kind: .aofRewrite, error: nil)
            }
        }
    }

    private mutating func thin(now: Timestamp) {
        let nowMs = now.millisecondsSince1970
        var kept: [HistoryPoint] = []
        kept.reserveCapacity(points.count)
        var lastOldKept: Int64?
        for point in points {
            let t = point.time.millisecondsSince1970
            if nowMs - t > Self.retainedSpanMs { continue }
            if nowMs - t > Self.recentSpanMs {
                if let previous = lastOldKept, t - previous < Self.thinnedIntervalMs { continue }
                lastOldKept = t
            }
            kept.append(point)
        }
        let recentCount = kept.reversed().prefix { nowMs - $0.time.millisecondsSince1970 <= Self.recentSpanMs }.count
        if recentCount > Self.maxRecentPoints {
            // Sampled faster than the cap allows (e.g. `record --interval 50ms`): halve the whole recent span,
            // keeping the newest point, until within bounds; the short window still holds dozens of points.
            let firstRecent = kept.count - recentCount
            var recent = Array(kept[firstRecent...])
            while recent.count > Self.maxRecentPoints {
                recent = recent.enumerated().filter { $0.offset % 2 == 1 || $0.offset == recent.count - 1 }.map(\.element)
            }
            kept = Array(kept[..<firstRecent]) + recent
        }
        points = kept
    }
}
