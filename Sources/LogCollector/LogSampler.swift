import AoftopModel

/// Follows a Redis/Valkey log, a file or a stream (`--log -`), and turns what is new into a `LogSample` per call.
///
/// `linesRead`, `bytesRead`, `rotations` and `totals` count since the collector started (backlog included);
/// `events` and `droppedEvents` cover only what arrived since the previous `collect()`.
/// Year-less timestamps are resolved against the injected clock at each call (see `YearInference`).
/// Not thread-safe: confine one collector to one task.
public final class LogSampler {
    public let path: String
    /// Events kept per `collect()`; the excess is counted in `droppedEvents` (and still in `totals`).
    public let maxEventsPerCollect: Int

    private let source: any LogLineSource
    /// The file followed, whose history is read back; nil for a stream, whose history is only what it delivers.
    private let follower: LogFollower?
    private let clock: @Sendable () -> Timestamp
    private let zone: LogTimeZone
    private var parser: LogLineParser
    private var totals: [LogEventKind: Int] = [:]
    private var linesRead = 0
    private var bytesRead: UInt64 = 0
    private var lastLineTime: Timestamp?
    private let history: HistoryRequest?
    private var historyLoader: LogHistoryLoader?
    /// The lines read after the backlog (new since the follower started), counted the way the history is.
    private var live: LogHistoryTally?

    /// Asks the sampler to read the log back to a process's start line (`pid` nil: the last start line of any).
    public struct HistoryRequest: Sendable {
        public var pid: Int32?
        public var reader: LogHistoryReader

        public init(pid: Int32?, reader: LogHistoryReader = LogHistoryReader()) {
            self.pid = pid
            self.reader = reader
        }
    }

    public convenience init(path: String, backlogBytes: Int = 64 * 1024, maxEventsPerCollect: Int = 2_000,
                            maxBytesPerPoll: Int = 1 << 20, zone: LogTimeZone = .system, history: HistoryRequest? = nil,
                            clock: @escaping @Sendable () -> Timestamp) {
        let follower = LogFollower(path: path, backlogBytes: backlogBytes, maxBytesPerPoll: maxBytesPerPoll)
        self.init(source: follower, follower: follower, maxEventsPerCollect: maxEventsPerCollect, zone: zone,
                  history: history, clock: clock)
    }

    /// Classifies the lines of `stream`. Its history is built from the stream alone: a start line read from it starts
    /// the count (`docker logs -f` replays the container's log from its start), else every line read is counted.
    /// Ask for `pid` nil unless the stream's lines carry the pid aoftop sees (a container's server logs its own
    /// namespace's pid).
    public convenience init(stream: LogStream, maxEventsPerCollect: Int = 2_000, zone: LogTimeZone = .system,
                            history: HistoryRequest? = nil, clock: @escaping @Sendable () -> Timestamp) {
        self.init(source: stream, follower: nil, maxEventsPerCollect: maxEventsPerCollect, zone: zone, history: history,
                  clock: clock)
    }

    private init(source: any LogLineSource, follower: LogFollower?, maxEventsPerCollect: Int, zone: LogTimeZone,
                 history: HistoryRequest?, clock: @escaping @Sendable () -> Timestamp) {
        self.path = source.name
        self.maxEventsPerCollect = max(0, maxEventsPerCollect)
        self.source = source
        self.follower = follower
        self.clock = clock
        self.zone = zone
        self.parser = LogLineParser(reference: clock(), zone: zone)
        self.history = history
        if let history { live = LogHistoryTally(pid: history.pid, parser: LogLineParser(reference: clock(), zone: zone)) }
    }

    /// A collector whose year inference always uses `referenceTime` (replays, tests, post-mortem tailing).
    public convenience init(path: String, backlogBytes: Int = 64 * 1024, maxEventsPerCollect: Int = 2_000,
                            zone: LogTimeZone = .system, referenceTime: Timestamp) {
        self.init(path: path, backlogBytes: backlogBytes, maxEventsPerCollect: maxEventsPerCollect, zone: zone,
                  clock: { referenceTime })
    }

    /// Polls the log once (bounded read) and classifies the new complete lines.
    /// A file or stream that cannot be read gives `.failed` with a one-line reason; a missing file is `.ok` with
    /// `fileState == .waitingForFile`, a closed stream `.ok` with `fileState == .streamEnded`.
    public func collect() -> Reading<LogSample> {
        parser.yearInference = YearInference(reference: clock(), zone: zone)
        live?.parser.yearInference = parser.yearInference
        var events: [LogEvent] = []
        var dropped = 0
        var lines = 0
        let status = source.poll { bytes in
            lines += 1
            // Nearly every line is `other`: only the few that become events pay for their strings.
            let (kind, time) = parser.kindAndTime(bytes)
            totals[kind, default: 0] += 1
            if let time, lastLineTime.map({ time >= $0 }) ?? true { lastLineTime = time }
            if !source.lineIsBacklog { live?.add(bytes, kind: kind, time: time) }
            guard kind != .other else { return }
            guard events.count < maxEventsPerCollect else { dropped += 1; return }
            var event = parser.parse(bytes)
            event.kind = kind
            events.append(event)
        }
        linesRead += lines
        bytesRead += UInt64(status.bytesRead)
        if let failure = status.failure { return .failed(failure) }
        return .ok(LogSample(path: path, fileState: status.state, events: events, droppedEvents: dropped,
                             totals: totals, linesRead: linesRead, bytesRead: bytesRead,
                             rotations: source.rotations, lastLineTime: lastLineTime, history: currentHistory()))
    }

    /// The read-back continued by the live lines; a start line of the process read live replaces it altogether.
    private func currentHistory() -> LogHistory? {
        guard let history, let live else { return nil }
        guard let follower else {
            // A stream: nothing to read back, every line is live.
            let state: LogHistory.State = live.startFound ? .complete : .startNotFound
            let reason = live.startFound ? nil : "no start line\(history.pid.map { " of pid \($0)" } ?? "") in \(path) yet"
            return live.segment.applied(to: LogHistory(state: state, reason: reason, pid: history.pid, files: [path]))
        }
        // Once the follower has opened its first file, or found none (rotated away and not written since: then the
        // history is all in the rotated file, and whatever appears at the path later is new and read live).
        if historyLoader == nil, follower.initialFile != nil || follower.state == .waitingForFile {
            historyLoader = LogHistoryLoader(path: path, initial: follower.initialFile, pid: history.pid, reader: history.reader)
        }
        // A start line read live: from there on only the live lines count.
        if live.sawAnyStart {
            return live.segment.applied(to: LogHistory(state: live.startFound ? .complete : .startNotFound, pid: history.pid,
                                                       files: [path]))
        }
        guard let loaded = historyLoader?.current else {
            return LogHistory(state: .reading, pid: history.pid, files: [path])
        }
        guard loaded.isSettled else { return loaded }
        var segment = LogHistoryTally.Segment(loaded)
        segment.append(live.segment)
        return segment.applied(to: loaded)
    }
}
