import AoftopModel
import Glibc

/// A local Redis or Valkey server process and where it listens.
public struct ServerProcess: Sendable, Equatable {
    public var pid: Int32
    /// `redis-server` or `valkey-server`.
    public var command: String
    /// TCP ports it listens on (IPv4 and IPv6 merged), ascending.
    public var tcpPorts: [Int]
    /// Unix socket paths it listens on, ascending.
    public var unixSockets: [String]

    public init(pid: Int32, command: String, tcpPorts: [Int], unixSockets: [String]) {
        self.pid = pid
        self.command = command
        self.tcpPorts = tcpPorts
        self.unixSockets = unixSockets
    }
}

/// Finds Redis/Valkey processes and the owners of listening sockets under a proc root.
public struct ProcessDiscovery: Sendable {
    public static let serverNames: Set<String> = ["redis-server", "valkey-server"]

    public let procRoot: String
    private let collector: ProcSampler

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
        self.collector = ProcSampler(procRoot: procRoot)
    }

    /// Every `redis-server`/`valkey-server` process, by pid, with its listeners. A process whose fds cannot be
    /// read (another user's, without root) is listed with no ports.
    public func servers() -> [ServerProcess] {
        servers(where: { _ in true })
    }

    private func servers(where include: (Int32) -> Bool) -> [ServerProcess] {
        allPids().compactMap { pid -> ServerProcess? in
            guard let command = serverCommand(pid: pid), include(pid) else { return nil }
            let listeners = collector.listeningSockets(pid: pid) ?? []
            return ServerProcess(pid: pid, command: command,
                                 tcpPorts: Array(Set(listeners.compactMap(\.tcpPort))).sorted(),
                                 unixSockets: Array(Set(listeners.compactMap(\.unixPath))).sorted())
        }
    }

    /// The process holding the listening TCP socket on `port` (IPv4 or IPv6). Redis/Valkey servers are tried
    /// first, then every other readable process.
    public func pid(listeningOnTCPPort port: Int) -> Int32? {
        owner { $0.tcpPort == port }
    }

    /// The process holding the listening unix socket bound to `path`.
    public func pid(listeningOnUnixSocket path: String) -> Int32? {
        owner { $0.unixPath == path }
    }

    /// Servers in a pid namespace of their own whose pid there is `innerPid` (INFO's `process_id` seen from the
    /// host): every container's Redis is pid 1 or so, so the caller narrows them down by port.
    public func servers(innerPid: Int32) -> [ServerProcess] {
        servers(where: { collector.namespaces(pid: $0)?.innerPid == innerPid })
    }

    /// The pid namespaces and mount namespace of `pid`.
    public func namespaces(pid: Int32) -> ProcessNamespaces? {
        collector.namespaces(pid: pid)
    }

    /// The current working directory of `pid`, to resolve a relative `logfile` or `dir`.
    public func workingDirectory(pid: Int32) -> String? {
        collector.workingDirectory(pid: pid)
    }

    private func owner(_ matches: (ListeningSocket) -> Bool) -> Int32? {
        let pids = allPids()
        let servers = pids.filter { serverCommand(pid: $0) != nil }
        let serverSet = Set(servers)
        for pid in servers + pids.filter({ !serverSet.contains($0) }) {
            if let listeners = collector.listeningSockets(pid: pid), listeners.contains(where: matches) { return pid }
        }
        return nil
    }

    /// Numeric entries of the proc root, ascending.
    func allPids() -> [Int32] {
        guard let dir = opendir(procRoot) else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name), pid > 0 { pids.append(pid) }
        }
        return pids.sorted()
    }

    /// `redis-server`/`valkey-server` if the process is one: by `comm`, or by the first word of `argv[0]`
    /// (Redis rewrites its title to `redis-server 127.0.0.1:6379`, and a renamed binary keeps its argv).
    /// Readable for every user's processes, unlike their fds.
    public func serverCommand(pid: Int32) -> String? {
        let base = "\(procRoot)/\(pid)"
        if let comm = ProcFiles.readSmall(base + "/comm")?.prefix(while: { $0 != "\n" }),
           Self.serverNames.contains(String(comm)) {
            return String(comm)
        }
        if let cmdline = ProcFiles.readSmall(base + "/cmdline") {
            let argv0 = cmdline.prefix { $0 != "\0" }
            let program = argv0.prefix { $0 != " " }
            let name = String(program.split(separator: "/").last ?? "")
            if Self.serverNames.contains(name) { return name }
        }
        return nil
    }
}

extension ProcFiles {
    /// The start of a small text file (up to 64 KiB): enough for `comm`, `stat`, `cmdline`.
    static func readSmall(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
