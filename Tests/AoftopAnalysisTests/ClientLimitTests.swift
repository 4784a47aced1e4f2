import AoftopModel
import FoundationEssentials
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// The client limit as its own state: refused at maxclients is not refused at the event loop, nor EMFILE.
@Suite("Clients against maxclients")
struct ClientLimitTests {
    /// Feeds one snapshot a second for `seconds`, with the clients, rejections and census the closures give.
    private func run(seconds: Int64 = 150, maxclients: Int = 1000, replicas: Int = 0, protectedMode: Bool? = nil,
                     clients: (Int64) -> Int, rejected: (Int64) -> Int64 = { _ in 0 },
                     census: ((Int64) -> FdCensus)? = nil, soft: Int = 20_000) -> Assessment {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...seconds {
            var redis = Build.redis(version: "7.0.15", maxclients: maxclients, clients: clients(second))
            redis.rejectedConnections = rejected(second)
            redis.connectedReplicas = replicas
            redis.blockedClients = 3
            if case .ok(var config) = redis.config {
                config.protectedMode = protectedMode
                redis.config = .ok(config)
            }
            let fds = census?(second) ?? Build.census(clients: clients(second))
            last = analyzer.ingest(Build.snapshot(at: second * 1000, redis: .ok(redis),
                                                  process: .ok(Build.process(fds, soft: soft))))
        }
        return last!
    }

    @Test("Below 80 %: ok, no finding; replicas count against maxclients")
    func ok() {
        let a = run(replicas: 2, clients: { _ in 700 })
        #expect(a.clients.state == .ok)
        #expect(a.clients.clients == 702)
        #expect(a.clients.percent == 70.2)
        #expect(a.clients.blockedClients == 3)
        #expect(a.clients.refusal == nil)
        #expect(a.clients.forecast.status == .flat)
        #expect(!a.findings.contains { [FindingCode.maxclientsNear, .maxclientsReached, .connectionsRejected].contains($0.code) })
    }

    @Test("From 80 %: near, a warning with the count")
    func near() throws {
        let a = run(clients: { _ in 850 })
        #expect(a.clients.state == .near)
        let finding = try #require(a.findings.first { $0.code == .maxclientsNear })
        #expect(finding.severity == .warning)
        #expect(finding.headline == "clients at 85 % of maxclients (850/1000 clients)")
        #expect(finding.remedy == ClientRules.remedyMaxclients)
    }

    @Test("At maxclients: reached, critical, and the fds are said to be fine")
    func reached() throws {
        let a = run(clients: { _ in 1000 })
        #expect(a.clients.state == .reached)
        #expect(a.clients.refusal == .maxclients)
        #expect(a.clients.forecast.status == .exhausted)
        #expect(a.eta.status != .exhausted)
        let finding = try #require(a.findings.first)
        #expect(finding.code == .maxclientsReached)
        #expect(finding.severity == .critical)
        #expect(finding.headline == "clients refused at maxclients 1000 (1000/1000 clients); fds fine: 1017/1128 event loop")
        #expect(a.severity == .critical)
    }

    @Test("Rejections while below maxclients: a burst hits the limit; the rate is per minute over the last one")
    func rejectedRising() throws {
        // 2 rejections every 10 s during the last minute, clients at 990 between bursts.
        let a = run(seconds: 120, clients: { _ in 990 }, rejected: { s in s < 60 ? 0 : 2 * ((s - 60) / 10) })
        #expect(a.clients.rejectedConnections == 12)
        #expect(a.clients.rejectedPerMinute == 12)
        #expect(a.clients.refusal == .maxclients)
        let finding = try #require(a.findings.first { $0.code == .connectionsRejected || $0.code == .maxclientsReached })
        #expect(finding.code == .connectionsRejected)
        #expect(finding.headline.hasPrefix("connections rejected at maxclients 1000: 12 rejected/min, 990/1000 clients now"))
    }

    @Test("Rejections far below maxclients are not the client limit (Redis 7 counts protected-mode denials too)")
    func rejectedBelowLimit() throws {
        let a = run(seconds: 120, protectedMode: true, clients: { _ in 500 }, rejected: { s in s })
        #expect(a.clients.refusal == .belowLimit)
        #expect(a.clients.state == .ok)
        let finding = try #require(a.findings.first { $0.code == .connectionsRejected })
        #expect(finding.severity == .warning)
        #expect(finding.headline == "connections rejected while the clients stayed below 90 % of maxclients 1000: 60 rejected/min, 500/1000 clients")
        #expect(finding.remedy == ClientRules.remedyBelowLimit)
        // Protected mode off (or unknown): nothing else counts there, so they are the limit's, however briefly the
        // count touched it between samples.
        let off = run(seconds: 120, protectedMode: false, clients: { _ in 500 }, rejected: { s in s })
        #expect(off.clients.refusal == .maxclients)
        #expect(off.findings.first { $0.code == .connectionsRejected }?.severity == .critical)
    }

    @Test("9,996 of 10,000 is not reached, though it rounds to 100.0 %")
    func roundingIsNotReaching() {
        let a = run(seconds: 5, maxclients: 10_000, clients: { _ in 9_996 })
        #expect(a.clients.percent == 100)
        #expect(a.clients.state == .near)
        #expect(a.clients.refusal == nil)
        #expect(!a.findings.contains { $0.code == .maxclientsReached })
    }

