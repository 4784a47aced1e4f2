import AoftopModel
import TextGrid

/// Everything that can change the dashboard: the host turns I/O (snapshots, keys, resizes, the clock, the
/// recorder, the replay source) into these and feeds them to `update`.
public enum DashboardMessage: Sendable {
    /// A new snapshot from the live collectors or from the recording.
    case snapshot(Snapshot)
    case key(KeyEvent)
    case resize(GridSize)
    /// Wall time, between snapshots too: ages, the ETA countdown and status-message expiry follow it.
    case tick(Timestamp)
    /// The snapshot source stopped (end of recording, collectors gave up); `reason` is one line or `nil`.
    case sourceEnded(reason: String?)
    /// The host's recorder changed state.
    case recording(RecordingStatus)
    /// Replay position, range, speed and markers, as the replay source reports them.
    case timeline(Timeline)
    /// A one-line note from the source (a skipped corrupt line, a finished recording) for the status bar.
    case note(String)
}

/// A request for the host; `update` never performs I/O itself.
public enum DashboardEffect: Sendable, Equatable {
    case quit
    /// Live: stop/start sampling. Replay: pause/play.
    case setPaused(Bool)
    /// Live sampling interval in seconds.
    case setInterval(Double)
    /// Start recording when off, stop when recording (the host answers with `.recording`).
    case toggleRecording
    /// Replay: step this many snapshots (negative: back).
    case replayStep(Int)
    /// Replay: move the position by this many seconds.
    case replaySeek(by: Double)
    case replaySeekTo(Timestamp)
    /// Replay: the next or previous timeline marker.
    case replayJump(toEvent: EventDirection)
    case replayHome
    case replayEnd
    /// Replay: the new speed multiplier (1…64).
    case replaySpeed(Double)
}

public enum EventDirection: Sendable, Equatable {
    case next, previous
}

/// What the host's recorder is doing.
public enum RecordingStatus: Sendable, Equatable {
    case off
    case recording(path: String)
    /// Recording stopped because of an error (disk full, permission…).
    case failed(String)
}

/// Where a replay is, as reported by the replay source.
public struct Timeline: Sendable, Equatable {
    public var position: Timestamp
    public var start: Timestamp
    public var end: Timestamp
    /// Playback multiplier, 1…64.
    public var speed: Double
    public var playing: Bool
    public var markers: [TimelineMarker]

    public init(position: Timestamp, start: Timestamp, end: Timestamp, speed: Double = 1, playing: Bool = true,
                markers: [TimelineMarker] = []) {
        self.position = position
        self.start = start
        self.end = end
        self.speed = speed
        self.playing = playing
        self.markers = markers
    }
}

/// A notable instant in a recording, drawn on the timeline and reachable with `n`/`N`.
public struct TimelineMarker: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case forkFailure
        /// AOF growth crossed `auto-aof-rewrite-percentage`.
        case thresholdCrossing
        case exhaustion
    }

    public var time: Timestamp
    public var kind: Kind

    public init(time: Timestamp, kind: Kind) {
        self.time = time
        self.kind = kind
    }
}
