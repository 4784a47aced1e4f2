import AoftopModel
import Foundation
import Testing
@testable import AoftopAnalysis

/// The fork verdict from a sample: every overcommit mode, the memory cgroup, THP and slow forks, missing figures;
/// summaries compared in full, numbers included.
@Suite("Fork readiness: the verdict")
struct ForkReadinessTests {
    static let gib: Int64 = 1 << 30
    static func gib(_ value: Double) -> Int64 { Int64(value * Double(gib)) }

    /// A host with `memTotal` GiB and the given commit figures; Redis (pid 1838) has `charge` GiB of private
    /// writable memory (stack included) and `rss` GiB resident.
    static func sample(mode: OvercommitMode?, kernel: String? = "6.1.0-18-amd64", memTotal: Double = 64,
                       memAvailable: Double = 40, swapTotal: Double = 0, swapFree: Double = 0,
                       commitLimit: Double = 38, committed: Double = 10, charge: Double? = 2, rss: Double = 1.5,
                       thp: TransparentHugePagesMode = .madvise, thpEnabled: Bool? = true,
                       cgroup: MemoryCgroup = .none) -> ForkReadinessSample {
        let stack: Int64 = 132 * 1024
        return ForkReadinessSample(
            overcommitMemory: mode, overcommitRatio: 50, overcommitKbytes: 0, kernelRelease: kernel,
            memory: HostMemory(memTotal: gib(memTotal), memAvailable: gib(memAvailable), swapTotal: gib(swapTotal),
                               swapFree: gib(swapFree), commitLimit: gib(commitLimit), committedAS: gib(committed)),
            transparentHugePages: thp, transparentHugePagesDefrag: .madvise, cgroup: cgroup,
            process: charge.map {
                ProcessMemory(pid: 1838, rss: gib(rss), data: gib($0) - stack, stack: stack, size: gib($0) * 2,
                              transparentHugePagesEnabled: thpEnabled)
            })
    }

    static func redis(latestForkUsec: Int64? = 12_000, usedMemory: Double = 1, rdbCow: Double? = nil,
                      aofCow: Double? = nil) -> RedisSample {
        RedisSample(version: "7.2.4", processId: 1838, totalForks: 3, latestForkUsec: latestForkUsec,
                    usedMemory: gib(usedMemory), rdbLastCowSize: rdbCow.map(gib), aofLastCowSize: aofCow.map(gib))
    }

    // MARK: overcommit modes

