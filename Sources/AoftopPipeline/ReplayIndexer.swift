import AoftopModel

/// Builds a `ReplayIndex` from snapshots fed in order (one pass, constant state per snapshot).
///
/// Markers: the first fork failure of each burst (log events `aof-fork-failed`/`rdb-fork-failed`), AOF growth
/// crossing `auto-aof-rewrite-percentage` (for a log-only timeline: an automatic rewrite start after a quiet
/// minute), and the forecast turning `exhausted` (from the injected probe).
public struct ReplayIndexer {
    public private(set) var index = ReplayIndex()
    private var probe: (any ReplayAnalysisProbe)?
    private var position = 0
    private var previousTime: Int64?
    private var pid: Int32?
    private var startTicks: UInt64?
    private var lowPipes: Int?
    private var lowPairs: Int?
    private var lastForkFailureMs: Int64?
    private var lastRewriteStartMs: Int64?
    private var wasAboveThreshold = false
    private var thresholdPercent: Int?
    private var wasExhausted = false

    public init(probe: (any ReplayAnalysisProbe)?) { self.probe = probe }

    /// Feeds the next snapshot (index = number fed so far); `nil` for one that could not be decoded.
    public mutating func add(_ snapshot: Snapshot?) {
        defer { position += 1 }
        guard let snapshot else { return } // a corrupt line: playback notes it when it gets there
        let time = snapshot.time.millisecondsSince1970
        noteSegment(snapshot, time: time)
        noteLows(snapshot)
        noteForkFailures(snapshot, time: time)
        noteThreshold(snapshot, time: time)
        if var probe {
            let exhausted = probe.isExhausted(after: snapshot)
            self.probe = probe
            if exhausted && !wasExhausted { mark(.exhaustion, snapshot.time) }
            wasExhausted = exhausted
        }
        previousTime = time
    }

    private mutating func noteSegment(_ snapshot: Snapshot, time: Int64) {
        let newPid = snapshot.source.pid ?? snapshot.process.value?.pid ?? snapshot.redis.value?.processId
        let newTicks = snapshot.source.processStartTicks ?? snapshot.process.value?.startTicks
        let restarted = (newPid != nil && pid != nil && newPid != pid)
            || (newTicks != nil && startTicks != nil && newTicks != startTicks)
        if previousTime == nil || restarted || time < (previousTime ?? time) {
            index.segmentStarts.append(position)
            pid = nil
            startTicks = nil
            lowPipes = nil
            lowPairs = nil
            wasAboveThreshold = false
            wasExhausted = false
        }
        pid = newPid ?? pid
        startTicks = newTicks ?? startTicks
    }

    private mutating func noteLows(_ snapshot: Snapshot) {
        guard let fds = snapshot.process.value?.fds else { return }
        var lower = false
        if lowPipes.map({ fds.pipes < $0 }) ?? true { lowPipes = fds.pipes; lower = true }
        if lowPairs.map({ fds.selfHeldPipePairs < $0 }) ?? true { lowPairs = fds.selfHeldPipePairs; lower = true }
        if lower { index.newLows.append(position) }
    }

    private mutating func noteForkFailures(_ snapshot: Snapshot, time: Int64) {
        guard let log = snapshot.log.value else { return }
        let failed = log.events.contains { $0.kind.failedFork != nil }
        guard failed else { return }
        if let last = index.forkFailureRuns.last, last.upperBound == position - 1 {
            index.forkFailureRuns[index.forkFailureRuns.count - 1] = last.lowerBound...position
        } else {
            index.forkFailureRuns.append(position...position)
        }
        if lastForkFailureMs.map({ time - $0 > ReplayIndex.burstGapMs || time < $0 }) ?? true {
            mark(.forkFailure, snapshot.time)
        }
        lastForkFailureMs = time
    }

    private mutating func noteThreshold(_ snapshot: Snapshot, time: Int64) {
        if let redis = snapshot.redis.value {
            if let percent = redis.config.value?.autoAofRewritePercentage { thresholdPercent = percent }
            guard redis.aofEnabled == true, let current = redis.aofCurrentSize, let base = redis.aofBaseSize,
                  let threshold = thresholdPercent, threshold > 0 else { return }
            // serverCron's arithmetic: a base of 0 counts as 1.
            let growth = current.multipliedReportingOverflow(by: 100).partialValue / max(base, 1) - 100
            let minSize = redis.config.value?.autoAofRewriteMinSize ?? 0
            let above = growth >= Int64(threshold) && current >= minSize
            if above && !wasAboveThreshold { mark(.thresholdCrossing, snapshot.time) }
            wasAboveThreshold = above
        } else if let log = snapshot.log.value, log.events.contains(where: { $0.kind == .aofRewriteStart }) {
            // Only the log: Redis saying it starts an automatic rewrite is the crossing.
            if lastRewriteStartMs.map({ time - $0 > 60_000 || time < $0 }) ?? true { mark(.thresholdCrossing, snapshot.time) }
            lastRewriteStartMs = time
        }
    }

    private mutating func mark(_ kind: ReplayMarker.Kind, _ time: Timestamp) {
        guard index.markers.count < ReplayIndex.maxMarkers else { return }
        index.markers.append(ReplayMarker(time: time, kind: kind))
    }
}
