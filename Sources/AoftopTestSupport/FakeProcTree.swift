import AoftopModel
import Foundation

/// A TCP socket row for a fake `/proc/PID/net/tcp` or `tcp6`.
public struct FakeTCPSocket: Sendable {
    /// The local port.
    public var port: Int
    public var inode: UInt64
    public var state: TCPState
    /// Local and remote address as text (`127.0.0.1`, `::ffff:10.0.0.7`, `2001:db8::1`); nil: the wildcard for a
    /// listener, loopback otherwise. In `tcp` rows only IPv4 is allowed.
    public var localAddress: String?
    public var remoteAddress: String?
    /// nil: 0 for a listener, 40000 + the row number otherwise.
    public var remotePort: Int?
    /// `tx_queue` and `rx_queue` (for a listener: 0 and its accept queue).
    public var sendQueue: UInt32 = 0
    public var receiveQueue: UInt32 = 0

    /// LISTEN (`0A`) when true, ESTABLISHED (`01`) otherwise.
    public var listening: Bool {
        get { state == .listen }
        set { state = newValue ? .listen : .established }
    }

    public init(port: Int, inode: UInt64, listening: Bool = true) {
        self.port = port
        self.inode = inode
        self.state = listening ? .listen : .established
    }

    /// A connection from `local:port` to `remote:remotePort`.
    public init(local: String, port: Int, remote: String, remotePort: Int, inode: UInt64, state: TCPState = .established,
                sendQueue: UInt32 = 0, receiveQueue: UInt32 = 0) {
        self.port = port
        self.inode = inode
        self.state = state
        self.localAddress = local
        self.remoteAddress = remote
        self.remotePort = remotePort
        self.sendQueue = sendQueue
        self.receiveQueue = receiveQueue
    }
}

/// A row of a fake `/proc/PID/net/unix`.
public struct FakeUnixSocket: Sendable {
    public var path: String
    public var inode: UInt64
    /// Listening (`__SO_ACCEPTCON`, state `01`) when true, a connected stream (state `03`) otherwise.
    public var listening: Bool

    public init(path: String, inode: UInt64, listening: Bool = true) {
        self.path = path
        self.inode = inode
        self.listening = listening
    }
}

/// What one fake process looks like. Defaults describe a plain Redis 7 with no fds.
public struct FakeProcess: Sendable {
    public var pid: Int32
    /// `comm`: written into `stat` in parentheses (spaces and `)` allowed, as in the kernel) and into `comm`.
    public var command = "redis-server"
    /// argv, written NUL-separated into `cmdline`.
    public var arguments = ["redis-server 127.0.0.1:6379"]
    public var startTicks: UInt64 = 4_242_424
    public var userTicks: UInt64 = 120
    public var systemTicks: UInt64 = 30
    /// fd number → link target (`pipe:[123]`, `socket:[456]`, `anon_inode:[eventpoll]`, `/var/lib/redis/x.aof`).
    public var fds: [Int32: String] = [:]
    /// `Max open files`; nil writes `unlimited`.
    public var openFilesSoft: Int? = 10032
    public var openFilesHard: Int? = 10032
    public var tcp: [FakeTCPSocket] = []
    public var tcp6: [FakeTCPSocket] = []
    public var unix: [FakeUnixSocket] = []
    /// `NSpid` of `status`, outermost first (a server in a pid namespace of its own: `[pid, 1]`); nil: `[pid]`.
    public var namespacePids: [Int32]?
    /// Target of the `cwd` symlink; nil leaves it out.
    public var workingDirectory: String? = "/var/lib/redis"
    /// Replace the generated `stat` / `limits` text (to test garbage input).
    public var statText: String?
    public var limitsText: String?

    public init(pid: Int32) { self.pid = pid }
}

