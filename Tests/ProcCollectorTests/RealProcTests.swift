import AoftopModel
import Glibc
import ProcCollector
import Testing

@Suite("Census of this test process in the real /proc")
struct RealProcTests {
    /// Opens fds, samples, closes them, and returns the censuses from a window in which nothing else in this
    /// (parallel) test process opened or closed fds: before and after are identical and the total moved by exactly
    /// the number of fds opened. Other tests' fd churn is brief, so some attempt is clean.
    static func stableDelta(open: () -> [Int32]) throws -> (before: FdCensus, during: FdCensus) {
        let collector = ProcCollector()
        let pid = getpid()
        for _ in 0..<50 {
            let before = try #require(collector.sample(pid: pid).value).fds
            let fds = open()
            let during = try #require(collector.sample(pid: pid).value).fds
            for fd in fds { close(fd) }
            let after = try #require(collector.sample(pid: pid).value).fds
            if before == after && during.total - before.total == fds.filter({ $0 >= 0 }).count { return (before, during) }
            usleep(20_000)
        }
        Issue.record("fds of the test process never stayed still for three samples")
        throw CancellationError()
    }

    // Glibc's Swift module does not import <sys/eventfd.h> or <sys/epoll.h>: look the two functions up.
    static let eventfd = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "eventfd"),
                                       to: (@convention(c) (UInt32, Int32) -> Int32).self)
    static let epollCreate1 = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "epoll_create1"),
                                            to: (@convention(c) (Int32) -> Int32).self)

    @Test func aPipeShowsAsTwoPipesAndOneSelfHeldPair() throws {
        let (before, during) = try Self.stableDelta {
            var p: [Int32] = [0, 0]
            guard pipe(&p) == 0 else { return [] }
            return p
        }
        #expect(during.pipes - before.pipes == 2)
        #expect(during.selfHeldPipePairs - before.selfHeldPipePairs == 1)
        #expect(during.total - before.total == 2)
        #expect(during.sockets == before.sockets)
    }

    @Test func socketsAndAnonInodesAreCounted() throws {
        let (before, during) = try Self.stableDelta {
            var pair: [Int32] = [0, 0]
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
            let event = Self.eventfd(0, 0)
            let epoll = Self.epollCreate1(0)
            let file = Glibc.open("/etc/hostname", O_RDONLY)
            return [tcp, pair[0], pair[1], event, epoll, file]
        }
        #expect(during.sockets - before.sockets == 3)
        #expect(during.listeningSockets == before.listeningSockets)
        #expect(during.anonInodes["eventfd", default: 0] - before.anonInodes["eventfd", default: 0] == 1)
        #expect(during.anonInodes["eventpoll", default: 0] - before.anonInodes["eventpoll", default: 0] == 1)
        #expect(during.regularFiles - before.regularFiles == 1)
        #expect(during.pipes == before.pipes)
        #expect(during.total - before.total == 6)
    }

    @Test func aListeningSocketIsFound() throws {
        let (before, during) = try Self.stableDelta {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            _ = listen(fd, 4)
            return [fd]
        }
        #expect(during.sockets - before.sockets == 1)
        #expect(during.listeningSockets - before.listeningSockets == 1)
    }

    @Test func theLowestFreeFdIsWhatTheNextOpenGets() throws {
        let collector = ProcCollector()
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

    @Test func openFdCountUsesTheKernelsCount() throws {
        let collector = ProcCollector()
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
        let collector = ProcCollector()
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
