import AoftopModel
import AoftopTestSupport
import Foundation
import ProcCollector
import Testing

/// The socket census of real processes against `ss`, which reads the kernel's sockets over netlink instead of
/// `/proc/net/tcp`.
@Suite("Socket census of real processes, checked with ss")
struct RealSocketCensusTests {
    /// A census of `pid` and what `ss` said, once `ready` holds for both. An attempt counts only when the census
    /// taken before `ss` equals the one taken after (other suites of this process open and close sockets meanwhile).
    static func agreeing(pid: Int32, sampler: ProcSampler, timeout: Double = 20,
                         _ ready: (SocketCensus, SocketStatistics) -> Bool) throws -> (census: SocketCensus, ss: SocketStatistics)? {
        var found: (SocketCensus, SocketStatistics)?
        _ = try RedisServer.waitUntil(timeout: timeout) {
            guard let before = sampler.sample(pid: pid).value?.sockets else { return false }
            let ss = try SocketStatistics.tcp(pid: pid)
            guard let after = sampler.sample(pid: pid).value?.sockets, before == after, ready(after, ss) else { return false }
            found = (after, ss)
            return true
        }
        return found
    }

    static let loopback = IPAddress("127.0.0.1")!

    @Test func theTopPeerOfARealRedisIsTheOneSSCounts() throws {
        var options = RedisServerOptions()
        options.maxclients = 200
        options.appendonly = false
        let server = try RedisServer.start(options)
        defer { server.stop() }
        // Clients from four loopback addresses; 127.0.0.5 is the one leaking connections.
        let plan = [("127.0.0.2", 3), ("127.0.0.3", 5), ("127.0.0.4", 1), ("127.0.0.5", 40)]
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for (source, count) in plan {
            for _ in 0..<count { clients.append(try Loopback.connect(port: server.port, from: source)) }
        }

        let sampler = ProcSampler(socketTables: .everySample)
        let result = try Self.agreeing(pid: server.pid, sampler: sampler) { census, ss in
            census.inboundTCPClients == clients.count && ss.inbound.count == clients.count
        }
        let (census, ss) = try #require(result, "Redis never held all \(clients.count) clients")
        #expect(census.topPeers == Array(ss.peers.prefix(SocketCensus.maxListed)))
        #expect(census.topPeers.first == PeerCount(address: IPAddress("127.0.0.5")!, count: 40))
        #expect(census.topPeers.map(\.count) == [40, 5, 3, 1])
        #expect(census.distinctPeers == plan.count)
        #expect(census.tcpStates == ss.states)
        #expect(census.tcpStates == [.established: clients.count])
        #expect(census.queues == ss.queues)
        #expect(census.roles == [.listener: 2, .inboundTCP: clients.count])
        #expect(census.outbound.isEmpty)
        let listen = try #require(ss.rows.first { $0.state == .listen })
        #expect(census.listeners == [
            SocketListener(endpoint: .tcp(address: Self.loopback, port: server.port), accepted: clients.count,
                           acceptQueue: listen.receiveQueue),
            SocketListener(endpoint: .unix(path: server.unixSocketPath), accepted: 0),
        ])
    }

    @Test func aClientThatHungUpLeavesCloseWaitAndOneWaitsToBeAcceptedAsSSSees() throws {
        let (listener, port) = try Loopback.listen()
        defer { close(listener) }
        let client = try Loopback.connect(port: port, from: "127.0.0.16")
        let accepted = accept(listener, nil, nil)
        try #require(accepted >= 0)
        defer { close(accepted) }
        // The peer sends 100 bytes nobody reads and hangs up; this process keeps its end open.
        let payload = [UInt8](repeating: 0x61, count: 100)
        #expect(send(client, payload, payload.count, Int32(MSG_NOSIGNAL)) == payload.count)
        close(client)
        // A second client the test never accepts waits in the listener's accept queue.
        let waiting = try Loopback.connect(port: port, from: "127.0.0.17")
        defer { close(waiting) }

        let endpoint = SocketEndpoint.tcp(address: Self.loopback, port: port)
        let result = try Self.agreeing(pid: getpid(), sampler: ProcSampler(socketTables: .everySample), timeout: 30) { census, ss in
            let mine = ss.connections.filter { $0.local.tcpPort == port }
            return mine.count == 1 && mine[0].state == .closeWait && mine[0].receiveQueue >= payload.count
                && census.count(.closeWait) == ss.states[.closeWait] && census.queues == ss.queues
                && ss.rows.contains { $0.state == .listen && $0.local == endpoint && $0.receiveQueue == 1 }
        }
        let (census, ss) = try #require(result, "no quiet moment in which the census and ss agreed")
        #expect(census.count(.closeWait) >= 1)
        #expect(census.count(.closeWait) == ss.states[.closeWait])
        #expect(census.queues.receiveBytes == ss.queues.receiveBytes)
        #expect(census.queues.receiveBytes >= payload.count)
        #expect(census.listeners.first { $0.endpoint == endpoint }
            == SocketListener(endpoint: endpoint, accepted: 1, acceptQueue: 1))
    }

    @Test func aReplicaHasOneOutboundConnectionToItsMaster() throws {
        let (master, replica) = try RedisServer.startReplicated()
        defer { master.stop(); replica.stop() }

        let sampler = ProcSampler(socketTables: .everySample)
        let toMaster = SocketEndpoint.tcp(address: Self.loopback, port: master.port)
        let result = try Self.agreeing(pid: replica.pid, sampler: sampler) { census, ss in
            census.count(.established) == 1 && ss.states == [.established: 1]
        }
        let (census, ss) = try #require(result, "the replica never connected to its master")
        #expect(census.outbound == [EndpointCount(endpoint: toMaster, count: 1)])
        #expect(census.outbound == ss.outboundGroups)
        #expect(census.outboundEndpoints == 1)
        #expect(census.roles == [.listener: 2, .outboundTCP: 1])
        #expect(census.topPeers.isEmpty)
        #expect(census.tcpStates == ss.states)

        // The master holds the other end: one inbound client, from the replica's bind address.
        let masterView = try Self.agreeing(pid: master.pid, sampler: sampler) { census, ss in
            census.inboundTCPClients == 1 && ss.inbound.count == 1
        }
        let (masterCensus, masterSS) = try #require(masterView, "the master never showed its replica")
        #expect(masterCensus.topPeers == [PeerCount(address: Self.loopback, count: 1)])
        #expect(masterCensus.topPeers == masterSS.peers)
        #expect(masterCensus.outbound.isEmpty)
    }
}