    @Test("overcommit_memory=1: the kernel never refuses")
    func always() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always), redis: Self.redis())
        #expect(verdict.outcome == .shouldSucceed)
        #expect(verdict.summary == "fork should succeed: overcommit_memory=1")
        #expect(verdict.remedy == nil)
        #expect(verdict.checkCommand == "sysctl vm.overcommit_memory")
        #expect(verdict.causes == [.overcommitAlways])
    }

    @Test("overcommit_memory=2 over CommitLimit: will fail, with the three numbers")
    func neverTight() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .never, committed: 30.1, charge: 12), redis: Self.redis())
        #expect(verdict.outcome == .willFail)
        #expect(verdict.summary
            == "fork will fail: overcommit_memory=2 and Committed_AS 30.1 GiB + Redis 12.0 GiB > CommitLimit 38.0 GiB")
        #expect(verdict.remedy?.hasPrefix("sysctl vm.overcommit_memory=1") == true)
        #expect(verdict.remedy?.contains("vm.overcommit_ratio") == true)
        #expect(verdict.checkCommand == "sysctl vm.overcommit_memory vm.overcommit_ratio vm.overcommit_kbytes; "
            + "grep -E 'Commit|MemAvail' /proc/meminfo; grep -E 'VmData|VmStk' /proc/1838/status")
    }

    @Test("overcommit_memory=2 within 10% of CommitLimit: may fail")
    func neverNear() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .never, committed: 30.1, charge: 5), redis: Self.redis())
        #expect(verdict.outcome == .mayFail)
        #expect(verdict.summary == "fork may fail: overcommit_memory=2 and Committed_AS 30.1 GiB + Redis 5.0 GiB "
            + "is within 10% of CommitLimit 38.0 GiB")
    }

    @Test("overcommit_memory=2 with room: should succeed, numbers shown")
    func neverRoomy() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .never), redis: Self.redis())
        #expect(verdict.outcome == .shouldSucceed)
        #expect(verdict.summary
            == "fork should succeed: overcommit_memory=2 and Committed_AS 10.0 GiB + Redis 2.0 GiB <= CommitLimit 38.0 GiB")
        #expect(verdict.remedy == nil)
    }

    @Test("overcommit_memory=2 without /proc/PID/status: INFO used_memory, named as such")
    func neverFromUsedMemory() {
        let tight = ForkReadiness.assess(sample: Self.sample(mode: .never, committed: 30.1, charge: nil),
                                         redis: Self.redis(usedMemory: 9))
        #expect(tight.summary
            == "fork will fail: overcommit_memory=2 and Committed_AS 30.1 GiB + Redis used_memory 9.0 GiB > CommitLimit 38.0 GiB")
        let unknown = ForkReadiness.assess(sample: Self.sample(mode: .never, charge: nil), redis: nil)
        #expect(unknown.outcome == .unknown)
        #expect(unknown.summary == "fork readiness unknown: Redis's memory unknown (no /proc/PID/status, no INFO)")
    }

    @Test("overcommit_memory=0 on Linux >= 5.2 with room: each mapping is checked against RAM+swap")
    func heuristicNewKernelRoomy() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .heuristic, memTotal: 16, memAvailable: 1), redis: Self.redis())
        #expect(verdict.outcome == .shouldSucceed)
        #expect(verdict.summary == "fork should succeed: overcommit_memory=0 (kernel 6.1) and Redis 2.0 GiB <= RAM+swap 16.0 GiB")
    }

    @Test("overcommit_memory=0 on Linux >= 5.2, charge over RAM+swap: may fail")
    func heuristicNewKernelTooBig() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .heuristic, memTotal: 16, swapTotal: 4, charge: 24),
                                           redis: Self.redis())
        #expect(verdict.outcome == .mayFail)
        #expect(verdict.summary == "fork may fail: overcommit_memory=0 (kernel 6.1) and Redis 24.0 GiB > RAM+swap 20.0 GiB")
        #expect(verdict.remedy?.hasPrefix("sysctl vm.overcommit_memory=1") == true)
        #expect(verdict.checkCommand == "sysctl vm.overcommit_memory; uname -r; grep -E 'MemTotal|MemAvail|Swap' /proc/meminfo; "
            + "grep -E 'VmData|VmStk' /proc/1838/status")
    }

    @Test("overcommit_memory=0 before Linux 5.2: the estimate of free memory decides")
    func heuristicOldKernel() {
        let old = Self.sample(mode: .heuristic, kernel: "4.19.0-25-amd64", memTotal: 16, memAvailable: 1.5, swapFree: 0.5, charge: 6)
        let verdict = ForkReadiness.assess(sample: old, redis: Self.redis())
        #expect(verdict.outcome == .mayFail)
        #expect(verdict.summary
            == "fork may fail: overcommit_memory=0 (kernel 4.19) and Redis 6.0 GiB > MemAvailable+SwapFree 2.0 GiB")
        // The same machine on a 5.2+ kernel: fine.
        var new = old
        new.kernelRelease = "5.2.0"
        #expect(ForkReadiness.assess(sample: new, redis: Self.redis()).summary
            == "fork should succeed: overcommit_memory=0 (kernel 5.2) and Redis 6.0 GiB <= RAM+swap 16.0 GiB")
        // An unreadable release gets the stricter rule.
        new.kernelRelease = nil
        #expect(ForkReadiness.assess(sample: new, redis: Self.redis()).summary
            == "fork may fail: overcommit_memory=0 (kernel ?) and Redis 6.0 GiB > MemAvailable+SwapFree 2.0 GiB")
    }

    // MARK: transparent huge pages and slow forks

    @Test("THP always, Redis not opted out, last fork 1.8 s: slow, THP named")
    func thpAlwaysSlowFork() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always, thp: .always),
                                           redis: Self.redis(latestForkUsec: 1_800_000))
        #expect(verdict.outcome == .slow)
        #expect(verdict.summary == "fork is slow: THP always, last fork 1.8 s")
        #expect(verdict.remedy?.hasPrefix("echo never > /sys/kernel/mm/transparent_hugepage/enabled") == true)
        #expect(verdict.checkCommand == "cat /sys/kernel/mm/transparent_hugepage/enabled; grep THP_enabled /proc/1838/status")
        #expect(verdict.causes.map(\.outcome) == [.slow, .shouldSucceed])
    }

    @Test("THP always with a quick fork: the copy-on-write after it is what is slow")
    func thpAlwaysQuickFork() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always, thp: .always), redis: Self.redis(latestForkUsec: 35_000))
        #expect(verdict.summary == "copy-on-write after fork is slow: THP always (2 MiB pages), last fork 35 ms")
        let noFork = ForkReadiness.assess(sample: Self.sample(mode: .always, thp: .always), redis: Self.redis(latestForkUsec: 0))
        #expect(noFork.summary == "copy-on-write after fork is slow: THP always (2 MiB pages), no fork yet")
    }

    @Test("THP madvise or never, or Redis opted out (THP_enabled 0): a slow fork is just slow", arguments: [
        (TransparentHugePagesMode.madvise, true), (.never, true), (.always, false),
    ])
    func slowForkWithoutTHP(thp: TransparentHugePagesMode, processUsesTHP: Bool) {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always, rss: 24, thp: thp, thpEnabled: processUsesTHP),
                                           redis: Self.redis(latestForkUsec: 1_800_000))
        #expect(verdict.outcome == .slow)
        #expect(verdict.summary == "fork is slow: last fork 1.8 s (RSS 24.0 GiB)")
        #expect(verdict.checkCommand == "redis-cli INFO stats | grep latest_fork_usec")
        // Not slow: nothing to say beyond overcommit.
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, thp: thp, thpEnabled: processUsesTHP),
                                     redis: Self.redis(latestForkUsec: 499_000)).causes == [.overcommitAlways])
    }

    // MARK: memory cgroups

    @Test("cgroup v2 near memory.max with OOM kills: copy-on-write may be killed, whatever the overcommit mode")
    func cgroupV2Near() {
        let cgroup = MemoryCgroup.v2(CgroupMemory(path: "/system.slice/redis.service", limit: .bytes(Self.gib(8)),
                                                  current: Self.gib(7.6), oomEvents: 3, oomKills: 3))
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: cgroup), redis: Self.redis(rdbCow: 1.2))
        #expect(verdict.outcome == .mayFail)
        #expect(verdict.summary == "copy-on-write after fork may be OOM-killed: cgroup memory.current 7.6 GiB of "
            + "memory.max 8.0 GiB, last copy-on-write 1.2 GiB, 3 OOM kills")
        #expect(verdict.remedy?.hasPrefix("raise the cgroup's memory.max") == true)
        #expect(verdict.checkCommand == "cd /sys/fs/cgroup/system.slice/redis.service && cat memory.max memory.current "
            + "memory.events; grep -w inactive_file memory.stat")
        #expect(verdict.causes.count == 2)
        // Room for the last copy-on-write: nothing to say.
        let roomy = MemoryCgroup.v2(CgroupMemory(path: "/redis", limit: .bytes(Self.gib(8)), current: Self.gib(4), oomKills: 0))
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: roomy), redis: Self.redis(rdbCow: 1.2)).causes
            == [.overcommitAlways])
        // Less room than the last copy-on-write although under 90%.
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: roomy), redis: Self.redis(aofCow: 4.5)).summary
            == "copy-on-write after fork may be OOM-killed: cgroup memory.current 4.0 GiB of memory.max 8.0 GiB, "
            + "last copy-on-write 4.5 GiB")
    }

    @Test("A cgroup full of inactive page cache (a busy AOF) is not near its limit: the kernel reclaims it first")
    func cgroupPageCache() {
        let cached = MemoryCgroup.v2(CgroupMemory(path: "/redis", limit: .bytes(Self.gib(8)), current: Self.gib(7.8),
                                                  oomKills: 0, inactiveFile: Self.gib(3.5)))
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: cached), redis: Self.redis(rdbCow: 1.2)).causes
            == [.overcommitAlways])
        let tight = MemoryCgroup.v2(CgroupMemory(path: "/redis", limit: .bytes(Self.gib(8)), current: Self.gib(7.8),
                                                 oomKills: 0, inactiveFile: Self.gib(0.2)))
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: tight), redis: Self.redis(rdbCow: 1.2)).summary
            == "copy-on-write after fork may be OOM-killed: cgroup memory.current less 205 MiB inactive file cache 7.6 GiB "
            + "of memory.max 8.0 GiB, last copy-on-write 1.2 GiB")
    }

    @Test("used_memory alone proves a failure but never room: the charge is larger")
    func usedMemoryIsALowerBound() {
        let roomy = ForkReadiness.assess(sample: Self.sample(mode: .never, committed: 1, charge: nil), redis: Self.redis(usedMemory: 2))
        #expect(roomy.outcome == .unknown, "\(roomy.summary)")
    }

    @Test("cgroup v1 near its limit: the v1 file names; unlimited or none: nothing")
    func cgroupV1AndNone() {
        let v1 = MemoryCgroup.v1(CgroupMemory(path: "/docker/abc", limit: .bytes(Self.gib(2)), current: Self.gib(1.9), oomKills: nil))
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: v1), redis: Self.redis())
        #expect(verdict.summary
            == "copy-on-write after fork may be OOM-killed: cgroup memory.usage_in_bytes 1.9 GiB of memory.limit_in_bytes 2.0 GiB")
        #expect(verdict.checkCommand
            == "cd /sys/fs/cgroup/memory/docker/abc && cat memory.limit_in_bytes memory.usage_in_bytes memory.oom_control; "
            + "grep -w total_inactive_file memory.stat")
        #expect(verdict.remedy?.hasPrefix("raise the cgroup's memory.limit_in_bytes") == true)
        let unlimited = MemoryCgroup.v1(CgroupMemory(path: "/", limit: .unlimited, current: Self.gib(60)))
        for cgroup in [unlimited, MemoryCgroup.none] {
            #expect(ForkReadiness.assess(sample: Self.sample(mode: .always, cgroup: cgroup), redis: Self.redis()).causes
                == [.overcommitAlways])
        }
    }

    @Test("No commit limit and less free memory than the last copy-on-write: the OOM killer may end it")
    func hostCopyOnWrite() {
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .heuristic, memTotal: 16, memAvailable: 1),
                                           redis: Self.redis(aofCow: 3))
        #expect(verdict.outcome == .mayFail)
        #expect(verdict.summary == "copy-on-write after fork may exhaust memory: last copy-on-write 3.0 GiB > MemAvailable+SwapFree 1.0 GiB")
        // Mode 2 committed the child's whole charge: its copy-on-write is accounted for.
        #expect(ForkReadiness.assess(sample: Self.sample(mode: .never, memAvailable: 1), redis: Self.redis(aofCow: 3)).outcome
            == .shouldSucceed)
    }

    // MARK: missing figures

    @Test("Missing figures: unknown, saying which; never read as all clear")
    func unknowns() {
        #expect(ForkReadiness.assess(sample: nil, redis: Self.redis()).summary == "fork readiness unknown: no /proc reading")
        let noMode = ForkReadiness.assess(sample: Self.sample(mode: nil), redis: Self.redis())
        #expect(noMode.outcome == .unknown)
        #expect(noMode.summary == "fork readiness unknown: vm.overcommit_memory unreadable")
        #expect(noMode.remedy?.hasPrefix("run aoftop as root") == true)
        var noMeminfo = Self.sample(mode: .never)
        noMeminfo.memory = nil
        #expect(ForkReadiness.assess(sample: noMeminfo, redis: Self.redis()).summary
            == "fork readiness unknown: CommitLimit or Committed_AS unreadable")
        // Unknown overcommit but a slow fork: the slow fork is what is known.
        let slow = ForkReadiness.assess(sample: Self.sample(mode: nil), redis: Self.redis(latestForkUsec: 2_000_000))
        #expect(slow.outcome == .slow)
        #expect(slow.causes.last == .unknown(missing: "vm.overcommit_memory unreadable"))
    }

    // MARK: JSON

    @Test("JSON: snake_case, texts included, causes decode back")
    func json() throws {
        let cgroup = MemoryCgroup.v2(CgroupMemory(path: "/redis", limit: .bytes(Self.gib(8)), current: Self.gib(7.6), oomKills: 1))
        let verdict = ForkReadiness.assess(sample: Self.sample(mode: .never, committed: 30.1, charge: 12, thp: .always, cgroup: cgroup),
                                           redis: Self.redis(latestForkUsec: 900_000, rdbCow: 1))
        #expect(verdict.causes.map(\.outcome) == [.willFail, .mayFail, .slow])
        let data = try AoftopJSON.encoder().encode(verdict)
        let text = String(decoding: data, as: UTF8.self)
        for key in [#""outcome":"will_fail""#, #""check_command":"sysctl vm.overcommit_memory"#, #""kind":"commit_limit""#,
                    #""committed_bytes":"#, #""source":"private_writable""#, #""kind":"cgroup_near_limit""#,
                    #""cgroup":{"path":"/redis","version":"v2"}"#, #""oom_kills":1"#, #""kind":"transparent_hugepages""#,
                    #""latest_fork_usec":900000"#] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(try AoftopJSON.decoder().decode(ForkReadinessVerdict.self, from: data) == verdict)
    }

    @Test("Byte and duration texts")
    func texts() {
        #expect(ByteText.text(512) == "512 B")
        #expect(ByteText.text(69_427) == "67.8 KiB")
        #expect(ByteText.text(Self.gib(30.1)) == "30.1 GiB")
        #expect(ByteText.text(Self.gib(150)) == "150 GiB")
        #expect(ByteText.duration(microseconds: 1_800_000) == "1.8 s")
        #expect(ByteText.duration(microseconds: 620_400) == "620 ms")
    }
}
