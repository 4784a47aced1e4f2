import AoftopClock
import AoftopModel
import Glibc
import Synchronization

/// Reads one process's fd census, socket census, limits and CPU time from `/proc` (or a fake tree with the same
/// layout).
///
/// Every file of a sample is read relative to one open `/proc/PID` directory fd, so if the pid dies and is
/// reused mid-sample the reads fail instead of mixing two processes. Buffers are reused across samples; calls
/// are serialised by a lock, so one collector can be shared but samples one process at a time.
public final class ProcSampler: Sendable {
    public let procRoot: String
    /// When the socket tables are read for `ProcSample.sockets`.
    public let socketTables: SocketTableRefresh
    private let now: @Sendable () -> UInt64
    private let state = Mutex(State())

    private struct State: ~Copyable {
        let scanner = FdScanner()
        let file = ByteBuffer()
        var listeners = ListenerCache()
        let sockets = SocketCensusTaker()
        /// Namespaces never change for a process: read once per pid and start time.
        var namespaces: (pid: Int32, startTicks: UInt64, value: ProcessNamespaces?)?
    }

    /// - Parameters:
    ///   - procRoot: `/proc`, or the root of a fake tree in tests.
    ///   - monotonicNanoseconds: the clock that ages the cached listener set and the socket tables, and times the
    ///     samples the socket tables' budget is measured against (injectable for tests: a clock that stands still
    ///     makes every sample read the tables).
    ///   - socketTables: when the socket tables are read for the socket census (`.off`: no census).
    public init(procRoot: String = "/proc",
                monotonicNanoseconds: @escaping @Sendable () -> UInt64 = ProcSampler.monotonicNanosecondsNow,
                socketTables: SocketTableRefresh = .standard) {
        self.procRoot = procRoot
        self.now = monotonicNanoseconds
        self.socketTables = socketTables
    }

    /// CLOCK_MONOTONIC in nanoseconds: the default clock that ages cached listener sets.
    @Sendable public static func monotonicNanosecondsNow() -> UInt64 { MonotonicClock.nanoseconds() }

