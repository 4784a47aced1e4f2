import AoftopModel
import Glibc

/// Where a server's standard output goes: where its log is when it runs with `logfile ""`.
public struct LogDestination: Sendable, Equatable {
    public enum Output: Sendable, Equatable {
        /// A regular file (the path as the process names it): the log is there.
        case file(String)
        case devNull
        case terminal(String)
        case pipe
        /// The journal's stdout stream, a container runtime's log socket.
        case socket
        case closed
        /// One line: why `/proc/PID/fd/1` could not be read.
        case unreadable(String)
    }

    public var output: Output
    public var supervisor: ProcessSupervisor
    /// When the process started, in seconds since the epoch (for a `--since`); nil when unknown.
    public var startedAt: Int64?
    /// The container's host name, which Kubernetes sets to the pod's name.
    public var hostName: String?

    public init(output: Output, supervisor: ProcessSupervisor, startedAt: Int64? = nil, hostName: String? = nil) {
        self.output = output
        self.supervisor = supervisor
        self.startedAt = startedAt
        self.hostName = hostName
    }
}

/// Reads `LogDestination` from `/proc/PID` (`fd/1`, `cgroup`, `stat`) and the container's `/etc/hostname`.
public struct LogDestinationReader: Sendable {
    public let procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    public func read(pid: Int32, startTicks: UInt64?) -> LogDestination {
        let base = "\(procRoot)/\(pid)"
        let supervisor = ProcFiles.readSmall(base + "/cgroup").map { ProcessSupervisor.parse(cgroup: Array($0.utf8)) } ?? .unknown
        var hostName: String?
        if case .kubernetesPod = supervisor {
            hostName = ProcFiles.readSmall(base + "/root/etc/hostname")
                .map { $0.trimmingSuffixNewlines() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return LogDestination(output: output(base + "/fd/1", pid: pid), supervisor: supervisor,
                              startedAt: startTicks.flatMap(startTime), hostName: hostName)
    }

    private func output(_ link: String, pid: Int32) -> LogDestination.Output {
        guard let target = ProcFiles.readLink(link) else {
            switch errno {
            case ENOENT: return .closed
            case EACCES, EPERM: return .unreadable("\(link): permission denied (run as the redis user, or root)")
            default: return .unreadable("\(link): \(String(cString: strerror(errno)))")
            }
        }
        if target == "/dev/null" { return .devNull }
        if target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty") || target == "/dev/console" { return .terminal(target) }
        if target.hasPrefix("pipe:") { return .pipe }
        if target.hasPrefix("socket:") { return .socket }
        if target.hasPrefix("/") { return .file(target) }
        return .unreadable("\(link) points to \(target)")
    }

    /// Boot time (`btime` of `/proc/stat`) plus the process's start in clock ticks.
    private func startTime(_ ticks: UInt64) -> Int64? {
        guard let stat = ProcFiles.readSmall(procRoot + "/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            guard let boot = Int64(line.dropFirst("btime ".count)) else { return nil }
            let hertz = sysconf(Int32(_SC_CLK_TCK))
            return boot + Int64(ticks) / Int64(hertz > 0 ? hertz : 100)
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingSuffixNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == " " { text.removeLast() }
        return text
    }
}
