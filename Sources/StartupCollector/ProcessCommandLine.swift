import AoftopModel

/// What `/proc/PID/cmdline` shows: the real argv, or a title the server wrote over it.
enum ProcessCommandLine: Equatable {
    case arguments([String])
    /// `set-proc-title yes` (the default since Redis 3.0): e.g. `redis-server *:6379`, `redis-server
    /// 127.0.0.1:6379`, `/usr/bin/redis-server 0.0.0.0:6379 [cluster]`, a socket path.
    case rewrittenTitle(String)

    /// `nil` for an empty cmdline (a zombie or kernel thread).
    ///
    /// Redis's `setproctitle` zeroes the whole argv area and writes one string, so a rewritten title is a single
    /// string that either holds a space (`{title} {listen-addr}`), is followed by NUL padding, or is not
    /// NUL-terminated (the kernel then reads on into the environment area). A real argv of a server is a single
    /// argument only when it was started with none, and such a server rewrites its title. Checked on Redis 7.0.15:
    /// `redis-server r.conf` shows `redis-server 127.0.0.1:7391\0`; `redis-server --port 7393` shows
    /// `redis-server *:7393` and 28 NULs; with `--set-proc-title no` the argv is intact (`--save ""` shows as an
    /// empty argument, so trailing empty strings alone do not mean padding).
    static func decode(_ bytes: [UInt8]) -> ProcessCommandLine? {
        guard !bytes.isEmpty else { return nil }
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        let terminated = bytes.last == 0
        if terminated { parts.removeLast() }
        var trailingEmpty = 0
        while let last = parts.last, last.isEmpty, parts.count > 1 { parts.removeLast(); trailingEmpty += 1 }
        let strings = parts.map { String(decoding: $0, as: UTF8.self) }
        guard strings.count == 1 else { return .arguments(strings) }
        let only = strings[0]
        if only.contains(" ") || trailingEmpty > 0 || !terminated { return .rewrittenTitle(only) }
        return .arguments(strings)
    }
}

/// The fields of `/proc/PID/stat` that matter here.
struct ProcessStat: Equatable {
    var parentPid: Int32
    /// Field 22: clock ticks after boot.
    var startTicks: UInt64

    /// The command name may hold spaces and `)`, so fields are counted after the last `)`.
    static func parse(_ bytes: [UInt8]) -> ProcessStat? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 19, let parent = Int32(fields[1]),
              let start = UInt64(fields[19].trimmingSuffix("\n")) else { return nil }
        return ProcessStat(parentPid: parent, startTicks: start)
    }
}

/// Boot time from `/proc/stat` (`btime SECONDS`).
enum BootTime {
    static func parse(_ bytes: [UInt8]) -> Int64? {
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("btime ".utf8)) {
            return Int64(String(decoding: line.dropFirst(6), as: UTF8.self).trimmingSuffix(" "))
        }
        return nil
    }
}

/// The systemd unit a process runs in, from `/proc/PID/cgroup`: cgroup v2 `0::/system.slice/redis-server.service`
/// or the v1 `name=systemd` hierarchy. The innermost `.service` component is the unit.
enum ControlGroup {
    static func serviceUnit(_ bytes: [UInt8]) -> String? { ProcessSupervisor.serviceUnit(cgroup: bytes) }
}

extension String {
    func trimmingSuffix(_ suffix: Character) -> String {
        var result = self
        while result.last == suffix { result.removeLast() }
        return result
    }
}
