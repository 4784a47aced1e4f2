/// The server's log read back to the current process's start line: what happened before aoftop was watching.
///
/// An aoftop started in the middle of an incident learns from it how many forks failed since the server started,
/// since when clients are refused, the lowest refused fd number (the event loop's limit, proven), and the version
/// and limits the server logged at start. Counts cover the start line up to now: the lines read back plus every
/// line the live follower read after them, each counted once.
public struct LogHistory: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Still reading back: nothing below is known yet except `bytesRead`.
        case reading
        /// The start line of this process was found; everything since it is counted.
        case complete
        /// No start line of this process in the files read: counts cover every line read, and say so.
        case startNotFound = "start-not-found"
        /// The files could not be read back (`reason` says why); live following goes on regardless.
        case failed
    }

    public var state: State
    public var reason: String?
    /// The process whose start line was looked for (`nil`: the last start line of any process).
    public var pid: Int32?
    /// Files read back, oldest first (a rotated file, then the current one).
    public var files: [String]
    public var bytesRead: UInt64
    /// Time of the process's start line.
    public var processStart: Timestamp?
    /// From the start banner (`Redis version=7.0.15, …`, `Valkey version=8.1.1, …`, `Server started, Redis version 3.2.8`).
    public var server: String?
    public var version: String?
    /// Lines of each kind since the start line, up to the newest line read (`nil` while reading).
    public var totals: [LogEventKind: Int]?
    public var firstForkFailure: Timestamp?
    public var lastForkFailure: Timestamp?
    /// The first line saying a new client or the rewrite's pipes could not get an fd (ERANGE or EMFILE): out of fds
    /// since then (only a restart recovers).
    public var firstRefusal: Timestamp?
    public var lastRefusal: Timestamp?
    /// The lowest `fd=N` of `Error registering fd event for the new client … (fd=N)` since start: the event loop's
    /// setsize is at most N, whatever any setting says.
    public var lowestRefusedFd: Int?
    /// `Increased maximum number of open files to N` at start: Redis raised RLIMIT_NOFILE to maxclients + 32.
    public var openFilesRaisedTo: Int?
    /// `maxclients has been reduced to N` at start (RLIMIT_NOFILE could not be raised).
    public var maxclientsReducedTo: Int?
    /// The start said `no config file specified`: built-in defaults (and command-line options) apply.
    public var startedWithoutConfigFile: Bool
    /// AOF + RDB fork failures over time since the start line, for trends over hours.
    public var forkFailureBuckets: TimeBuckets?

    public init(state: State, reason: String? = nil, pid: Int32? = nil, files: [String] = [], bytesRead: UInt64 = 0,
                processStart: Timestamp? = nil, server: String? = nil, version: String? = nil,
                totals: [LogEventKind: Int]? = nil, firstForkFailure: Timestamp? = nil, lastForkFailure: Timestamp? = nil,
                firstRefusal: Timestamp? = nil, lastRefusal: Timestamp? = nil, lowestRefusedFd: Int? = nil,
                openFilesRaisedTo: Int? = nil, maxclientsReducedTo: Int? = nil, startedWithoutConfigFile: Bool = false,
                forkFailureBuckets: TimeBuckets? = nil) {
        self.state = state
        self.reason = reason
        self.pid = pid
        self.files = files
        self.bytesRead = bytesRead
        self.processStart = processStart
        self.server = server
        self.version = version
        self.totals = totals
        self.firstForkFailure = firstForkFailure
        self.lastForkFailure = lastForkFailure
        self.firstRefusal = firstRefusal
        self.lastRefusal = lastRefusal
        self.lowestRefusedFd = lowestRefusedFd
        self.openFilesRaisedTo = openFilesRaisedTo
        self.maxclientsReducedTo = maxclientsReducedTo
        self.startedWithoutConfigFile = startedWithoutConfigFile
        self.forkFailureBuckets = forkFailureBuckets
    }

    /// AOF + RDB fork failures since the start line; `nil` while reading.
    public var forkFailures: Int? {
        totals.map(ForkMechanism.totalFailures(in:))
    }

    /// Whether the counts are final for the files read (complete, or complete but without a start line).
    public var isSettled: Bool { state == .complete || state == .startNotFound }

    private enum CodingKeys: String, CodingKey {
        case state, reason, pid, files, server, version, totals
        case bytesRead = "bytes_read"
        case processStart = "process_start"
        case firstForkFailure = "first_fork_failure"
        case lastForkFailure = "last_fork_failure"
        case firstRefusal = "first_refusal"
        case lastRefusal = "last_refusal"
        case lowestRefusedFd = "lowest_refused_fd"
        case openFilesRaisedTo = "open_files_raised_to"
        case maxclientsReducedTo = "maxclients_reduced_to"
        case startedWithoutConfigFile = "started_without_config_file"
        case forkFailureBuckets = "fork_failure_buckets"
    }
}

/// Counts per fixed-width time bucket, at most `maxBuckets` of them: when a count lands past the last bucket the
/// width doubles (pairs merge), so hours of history stay a few dozen numbers.
public struct TimeBuckets: Sendable, Codable, Equatable {
    public static let maxBuckets = 60

    /// Start of the first bucket.
    public var start: Timestamp
    public var widthMs: Int64
    /// Oldest first; the last bucket may still be filling.
    public var counts: [Int]

    public init(start: Timestamp, widthMs: Int64 = 60_000, counts: [Int] = []) {
        self.start = start
        self.widthMs = max(1, widthMs)
        self.counts = counts
    }

    /// Counts one event at `time`; times before `start` land in the first bucket.
    public mutating func add(_ time: Timestamp, count: Int = 1) {
        var index = Int(max(0, time.millisecondsSince1970 - start.millisecondsSince1970) / widthMs)
        while index >= Self.maxBuckets {
            var merged: [Int] = []
            merged.reserveCapacity(Self.maxBuckets / 2 + 1)
            var i = 0
            while i < counts.count {
                merged.append(counts[i] + (i + 1 < counts.count ? counts[i + 1] : 0))
                i += 2
            }
            counts = merged
            widthMs *= 2
            index = Int(max(0, time.millisecondsSince1970 - start.millisecondsSince1970) / widthMs)
        }
        if counts.count <= index { counts += Array(repeating: 0, count: index + 1 - counts.count) }
        counts[index] += count
    }

    /// Events per hour over the buckets that end within `spanMs` before `end` (partial buckets weighed by overlap).
    public func ratePerHour(lastMs spanMs: Int64, end: Timestamp) -> Double? {
        guard spanMs > 0, !counts.isEmpty else { return nil }
        let from = end.millisecondsSince1970 - spanMs
        var events = 0.0
        for (i, count) in counts.enumerated() where count > 0 {
            let b0 = start.millisecondsSince1970 + Int64(i) * widthMs
            let b1 = b0 + widthMs
            let overlap = min(b1, end.millisecondsSince1970) - max(b0, from)
            if overlap > 0 { events += Double(count) * Double(overlap) / Double(widthMs) }
        }
        return events * 3_600_000 / Double(spanMs)
    }

    private enum CodingKeys: String, CodingKey {
        case start, counts
        case widthMs = "width_ms"
    }
}
