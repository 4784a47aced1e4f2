import AoftopModel
import AoftopTestSupport
import Foundation
import ProcCollector
import Testing

/// The parsers on the kernel's formats, and the sampler on fake `/proc` and `/sys` trees: what it reads, which
/// cgroup level binds, and what happens when files are missing or garbled.
@Suite("Fork readiness: parsers and sampler on a fake tree")
struct ForkReadinessSamplerTests {
    static let kib: Int64 = 1024
    static let gib: Int64 = 1 << 30

    // MARK: parsers

    @Test func meminfoInBytes() {
        let text = """
        MemTotal:       24683792 kB
        MemFree:        22199940 kB
        MemAvailable:   23848312 kB
        SwapCached:            0 kB
        SwapTotal:       2097148 kB
        SwapFree:        2097148 kB
        CommitLimit:    12341896 kB
        Committed_AS:     776260 kB
        HugePages_Total:       0
        """
        #expect(ForkReadinessParsers.meminfo(text) == HostMemory(
            memTotal: 24_683_792 * Self.kib, memAvailable: 23_848_312 * Self.kib, swapTotal: 2_097_148 * Self.kib,
            swapFree: 2_097_148 * Self.kib, commitLimit: 12_341_896 * Self.kib, committedAS: 776_260 * Self.kib))
        // No MemAvailable before 3.14; a garbled line costs its figure only.
        #expect(ForkReadinessParsers.meminfo("MemTotal: 1024 kB\nCommitLimit: lots kB\n")
            == HostMemory(memTotal: 1024 * Self.kib))
    }

    @Test func bracketedWord() {
        #expect(ForkReadinessParsers.bracketed("always [madvise] never\n") == "madvise")
        #expect(ForkReadinessParsers.bracketed("always defer [defer+madvise] madvise never") == "defer+madvise")
        #expect(ForkReadinessParsers.bracketed("always madvise never") == nil)
        #expect(ForkReadinessParsers.bracketed("[]") == nil)
    }

    @Test func cgroupFile() {
        // Pure v2.
        #expect(ForkReadinessParsers.cgroupMembership("0::/system.slice/redis-server.service\n")
            == .v2(path: "/system.slice/redis-server.service"))
        // Hybrid (v1 memory controller plus an empty v2 hierarchy): v1 holds the memory controller.
        let hybrid = "9:name=systemd:/\n4:memory:/process_api/00af\n2:cpu,cpuacct:/\n0::/\n"
        #expect(ForkReadinessParsers.cgroupMembership(hybrid) == .v1(path: "/process_api/00af"))
        // Controllers combined on one v1 line; a path with ':' in it.
        #expect(ForkReadinessParsers.cgroupMembership("5:cpuset,memory:/a:b\n") == .v1(path: "/a:b"))
        // v1 without a memory controller.
        #expect(ForkReadinessParsers.cgroupMembership("3:cpu:/x\n") == ForkReadinessParsers.CgroupMembership.none)
        #expect(ForkReadinessParsers.cgroupMembership("garbage") == nil)
    }

    @Test func limitsAndCounters() {
        #expect(ForkReadinessParsers.memoryLimit("max\n") == .unlimited)
        #expect(ForkReadinessParsers.memoryLimit("8589934592\n") == .bytes(8_589_934_592))
        #expect(ForkReadinessParsers.memoryLimit("9223372036854771712\n") == .unlimited)
        #expect(ForkReadinessParsers.memoryLimit("18446744073709551615") == .unlimited)
        #expect(ForkReadinessParsers.memoryLimit("lots") == nil)
        #expect(ForkReadinessParsers.keyedCounts("low 0\nhigh 2\nmax 9\noom 3\noom_kill 2\n")["oom_kill"] == 2)
        #expect(ForkReadinessParsers.keyedCounts("oom_kill_disable 0\nunder_oom 0\n")["oom_kill"] == nil)
    }

    @Test func statusLines() {
        let text = "Name:\tredis-server\nVmSize:\t  150000 kB\nVmRSS:\t    2204 kB\nVmData:\t     292 kB\nVmStk:\t     132 kB\n"
            + "THP_enabled:\t0\nThreads:\t6\n"
        #expect(ForkReadinessParsers.processMemory(pid: 7, status: text) == ProcessMemory(
            pid: 7, rss: 2204 * Self.kib, data: 292 * Self.kib, stack: 132 * Self.kib, size: 150_000 * Self.kib,
            transparentHugePagesEnabled: false))
        #expect(ProcessMemory(pid: 7, data: 292 * Self.kib, stack: 132 * Self.kib).privateWritable == 424 * Self.kib)
        // A kernel thread: no Vm lines.
        #expect(ForkReadinessParsers.processMemory(pid: 2, status: "Name:\tkthreadd\nThreads:\t1\n") == ProcessMemory(pid: 2))
    }

    // MARK: sampler on a fake tree

    /// A host with every file in place; Redis is pid 1838 in a v2 cgroup.
    static func host() throws -> (FakeProcTree, FakeSysTree) {
        let proc = try FakeProcTree()
        let sys = try FakeSysTree()
        try proc.setOvercommit(memory: 2, ratio: 80)
        try proc.setKernelRelease("6.1.0-18-amd64")
        try proc.setMeminfo(memTotal: 32 * gib, memAvailable: 20 * gib, swapTotal: 2 * gib, swapFree: gib,
                            commitLimit: 27 * gib, committedAS: 9 * gib)
        try sys.setTransparentHugePages(enabled: "never", defrag: "defer+madvise")
        try proc.setStatus(pid: 1838, rss: 3 * gib, data: 5 * gib, size: 6 * gib, thpEnabled: true)
        try proc.setCgroup(pid: 1838, ["0::/system.slice/redis.service"])
        try sys.setCgroupV2(path: "/system.slice/redis.service", max: 8 * gib, current: 7 * gib, oom: 2, oomKill: 1)
        return (proc, sys)
    }

    @Test("Every figure read, with a pid")
    func everything() throws {
        let (proc, sys) = try Self.host()
        let sample = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: 1838).value)
        #expect(sample == ForkReadinessSample(
            overcommitMemory: .never, overcommitRatio: 80, overcommitKbytes: 0, kernelRelease: "6.1.0-18-amd64",
            memory: HostMemory(memTotal: 32 * Self.gib, memAvailable: 20 * Self.gib, swapTotal: 2 * Self.gib,
                               swapFree: Self.gib, commitLimit: 27 * Self.gib, committedAS: 9 * Self.gib),
            transparentHugePages: .never, transparentHugePagesDefrag: .deferMadvise,
            cgroup: .v2(CgroupMemory(path: "/system.slice/redis.service", limit: .bytes(8 * Self.gib),
                                     current: 7 * Self.gib, oomEvents: 2, oomKills: 1)),
            process: ProcessMemory(pid: 1838, rss: 3 * Self.gib, data: 5 * Self.gib, stack: 132 * Self.kib,
                                   size: 6 * Self.gib, transparentHugePagesEnabled: true)))
    }

    @Test("Without a pid: host-wide figures only, no process files tried")
    func noPid() throws {
        let (proc, sys) = try Self.host()
        let sample = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: nil).value)
        #expect(sample.overcommitMemory == .never)
        #expect(sample.memory?.commitLimit == 27 * Self.gib)
        #expect(sample.process == nil)
        #expect(sample.cgroup == nil)
        #expect(sample.unreadable.isEmpty)
    }

    @Test("A parent's tighter limit binds (a slice or a pod): the level with least room is reported")
    func parentLimitBinds() throws {
        let (proc, sys) = try Self.host()
        try proc.setCgroup(pid: 1838, ["0::/kubepods/pod1/redis"])
        try sys.setCgroupV2(path: "/kubepods", max: nil, current: 30 * Self.gib)
        try sys.setCgroupV2(path: "/kubepods/pod1", max: 4 * Self.gib, current: 3 * Self.gib, oomKill: 5)
        try sys.setCgroupV2(path: "/kubepods/pod1/redis", max: 16 * Self.gib, current: 3 * Self.gib)
        let sample = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: 1838).value)
        #expect(sample.cgroup == .v2(CgroupMemory(path: "/kubepods/pod1", limit: .bytes(4 * Self.gib), current: 3 * Self.gib,
                                                  oomEvents: 0, oomKills: 5)))
    }

    @Test("cgroup v1 (hybrid host), v1 before Linux 4.13 (no oom_kill), a container seeing its cgroup as the root, none")
    func cgroupV1AndNone() throws {
        let (proc, sys) = try Self.host()
        let sampler = ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root)
        try proc.setCgroup(pid: 1838, ["4:memory:/docker/abc", "1:name=systemd:/docker/abc", "0::/"])
        try sys.setCgroupV1(path: "/docker/abc", limit: 2 * Self.gib, usage: Self.gib, oomKill: 4)
        #expect(sampler.sample(pid: 1838).value?.cgroup
            == .v1(CgroupMemory(path: "/docker/abc", limit: .bytes(2 * Self.gib), current: Self.gib, oomKills: 4)))

        try sys.setCgroupV1(path: "/docker/abc", limit: nil, usage: Self.gib, oomKill: nil)
        let old = try #require(sampler.sample(pid: 1838).value)
        #expect(old.cgroup == .v1(CgroupMemory(path: "/docker/abc", limit: .unlimited, current: Self.gib, oomKills: nil)))
        #expect(old.unreadable.isEmpty)

        // The container's own cgroup is mounted as the hierarchy's root: its path is not visible under it.
        try sys.remove("fs/cgroup/memory/docker")
        try sys.setCgroupV1(path: "", limit: 3 * Self.gib, usage: 2 * Self.gib)
        #expect(sampler.sample(pid: 1838).value?.cgroup
            == .v1(CgroupMemory(path: "/", limit: .bytes(3 * Self.gib), current: 2 * Self.gib, oomKills: 0)))

        try proc.setCgroup(pid: 1838, ["3:cpu:/"])
        #expect(sampler.sample(pid: 1838).value?.cgroup == MemoryCgroup.none)

        // The v2 root: no memory.max there, nothing limits it.
        try proc.setCgroup(pid: 1838, ["0::/"])
        try sys.write("123456", at: "fs/cgroup/memory.current")
        let root = try #require(sampler.sample(pid: 1838).value)
        #expect(root.cgroup == .v2(CgroupMemory(path: "/", limit: .unlimited, current: 123_456)))
        #expect(root.unreadable.isEmpty)
    }

    @Test("Missing and garbled files: partial sample, each named; the process gone: host figures remain")
    func partial() throws {
        let (proc, sys) = try Self.host()
        try FileManager.default.removeItem(atPath: proc.root + "/sys/vm/overcommit_ratio")
        try proc.write("banana", at: "sys/vm/overcommit_memory")
        try sys.remove("kernel/mm/transparent_hugepage")
        // A directory where meminfo should be: opens, then read(2) fails (EISDIR). Tests run as root, so a
        // chmod would not stop the read.
        try FileManager.default.removeItem(atPath: proc.root + "/meminfo")
        try FileManager.default.createDirectory(atPath: proc.root + "/meminfo", withIntermediateDirectories: false)
        try FileManager.default.removeItem(atPath: sys.root + "/fs/cgroup/system.slice/redis.service/memory.current")
        let sample = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: 1838).value)
        #expect(sample.overcommitMemory == nil)
        #expect(sample.overcommitRatio == nil)
        #expect(sample.overcommitKbytes == 0)
        #expect(sample.memory == nil)
        #expect(sample.transparentHugePages == nil)
        #expect(sample.cgroup == .v2(CgroupMemory(path: "/system.slice/redis.service", limit: .bytes(8 * Self.gib),
                                                  current: nil, oomEvents: 2, oomKills: 1)))
        #expect(sample.process?.rss == 3 * Self.gib)
        #expect(sample.unreadable == [
            "\(proc.root)/sys/vm/overcommit_memory: unexpected format",
            "\(proc.root)/sys/vm/overcommit_ratio: missing",
            "\(proc.root)/meminfo: Is a directory",
            "\(sys.root)/kernel/mm/transparent_hugepage/enabled: missing",
            "\(sys.root)/kernel/mm/transparent_hugepage/defrag: missing",
            "\(sys.root)/fs/cgroup/system.slice/redis.service/memory.current: missing",
        ])

        try proc.remove(pid: 1838)
        let gone = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: 1838).value)
        #expect(gone.process == nil)
        #expect(gone.cgroup == nil)
        #expect(gone.kernelRelease == "6.1.0-18-amd64")
        #expect(gone.unreadable.suffix(2) == ["\(proc.root)/1838/status: missing", "\(proc.root)/1838/cgroup: missing"])
    }

    @Test("Nothing readable: failed, one line naming the first file and how many more")
    func nothing() throws {
        let empty = try FakeProcTree()
        let reading = ForkReadinessSampler(procRoot: empty.root, sysRoot: empty.root + "/nosys").sample(pid: 99)
        #expect(reading.failureReason == "\(empty.root)/sys/vm/overcommit_memory: missing (and 8 more)")
    }
}
