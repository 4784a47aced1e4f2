import AoftopModel
import AoftopTestSupport
import Foundation
import ProcCollector
import Synchronization
import Testing

@Suite("Census of a fake /proc tree")
struct FakeTreeCensusTests {
    /// A Redis-like process with one of every kind of fd, holes in the fd numbers, and pipes held at one, two and
    /// three fds.
    static func everyKind(pid: Int32 = 1838) -> FakeProcess {
        var p = FakeProcess(pid: pid)
        p.fds = [
            0: "/dev/null",
            1: "/var/log/redis/redis-server.log",
            2: "/var/log/redis/redis-server.log",
            3: "anon_inode:[eventpoll]",
            4: "pipe:[100]", 5: "pipe:[100]",
            6: "socket:[500]", 7: "socket:[501]", 8: "socket:[502]", 9: "socket:[503]",
            10: "/var/lib/redis/appendonlydir/appendonly.aof.7.incr.aof",
            11: "/var/lib/redis/temp-rewriteaof-bg-4242.aof (deleted)",
            12: "anon_inode:[eventfd]",
            13: "anon_inode:inotify",
            14: "/memfd:jit (deleted)",
            15: "net:[4026531840]",
            20: "pipe:[200]",
            21: "pipe:[300]", 22: "pipe:[300]", 23: "pipe:[300]",
        ]
        p.tcp = [FakeTCPSocket(port: 6379, inode: 500), FakeTCPSocket(port: 6379, inode: 503, listening: false),
                 FakeTCPSocket(port: 8080, inode: 999)]
        p.tcp6 = [FakeTCPSocket(port: 6379, inode: 501)]
        p.unix = [FakeUnixSocket(path: "/run/redis/redis.sock", inode: 502),
                  FakeUnixSocket(path: "", inode: 777, listening: false)]
        return p
    }

    @Test func countsEveryKindOfFd() throws {
        let tree = try FakeProcTree()
        try tree.add(Self.everyKind())
        let sample = try #require(ProcSampler(procRoot: tree.root).sample(pid: 1838).value)
        let fds = sample.fds
        #expect(fds.total == 20)
        #expect(fds.sockets == 4)
        #expect(fds.listeningSockets == 3)  // tcp 500, tcp6 501, unix 502; 503 is an established client
        #expect(fds.clientSockets == 1)
        #expect(fds.pipes == 6)
        #expect(fds.selfHeldPipePairs == 2)  // 100 (twice) and 300 (three times); 200 once is no pair
        #expect(fds.anonInodes == ["eventpoll": 1, "eventfd": 1, "inotify": 1])
        #expect(fds.regularFiles == 4)  // the log twice, the incr file, the deleted temp AOF
        #expect(fds.other == 3)  // /dev/null, memfd, net namespace
        #expect(fds.highestFd == 23)
        #expect(fds.lowestFreeFd == 16)
        #expect(fds.holes == [16, 17, 18, 19])
        #expect(fds.holeCount == 4)
        #expect(sample.pid == 1838)
        #expect(sample.command == "redis-server")
        #expect(sample.startTicks == 4_242_424)
        #expect(sample.cpuTicks == 150)
        #expect(sample.limits == FdLimits(soft: 10032, hard: 10032))
        #expect(sample.clockTicksPerSecond > 0)
    }