    /// Census, socket census (per `socketTables`), limits and CPU time of `pid`. Never throws: a vanished process,
    /// a permission problem or an unreadable file gives `.failed` with one line saying what happened and, where
    /// possible, what to do.
    public func sample(pid: Int32) -> Reading<ProcSample> {
        let pidPath = "\(procRoot)/\(pid)"
        let pidDir = open(pidPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if pidDir < 0 { return .failed(ProcFailure.message(errno, path: pidPath, pid: pid)) }
        defer { close(pidDir) }
        let clockTicks = sysconf(Int32(_SC_CLK_TCK))

        return state.withLock { state -> Reading<ProcSample> in
            let started = now()
            if let error = state.file.load("stat", relativeTo: pidDir) {
                return .failed(ProcFailure.message(error, path: pidPath + "/stat", pid: pid))
            }
            guard let stat = ProcStat.parse(state.file.bytes) else {
                return .failed("cannot parse \(pidPath)/stat: unexpected format")
            }
            if let error = state.file.load("limits", relativeTo: pidDir) {
                return .failed(ProcFailure.message(error, path: pidPath + "/limits", pid: pid))
            }
            guard let limits = ProcLimits.parseOpenFiles(state.file.bytes) else {
                return .failed("cannot parse \(pidPath)/limits: no readable \"Max open files\" row")
            }

            var census: FdCensus
            let socketInodes: [UInt64]
            switch state.scanner.scan("fd", relativeTo: pidDir, isSelf: pid == getpid()) {
            case .failure(.open(let error)), .failure(.read(let error)):
                return .failed(ProcFailure.message(error, path: pidPath + "/fd", pid: pid))
            case .success(let result):
                census = result.census
                socketInodes = result.socketInodes
            }

            if !socketInodes.isEmpty {
                let file = state.file
                let load = { SocketTables.load(relativeTo: pidDir, buffer: file).map(\.inode) }
                let cached = state.listeners.inodes(pid: pid, startTicks: stat.startTicks, now: now(), load: load)
                var matched = ListenerCache.countMatches(socketInodes, in: cached.inodes)
                // Reload when the count "looks off": it changed since the load (a listener closed, or an inode was
                // reused), or nothing matches although there are sockets (a server always listens; this also
                // catches a listener opened after the load, at the price of a reload per sample for a process that
                // has sockets and really listens on none).
                let looksOff = state.listeners.noteMatched(pid: pid, matched) || matched == 0
                if looksOff && !cached.fresh {
                    let inodes = state.listeners.reload(pid: pid, startTicks: stat.startTicks, now: now(), load: load)
                    matched = ListenerCache.countMatches(socketInodes, in: inodes)
                    _ = state.listeners.noteMatched(pid: pid, matched)
                }
                census.listeningSockets = matched
            }
            var sockets: SocketCensus?
            if socketTables != .off {
                let sampleCost = now() &- started
                sockets = state.sockets.census(pid: pid, startTicks: stat.startTicks, inodes: socketInodes,
                                               sampleCost: sampleCost, policy: socketTables, relativeTo: pidDir,
                                               buffer: state.file, now: now)
            }
            if state.namespaces.map({ $0.pid != pid || $0.startTicks != stat.startTicks }) ?? true {
                state.namespaces = (pid, stat.startTicks, NamespaceReader.read(relativeTo: pidDir, buffer: state.file))
            }
            return .ok(ProcSample(pid: pid, command: stat.command, startTicks: stat.startTicks, cpuTicks: stat.cpuTicks,
                                  clockTicksPerSecond: clockTicks > 0 ? clockTicks : 100, fds: census, limits: limits,
                                  sockets: sockets, namespaces: state.namespaces?.value))
        }
    }

    /// Number of open fds of `pid`, cheaply: on Linux ≥ 6.2 `stat("/proc/PID/fd").st_size` is that number
    /// (about a microsecond whatever the count). Where it is not (older kernels report 0, a fake tree reports a
    /// directory size) the entries are counted instead, without reading the links. Nil if the directory cannot be
    /// read.
    public func openFdCount(pid: Int32) -> Int? {
        let path = "\(procRoot)/\(pid)/fd"
        if let size = FdDirectorySize.openFdCount(path) { return size }
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var count = 0
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(dir) {
            let first = UnsafeRawPointer(entry).load(fromByteOffset: nameOffset, as: UInt8.self)
            if first != 0x2E { count += 1 }  // skip `.` and `..`
        }
        return count
    }

    /// The current working directory of `pid` (`readlink /proc/PID/cwd`): Redis resolves a relative `logfile`
    /// or `dir` against it. Nil if the process is gone or not readable.
    public func workingDirectory(pid: Int32) -> String? {
        ProcFiles.readLink("\(procRoot)/\(pid)/cwd")
    }

    /// The namespaces of `pid` (read afresh: discovery asks about processes it does not sample).
    public func namespaces(pid: Int32) -> ProcessNamespaces? {
        let pidDir = open("\(procRoot)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if pidDir < 0 { return nil }
        defer { close(pidDir) }
        return state.withLock { NamespaceReader.read(relativeTo: pidDir, buffer: $0.file) }
    }

    /// The listening sockets held by `pid`: the namespace's listeners whose inode is one of its fds.
    /// Nil when the process or its fd directory cannot be read.
    public func listeningSockets(pid: Int32) -> [ListeningSocket]? {
        let pidDir = open("\(procRoot)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if pidDir < 0 { return nil }
        defer { close(pidDir) }
        return state.withLock { state -> [ListeningSocket]? in
            guard case .success(let result) = state.scanner.scan("fd", relativeTo: pidDir) else { return nil }
            if result.socketInodes.isEmpty { return [] }
            let owned = Set(result.socketInodes)
            return SocketTables.load(relativeTo: pidDir, buffer: state.file).filter { owned.contains($0.inode) }
        }
    }
}

/// Loads the listening sockets of the namespace a `/proc/PID` directory belongs to.
enum SocketTables {
    /// Missing tables (no IPv6, a fake tree without `tcp6`) contribute nothing.
    static func load(relativeTo pidDir: Int32, buffer: ByteBuffer) -> [ListeningSocket] {
        var result: [ListeningSocket] = []
        if buffer.load("net/tcp", relativeTo: pidDir) == nil {
            SocketTableParser.tcpListeners(buffer.bytes, ipv6: false, into: &result)
        }
        if buffer.load("net/tcp6", relativeTo: pidDir) == nil {
            SocketTableParser.tcpListeners(buffer.bytes, ipv6: true, into: &result)
        }
        if buffer.load("net/unix", relativeTo: pidDir) == nil {
            SocketTableParser.unixListeners(buffer.bytes, into: &result)
        }
        return result
    }
}

/// `st_size` of `/proc/PID/fd`, trusted only where it means "number of open fds".
enum FdDirectorySize {
    /// The device of the real procfs mount: a directory on another device (a fake tree) has a real size.
    private static let procDevice: UInt64? = {
        var st = stat()
        return stat("/proc/self", &st) == 0 ? UInt64(st.st_dev) : nil
    }()

    static func openFdCount(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, let procDevice, UInt64(st.st_dev) == procDevice else { return nil }
        // Before Linux 6.2 the size is 0: count entries instead (a process with no fds also counts right then).
        guard st.st_size > 0 else { return nil }
        return Int(st.st_size)
    }
}


/// Small path-based reads outside the hot loop.
enum ProcFiles {
    static func readLink(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { readlink(path, $0, b.count - 1) }
        }
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

/// One-line failure messages an operator can act on.
enum ProcFailure {
    static func message(_ error: Int32, path: String, pid: Int32) -> String {
        switch error {
        case ENOENT, ESRCH:
            return "process \(pid) is gone"
        case EACCES, EPERM:
            return "cannot read \(path): permission denied (run aoftop as the redis user or root)"
        default:
            return "cannot read \(path): \(String(cString: strerror(error)))"
        }
    }
}
