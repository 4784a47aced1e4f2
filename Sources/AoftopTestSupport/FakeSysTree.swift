import Foundation

/// A fake `/sys` in a fresh temporary directory: transparent huge page settings and memory cgroups (v1 and v2),
/// in the kernel's file formats. Removed on deinit.
public final class FakeSysTree {
    public let root: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("fakesys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// `kernel/mm/transparent_hugepage/{enabled,defrag}` with the chosen word in brackets among the kernel's choices.
    public func setTransparentHugePages(enabled: String, defrag: String = "madvise") throws {
        try write(Self.choices(["always", "madvise", "never"], chosen: enabled), at: "kernel/mm/transparent_hugepage/enabled")
        try write(Self.choices(["always", "defer", "defer+madvise", "madvise", "never"], chosen: defrag),
                  at: "kernel/mm/transparent_hugepage/defrag")
    }

    /// A v2 cgroup at `fs/cgroup/<path>`: `memory.max` (`max` or bytes), `memory.current`, `memory.events`.
    /// `inactiveFile` nil writes no `memory.stat`.
    public func setCgroupV2(path: String, max: Int64?, current: Int64, oom: Int64 = 0, oomKill: Int64 = 0,
                            inactiveFile: Int64? = nil) throws {
        let directory = "fs/cgroup" + path
        try write(max.map(String.init) ?? "max", at: directory + "/memory.max")
        try write("\(current)", at: directory + "/memory.current")
        if let inactiveFile {
            try write("anon 1048576\nfile \(inactiveFile * 2)\nactive_file \(inactiveFile)\ninactive_file \(inactiveFile)\n",
                      at: directory + "/memory.stat")
        }
        try write("low 0\nhigh 0\nmax \(oom * 3)\noom \(oom)\noom_kill \(oomKill)\noom_group_kill 0", at: directory + "/memory.events")
    }

    /// A v1 cgroup at `fs/cgroup/memory/<path>`; `limit` nil writes v1's "unlimited" (page-rounded LONG_MAX).
    /// `oomKill` nil leaves the `oom_kill` line out, as before Linux 4.13.
    public func setCgroupV1(path: String, limit: Int64?, usage: Int64, oomKill: Int64? = 0) throws {
        let directory = "fs/cgroup/memory" + path
        try write(limit.map(String.init) ?? "9223372036854771712", at: directory + "/memory.limit_in_bytes")
        try write("\(usage)", at: directory + "/memory.usage_in_bytes")
        try write("oom_kill_disable 0\nunder_oom 0" + (oomKill.map { "\noom_kill \($0)" } ?? ""), at: directory + "/memory.oom_control")
    }

    /// Writes `text` and a newline at `relativePath`, creating directories.
    public func write(_ text: String, at relativePath: String) throws {
        try FakeFiles.write(text, at: root + "/" + relativePath)
    }

    public func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relativePath)
    }

    static func choices(_ all: [String], chosen: String) -> String {
        all.map { $0 == chosen ? "[\($0)]" : $0 }.joined(separator: " ")
    }
}

/// The host-wide `/proc` files fork readiness reads, and a process's `status` and `cgroup`, added to a
/// `FakeProcTree` (sizes in bytes; the files say kB).
extension FakeProcTree {
    public func setOvercommit(memory: Int, ratio: Int = 50, kbytes: Int64 = 0) throws {
        try write("\(memory)", at: "sys/vm/overcommit_memory")
        try write("\(ratio)", at: "sys/vm/overcommit_ratio")
        try write("\(kbytes)", at: "sys/vm/overcommit_kbytes")
    }

    public func setKernelRelease(_ release: String) throws {
        try write(release, at: "sys/kernel/osrelease")
    }

    /// A `/proc/meminfo` with the kernel's layout; lines the sampler does not read are filled in too.
    public func setMeminfo(memTotal: Int64, memAvailable: Int64, swapTotal: Int64 = 0, swapFree: Int64 = 0,
                           commitLimit: Int64, committedAS: Int64) throws {
        func row(_ key: String, _ bytes: Int64) -> String {
            let value = String(bytes / 1024)
            return (key + ":").padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 8 - value.count)) + value + " kB"
        }
        let rows = [row("MemTotal", memTotal), row("MemFree", memAvailable / 2), row("MemAvailable", memAvailable),
                    row("Buffers", 1 << 20), row("Cached", memAvailable / 3), row("SwapCached", 0),
                    row("SwapTotal", swapTotal), row("SwapFree", swapFree), row("Shmem", 4 << 20),
                    row("CommitLimit", commitLimit), row("Committed_AS", committedAS),
                    row("VmallocTotal", 34_359_738_367 * 1024), "HugePages_Total:       0", row("Hugepagesize", 2048 * 1024)]
        try write(rows.joined(separator: "\n"), at: "meminfo")
    }

    /// `PID/status` with the memory lines and `THP_enabled` (nil leaves it out, as before Linux 5.0).
    public func setStatus(pid: Int32, rss: Int64, data: Int64, stack: Int64 = 132 * 1024, size: Int64? = nil,
                          thpEnabled: Bool? = true) throws {
        func row(_ key: String, _ bytes: Int64) -> String {
            let value = String(bytes / 1024)
            return "\(key):\t" + String(repeating: " ", count: max(0, 8 - value.count)) + value + " kB"
        }
        var rows = ["Name:\tredis-server", "Umask:\t0022", "State:\tS (sleeping)", "Tgid:\t\(pid)", "Pid:\t\(pid)",
                    "PPid:\t1", "FDSize:\t128", row("VmPeak", size ?? data * 2), row("VmSize", size ?? data * 2),
                    row("VmLck", 0), row("VmHWM", rss), row("VmRSS", rss), row("RssAnon", rss - 4096),
                    row("VmData", data), row("VmStk", stack), row("VmExe", 4 << 20), row("VmLib", 8 << 20),
                    row("VmPTE", 512 * 1024), row("VmSwap", 0), "CoreDumping:\t0"]
        if let thpEnabled { rows.append("THP_enabled:\t\(thpEnabled ? 1 : 0)") }
        rows += ["Threads:\t6", "SigQ:\t0/96343"]
        try write(rows.joined(separator: "\n"), at: "\(pid)/status")
    }

    /// `PID/cgroup`, one `hierarchy-id:controllers:path` line each.
    public func setCgroup(pid: Int32, _ lines: [String]) throws {
        try write(lines.joined(separator: "\n"), at: "\(pid)/cgroup")
    }

    /// Writes `text` and a newline at `relativePath` under the root, creating directories.
    public func write(_ text: String, at relativePath: String) throws {
        try FakeFiles.write(text, at: root + "/" + relativePath)
    }
}

enum FakeFiles {
    static func write(_ text: String, at path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((text + "\n").utf8).write(to: url)
    }
}
