import AoftopModel

/// What one background pass over a recording learns: the timeline markers, and the few snapshots before any
/// point that the analysis needs to reach the state it had there (see `ReplayIndex.anchors(before:in:)`).
/// Memory is bounded by the number of bursts and restarts, not by the length of the recording.
public struct ReplayIndex: Sendable, Equatable {
    /// At most this many markers are kept (a day of intermittent failures must not grow without bound).
    public static let maxMarkers = 5_000
    /// Fork failures less than this far apart are one burst, marked once.
    public static let burstGapMs: Int64 = 10_000

    public internal(set) var markers: [ReplayMarker] = []
    /// Indices where the analysis history starts again: the first snapshot, a restart, the clock stepping back.
    public internal(set) var segmentStarts: [Int] = []
    /// Indices where pipes or self-held pipe pairs reached a new low within their segment (the leak baseline).
    public internal(set) var newLows: [Int] = []
    /// Runs of consecutive snapshots whose log reported fork failures.
    public internal(set) var forkFailureRuns: [ClosedRange<Int>] = []

    public init() {}

    /// The start of the segment holding `index`.
    public func segmentStart(of index: Int) -> Int {
        guard let position = lastIndex(in: segmentStarts, atOrBefore: index) else { return 0 }
        return segmentStarts[position]
    }

    /// Snapshots before `windowStart` (same segment) that set what the analysis keeps since a restart: the
    /// segment's first snapshot (log totals and pipes are compared with it), the latest new low of pipes (the
    /// baseline) and the latest fork failure (the "last failure" shown). In index order, without duplicates.
    public func anchors(before windowStart: Int) -> [Int] {
        let start = segmentStart(of: windowStart)
        guard start < windowStart else { return [] }
        var result: Set<Int> = [start]
        if let position = lastIndex(in: newLows, atOrBefore: windowStart - 1), newLows[position] >= start {
            result.insert(newLows[position])
        }
        if let run = lastRun(startingAtOrBefore: windowStart - 1) {
            let last = min(run.upperBound, windowStart - 1)
            if last >= start { result.insert(last) }
        }
        return result.sorted()
    }

    private func lastRun(startingAtOrBefore index: Int) -> ClosedRange<Int>? {
        var low = 0
        var high = forkFailureRuns.count
        while low < high {
            let mid = (low + high) / 2
            if forkFailureRuns[mid].lowerBound <= index { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : forkFailureRuns[low - 1]
    }

    private func lastIndex(in sorted: [Int], atOrBefore value: Int) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }
}
