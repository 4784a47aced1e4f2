import AoftopModel
import AoftopRecording

/// Random access to the snapshots a replay plays: a recording on disk or snapshots built in memory (a log).
public protocol ReplayFrames: Sendable {
    var count: Int { get }
    /// Time of snapshot `index`, without decoding it.
    func time(at index: Int) -> Timestamp
    /// Decodes snapshot `index`; throws a one-line reason (`line 1234: not a snapshot (…)`).
    func snapshot(at index: Int) throws -> Snapshot
    /// The last snapshot at or before `time`; nil before the first.
    func index(atOrBefore time: Timestamp) -> Int?
}

extension RecordingReader: ReplayFrames {}

/// Snapshots held in memory, oldest first (a log-only timeline, tests).
public struct SnapshotFrames: ReplayFrames {
    public let snapshots: [Snapshot]
    /// Times made non-decreasing, so binary search works even when a clock stepped back.
    private let seekTimes: [Int64]

    public init(_ snapshots: [Snapshot]) {
        self.snapshots = snapshots
        var times: [Int64] = []
        times.reserveCapacity(snapshots.count)
        for snapshot in snapshots {
            times.append(max(times.last ?? Int64.min, snapshot.time.millisecondsSince1970))
        }
        seekTimes = times
    }

    public var count: Int { snapshots.count }
    public func time(at index: Int) -> Timestamp { snapshots[index].time }
    public func snapshot(at index: Int) throws -> Snapshot { snapshots[index] }

    public func index(atOrBefore time: Timestamp) -> Int? {
        var low = 0
        var high = seekTimes.count
        while low < high {
            let mid = (low + high) / 2
            if seekTimes[mid] <= time.millisecondsSince1970 { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }
}
