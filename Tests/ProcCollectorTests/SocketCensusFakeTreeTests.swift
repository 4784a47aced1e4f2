import AoftopModel
import AoftopTestSupport
import Foundation
@testable import ProcCollector
import Synchronization
import Testing

@Suite("Socket census of a fake /proc tree")
struct SocketCensusFakeTreeTests {
    static func address(_ text: String) -> IPAddress { IPAddress(text)! }

    /// A server on 6379 (IPv4 and IPv6) and a unix socket, with IPv4, IPv4-mapped and IPv6 clients, a replication
    /// link and cluster-bus links out, unix clients, a socket in no table, and rows of other processes around.
    static func server(pid: Int32 = 3001) -> FakeProcess {
        var p = FakeProcess(pid: pid)
        var tcp: [FakeTCPSocket] = []
        var tcp6: [FakeTCPSocket] = []
        var fds: [Int32: String] = [:]
        func held(_ inode: UInt64) { fds[Int32(10 + fds.count)] = "socket:[\(inode)]" }
        var listener = FakeTCPSocket(port: 6379, inode: 100)
        listener.receiveQueue = 3  // waiting to be accepted
        tcp.append(listener)
        tcp6.append(FakeTCPSocket(port: 6379, inode: 101))
        p.unix = [FakeUnixSocket(path: "/run/redis/redis.sock", inode: 102),
                  FakeUnixSocket(path: "/run/redis/redis.sock", inode: 300, listening: false),
                  FakeUnixSocket(path: "/run/redis/redis.sock", inode: 301, listening: false),
                  FakeUnixSocket(path: "", inode: 302, listening: false),
                  FakeUnixSocket(path: "/run/other.sock", inode: 303, listening: false),
                  FakeUnixSocket(path: "/run/systemd/notify", inode: 9100)]  // another process's
        [100, 101, 102, 300, 301, 302, 303].forEach { held($0) }
        // Inbound IPv4: 10.0.0.7 ×3, 10.0.0.8 in CLOSE_WAIT with 1 unread byte, 192.168.1.20 ×2 with queued output.
        var inode: UInt64 = 200
        func inbound(_ peer: String, v6: Bool = false, state: TCPState = .established, send: UInt32 = 0, receive: UInt32 = 0) {
            let row = FakeTCPSocket(local: v6 ? "::" : "0.0.0.0", port: 6379, remote: peer, remotePort: 50000 + Int(inode),
                                    inode: inode, state: state, sendQueue: send, receiveQueue: receive)
            if v6 { tcp6.append(row) } else { tcp.append(row) }
            held(inode)
            inode += 1
        }
        for _ in 0..<3 { inbound("10.0.0.7") }
        inbound("10.0.0.8", state: .closeWait, receive: 1)
        inbound("192.168.1.20", send: 4096)
        inbound("192.168.1.20", send: 100, receive: 20)
        // Inbound IPv6: an IPv4-mapped 10.0.0.7 (the same peer), and 2001:db8::1 twice, one closing.
        inbound("::ffff:10.0.0.7", v6: true)
        inbound("2001:db8::1", v6: true)
        inbound("2001:db8::1", v6: true, state: .finWait1)
        // Outbound: the master, and two links to one cluster-bus peer.
        tcp.append(FakeTCPSocket(local: "10.0.0.5", port: 45000, remote: "10.0.0.1", remotePort: 6379, inode: 400))
        tcp.append(FakeTCPSocket(local: "10.0.0.5", port: 45001, remote: "10.0.0.2", remotePort: 16379, inode: 401))
        tcp.append(FakeTCPSocket(local: "10.0.0.5", port: 45002, remote: "10.0.0.2", remotePort: 16379, inode: 402,
                                 state: .synSent))
        [400, 401, 402].forEach { held($0) }
        // Not ours: another server's listener and client, and a time-wait row (inode 0, held by nobody).
        tcp.append(FakeTCPSocket(port: 8080, inode: 9000))
        tcp.append(FakeTCPSocket(local: "127.0.0.1", port: 8080, remote: "127.0.0.1", remotePort: 41000, inode: 9001))
        tcp.append(FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.9", remotePort: 41001, inode: 0,
                                 state: .timeWait))
        // In no table (a UDP or netlink socket).
        held(999)
        p.tcp = tcp
        p.tcp6 = tcp6
        p.fds = fds
        p.fds[3] = "pipe:[77]"
        return p
    }

    static func census(_ process: FakeProcess, _ tree: FakeProcTree) throws -> SocketCensus {
        try tree.add(process)
        let sampler = ProcSampler(procRoot: tree.root, socketTables: .everySample)
        return try #require(sampler.sample(pid: process.pid).value?.sockets)
    }

    @Test func rolesListenersAndOutboundGroups() throws {
        let tree = try FakeProcTree()
        let process = Self.server()
        try tree.add(process)
        let sample = try #require(ProcSampler(procRoot: tree.root, socketTables: .everySample).sample(pid: 3001).value)
        let census = try #require(sample.sockets)
        #expect(census.roles == [.listener: 3, .inboundTCP: 9, .inboundUnix: 2, .outboundTCP: 3, .unixClient: 2, .other: 1])
        #expect(census.total == sample.fds.sockets)
        #expect(census.listeners == [
            SocketListener(endpoint: .tcp(address: .anyV4, port: 6379), accepted: 6, acceptQueue: 3),
            SocketListener(endpoint: .tcp(address: .anyV6, port: 6379), accepted: 3, acceptQueue: 0),
            SocketListener(endpoint: .unix(path: "/run/redis/redis.sock"), accepted: 2),
        ])
        #expect(census.outbound == [EndpointCount(endpoint: .tcp(address: Self.address("10.0.0.2"), port: 16379), count: 2),
                                    EndpointCount(endpoint: .tcp(address: Self.address("10.0.0.1"), port: 6379), count: 1)])
        #expect(census.outboundEndpoints == 2)
        #expect(census.tablesAgeMs == 0)
    }

    @Test func statesAndQueuesCoverNonListeningTCPSockets() throws {
        let census = try Self.census(Self.server(), FakeProcTree())
        #expect(census.tcpStates == [.established: 9, .closeWait: 1, .finWait1: 1, .synSent: 1])
        #expect(census.queues == SocketQueues(sendBytes: 4196, receiveBytes: 21, sendingSockets: 2, receivingSockets: 2))
    }

    @Test func topPeersMergeIPv4MappedAddressesAndBreakTiesByAddress() throws {
        let census = try Self.census(Self.server(), FakeProcTree())
        #expect(census.topPeers == [PeerCount(address: Self.address("10.0.0.7"), count: 4),
                                    PeerCount(address: Self.address("192.168.1.20"), count: 2),
                                    PeerCount(address: Self.address("2001:db8::1"), count: 2),
                                    PeerCount(address: Self.address("10.0.0.8"), count: 1)])
        #expect(census.topPeers.map(\.address.description) == ["10.0.0.7", "192.168.1.20", "2001:db8::1", "10.0.0.8"])
        #expect(census.distinctPeers == 4)
        #expect(census.inboundTCPClients == 9)
        #expect(census.share(of: census.topPeers[0]) == 4.0 / 9.0)
    }

    @Test func onlyTheTenLargestPeersAreListedInADeterministicOrder() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3002)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1)]
        p.fds = [5: "socket:[1]"]
        // 13 peers 10.1.0.1 … 10.1.0.13; peer k holds (k % 4) + 1 connections, written in a shuffled order.
        var rows: [FakeTCPSocket] = []
        var inode: UInt64 = 10
        for k in 1...13 {
            for _ in 0..<(k % 4 + 1) {
                rows.append(FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "10.1.0.\(k)", remotePort: 30000 + Int(inode),
                                          inode: inode))
                p.fds[Int32(inode)] = "socket:[\(inode)]"
                inode += 1
            }
        }
        var generator = SplitMix64(seed: 11)
        rows.shuffle(using: &generator)
        p.tcp += rows
        let census = try Self.census(p, tree)
        // Counts: k%4 == 3 → 4 (3, 7, 11), == 2 → 3 (2, 6, 10), == 1 → 2 (1, 5, 9, 13), == 0 → 1 (4, 8, 12).
        #expect(census.topPeers.map { "\($0.address) \($0.count)" } == [
            "10.1.0.3 4", "10.1.0.7 4", "10.1.0.11 4", "10.1.0.2 3", "10.1.0.6 3", "10.1.0.10 3",
            "10.1.0.1 2", "10.1.0.5 2", "10.1.0.9 2", "10.1.0.13 2",
        ])
        #expect(census.distinctPeers == 13)
        #expect(census.inboundTCPClients == rows.count)
    }

    @Test(arguments: TCPState.allCases.filter { $0 != .listen && $0 != .unknown })
    func everyStateIsCountedByName(state: TCPState) throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3003)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1),
                 FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.2", remotePort: 40000, inode: 2, state: state)]
        p.fds = [5: "socket:[1]", 6: "socket:[2]"]
        let census = try Self.census(p, tree)
        #expect(census.tcpStates == [state: 1])
        #expect(census.count(.inboundTCP) == 1)
    }

    @Test func kernelCodesMapToStates() {
        #expect(TCPState(kernelCode: 0x01) == .established)
        #expect(TCPState(kernelCode: 0x08) == .closeWait)
        #expect(TCPState(kernelCode: 0x0A) == .listen)
        #expect(TCPState(kernelCode: 0x0B) == .closing)
        #expect(TCPState(kernelCode: 0x0C) == .newSynRecv)
        #expect(TCPState(kernelCode: 0x00) == .unknown)
        #expect(TCPState(kernelCode: 0x0D) == .unknown)
        for state in TCPState.allCases where state != .unknown {
            #expect(TCPState(kernelCode: state.kernelCode) == state)
        }
    }

    @Test func anInodeInNoTableIsOtherAndNoSocketsIsAnEmptyCensus() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3004)
        p.fds = [5: "socket:[555]"]
        #expect(try Self.census(p, tree).roles == [.other: 1])
        p.fds = [5: "pipe:[1]"]
        #expect(try Self.census(p, tree) == SocketCensus())
    }

    @Test func offLeavesTheCensusOut() throws {
        let tree = try FakeProcTree()
        try tree.add(Self.server(pid: 3005))
        #expect(ProcSampler(procRoot: tree.root, socketTables: .off).sample(pid: 3005).value?.sockets == nil)
        #expect(ProcSampler(procRoot: tree.root).sample(pid: 3005).value?.sockets?.count(.inboundTCP) == 9)
    }

    @Test func aSocketTheKernelStopsListingIsClosedButKeepsItsRole() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3006)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1),
                 FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.2", remotePort: 40000, inode: 2, receiveQueue: 5)]
        p.fds = [5: "socket:[1]", 6: "socket:[2]"]
        try tree.add(p)
        let sampler = ProcSampler(procRoot: tree.root, socketTables: .everySample)
        #expect(sampler.sample(pid: 3006).value?.sockets?.tcpStates == [.established: 1])
        // Reset by the peer: the kernel unhashes the socket; the fd stays.
        p.tcp.removeLast()
        try tree.add(p)
        let census = try #require(sampler.sample(pid: 3006).value?.sockets)
        #expect(census.tcpStates == [.close: 1])
        #expect(census.topPeers == [PeerCount(address: Self.address("127.0.0.2"), count: 1)])
        #expect(census.queues == SocketQueues())
    }

    @Test func aReusedInodeNumberIsLookedUpAfresh() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3007)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1),
                 FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.2", remotePort: 40000, inode: 2)]
        p.fds = [5: "socket:[1]", 6: "socket:[2]"]
        try tree.add(p)
        let sampler = ProcSampler(procRoot: tree.root, socketTables: .everySample)
        #expect(sampler.sample(pid: 3007).value?.sockets?.count(.inboundTCP) == 1)
        p.fds[6] = nil
        try tree.add(p)
        #expect(sampler.sample(pid: 3007).value?.sockets?.roles == [.listener: 1])
        // Inode 2 comes back as an outbound connection.
        p.fds[6] = "socket:[2]"
        p.tcp[1] = FakeTCPSocket(local: "127.0.0.1", port: 45000, remote: "10.0.0.1", remotePort: 6379, inode: 2)
        try tree.add(p)
        #expect(sampler.sample(pid: 3007).value?.sockets?.roles == [.listener: 1, .outboundTCP: 1])
    }

    @Test func manyClosedSocketsAreForgottenAndTheRestStayRight() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3008)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1)]
        p.fds = [5: "socket:[1]"]
        for k in 0..<1500 {
            let inode = UInt64(1000 + k)
            p.tcp.append(FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.\(2 + k % 3)", remotePort: 20000 + k,
                                       inode: inode))
            p.fds[Int32(6 + k)] = "socket:[\(inode)]"
        }
        try tree.add(p)
        let sampler = ProcSampler(procRoot: tree.root, socketTables: .everySample)
        #expect(sampler.sample(pid: 3008).value?.sockets?.count(.inboundTCP) == 1500)
        // Close all but the first 30 clients (the ledger compacts: more dead entries than twice the live ones + 1024).
        for k in 30..<1500 { p.fds[Int32(6 + k)] = nil }
        try tree.add(p)
        let census = try #require(sampler.sample(pid: 3008).value?.sockets)
        #expect(census.count(.inboundTCP) == 30)
        #expect(census.topPeers.map(\.count) == [10, 10, 10])
        #expect(census.listeners.first?.accepted == 30)
    }
}

