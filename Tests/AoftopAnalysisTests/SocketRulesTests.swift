import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// The findings that name who holds the sockets: a client connection leak and its peer, dead peers.
@Suite("Sockets: client leak and dead peers")
struct SocketRulesTests {
    private static let leaker = IPAddress("10.0.0.7")!

    /// A census with `inbound` clients, of which the given peers, and `closeWait` of them in CLOSE_WAIT.
    private static func census(inbound: Int, peers: [(String, Int)], closeWait: Int = 0) -> SocketCensus {
        let listed = peers.map { PeerCount(address: IPAddress($0.0)!, count: $0.1) }.sorted { $0.count > $1.count }
        return SocketCensus(roles: [.listener: 2, .inboundTCP: inbound],
                            tcpStates: [.established: inbound - closeWait, .closeWait: closeWait].filter { $0.value > 0 },
                            topPeers: listed, distinctPeers: listed.count)
    }

    /// One snapshot a second for `seconds`, with the census `census(t)`; CONFIG has `timeout`/`tcp-keepalive`.
    private func run(seconds: Int64, timeout: Int = 0, clientList: ClientListSummary? = nil,
                     census: (Int64) -> SocketCensus) -> Assessment {
        var analyzer = Analyzer()
        var last: Assessment?
        for t in 0...seconds {
            let sockets = census(t)
            var redis = Build.redis(version: "7.0.15", maxclients: 10_000, clients: sockets.inboundTCPClients)
            if case .ok(var config) = redis.config {
                config.timeout = timeout
                config.tcpKeepalive = 300
                redis.config = .ok(config)
            }
            if let clientList { redis.clientList = .ok(clientList) }
            var process = Build.process(Build.census(clients: sockets.inboundTCPClients))
            process.sockets = sockets
            last = analyzer.ingest(Build.snapshot(at: t * 1000, redis: .ok(redis), process: .ok(process)))
        }
        return last!
    }

    @Test("A leak from one peer: named, with its share of the rise and of the clients")
    func leakFromOnePeer() throws {
        let a = run(seconds: 120) { t in Self.census(inbound: 100 + Int(t), peers: [("10.0.0.7", 20 + Int(t)), ("10.0.0.8", 50), ("10.0.0.9", 30)]) }
        let finding = try #require(a.findings.first { $0.code == .clientLeak })
        #expect(finding.severity == .warning)
        #expect(finding.headline == "client connections rising: +120 in 120 s (+60/min), 100 % of it from 10.0.0.7 (140 connections, 64 % of clients)")
        #expect(finding.remedy?.hasPrefix("fix the connection handling of the client on 10.0.0.7") == true)
        #expect(finding.remedy?.hasSuffix("timeout 0 (never), tcp-keepalive 300 s: a `timeout` closes idle ones meanwhile") == true)
        #expect(a.sockets?.topPeers.first?.address == Self.leaker)
    }

    @Test("A rise spread over many peers names none")
    func spreadRise() throws {
        let a = run(seconds: 120) { t in
            Self.census(inbound: 100 + 4 * Int(t), peers: (1...4).map { ("10.0.1.\($0)", 25 + Int(t)) })
        }
        let finding = try #require(a.findings.first { $0.code == .clientLeak })
        #expect(finding.headline.hasSuffix(", spread over 4 peers"), "\(finding.headline)")
        #expect(finding.remedy?.hasPrefix("fix the client's connection handling") == true)
    }

    @Test("Under a minute, or a pool that breathes, is no leak", arguments: [UInt64(1), 2, 3])
    func noLeak(seed: UInt64) {
        #expect(!run(seconds: 50) { t in Self.census(inbound: 100 + Int(t), peers: [("10.0.0.7", 100 + Int(t))]) }
            .findings.contains { $0.code == .clientLeak })
        var random = SplitMix64(seed: seed)
        let counts = (0...300).map { _ in 200 + Int.random(in: -30...30, using: &random) }
        #expect(!run(seconds: 300) { t in Self.census(inbound: counts[Int(t)], peers: [("10.0.0.7", counts[Int(t)])]) }
            .findings.contains { $0.code == .clientLeak })
    }

    @Test("Connections in CLOSE_WAIT: dead peers Redis does not serve")
    func closeWait() throws {
        let a = run(seconds: 5) { _ in Self.census(inbound: 200, peers: [("10.0.0.7", 200)], closeWait: 30) }
        let finding = try #require(a.findings.first { $0.code == .deadPeers })
        #expect(finding.headline == "30 connections in CLOSE_WAIT: the peers hung up and Redis has not closed them")
        #expect(finding.remedy == "Redis is not reading them: its event loop is stuck (a slow command, a fork, a full disk); timeout 0 (never), tcp-keepalive 300 s")
        #expect(!run(seconds: 5) { _ in Self.census(inbound: 200, peers: [("10.0.0.7", 200)], closeWait: 9) }
            .findings.contains { $0.code == .deadPeers })
    }

    @Test("Clients idle for hours with timeout 0; none with a timeout under an hour")
    func idleClients() throws {
        let list = ClientListSummary(clients: 100, idle: IdleBuckets(underOneMinute: 40, underOneHour: 10, overOneHour: 50,
                                                                     longestSeconds: 3 * 86400))
        let a = run(seconds: 3, clientList: list) { _ in Self.census(inbound: 100, peers: [("10.0.0.7", 100)]) }
        let finding = try #require(a.findings.first { $0.code == .deadPeers })
        #expect(finding.headline == "50 of 100 clients idle over 1 h (longest 3 days)")
        #expect(finding.remedy?.hasPrefix("timeout 0 (never), tcp-keepalive 300 s: `CONFIG SET timeout 3600`") == true)
        #expect(!run(seconds: 3, timeout: 600, clientList: list) { _ in Self.census(inbound: 100, peers: [("10.0.0.7", 100)]) }
            .findings.contains { $0.code == .deadPeers })
    }
}