    @Test(arguments: [
        ([Int32](), 0, -1),
        ([0, 1, 2, 4, 5], 3, 5),
        ([1, 2, 3], 0, 3),
        (Array(0..<130) + [131], 130, 131),  // crosses a 64-bit word of the bitmap
        (Array(0..<128), 128, 127),
    ])
    func lowestFreeFdFindsTheFirstHole(open: [Int32], lowestFree: Int, highest: Int) throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 7)
        for fd in open { p.fds[fd] = "pipe:[\(1000 + fd)]" }
        try tree.add(p)
        let fds = try #require(ProcSampler(procRoot: tree.root).sample(pid: 7).value).fds
        #expect(fds.lowestFreeFd == lowestFree)
        #expect(fds.highestFd == highest)
        #expect(fds.total == open.count)
        #expect(fds.selfHeldPipePairs == 0)
    }

    struct HoleCase: Sendable, CustomTestStringConvertible {
        var open: [Int32]
        var holes: [Int]
        var holeCount: Int
        var testDescription: String { "\(open.count) fds open, \(holeCount) holes" }
    }

    static let holeCases: [HoleCase] = [
        HoleCase(open: [], holes: [], holeCount: 0),
        HoleCase(open: [0, 1, 2, 4, 5, 9], holes: [3, 6, 7, 8], holeCount: 4),
        HoleCase(open: [5], holes: [0, 1, 2, 3, 4], holeCount: 5),
        // More than 64 holes: the lowest 64 are kept, all are counted.
        HoleCase(open: Array(0..<192) + [1_500], holes: Array(192..<256), holeCount: 1_308),
        // Redis 7 with the leak shim: 1,568 fds, one hole at the AOF's fd.
        HoleCase(open: Array(0..<7) + Array(8..<1_569), holes: [7], holeCount: 1),
        // Holes in every word of the bitmap.
        HoleCase(open: (0..<300).filter { $0 % 3 != 0 }.map { Int32($0) }, holes: (0..<64).map { $0 * 3 }, holeCount: 100),
        // A hole at the end of a bitmap word, then at the start of the next one.
        HoleCase(open: Array(0..<63) + [64], holes: [63], holeCount: 1),
        HoleCase(open: Array(0..<64) + [66], holes: [64, 65], holeCount: 2),
    ]

    @Test(arguments: holeCases)
    func holesListTheLowestFreeNumbersBelowTheHighest(_ c: HoleCase) throws {
        let (open, holes, holeCount) = (c.open, c.holes, c.holeCount)
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 6)
        for fd in open { p.fds[fd] = "pipe:[\(1000 + fd)]" }
        try tree.add(p)
        let fds = try #require(ProcSampler(procRoot: tree.root).sample(pid: 6).value).fds
        #expect(fds.holes == holes)
        #expect(fds.holeCount == holeCount)
        #expect(fds.holes.count <= FdCensus.maxHoles)
        #expect(fds.lowestFreeFd == (fds.holes.first ?? fds.highestFd + 1))
        #expect(fds.holeCount == fds.highestFd + 1 - fds.total)
    }

    @Test func freeFdsBelowALimitCountsTheHolesUnderIt() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 5)
        // setsize 192, 1,568 fds, the only free numbers below 192 are 7 and 100; 80 more free above 1,000.
        let open = (0..<1_650).filter { $0 != 7 && $0 != 100 && !(1_000..<1_080).contains($0) }
        for fd in open { p.fds[Int32(fd)] = "pipe:[\(1000 + fd)]" }
        try tree.add(p)
        let fds = try #require(ProcSampler(procRoot: tree.root).sample(pid: 5).value).fds
        #expect(fds.total == 1_568)
        #expect(fds.holeCount == 82)
        #expect(fds.holes.count == 64)
        #expect(fds.freeFds(below: 192) == 2)
        #expect(fds.freeFds(below: 100) == 1)
        #expect(fds.freeFds(below: 7) == 0)
        #expect(fds.freeFds(below: 1_700) == 132)  // above the highest fd: everything not open
        // 1,061 is the last kept hole: up to it exact, further up only bounded (18 unkept holes in 1,062..<1,080).
        #expect(fds.holes.last == 1_061)
        #expect(fds.freeFds(below: 1_062) == 64)
        #expect(fds.freeFds(below: 1_070) == nil)
        #expect(fds.freeFdBounds(below: 1_070) == 64...72)
        #expect(fds.freeFdBounds(below: 1_640) == 73...82)
    }

    @Test(arguments: [
        (["pipe:[5]"], 0),
        (["pipe:[5]", "pipe:[5]"], 1),
        (["pipe:[5]", "pipe:[6]"], 0),
        (["pipe:[9]", "pipe:[5]", "pipe:[7]", "pipe:[5]", "pipe:[9]"], 2),
        (["pipe:[5]", "pipe:[5]", "pipe:[5]", "pipe:[5]"], 1),
    ])
    func selfHeldPairsCountPipeInodesSeenTwice(targets: [String], pairs: Int) throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 8)
        for (i, target) in targets.enumerated() { p.fds[Int32(i + 3)] = target }
        try tree.add(p)
        let fds = try #require(ProcSampler(procRoot: tree.root).sample(pid: 8).value).fds
        #expect(fds.pipes == targets.count)
        #expect(fds.selfHeldPipePairs == pairs)
    }

    @Test func unlimitedLimitsAreNil() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 9)
        p.openFilesSoft = 4096
        p.openFilesHard = nil
        try tree.add(p)
        #expect(ProcSampler(procRoot: tree.root).sample(pid: 9).value?.limits == FdLimits(soft: 4096, hard: nil))
        p.openFilesSoft = nil
        try tree.add(p)
        #expect(ProcSampler(procRoot: tree.root).sample(pid: 9).value?.limits == FdLimits(soft: nil, hard: nil))
    }

    @Test(arguments: ["redis) (x y", "a b", ") )", "(", "x)"])
    func commWithSpacesAndParentheses(command: String) throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 10)
        p.command = command
        p.startTicks = 987_654_321
        p.userTicks = 7
        p.systemTicks = 5
        try tree.add(p)
        let sample = try #require(ProcSampler(procRoot: tree.root).sample(pid: 10).value)
        #expect(sample.command == command)
        #expect(sample.startTicks == 987_654_321)
        #expect(sample.cpuTicks == 12)
    }

    @Test func oddTargetsAndEntriesAreClassifiedWithoutCrashing() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 11)
        p.fds = [
            3: "socket:[", 4: "pipe:[abc]", 5: "anon_inode:", 6: "/" + String(repeating: "x", count: 4000),
            7: "/nonexistent/dangling", 8: "pipe:[", 9: "sock", 10: "anon_inode:[timerfd]", 11: "anon_inode:[]",
        ]
        try tree.add(p)
        // Entries a real fd directory never has: a non-numeric name and a plain file instead of a link.
        try Data().write(to: URL(fileURLWithPath: tree.path(11) + "/fd/notanumber"))
        try Data().write(to: URL(fileURLWithPath: tree.path(11) + "/fd/12"))
        let fds = try #require(ProcSampler(procRoot: tree.root).sample(pid: 11).value).fds
        #expect(fds.total == 10)
        #expect(fds.sockets == 1)
        #expect(fds.pipes == 2)
        #expect(fds.selfHeldPipePairs == 0)  // inode-less pipes are never paired
        #expect(fds.anonInodes == ["unknown": 2, "timerfd": 1])
        #expect(fds.regularFiles == 2)
        #expect(fds.other == 2)  // "sock", and fd 12 whose readlink fails (EINVAL)
        #expect(fds.highestFd == 12)
    }

    @Test func aClosedFdIsNotCounted() throws {
        let tree = try FakeProcTree()
        try tree.add(Self.everyKind(pid: 12))
        let collector = ProcSampler(procRoot: tree.root)
        #expect(collector.sample(pid: 12).value?.fds.pipes == 6)
        try tree.closeFd(pid: 12, fd: 5)
        let fds = try #require(collector.sample(pid: 12).value).fds
        #expect(fds.pipes == 5)
        #expect(fds.selfHeldPipePairs == 1)
        #expect(fds.lowestFreeFd == 5)
        #expect(fds.total == 19)
    }

    @Test func missingProcessIsGone() throws {
        let tree = try FakeProcTree()
        try tree.add(Self.everyKind(pid: 13))
        let collector = ProcSampler(procRoot: tree.root)
        #expect(collector.sample(pid: 1234) == .failed("process 1234 is gone"))
        #expect(collector.sample(pid: 13).isOK)
        try tree.remove(pid: 13)
        #expect(collector.sample(pid: 13) == .failed("process 13 is gone"))
        #expect(collector.openFdCount(pid: 13) == nil)
        #expect(collector.workingDirectory(pid: 13) == nil)
    }

    @Test(arguments: [
        "", "garbage", "1838 (redis-server) S", "1838 redis-server S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
        "1838 (redis-server) S 1 1838 1838 0 -1 4194560 1533 0 0 0 x 30 0 0 20 0 6 0 4242 1 2",
        "1838 (redis-server) S 1 1838 1838 0 -1 4194560 1533 0 0 0 99999999999999999999999 30 0 0 20 0 6 0 4242 1 2",
        ") 1838 (redis-server S 1 1838 1838 0 -1 4194560 1533 0 0 0 1 30 0 0 20 0 6 0 4242 1 2",
        "\u{0}\u{1}\u{FF}((((",
    ])
    func garbageStatFailsTheReading(text: String) throws {
        let tree = try FakeProcTree()
        var p = Self.everyKind(pid: 14)
        p.statText = text
        try tree.add(p)
        let reason = try #require(ProcSampler(procRoot: tree.root).sample(pid: 14).failureReason)
        #expect(reason.hasPrefix("cannot parse \(tree.root)/14/stat"))
    }

    @Test(arguments: [
        "", "Limit Soft Limit Hard Limit Units\n", "Max open files            lots                 20000                files\n",
        "Max open files            1024\n", "Max open files\n", "Max open filesystems 1 2\n",
        "Max open files            -1                   20000                files\n",
    ])
    func garbageLimitsFailTheReading(text: String) throws {
        let tree = try FakeProcTree()
        var p = Self.everyKind(pid: 15)
        p.limitsText = text
        try tree.add(p)
        let reason = try #require(ProcSampler(procRoot: tree.root).sample(pid: 15).failureReason)
        #expect(reason.contains("Max open files"))
    }

    @Test func openFdCountCountsEntriesWhenTheSizeIsNotAFdCount() throws {
        let tree = try FakeProcTree()
        try tree.add(Self.everyKind(pid: 16))
        // A fake tree lives on a real filesystem whose directory size means nothing: entries are counted.
        #expect(ProcSampler(procRoot: tree.root).openFdCount(pid: 16) == 20)
    }

    @Test func workingDirectoryReadsCwd() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 17)
        p.workingDirectory = "/srv/redis data"
        try tree.add(p)
        #expect(ProcSampler(procRoot: tree.root).workingDirectory(pid: 17) == "/srv/redis data")
    }
}

