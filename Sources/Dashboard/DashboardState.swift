import AoftopAnalysis
import AoftopModel
import TextGrid

/// Live collectors or a recording: the only difference the dashboard knows about.
public enum DashboardMode: Sendable, Equatable {
    case live, replay
}

/// What the bottom bar is collecting keystrokes for.
public enum InputMode: Sendable, Equatable {
    case none
    /// Replay `g`: go to `HH:MM:SS` or a relative offset (`+90s`, `-5m`); the text typed so far.
    case goTo(String)
}

/// The whole dashboard: a value, changed only by `update`, drawn by `render`.
public struct DashboardState: Sendable {
    /// Points kept per sparkline series (more than the widest pane shows).
    public static let historyCapacity = 300
    /// Log events kept for the events pane, newest first.
    public static let eventCapacity = 2_000
    /// Live sampling intervals offered by `+`/`-`, seconds.
    public static let intervals: [Double] = [0.25, 0.5, 1, 2, 5, 10]
    /// Replay speed range for `<`/`>`.
    public static let speedRange: ClosedRange<Double> = 1...64
    /// Seconds a status message stays in the bottom bar.
    public static let statusSeconds = 5.0

    public var mode: DashboardMode
    /// Live: sampling stopped. Replay: playback stopped.
    public var paused = false
    public internal(set) var snapshot: Snapshot?
    public internal(set) var assessment: Assessment?
    public internal(set) var analyzer = Analyzer()
    public internal(set) var histories = SeriesHistories(capacity: historyCapacity)
    /// Classified log events, newest first, at most `eventCapacity`.
    public internal(set) var events: [LogEvent] = []
    public internal(set) var redisFreshness = SourceFreshness()
    public internal(set) var processFreshness = SourceFreshness()
    public internal(set) var logFreshness = SourceFreshness()
    /// The panes on screen, in focus order; `focus` and `zoomed` name one of them.
    public internal(set) var panes: PaneList
    public var focus: PaneID
    public var zoomed: PaneID?
    public var helpVisible = false
    /// Rows of the events pane scrolled away from the newest event (0: newest on top).
    public var eventScroll = 0
    /// Live sampling interval, seconds.
    public var interval: Double
    public var recording: RecordingStatus = .off
    public var timeline: Timeline?
    public var input: InputMode = .none
    /// Transient one-line feedback (`interval 2 s`); cleared `statusSeconds` after `statusSetAt`.
    public internal(set) var statusMessage: String?
    public internal(set) var statusSetAt: Timestamp?
    /// Set by `.sourceEnded`: the source stopped, with its reason.
    public internal(set) var sourceEnded = false
    public internal(set) var sourceEndReason: String?
    /// The latest wall time from `.tick`.
    public internal(set) var now: Timestamp?
    /// The terminal size from `.resize`: lets `update` page the events pane by its visible height.
    public var size = GridSize(columns: 80, rows: 24)
    /// Offset of the operator's time zone from UTC, seconds: times are shown and `g` input read in it.
    public var timeZoneOffsetSeconds: Int
    /// Opened from the overview (`aoftop --all`): the bottom bar offers `esc overview`.
    public var returnsToOverview = false

    public init(mode: DashboardMode, interval: Double = 1, timeZoneOffsetSeconds: Int = 0, panes: PaneList = .standard) {
        self.mode = mode
        self.panes = panes
        focus = panes.ids[0]
        self.interval = interval
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
    }

    /// The time ages are measured at: wall time in live mode (never before the latest snapshot), the snapshot's
    /// own time in replay (wall time has nothing to do with a recording).
    public var clock: Timestamp? {
        switch mode {
        case .live:
            guard let now else { return snapshot?.time }
            guard let time = snapshot?.time else { return now }
            return max(now, time)
        case .replay:
            return snapshot?.time ?? timeline?.position
        }
    }

    /// Seconds since the assessment was made, for the ETA countdown between snapshots (0 in replay).
    public var secondsSinceAssessment: Double {
        guard mode == .live, let clock, let time = assessment?.time else { return 0 }
        return max(0, clock.seconds(since: time))
    }

    /// The ETA now: the assessment's estimate minus the time since it was made, never below 0.
    public var countdownSeconds: Double? {
        guard let assessment, assessment.eta.status == .rising, let seconds = assessment.eta.seconds else { return nil }
        return max(0, seconds - secondsSinceAssessment)
    }
}

/// How fresh one source of the snapshot is: when it last read OK and why it fails now.
public struct SourceFreshness: Sendable, Equatable {
    public var lastOK: Timestamp?
    /// The latest failure reason; `nil` while the source reads OK.
    public var failure: String?
    /// The first of the current run of failures.
    public var failingSince: Timestamp?
    /// `false` when the source was not asked for (`Reading.notConfigured`).
    public var configured = true

    public init(lastOK: Timestamp? = nil, failure: String? = nil, failingSince: Timestamp? = nil, configured: Bool = true) {
        self.lastOK = lastOK
        self.failure = failure
        self.failingSince = failingSince
        self.configured = configured
    }

    mutating func note<Value>(_ reading: Reading<Value>, at time: Timestamp) {
        switch reading {
        case .ok:
            lastOK = time
            failure = nil
            failingSince = nil
            configured = true
        case .failed(let reason):
            if failure == nil { failingSince = time }
            failure = reason
            configured = true
        case .notConfigured:
            failure = nil
            failingSince = nil
            configured = false
        }
    }

    /// Seconds the source has been without a good reading (since the last OK one, else since it started failing).
    func failingSeconds(at clock: Timestamp?) -> Double? {
        guard failure != nil, let clock, let since = lastOK ?? failingSince else { return nil }
        return max(0, clock.seconds(since: since))
    }
}
