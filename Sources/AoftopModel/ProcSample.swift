/// What `/proc/PID` said about the server process: the fd census and the limits that bound it.
public struct ProcSample: Sendable, Codable, Equatable {
    public var pid: Int32
    /// `comm` from `/proc/PID/stat` (e.g. `redis-server`).
    public var command: String
    /// Field 22 of `/proc/PID/stat`, clock ticks after boot; changes on restart or pid reuse.
    public var startTicks: UInt64
    /// utime + stime in clock ticks: a process spinning on `accept()` (the EMFILE regime) shows here.
    public var cpuTicks: UInt64
    /// `sysconf(_SC_CLK_TCK)` on the machine that took the sample, so replays elsewhere stay right.
    public var clockTicksPerSecond: Int
    public var fds: FdCensus
    public var limits: FdLimits

    public init(pid: Int32, command: String, startTicks: UInt64, cpuTicks: UInt64, clockTicksPerSecond: Int,
                fds: FdCensus, limits: FdLimits) {
        self.pid = pid
        self.command = command
        self.startTicks = startTicks
        self.cpuTicks = cpuTicks
        self.clockTicksPerSecond = clockTicksPerSecond
        self.fds = fds
        self.limits = limits
    }

    private enum CodingKeys: String, CodingKey {
        case pid, command, fds, limits
        case startTicks = "start_ticks"
        case cpuTicks = "cpu_ticks"
        case clockTicksPerSecond = "clock_ticks_per_second"
    }
}

/// Open file descriptors of one process, by type.
public struct FdCensus: Sendable, Codable, Equatable {
    public var total: Int
    public var sockets: Int
    /// Sockets whose inode is a listening socket in `/proc/PID/net/{tcp,tcp6,unix}`; the rest are clients
    /// (and replication links).
    public var listeningSockets: Int
    public var pipes: Int
    /// Pipe inodes of which this process holds at least two fds (both ends): the signature of the leak,
    /// where the pipes Redis opened for a child that was never born stay open in the parent.
    public var selfHeldPipePairs: Int
    /// `anon_inode:` fds by kind (`eventpoll`, `eventfd`, `[timerfd]`…).
    public var anonInodes: [String: Int]
    public var regularFiles: Int
    /// Everything else (`/dev/null`, ttys, directories, memfd…).
    public var other: Int
    /// The highest open fd number (-1 with no fds).
    public var highestFd: Int
    /// The lowest fd number not in use: the number the next `accept()` or `pipe()` gets. Redis refuses it when it
    /// is ≥ the event loop's setsize, however many fds are open.
    public var lowestFreeFd: Int

    public init(total: Int = 0, sockets: Int = 0, listeningSockets: Int = 0, pipes: Int = 0, selfHeldPipePairs: Int = 0,
                anonInodes: [String: Int] = [:], regularFiles: Int = 0, other: Int = 0, highestFd: Int = -1,
                lowestFreeFd: Int = 0) {
        self.total = total
        self.sockets = sockets
        self.listeningSockets = listeningSockets
        self.pipes = pipes
        self.selfHeldPipePairs = selfHeldPipePairs
        self.anonInodes = anonInodes
        self.regularFiles = regularFiles
        self.other = other
        self.highestFd = highestFd
        self.lowestFreeFd = lowestFreeFd
    }

    /// Sockets that are not listeners: client connections and replication links.
    public var clientSockets: Int { sockets - listeningSockets }
    public var anonInodeTotal: Int { anonInodes.values.reduce(0, +) }

    private enum CodingKeys: String, CodingKey {
        case total, sockets, pipes, other
        case listeningSockets = "listening_sockets"
        case selfHeldPipePairs = "self_held_pipe_pairs"
        case anonInodes = "anon_inodes"
        case regularFiles = "regular_files"
        case highestFd = "highest_fd"
        case lowestFreeFd = "lowest_free_fd"
    }
}

/// `Max open files` from `/proc/PID/limits`; `nil` means unlimited.
public struct FdLimits: Sendable, Codable, Equatable {
    public var soft: Int?
    public var hard: Int?

    public init(soft: Int?, hard: Int?) {
        self.soft = soft
        self.hard = hard
    }
}