/// A settable clock for the listener cache.
final class ManualClock: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000_000)
    func advance(seconds: UInt64) { nanoseconds.withLock { $0 += seconds * 1_000_000_000 } }
    var now: @Sendable () -> UInt64 { { self.nanoseconds.withLock { $0 } } }
}

@Suite("Listening sockets cache")
struct ListenerCacheTests {
    @Test func aNewListenerShowsAfterTheRefreshInterval() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 20)
        p.fds = [5: "socket:[500]", 6: "socket:[600]"]
        p.tcp = [FakeTCPSocket(port: 6379, inode: 500)]
        try tree.add(p)
        let clock = ManualClock()
        let collector = ProcSampler(procRoot: tree.root, monotonicNanoseconds: clock.now)
        #expect(collector.sample(pid: 20).value?.fds.listeningSockets == 1)

        // Socket 600 starts listening: the cached table does not know it yet…
        p.tcp.append(FakeTCPSocket(port: 6380, inode: 600))
        try tree.add(p)
        #expect(collector.sample(pid: 20).value?.fds.listeningSockets == 1)
        // …until the cache ages out.
        clock.advance(seconds: 31)
        #expect(collector.sample(pid: 20).value?.fds.listeningSockets == 2)
    }

    @Test func aChangedMatchCountReloadsAtOnce() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 21)
        p.fds = [5: "socket:[500]", 6: "socket:[600]", 7: "socket:[700]"]
        p.tcp = [FakeTCPSocket(port: 6379, inode: 500), FakeTCPSocket(port: 6380, inode: 600)]
        try tree.add(p)
        let collector = ProcSampler(procRoot: tree.root, monotonicNanoseconds: ManualClock().now)
        #expect(collector.sample(pid: 21).value?.fds.listeningSockets == 2)
        // The 6380 listener closes and a new one (700) opens: the match count drops, which forces a reload.
        p.fds[6] = nil
        p.tcp = [FakeTCPSocket(port: 6379, inode: 500), FakeTCPSocket(port: 6381, inode: 700)]
        try tree.add(p)
        #expect(collector.sample(pid: 21).value?.fds.listeningSockets == 2)
    }

    @Test func aRestartedProcessGetsAFreshTable() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 22)
        p.fds = [5: "socket:[500]"]
        p.tcp = [FakeTCPSocket(port: 6379, inode: 500)]
        try tree.add(p)
        let collector = ProcSampler(procRoot: tree.root, monotonicNanoseconds: ManualClock().now)
        #expect(collector.sample(pid: 22).value?.fds.listeningSockets == 1)
        // Same pid, new start time (restart or reuse), new listener inode.
        p.startTicks += 1000
        p.fds = [5: "socket:[800]"]
        p.tcp = [FakeTCPSocket(port: 6379, inode: 800)]
        try tree.add(p)
        #expect(collector.sample(pid: 22).value?.fds.listeningSockets == 1)
    }
}
