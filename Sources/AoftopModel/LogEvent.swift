/// The classes of Redis/Valkey log line aoftop recognises. The raw values are stable: they are used in JSON,
/// in recordings and in metric labels.
public enum LogEventKind: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
    /// `Starting automatic rewriting of AOF on N% growth` (carries `growthPercent`).
    case aofRewriteStart = "aof-rewrite-start"
    /// `Can't rewrite append only file in background: fork: …` (carries `error`).
    case aofForkFailed = "aof-fork-failed"
    /// `Can't save in background: fork: …` (carries `error`): a BGSAVE for a `save` schedule or the BGSAVE command;
    /// the same line after a replica's sync start is `replica-sync-fork-failed` or `diskless-sync-fork-failed`.
    case rdbForkFailed = "rdb-fork-failed"
    /// `Error opening /setting AOF rewrite IPC pipes: …` (carries `error`).
    case aofPipesFailed = "aof-pipes-failed"
    /// `Error registering fd event for the new client…` (carries `fd` where the line has one).
    case clientRegisterFailed = "client-register-failed"
    /// `Accepting client connection: …` and other `accept()` failures (carries `error`).
    case acceptFailed = "accept-failed"
    /// `Background append only file rewriting started by pid N` (carries `childPid`).
    case aofRewriteStarted = "aof-rewrite-started"
    /// `Background AOF rewrite finished successfully` / `…terminated with success`.
    case aofRewriteDone = "aof-rewrite-done"
    /// `Background AOF rewrite terminated with error` / `…killed by signal`.
    case aofRewriteFailed = "aof-rewrite-failed"
    /// `…repeatedly failed and triggered the limit, will retry in N minutes` (carries `value` = minutes).
    case aofRewriteLimited = "aof-rewrite-limited"
    /// `Creating AOF incr file … on background rewrite`: one per Redis 7 rewrite attempt.
    case aofIncrFileCreated = "aof-incr-file-created"
    /// `Increased maximum number of open files to N …` (carries `value` = N).
    case fdLimitRaised = "fd-limit-raised"
    /// `… maxclients has been reduced to N …` / `can't set maximum open files` (carries `value` where given).
    case maxclientsReduced = "maxclients-reduced"
    /// `Server started`, `Redis version=… just started`, `Ready to accept connections`.
    case serverStart = "server-start"
    /// `Warning: no config file specified, using the default config`: started on defaults and options alone.
    case noConfigFile = "no-config-file"
    /// `Redis is now ready to exit, bye bye...`, `Received SIGTERM scheduling shutdown...`.
    case serverShutdown = "server-shutdown"
    /// `N changes in M seconds. Saving...`: a `save` schedule starts a BGSAVE (its fork follows at once).
    case rdbSaveScheduled = "rdb-save-scheduled"
    /// `Starting BGSAVE for SYNC with target: disk` (or, before 3.0, without a target): a replica's full sync.
    case replicaSyncStart = "replica-sync-start"
    /// `Starting BGSAVE for SYNC with target: replicas sockets` (`slaves sockets` before 5.0): a diskless sync.
    case disklessSyncStart = "diskless-sync-start"
    /// `Can't save in background: fork: …` right after `replica-sync-start`: the fork of a replica's full sync
    /// failed (carries `error`). Only a classifier that has seen the line before tells it from `rdb-fork-failed`.
    case replicaSyncForkFailed = "replica-sync-fork-failed"
    /// `Can't save in background: fork: …` right after `diskless-sync-start` (carries `error`).
    case disklessSyncForkFailed = "diskless-sync-fork-failed"
    /// `Killing running AOF rewrite child: N`: a rewrite stopped by `appendonly no`, FLUSHALL or a shutdown.
    case aofRewriteChildKilled = "aof-rewrite-child-killed"
    case other = "other"

    /// The fork this line says failed, if it says one did.
    public var failedFork: ForkMechanism? { ForkMechanism.allCases.first { $0.failureKind == self } }

    public static func < (a: LogEventKind, b: LogEventKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The level character of a Redis log line.
public enum LogLevel: String, Sendable, Codable {
    case debug, verbose, notice, warning
}

/// One classified log line.
public struct LogEvent: Sendable, Codable, Equatable {
    /// `nil` for lines with no time (the ASCII-art banner).
    public var time: Timestamp?
    public var kind: LogEventKind
    public var pid: Int32?
    /// `M` master, `S` replica, `C` child, `X` sentinel (legacy format) or the logfmt role word.
    public var role: String?
    public var level: LogLevel?
    public var growthPercent: Int64?
    public var error: String?
    public var fd: Int?
    public var childPid: Int32?
    /// Minutes for `aof-rewrite-limited`, the new limit for `fd-limit-raised` and `maxclients-reduced`.
    public var value: Int64?
    /// The message part of the line (after time and level), lossily decoded and cut to 1 KiB.
    public var message: String

    public init(time: Timestamp?, kind: LogEventKind, pid: Int32? = nil, role: String? = nil, level: LogLevel? = nil,
                growthPercent: Int64? = nil, error: String? = nil, fd: Int? = nil, childPid: Int32? = nil,
                value: Int64? = nil, message: String) {
        self.time = time
        self.kind = kind
        self.pid = pid
        self.role = role
        self.level = level
        self.growthPercent = growthPercent
        self.error = error
        self.fd = fd
        self.childPid = childPid
        self.value = value
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case time, kind, pid, role, level, error, fd, value, message
        case growthPercent = "growth_percent"
        case childPid = "child_pid"
    }
}

/// What the log follower saw since the previous snapshot, plus running totals since it started.
public struct LogSample: Sendable, Codable, Equatable {
    public enum FileState: String, Sendable, Codable {
        case following
        /// The path does not exist (yet); the follower keeps polling for it.
        case waitingForFile = "waiting_for_file"
        /// A log read from a stream (`--log -`) whose writer closed it: nothing more will come, the counts are final.
        case streamEnded = "stream_ended"
    }

    /// `path` of a log read from standard input (`--log -`).
    public static let standardInput = "standard input"

    /// The file followed, or `standard input`.
    public var path: String
    public var fileState: FileState
    /// Classified lines (every kind but `other`) since the previous snapshot, oldest first.
    public var events: [LogEvent]
    /// Events that were classified but not kept in `events` because of the per-snapshot cap; still counted.
    public var droppedEvents: Int
    /// Lines of each kind since the follower started (backlog included), `other` included.
    public var totals: [LogEventKind: Int]
    public var linesRead: Int
    public var bytesRead: UInt64
    /// Rotations (rename, copytruncate, delete and re-create) seen since the follower started.
    public var rotations: Int
    /// Time of the newest line that carried one.
    public var lastLineTime: Timestamp?
    /// The log read back to the process's start line; `nil` when not asked for (replay of older recordings,
    /// `replay --log`, a follower with no process to look for).
    public var history: LogHistory?

    public init(path: String, fileState: FileState, events: [LogEvent] = [], droppedEvents: Int = 0,
                totals: [LogEventKind: Int] = [:], linesRead: Int = 0, bytesRead: UInt64 = 0, rotations: Int = 0,
                lastLineTime: Timestamp? = nil, history: LogHistory? = nil) {
        self.path = path
        self.fileState = fileState
        self.events = events
        self.droppedEvents = droppedEvents
        self.totals = totals
        self.linesRead = linesRead
        self.bytesRead = bytesRead
        self.rotations = rotations
        self.lastLineTime = lastLineTime
        self.history = history
    }

    private enum CodingKeys: String, CodingKey {
        case path, events, totals, rotations, history
        case fileState = "file_state"
        case droppedEvents = "dropped_events"
        case linesRead = "lines_read"
        case bytesRead = "bytes_read"
        case lastLineTime = "last_line_time"
    }
}
