import AoftopAnalysis
import AoftopModel
import AoftopPipeline
import AoftopTestSupport
import Foundation
import ProcCollector
import Testing

/// From files to verdict: fake `/proc` and `/sys` trees read by the sampler (and by `SnapshotCollector`), judged by
/// `ForkReadiness.assess`, for every overcommit mode, THP setting and cgroup kind.
@Suite("Fork readiness: fake tree to verdict")
struct ForkReadinessFakeTreeTests {
    static let gib: Int64 = 1 << 30
    static let pid: Int32 = 1838

    /// A 16 GiB host without swap, Linux 6.1, THP madvise; Redis with 2 GiB private writable memory, 1.5 GiB resident,
    /// in no memory cgroup. Each test changes what it is about.
    final class Host {
        let proc: FakeProcTree
        let sys: FakeSysTree

        init() throws {
            proc = try FakeProcTree()
            sys = try FakeSysTree()
            try proc.setOvercommit(memory: 1)
            try proc.setKernelRelease("6.1.0-18-amd64")
            try meminfo()
            try sys.setTransparentHugePages(enabled: "madvise")
            try redis(data: 2 * gib)
            try proc.setCgroup(pid: pid, ["0::/"])
        }

        func meminfo(memTotal: Int64 = 16 * gib, memAvailable: Int64 = 12 * gib, swapTotal: Int64 = 0, swapFree: Int64 = 0,
                     commitLimit: Int64 = 8 * gib, committed: Int64 = 3 * gib) throws {
            try proc.setMeminfo(memTotal: memTotal, memAvailable: memAvailable, swapTotal: swapTotal, swapFree: swapFree,
                                commitLimit: commitLimit, committedAS: committed)
        }

        /// Private writable = `data` + the 132 KiB stack; pass the total wanted and the stack is taken off.
        func redis(data: Int64, rss: Int64 = 3 * gib / 2, thpEnabled: Bool? = true) throws {
            try proc.setStatus(pid: pid, rss: rss, data: data - 132 * 1024, thpEnabled: thpEnabled)
        }

        func verdict(latestForkUsec: Int64 = 12_000, rdbLastCowSize: Int64? = nil) throws -> ForkReadinessVerdict {
            let sample = try #require(ForkReadinessSampler(procRoot: proc.root, sysRoot: sys.root).sample(pid: pid).value)
            let redis = RedisSample(version: "7.2.4", processId: pid, latestForkUsec: latestForkUsec, usedMemory: gib,
                                    rdbLastCowSize: rdbLastCowSize)
            return ForkReadiness.assess(sample: sample, redis: redis)
        }
    }

    @Test("overcommit_memory=1")
    func always() throws {
        #expect(try Host().verdict().summary == "fork should succeed: overcommit_memory=1")
    }

    @Test("overcommit_memory=2, tight and roomy")
    func never() throws {
        let host = try Host()
        try host.proc.setOvercommit(memory: 2, ratio: 50)
        try host.meminfo(commitLimit: 38 * Self.gib, committed: Int64(30.1 * Double(Self.gib)))
        try host.redis(data: 12 * Self.gib)
        let tight = try host.verdict()
        #expect(tight.outcome == .willFail)
        #expect(tight.summary == "fork will fail: overcommit_memory=2 and Committed_AS 30.1 GiB + Redis 12.0 GiB > CommitLimit 38.0 GiB")

        try host.meminfo(commitLimit: 38 * Self.gib, committed: 10 * Self.gib)
        try host.redis(data: 2 * Self.gib)
        let roomy = try host.verdict()
        #expect(roomy.outcome == .shouldSucceed)
        #expect(roomy.summary == "fork should succeed: overcommit_memory=2 and Committed_AS 10.0 GiB + Redis 2.0 GiB <= CommitLimit 38.0 GiB")
    }

    @Test("overcommit_memory=0: new kernel roomy, charge over RAM+swap, old kernel with little MemAvailable")
    func heuristic() throws {
        let host = try Host()
        try host.proc.setOvercommit(memory: 0)
        #expect(try host.verdict().summary
            == "fork should succeed: overcommit_memory=0 (kernel 6.1) and Redis 2.0 GiB <= RAM+swap 16.0 GiB")

        try host.meminfo(swapTotal: 2 * Self.gib, swapFree: 2 * Self.gib)
        try host.redis(data: 20 * Self.gib)
        let tooBig = try host.verdict()
        #expect(tooBig.outcome == .mayFail)
        #expect(tooBig.summary == "fork may fail: overcommit_memory=0 (kernel 6.1) and Redis 20.0 GiB > RAM+swap 18.0 GiB")

