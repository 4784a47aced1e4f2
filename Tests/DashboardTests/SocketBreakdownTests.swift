import AoftopAnalysis
import AoftopModel
import AoftopTestSupport
import Testing
@testable import Dashboard

@Suite("Pane 1's socket breakdown")
struct SocketBreakdownTests {
    private static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test("A replica's master and a cluster node's bus links are named; other outbound links are not")
    func outboundRoles() throws {
        let census = SocketCensus(
            roles: [.listener: 2, .inboundTCP: 3, .outboundTCP: 4],
            listeners: [SocketListener(endpoint: .tcp(address: Self.ip("0.0.0.0"), port: 7000), accepted: 3),
                        SocketListener(endpoint: .tcp(address: Self.ip("0.0.0.0"), port: 17000), accepted: 0)],
            outbound: [EndpointCount(endpoint: .tcp(address: Self.ip("10.0.0.2"), port: 17000), count: 2),
                       EndpointCount(endpoint: .tcp(address: Self.ip("10.0.0.5"), port: 7000), count: 1),
                       EndpointCount(endpoint: .tcp(address: Self.ip("10.0.0.9"), port: 9100), count: 1)],
            outboundEndpoints: 4)
        var process = Build.process(Build.census(listeners: 2, clients: 7))
        process.sockets = census
        var redis = Build.redis(version: "7.0.15", clients: 3)
        redis.masterHost = "10.0.0.5"
        redis.masterPort = 7000
        let assessment = assess(Build.snapshot(at: 0, redis: .ok(redis), process: .ok(process)), history: AnalysisHistory())
        #expect(assessment.master == ReplicationMaster(host: "10.0.0.5", port: 7000))
        #expect(assessment.master?.description == "10.0.0.5:7000")
        let out = try #require(SocketBreakdown.rows(assessment).first { $0.label == "out" })
        #expect(out.text == "bus 10.0.0.2:17000 2 · master 10.0.0.5:7000 1 · 10.0.0.9:9100 1 · +1 more")
        #expect(SocketBreakdown.rows(assessment).map(\.label) == ["clients", "roles", "out"])
    }

    @Test("Without INFO the client row says why instead of vanishing")
    func clientsWithoutInfo() {
        let refused = ClientLimitAssessment(maxclients: 1000, state: .reached, refusal: .maxclients)
        #expect(SocketBreakdown.clients(refused)
                == .init(label: "clients", text: "refused at maxclients 1,000: Redis refused aoftop too, no count", role: .critical))
        let unknown = ClientLimitAssessment(maxclients: 1000)
        #expect(SocketBreakdown.clients(unknown) == .init(label: "clients", text: "?/1,000 maxclients (no INFO)", role: .dim))
        #expect(SocketBreakdown.clients(ClientLimitAssessment()) == nil, "nothing known: no row")
    }
}
