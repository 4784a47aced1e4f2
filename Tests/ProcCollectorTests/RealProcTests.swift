import AoftopModel
import Glibc
import ProcCollector
import Testing

@Suite("Census of this test process in the real /proc", .serialized)
struct RealProcTests {
    /// Opens fds with `open`, samples, closes them, and checks that the census moved exactly as `expect` says.
    ///
    /// Other suites of this test process open and close fds in parallel, so an attempt counts only when the
    /// samples before and after are identical; a correct census then matches on some attempt, a wrong one on none.
    /// `highestFd`, `lowestFreeFd` and the holes depend on which numbers the kernel hands out and are not compared.
    static func expectCensusChange(open: () -> [Int32], _ expect: (inout FdCensus) -> Void,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let collector = ProcSampler()
        let pid = getpid()
        var last: (before: FdCensus, during: FdCensus)?
        for _ in 0..<50 {
            let before = try #require(collector.sample(pid: pid).value).fds
            let fds = open()
            let during = try #require(collector.sample(pid: pid).value).fds
            for fd in fds where fd >= 0 { close(fd) }
            let after = try #require(collector.sample(pid: pid).value).fds
            guard before == after else { continue }
            var expected = before
            expect(&expected)
            expected.highestFd = during.highestFd
            expected.lowestFreeFd = during.lowestFreeFd
            expected.holes = during.holes
            expected.holeCount = during.holeCount
            if during == expected { return }
            last = (before, during)
            usleep(10_000)
        }
        Issue.record("census never changed as expected; last clean attempt: \(String(describing: last))",
                     sourceLocation: sourceLocation)
    }

    // Glibc's Swift module does not import <sys/eventfd.h> or <sys/epoll.h>: look the two functions up.
    static let eventfd = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "eventfd"),
                                       to: (@convention(c) (UInt32, Int32) -> Int32).self)
    static let epollCreate1 = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "epoll_create1"),
                                            to: (@convention(c) (Int32) -> Int32).self)

    @Test func aPipeShowsAsTwoPipesAndOneSelfHeldPair() throws {
        try Self.expectCensusChange(open: {
            var p: [Int32] = [-1, -1]
            _ = pipe(&p)
            return p
        }) {
            $0.pipes += 2
            $0.selfHeldPipePairs += 1
            $0.total += 2
        }
    }

    @Test func socketsAnonInodesAndFilesAreCounted() throws {
        try Self.expectCensusChange(open: {
            var pair: [Int32] = [-1, -1]
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
            return [tcp, pair[0], pair[1], Self.eventfd(0, 0), Self.epollCreate1(0), Glibc.open("/etc/hostname", O_RDONLY)]
        }) {
            $0.sockets += 3
            $0.anonInodes["eventfd", default: 0] += 1
            $0.anonInodes["eventpoll", default: 0] += 1
            $0.regularFiles += 1
            $0.total += 6
        }
    }

    @Test func aListeningSocketIsFound() throws {
        try Self.expectCensusChange(open: {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            _ = listen(fd, 4)
            return [fd]
        }) {
            $0.sockets += 1
            $0.listeningSockets += 1
            $0.total += 1
        }
    }

    @Test func theLowestFreeFdIsWhatTheNextOpenGets() throws {
        let collector = ProcSampler()
        for _ in 0..<50 {
            // The collector leaves its own two directory fds out when it samples its own process.
            let census = try #require(collector.sample(pid: getpid()).value).fds
            let next = dup(0)
            close(next)
            // Other tests open and close fds in parallel: judge only a window where a repeat census agrees.
            if census == collector.sample(pid: getpid()).value?.fds {
                #expect(census.lowestFreeFd == Int(next))
                return
            }
        }
        Issue.record("fds never stayed still")
    }

    @Test func closingAnFdAmongPipesLeavesAHoleAtExactlyThatNumber() throws {
        let collector = ProcSampler()
        func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) != -1 }
        for _ in 0..<50 {
            var fds: [Int32] = []
            for _ in 0..<10 {
                var p: [Int32] = [-1, -1]
                try #require(pipe(&p) == 0)
                fds += p
            }
            defer { for fd in fds where fd >= 0 { close(fd) } }
            // The numbers need not be consecutive (other suites open fds too); take one with open neighbours.
            let sorted = fds.sorted()
            let hole = sorted[10]
            close(hole)
            fds.removeAll { $0 == hole }
            let census = try #require(collector.sample(pid: getpid()).value).fds
            // Judge only attempts where nobody took the number meanwhile and the list was not cut short of it.
            guard !isOpen(hole), census.holes.count < FdCensus.maxHoles || census.holes.last! >= Int(hole) else {
                continue
            }
            #expect(census.holes.contains(Int(hole)))
            #expect(!census.holes.contains(Int(sorted[9])))
            #expect(!census.holes.contains(Int(sorted[11])))
            #expect(census.holes == census.holes.sorted())
            #expect(census.holeCount >= census.holes.count)
            #expect(census.holeCount == census.highestFd + 1 - census.total)
            #expect(census.lowestFreeFd <= Int(hole))
            return
        }
        Issue.record("the hole was always taken by another thread")
    }

    @Test func openFdCountUsesTheKernelsCount() throws {
        let collector = ProcSampler()
        let pid = getpid()
        for _ in 0..<50 {
            let before = try #require(collector.openFdCount(pid: pid))
            var p: [Int32] = [0, 0]
            try #require(pipe(&p) == 0)
            let during = collector.openFdCount(pid: pid)
            close(p[0])
            close(p[1])
            if collector.openFdCount(pid: pid) == before {
                #expect(during == before + 2)
                return
            }
        }
        Issue.record("fds never stayed still")
    }

    @Test func theCollectorsOwnFdsAreClosedAfterASample() throws {
        let collector = ProcSampler()
        let pid = getpid()
        for _ in 0..<50 {
            let before = collector.openFdCount(pid: pid)
            _ = collector.sample(pid: pid)
            _ = ProcessDiscovery().servers()
            if collector.openFdCount(pid: pid) == before { return }
        }
        Issue.record("the fd count never came back after sampling")
    }
}