        try host.proc.setKernelRelease("4.19.0-25-amd64")
        try host.meminfo(memAvailable: Self.gib, swapFree: 0)
        try host.redis(data: 6 * Self.gib)
        let old = try host.verdict()
        #expect(old.outcome == .mayFail)
        #expect(old.summary == "fork may fail: overcommit_memory=0 (kernel 4.19) and Redis 6.0 GiB > MemAvailable+SwapFree 1.0 GiB")
    }

    @Test("A slow last fork under THP always, madvise and never; THP always with Redis opted out")
    func transparentHugePages() throws {
        let host = try Host()
        try host.redis(data: 2 * Self.gib, rss: 24 * Self.gib)
        try host.sys.setTransparentHugePages(enabled: "always")
        #expect(try host.verdict(latestForkUsec: 1_800_000).summary == "fork is slow: THP always, last fork 1.8 s")
        for mode in ["madvise", "never"] {
            try host.sys.setTransparentHugePages(enabled: mode)
            #expect(try host.verdict(latestForkUsec: 1_800_000).summary == "fork is slow: last fork 1.8 s (RSS 24.0 GiB)")
        }
        try host.sys.setTransparentHugePages(enabled: "always")
        try host.redis(data: 2 * Self.gib, rss: 24 * Self.gib, thpEnabled: false)
        #expect(try host.verdict(latestForkUsec: 1_800_000).summary == "fork is slow: last fork 1.8 s (RSS 24.0 GiB)")
        #expect(try host.verdict(latestForkUsec: 20_000).causes == [.overcommitAlways])
    }

    @Test("cgroup v2 near memory.max with OOM kills; v1; none")
    func cgroups() throws {
        let host = try Host()
        try host.proc.setCgroup(pid: Self.pid, ["0::/system.slice/redis.service"])
        try host.sys.setCgroupV2(path: "/system.slice/redis.service", max: 8 * Self.gib, current: Int64(7.6 * Double(Self.gib)),
                                 oom: 3, oomKill: 3)
        let v2 = try host.verdict(rdbLastCowSize: Int64(1.2 * Double(Self.gib)))
        #expect(v2.outcome == .mayFail)
        #expect(v2.summary == "copy-on-write after fork may be OOM-killed: cgroup memory.current 7.6 GiB of memory.max 8.0 GiB, "
            + "last copy-on-write 1.2 GiB, 3 OOM kills")
        #expect(v2.checkCommand == "cd /sys/fs/cgroup/system.slice/redis.service && cat memory.max memory.current memory.events; "
            + "grep -w inactive_file memory.stat")
        // The same usage, 3 GiB of it inactive page cache (memory.stat): room enough.
        try host.sys.setCgroupV2(path: "/system.slice/redis.service", max: 8 * Self.gib, current: Int64(7.6 * Double(Self.gib)),
                                 oom: 3, oomKill: 3, inactiveFile: 3 * Self.gib)
        #expect(try host.verdict(rdbLastCowSize: Int64(1.2 * Double(Self.gib))).outcome != .mayFail)

        try host.proc.setCgroup(pid: Self.pid, ["4:memory:/docker/abc", "0::/"])
        try host.sys.setCgroupV1(path: "/docker/abc", limit: 2 * Self.gib, usage: Int64(1.9 * Double(Self.gib)), oomKill: 1)
        #expect(try host.verdict().summary == "copy-on-write after fork may be OOM-killed: cgroup memory.usage_in_bytes 1.9 GiB "
            + "of memory.limit_in_bytes 2.0 GiB, 1 OOM kill")

        try host.proc.setCgroup(pid: Self.pid, ["3:cpu:/"])
        #expect(try host.verdict().causes == [.overcommitAlways])
    }

    @Test("Unreadable or missing files: unknown or partial, never a crash")
    func unreadable() throws {
        let host = try Host()
        try FileManager.default.removeItem(atPath: host.proc.root + "/sys/vm/overcommit_memory")
        let noMode = try host.verdict()
        #expect(noMode.outcome == .unknown)
        #expect(noMode.summary == "fork readiness unknown: vm.overcommit_memory unreadable")

        try host.proc.setOvercommit(memory: 2)
        try FileManager.default.removeItem(atPath: host.proc.root + "/meminfo")
        #expect(try host.verdict().summary == "fork readiness unknown: CommitLimit or Committed_AS unreadable")

        // Only garbage everywhere: the sampler fails with a reason, the verdict is unknown.
        let empty = try FakeProcTree()
        let reading = ForkReadinessSampler(procRoot: empty.root, sysRoot: empty.root).sample(pid: Self.pid)
        #expect(reading.failureReason != nil)
        #expect(ForkReadiness.assess(sample: reading.value, redis: nil).outcome == .unknown)
    }

    @Test("SnapshotCollector: the snapshot carries fork readiness when the process is local, none without one")
    func snapshotCollector() throws {
        let host = try Host()
        try host.proc.add(FakeProcess(pid: Self.pid))
        try host.redis(data: 2 * Self.gib)
        try host.proc.setCgroup(pid: Self.pid, ["0::/"])
        let withPid = SnapshotCollector(target: CollectionTarget(endpoint: nil, pid: Self.pid, logPath: "/nonexistent/redis.log",
                                                                 procRoot: host.proc.root, sysRoot: host.sys.root)).snapshot()
        let sample = try #require(withPid.forkReadiness.value)
        #expect(sample.overcommitMemory == .always)
        #expect(sample.process?.privateWritable == 2 * Self.gib)
        #expect(sample.transparentHugePages == .madvise)

        // Without a local process this host's figures would be passed off as a remote server's: none are read.
        let withoutPid = SnapshotCollector(target: CollectionTarget(endpoint: nil, procRoot: host.proc.root,
                                                                    sysRoot: host.sys.root)).snapshot()
        #expect(withoutPid.forkReadiness == .notConfigured)
    }
}
