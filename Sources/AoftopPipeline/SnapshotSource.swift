import AoftopModel

/// Where the dashboard's snapshots come from: live collectors or a recording. The host loop polls it without
/// blocking, so keys stay responsive whatever the source is doing.
public protocol SnapshotSource: AnyObject {
    /// Everything ready at monotonic time `now` (seconds), oldest first. Never blocks.
    func poll(now: Double) -> [SourceUpdate]
    /// A request from the operator (pause, interval, replay navigation). Sources ignore what they cannot do.
    func control(_ control: SourceControl, now: Double)
    /// Stops background work and closes files. Idempotent.
    func close()
}

public enum SourceUpdate: Sendable, Equatable {
    case snapshot(Snapshot)
    /// Replay only: where the playhead is.
    case position(ReplayPosition)
    /// Recording started/stopped/failed (live only).
    case recording(RecordingState)
    /// A one-line note for the status bar (a skipped corrupt line, a failed write…).
    case note(String)
    /// No more snapshots will come (end of a recording, or a fatal source error), with the reason.
    case ended(String?)
}

public enum SourceControl: Sendable, Equatable {
    case setPaused(Bool)
    case setInterval(Double)
    /// Live: start recording when stopped, stop when recording.
    case toggleRecording
    /// Replay: move by whole snapshots (negative = back).
    case step(Int)
    /// Replay: move by seconds of recorded time.
    case seek(by: Double)
    case seekTo(Timestamp)
    /// Replay: the next/previous snapshot with a marker (fork failure, threshold crossing, exhaustion).
    case jumpToMarker(forward: Bool)
    case home
    case end
    /// Replay: playback speed multiplier (1 = real time).
    case speed(Double)
}

/// Where a replay is, for the timeline bar.
public struct ReplayPosition: Sendable, Equatable {
    public var index: Int
    public var count: Int
    public var time: Timestamp
    public var start: Timestamp
    public var end: Timestamp
    public var speed: Double
    public var playing: Bool
    public var markers: [ReplayMarker]

    public init(index: Int, count: Int, time: Timestamp, start: Timestamp, end: Timestamp, speed: Double,
                playing: Bool, markers: [ReplayMarker]) {
        self.index = index
        self.count = count
        self.time = time
        self.start = start
        self.end = end
        self.speed = speed
        self.playing = playing
        self.markers = markers
    }
}

/// A moment worth jumping to in a recording.
public struct ReplayMarker: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case forkFailure = "fork-failure"
        case thresholdCrossing = "threshold-crossing"
        case exhaustion
    }

    public var time: Timestamp
    public var kind: Kind

    public init(time: Timestamp, kind: Kind) {
        self.time = time
        self.kind = kind
    }
}

public enum RecordingState: Sendable, Equatable {
    case off
    case recording(path: String)
    case failed(String)
}
