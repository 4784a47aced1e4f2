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
    /// Fd numbers at which the process holds aoftop's own earlier connections that it accepted and never
    /// answered: a Redis whose event loop is full (fd ≥ setsize) leaves such clients open and silent, so the
    /// lowest of them bounds the event loop's size. `nil` when there was no such connection.
    public var unservedConnectionFds: [Int]?
    /// The socket fds by role, TCP state and peer; `nil` when not taken (or in a recording made before it existed).
    public var sockets: SocketCensus?
    /// Its pid namespaces and mount namespace; `nil` when `status` could not be read (or in an older recording).
    public var namespaces: ProcessNamespaces?

    public init(pid: Int32, command: String, startTicks: UInt64, cpuTicks: UInt64, clockTicksPerSecond: Int,
                fds: FdCensus, limits: FdLimits, unservedConnectionFds: [Int]? = nil, sockets: SocketCensus? = nil,
                namespaces: ProcessNamespaces? = nil) {
        self.pid = pid
        self.command = command
        self.startTicks = startTicks
        self.cpuTicks = cpuTicks
        self.clockTicksPerSecond = clockTicksPerSecond
        self.fds = fds
        self.limits = limits
        self.unservedConnectionFds = unservedConnectionFds
        self.sockets = sockets
        self.namespaces = namespaces
    }

    /// The pid the server knows itself by: the innermost of its pid namespaces.
    public var serverPid: Int32 { namespaces?.innerPid ?? pid }

    private enum CodingKeys: String, CodingKey {
        case pid, command, fds, limits, sockets, namespaces
        case unservedConnectionFds = "unserved_connection_fds"
        case startTicks = "start_ticks"
        case cpuTicks = "cpu_ticks"
        case clockTicksPerSecond = "clock_ticks_per_second"
    }
}

/// Open file descriptors of one process, by type, and which fd numbers are free.
///
/// Redis refuses any new fd whose *number* is ≥ its event loop's setsize, and the kernel hands out the lowest
/// free number, so what is left is the count of free numbers below the limit, not the limit minus `total`:
/// 1,500 open fds with one hole at fd 7 still accept one client at a time. `holes`/`holeCount` carry that.
public struct FdCensus: Sendable, Codable, Equatable {
    /// At most this many free fd numbers are kept in `holes` (the lowest ones), so a sparse table cannot make a
    /// census large; `holeCount` is always the full count.
    public static let maxHoles = 64
    /// With this many free fd numbers below Redis's event-loop setsize or fewer, single connections may still get
    /// in but a reconnect burst fails (measured 20/20 with 1–2 spare): the limit counts as reached.
    public static let eventLoopExhaustionMargin = 2

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
    /// is ≥ the event loop's setsize, however many fds are open. Equals `holes.first ?? highestFd + 1`.
    public var lowestFreeFd: Int
    /// Free fd numbers below `highestFd`, ascending: the lowest `maxHoles` of them. Complete when
    /// `holes.count == holeCount`.
    public var holes: [Int]
    /// How many fd numbers below `highestFd` are free in all (`highestFd + 1 − total`), however many `holes` kept.
    public var holeCount: Int

    /// `holes` and `holeCount` default to what `total`, `highestFd` and `lowestFreeFd` imply: the number of free
    /// numbers is exact, and the only hole known is `lowestFreeFd` (what a census from before they existed says).
    public init(total: Int = 0, sockets: Int = 0, listeningSockets: Int = 0, pipes: Int = 0, selfHeldPipePairs: Int = 0,
                anonInodes: [String: Int] = [:], regularFiles: Int = 0, other: Int = 0, highestFd: Int = -1,
                lowestFreeFd: Int = 0, holes: [Int]? = nil, holeCount: Int? = nil) {
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
        let implied = Self.impliedHoles(highestFd: highestFd, lowestFreeFd: lowestFreeFd)
        self.holes = holes ?? implied
        self.holeCount = holeCount ?? max(implied.count, highestFd + 1 - total)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Recordings made before `holes`/`hole_count` existed must replay: derive them like `init` does.
        self.init(total: try c.decode(Int.self, forKey: .total), sockets: try c.decode(Int.self, forKey: .sockets),
                  listeningSockets: try c.decode(Int.self, forKey: .listeningSockets),
                  pipes: try c.decode(Int.self, forKey: .pipes),
                  selfHeldPipePairs: try c.decode(Int.self, forKey: .selfHeldPipePairs),
                  anonInodes: try c.decode([String: Int].self, forKey: .anonInodes),
                  regularFiles: try c.decode(Int.self, forKey: .regularFiles), other: try c.decode(Int.self, forKey: .other),
                  highestFd: try c.decode(Int.self, forKey: .highestFd),
                  lowestFreeFd: try c.decode(Int.self, forKey: .lowestFreeFd),
                  holes: try c.decodeIfPresent([Int].self, forKey: .holes),
                  holeCount: try c.decodeIfPresent(Int.self, forKey: .holeCount))
    }

    private static func impliedHoles(highestFd: Int, lowestFreeFd: Int) -> [Int] {
        lowestFreeFd >= 0 && lowestFreeFd < highestFd ? [lowestFreeFd] : []
    }

    /// Sockets that are not listeners: client connections and replication links.
    public var clientSockets: Int { sockets - listeningSockets }
    public var anonInodeTotal: Int { anonInodes.values.reduce(0, +) }

    /// How many fd numbers below `limit` are free: the fds a process can still open whose number stays below
    /// `limit` (Redis's event-loop setsize). `nil` when `holes` was cut at `maxHoles` before `limit` and the
    /// unkept holes may lie on either side of it; `freeFdBounds(below:)` then still bounds it.
    public func freeFds(below limit: Int) -> Int? {
        let bounds = freeFdBounds(below: limit)
        return bounds.lowerBound == bounds.upperBound ? bounds.lowerBound : nil
    }

    /// The least and the most fd numbers below `limit` that can be free given this census. A single value (exact)
    /// when `limit` is above `highestFd` (every open fd is below it: `limit − total`), when `holes` is complete,
    /// or when `limit` does not reach past the last kept hole.
    public func freeFdBounds(below limit: Int) -> ClosedRange<Int> {
        guard limit > 0 else { return 0...0 }
        if limit > highestFd {
            let free = max(0, limit - total)
            return free...free
        }
        let known = holes.prefix { $0 < limit }.count
        let unkept = max(0, holeCount - holes.count)
        if unkept == 0 || known < holes.count { return known...known }
        // Unkept holes lie between the last kept one and `highestFd` (which is open); those in [limit, highestFd)
        // are not below the limit, and at most `highestFd − limit` of them fit there.
        let after = holes.last ?? (lowestFreeFd - 1)
        let least = known + max(0, unkept - (highestFd - limit))
        let most = known + min(unkept, max(0, limit - after - 1))
        return least...max(least, most)
    }

    private enum CodingKeys: String, CodingKey {
        case total, sockets, pipes, other, holes
        case listeningSockets = "listening_sockets"
        case selfHeldPipePairs = "self_held_pipe_pairs"
        case anonInodes = "anon_inodes"
        case regularFiles = "regular_files"
        case highestFd = "highest_fd"
        case lowestFreeFd = "lowest_free_fd"
        case holeCount = "hole_count"
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