    @Test("Old rejections only: no finding once a minute has passed without a new one")
    func oldRejections() {
        let a = run(seconds: 150, clients: { _ in 500 }, rejected: { s in s < 30 ? s : 30 })
        #expect(a.clients.rejectedConnections == 30)
        #expect(a.clients.rejectedPerMinute == 0)
        #expect(a.clients.refusal == nil)
        #expect(a.clients.state == .ok)
    }

    @Test("A rise sustained for minutes gets a forecast against maxclients: a warning, critical only when near")
    func forecast() throws {
        let low = run(seconds: 180, clients: { s in 500 + Int(s) })
        #expect(low.clients.forecast.status == .rising)
        #expect(low.clients.forecast.slopePerS == 1)
        #expect(low.clients.forecast.seconds == 320)
        let warning = try #require(low.findings.first { $0.code == .maxclientsNear })
        #expect(warning.severity == .warning)
        #expect(warning.headline == "clients at 68 % of maxclients (680/1000 clients), maxclients in 320 s (+1 clients/s)")
        let high = run(seconds: 180, clients: { s in 700 + Int(s) })
        let critical = try #require(high.findings.first { $0.code == .maxclientsNear })
        #expect(critical.severity == .critical)
        #expect(critical.headline == "clients at 88 % of maxclients (880/1000 clients), maxclients in 120 s (+1 clients/s)")
    }

    @Test("A deploy's ramp of a minute is no forecast")
    func rampIsNoForecast() {
        let a = run(seconds: 90, clients: { s in 500 + min(60, Int(s) * 2) })
        #expect(a.clients.forecast.status == .warmingUp)
        #expect(!a.findings.contains { $0.code == .maxclientsNear })
    }

    @Test("A pool's churn, up and down by 40, gets no forecast", arguments: [UInt64(1), 2, 3])
    func churn(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let counts = (0...150).map { _ in 500 + Int.random(in: -40...40, using: &random) }
        let a = run(clients: { counts[Int($0)] })
        #expect(a.clients.forecast.status == .flat)
        #expect(!a.findings.contains { $0.code == .maxclientsNear })
    }

    @Test("Out of fds at the event loop: the refusal is the event loop's, not maxclients")
    func eventLoopRefusal() {
        let a = run(clients: { _ in 500 }, census: { _ in Build.census(clients: 500, pipes: 700) })
        #expect(a.limit.isExhausted)
        #expect(a.clients.refusal == .eventLoop)
        #expect(a.clients.state == .ok)
        #expect(!a.findings.contains { $0.code == .maxclientsReached || $0.code == .connectionsRejected })
    }

    @Test("Out of fds, rejections are not blamed on maxclients")
    func rejectedWhileOutOfFds() {
        let a = run(seconds: 90, clients: { _ in 990 }, rejected: { s in s },
                    census: { _ in Build.census(clients: 990, pipes: 200) })
        #expect(a.clients.refusal == .eventLoop)
        #expect(!a.findings.contains { $0.code == .connectionsRejected || $0.code == .maxclientsReached })
        #expect(a.findings.contains { $0.code == .fdExhausted })
    }

    @Test("Out of fds at RLIMIT_NOFILE: EMFILE")
    func emfileRefusal() {
        let a = run(clients: { _ in 500 }, census: { _ in Build.census(clients: 500, pipes: 490) }, soft: 1010)
        #expect(a.limit.binding == .rlimit)
        #expect(a.clients.refusal == .emfile)
    }

    @Test("Redis refused aoftop itself at maxclients: reached, without INFO")
    func refusedGreeting() throws {
        let snapshot = Build.snapshot(
            at: 0, redis: .failed("127.0.0.1:6379 refused new clients: ERR max number of clients reached"),
            process: .ok(Build.process(Build.census(clients: 1000))))
        let a = assess(snapshot, history: AnalysisHistory())
        #expect(a.clients.state == .reached)
        #expect(a.clients.refusal == .maxclients)
        let finding = try #require(a.findings.first)
        #expect(finding.code == .maxclientsReached)
        #expect(finding.headline.hasPrefix("clients refused at maxclients (Redis refused aoftop's connection)"))
    }
}

@Suite("Recordings made before the client fields were modelled")
struct ClientFieldsLegacyTests {
    @Test("blocked_clients, connected_slaves and the master's address come out of other_fields")
    func lifted() throws {
        let json = """
            {"connected_clients": 7, "other_fields": {"blocked_clients": "2", "connected_slaves": "1",
             "master_host": "10.0.0.5", "master_port": "6379", "mem_fragmentation_ratio": "1.2"},
             "config": {"status": "failed", "reason": "CONFIG unavailable"}}
            """
        let sample = try AoftopJSON.decoder().decode(RedisSample.self, from: Data(json.utf8))
        #expect(sample.connectedClients == 7)
        #expect(sample.blockedClients == 2)
        #expect(sample.connectedReplicas == 1)
        #expect(sample.masterHost == "10.0.0.5")
        #expect(sample.masterPort == 6379)
        #expect(sample.otherFields == ["mem_fragmentation_ratio": "1.2"])
        // Written back, the fields are typed: a round trip keeps them.
        let again = try AoftopJSON.decoder().decode(RedisSample.self, from: AoftopJSON.encoder().encode(sample))
        #expect(again == sample)
    }
}