/// A clock that moves 1 µs each time it is read, plus whatever the test adds: table reads then cost something,
/// so a tiny budget leaves them to the age bound.
final class TickingClock: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000_000)
    func advance(seconds: UInt64) { nanoseconds.withLock { $0 += seconds * 1_000_000_000 } }
    var now: @Sendable () -> UInt64 { { self.nanoseconds.withLock { $0 += 1_000; return $0 } } }
}

@Suite("Socket tables read within a budget")
struct SocketTableBudgetTests {
    @Test func betweenReadsNewSocketsAreUnresolvedAndStatesWait() throws {
        let tree = try FakeProcTree()
        var p = FakeProcess(pid: 3100)
        p.tcp = [FakeTCPSocket(port: 6379, inode: 1),
                 FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.2", remotePort: 40000, inode: 2)]
        p.fds = [5: "socket:[1]", 6: "socket:[2]"]
        try tree.add(p)
        let clock = TickingClock()
        let sampler = ProcSampler(procRoot: tree.root, monotonicNanoseconds: clock.now,
                                  socketTables: .budget(fraction: 1e-9, maxAgeSeconds: 10))
        let first = try #require(sampler.sample(pid: 3100).value?.sockets)
        #expect(first.roles == [.listener: 1, .inboundTCP: 1])
        #expect(first.tablesAgeMs == 0)

        // A new client, and the old one's peer closes: not read yet.
        p.tcp[1].state = .closeWait
        p.tcp.append(FakeTCPSocket(local: "127.0.0.1", port: 6379, remote: "127.0.0.3", remotePort: 40001, inode: 3))
        p.fds[7] = "socket:[3]"
        try tree.add(p)
        clock.advance(seconds: 4)
        let between = try #require(sampler.sample(pid: 3100).value?.sockets)
        #expect(between.roles == [.listener: 1, .inboundTCP: 1, .unresolved: 1])
        #expect(between.tcpStates == [.established: 1])
        #expect(between.tablesAgeMs >= 4000)

        // A closed socket leaves the counts at once, without a read.
        p.fds[6] = nil
        try tree.add(p)
        #expect(sampler.sample(pid: 3100).value?.sockets?.roles == [.listener: 1, .unresolved: 1])

        clock.advance(seconds: 7)
        let after = try #require(sampler.sample(pid: 3100).value?.sockets)
        #expect(after.roles == [.listener: 1, .inboundTCP: 1])
        #expect(after.topPeers == [PeerCount(address: IPAddress("127.0.0.3")!, count: 1)])
        #expect(after.tablesAgeMs == 0)
    }

    @Test func theBudgetComparesReadCostWithSampleCost() {
        let policy = SocketTableRefresh.budget(fraction: 0.5, maxAgeSeconds: 10)
        let second: UInt64 = 1_000_000_000
        #expect(policy.isDue(now: 5 * second, lastReadAt: nil, lastReadCost: 0, costSinceRead: 0))
        // A read cost 90 ms: due once the samples since cost 180 ms.
        #expect(!policy.isDue(now: 5 * second, lastReadAt: 4 * second, lastReadCost: 90_000_000, costSinceRead: 179_000_000))
        #expect(policy.isDue(now: 5 * second, lastReadAt: 4 * second, lastReadCost: 90_000_000, costSinceRead: 180_000_000))
        // The age bound wins over the budget.
        #expect(policy.isDue(now: 14 * second, lastReadAt: 4 * second, lastReadCost: 90_000_000, costSinceRead: 1))
        #expect(SocketTableRefresh.everySample.isDue(now: 0, lastReadAt: 0, lastReadCost: .max, costSinceRead: 0))
        #expect(!SocketTableRefresh.off.isDue(now: 0, lastReadAt: nil, lastReadCost: 0, costSinceRead: 0))
    }
}

@Suite("Socket table rows on raw bytes")
struct SocketRowsTests {
    static func endpoint(_ text: String, ipv6: Bool) -> String? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b in
            SocketRows.endpoint(b, 0..<b.count, ipv6: ipv6).map { SocketEndpoint.tcp(address: $0.address, port: Int($0.port)).description }
        }
    }

    @Test func addressesAreLittleEndianWords() {
        // Lines as a little-endian kernel prints them.
        #expect(Self.endpoint("0100007F:18EB", ipv6: false) == "127.0.0.1:6379")
        #expect(Self.endpoint("0201A8C0:C350", ipv6: false) == "192.168.1.2:50000")
        #expect(Self.endpoint("00000000:0000", ipv6: false) == "0.0.0.0:0")
        #expect(Self.endpoint("00000000000000000000000001000000:18EB", ipv6: true) == "[::1]:6379")
        #expect(Self.endpoint("0000000000000000FFFF00000100007F:18EB", ipv6: true) == "127.0.0.1:6379")
        #expect(Self.endpoint("B80D0120000000000000000001000000:0050", ipv6: true) == "[2001:db8::1]:80")
        #expect(Self.endpoint("000080FE00000000FF0254022D1E5DFE:0016", ipv6: true) == "[fe80::254:2ff:fe5d:1e2d]:22")
    }

    @Test func malformedEndpointsAreRejected() {
        #expect(Self.endpoint("0100007F18EB", ipv6: false) == nil)
        #expect(Self.endpoint("100007F:18EB", ipv6: false) == nil)
        #expect(Self.endpoint("0100007G:18EB", ipv6: false) == nil)
        #expect(Self.endpoint("0100007F:118EB", ipv6: false) == nil)
        #expect(Self.endpoint("0100007F:18EB", ipv6: true) == nil)
    }

    @Test func theFakeTreeWritesWhatTheKernelWrites() {
        #expect(FakeProcTree.kernelHex("127.0.0.1", ipv6: false) == "0100007F")
        #expect(FakeProcTree.kernelHex("::ffff:127.0.0.1", ipv6: true) == "0000000000000000FFFF00000100007F")
    }
}
