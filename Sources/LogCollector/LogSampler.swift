import AoftopModel

/// Follows a Redis/Valkey log and turns what is new into a `LogSample` per call.
///
/// `linesRead`, `bytesRead`, `rotations` and `totals` count since the collector started (backlog included);
/// `events` and `droppedEvents` cover only what arrived since the previous `collect()`.
/// Year-less timestamps are resolved against the injected clock at each call (see `YearInference`).
/// Not thread-safe: confine one collector to one task.
public final class LogSampler {
    public let path: String
    /// Events kept per `collect()`; the excess is counted in `droppedEvents` (and still in `totals`).
    public let maxEventsPerCollect: Int

    private let follower: LogFollower
    private let clock: @Sendable () -> Timestamp
    private let zone: LogTimeZone
    private var parser: LogLineParser
    private var totals: [LogEventKind: Int] = [:]
    private var linesRead = 0
    private var bytesRead: UInt64 = 0
    private var lastLineTime: Timestamp?

    public init(path: String, backlogBytes: Int = 64 * 1024, maxEventsPerCollect: Int = 2_000,
                maxBytesPerPoll: Int = 1 << 20, zone: LogTimeZone = .system,
                clock: @escaping @Sendable () -> Timestamp) {
        self.path = path
        self.maxEventsPerCollect = max(0, maxEventsPerCollect)
        self.follower = LogFollower(path: path, backlogBytes: backlogBytes, maxBytesPerPoll: maxBytesPerPoll)
        self.clock = clock
        self.zone = zone
        self.parser = LogLineParser(reference: clock(), zone: zone)
    }

    /// A collector whose year inference always uses `referenceTime` (replays, tests, post-mortem tailing).
    public convenience init(path: String, backlogBytes: Int = 64 * 1024, maxEventsPerCollect: Int = 2_000,
                            zone: LogTimeZone = .system, referenceTime: Timestamp) {
        self.init(path: path, backlogBytes: backlogBytes, maxEventsPerCollect: maxEventsPerCollect, zone: zone,
                  clock: { referenceTime })
    }

    /// Polls the file once (bounded read) and classifies the new complete lines.
    /// A file that cannot be read gives `.failed` with a one-line reason; a missing file is `.ok` with
    /// `fileState == .waitingForFile`.
    public func collect() -> Reading<LogSample> {
        parser.yearInference = YearInference(reference: clock(), zone: zone)
        var events: [LogEvent] = []
        var dropped = 0
        var lines = 0
        let status = follower.poll { bytes in
            lines += 1
            // Nearly every line is `other`: only the few that become events pay for their strings.
            let (kind, time) = parser.kindAndTime(bytes)
            totals[kind, default: 0] += 1
            if let time, lastLineTime.map({ time >= $0 }) ?? true { lastLineTime = time }
            guard kind != .other else { return }
            if events.count < maxEventsPerCollect { events.append(parser.parse(bytes)) } else { dropped += 1 }
        }
        linesRead += lines
        bytesRead += UInt64(status.bytesRead)
        if let failure = status.failure { return .failed(failure) }
        return .ok(LogSample(path: path, fileState: status.state, events: events, droppedEvents: dropped,
                             totals: totals, linesRead: linesRead, bytesRead: bytesRead,
                             rotations: follower.rotations, lastLineTime: lastLineTime))
    }
}