/// A fake `/proc` in a fresh temporary directory, laid out like the real one (`PID/fd/N` symlinks, `PID/stat`,
/// `PID/limits`, `PID/cmdline`, `PID/comm`, `PID/net/{tcp,tcp6,unix}`, `PID/cwd`), with file contents in the
/// kernel's formats. Removed on deinit.
public final class FakeProcTree {
    public let root: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("fakeproc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    public func path(_ pid: Int32) -> String { "\(root)/\(pid)" }

    /// Writes (or rewrites) the process's directory.
    public func add(_ process: FakeProcess) throws {
        let fm = FileManager.default
        let dir = path(process.pid)
        try? fm.removeItem(atPath: dir)
        try fm.createDirectory(atPath: dir + "/fd", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/net", withIntermediateDirectories: true)
        for (fd, target) in process.fds {
            try fm.createSymbolicLink(atPath: "\(dir)/fd/\(fd)", withDestinationPath: target)
        }
        try write(process.statText ?? Self.stat(process), to: dir + "/stat")
        try write(process.limitsText ?? Self.limits(soft: process.openFilesSoft, hard: process.openFilesHard),
                  to: dir + "/limits")
        try write(process.arguments.map { $0 + "\0" }.joined(), to: dir + "/cmdline")
        try write(String(process.command.prefix(15)) + "\n", to: dir + "/comm")
        try write(Self.status(process), to: dir + "/status")
        try write(Self.tcpTable(process.tcp, ipv6: false), to: dir + "/net/tcp")
        try write(Self.tcpTable(process.tcp6, ipv6: true), to: dir + "/net/tcp6")
        try write(Self.unixTable(process.unix), to: dir + "/net/unix")
        if let cwd = process.workingDirectory {
            try fm.createSymbolicLink(atPath: dir + "/cwd", withDestinationPath: cwd)
        }
    }

    /// Removes one fd link, as if the process closed it.
    public func closeFd(pid: Int32, fd: Int32) throws {
        try FileManager.default.removeItem(atPath: "\(path(pid))/fd/\(fd)")
    }

    /// Removes the whole process directory, as if it exited.
    public func remove(pid: Int32) throws {
        try FileManager.default.removeItem(atPath: path(pid))
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: kernel formats (copied from a Linux 6.x /proc)

    static func stat(_ p: FakeProcess) -> String {
        // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        // cstime priority nice num_threads itrealvalue starttime vsize rss rsslim ...
        "\(p.pid) (\(p.command)) S 1 \(p.pid) \(p.pid) 0 -1 4194560 1533 0 0 0 \(p.userTicks) \(p.systemTicks) 0 0 20 0 6 0 "
            + "\(p.startTicks) 150990848 2781 18446744073709551615 94381478756352 94381480302021 140727340012128 0 0 0 "
            + "0 4097 17642 0 0 0 17 1 0 0 0 0 0 94381480856112 94381480903224 94381504278528 140727340019627 "
            + "140727340019661 140727340019661 140727340019685 0\n"
    }

    /// The first rows of `status` (Linux 6.x layout, tab after the colon): the pids, no memory figures.
    static func status(_ p: FakeProcess) -> String {
        let nsPids = (p.namespacePids ?? [p.pid]).map(String.init).joined(separator: "\t")
        return "Name:\t\(p.command.prefix(15))\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t\(p.pid)\nNgid:\t0\n"
            + "Pid:\t\(p.pid)\nPPid:\t1\nTracerPid:\t0\nNStgid:\t\(nsPids)\nNSpid:\t\(nsPids)\nNSpgid:\t\(nsPids)\n"
    }

    static func limits(soft: Int?, hard: Int?) -> String {
        func row(_ name: String, _ soft: String, _ hard: String, _ unit: String) -> String {
            name.padding(toLength: 26, withPad: " ", startingAt: 0) + soft.padding(toLength: 21, withPad: " ", startingAt: 0)
                + hard.padding(toLength: 21, withPad: " ", startingAt: 0) + unit.padding(toLength: 10, withPad: " ", startingAt: 0)
                + "\n"
        }
        return row("Limit", "Soft Limit", "Hard Limit", "Units")
            + row("Max cpu time", "unlimited", "unlimited", "seconds")
            + row("Max file size", "unlimited", "unlimited", "bytes")
            + row("Max data size", "unlimited", "unlimited", "bytes")
            + row("Max stack size", "8388608", "unlimited", "bytes")
            + row("Max core file size", "0", "unlimited", "bytes")
            + row("Max resident set", "unlimited", "unlimited", "bytes")
            + row("Max processes", "96343", "96343", "processes")
            + row("Max open files", soft.map(String.init) ?? "unlimited", hard.map(String.init) ?? "unlimited", "files")
            + row("Max locked memory", "8388608", "8388608", "bytes")
            + row("Max address space", "unlimited", "unlimited", "bytes")
            + row("Max file locks", "unlimited", "unlimited", "locks")
            + row("Max pending signals", "96343", "96343", "signals")
            + row("Max msgqueue size", "819200", "819200", "bytes")
            + row("Max nice priority", "0", "0", "")
            + row("Max realtime priority", "0", "0", "")
            + row("Max realtime timeout", "unlimited", "unlimited", "us")
    }

    static func tcpTable(_ sockets: [FakeTCPSocket], ipv6: Bool) -> String {
        var text = ipv6
            ? "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            : "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n"
        let loopback = ipv6 ? "::1" : "127.0.0.1"
        let any = ipv6 ? "::" : "0.0.0.0"
        for (i, s) in sockets.enumerated() {
            let local = kernelHex(s.localAddress ?? (s.listening ? any : loopback), ipv6: ipv6) + ":" + hex(s.port, 4)
            let remote = kernelHex(s.remoteAddress ?? (s.listening ? any : loopback), ipv6: ipv6) + ":"
                + hex(s.remotePort ?? (s.listening ? 0 : 40000 + i), 4)
            text += "\(String(i).leftPadded(4)): \(local) \(remote) \(hex(Int(s.state.kernelCode), 2)) "
                + "\(hex(Int(s.sendQueue), 8)):\(hex(Int(s.receiveQueue), 8)) "
                + "00:00000000 00000000   999        0 \(s.inode) 1 000000007b9c8668 100 0 0 10 0\n"
        }
        return text
    }

    /// An address as the kernel prints it in `net/tcp{,6}`: each 32-bit word of the network-order bytes loaded in
    /// host (little-endian) order and printed `%08X`. Made with `inet_pton`, independently of the parser under test.
    public static func kernelHex(_ address: String, ipv6: Bool) -> String {
        var bytes = [UInt8](repeating: 0, count: ipv6 ? 16 : 4)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(ipv6 ? AF_INET6 : AF_INET, address, $0.baseAddress) }
        precondition(parsed == 1, "not an \(ipv6 ? "IPv6" : "IPv4") address: \(address)")
        return stride(from: 0, to: bytes.count, by: 4).map { w in
            let word = UInt32(bytes[w]) | UInt32(bytes[w + 1]) << 8 | UInt32(bytes[w + 2]) << 16 | UInt32(bytes[w + 3]) << 24
            return hex(Int(word), 8)
        }.joined()
    }

    static func unixTable(_ sockets: [FakeUnixSocket]) -> String {
        var text = "Num       RefCount Protocol Flags    Type St Inode Path\n"
        for (i, s) in sockets.enumerated() {
            let flags = s.listening ? "00010000" : "00000000"
            let state = s.listening ? "01" : "03"
            text += "\(hex(0xa698d4a3 + i, 16)): 00000002 00000000 \(flags) 0001 \(state) \(String(s.inode).leftPadded(5))"
                + (s.path.isEmpty ? "" : " \(s.path)") + "\n"
        }
        return text
    }

    private static func hex(_ value: Int, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
