import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// During exhaustion new connections are refused, so INFO/CONFIG fail exactly when maxclients matters.
@Suite("Last-known Redis settings across an outage")
struct LastKnownTests {
    /// The ERANGE incident (maxclients 1000, RLIMIT 20,000) with Redis unreachable from `outageMs` on.
    static func run(outageMs: Int64, through endMs: Int64, restartAtMs: Int64 = .max) -> [Int64: Assessment] {
        let scenario = LeakScenario()
        var analyzer = Analyzer()
        var out: [Int64: Assessment] = [:]
        var previous: Int64?
        for ms in stride(from: Int64(0), through: endMs, by: 1000) {
            var snapshot = scenario.snapshot(at: ms, previousMs: previous)
            if ms >= outageMs { snapshot.redis = .failed("Connection reset by peer") }
            if ms >= restartAtMs {
                snapshot = Build.snapshot(at: ms, startTicks: 9_999, redis: .failed("Connection refused"),
                                          process: .ok(Build.process(Build.census(), startTicks: 9_999)),
                                          log: .ok(Build.log(aofFailures: 0)))
            }
            out[ms] = analyzer.ingest(snapshot)
            previous = ms
        }
        return out
    }

    @Test("Redis unreachable mid-leak: binding stays event-loop, ETA continues, values marked last-known")
    func outageMidLeak() throws {
        let series = Self.run(outageMs: 26_000, through: 60_000)
        let before = try #require(series[25_000])
        #expect(before.limit.maxclientsSource == .config)
        #expect(before.aof.configSource == .config)

        let during = try #require(series[30_000])
        #expect(during.sources.redis.status == "failed")
        #expect(during.limit.maxclients == 1000)
        #expect(during.limit.maxclientsSource == .lastKnown)
        #expect(during.limit.setsize == 1128)
        #expect(during.limit.binding == .eventLoop)
        #expect(during.limit.effective == 1128)
        #expect(during.eta.status == .rising)
        let eta = try #require(during.eta.seconds)
        let truth = Double(LeakScenario().exhaustionMs - 30_000) / 1000
        #expect(abs(eta - truth) <= 0.15 * truth + 0.2, "eta \(eta) vs \(truth)")
        #expect(during.aof.thresholdPercent == 100)
        #expect(during.aof.minSize == 1024)
        #expect(during.aof.configSource == .lastKnown)
        #expect(during.aof.state == .unknown)  // sizes need a live INFO
        #expect(during.version == "3.2.8")
        #expect(during.findings.first?.code == .redis2857)

        let plateau = try #require(series[60_000])
        #expect(plateau.eta.status == .exhausted)
        #expect(plateau.limit.binding == .eventLoop)
        #expect(plateau.limit.maxclientsSource == .lastKnown)
        #expect(plateau.findings.contains { $0.headline.hasPrefix("fd limit reached: next fd 1129 ≥ event-loop setsize 1128") })
    }

    @Test("A restart clears them: back to RLIMIT alone until Redis answers")
    func restartClears() throws {
        let series = Self.run(outageMs: 26_000, through: 40_000, restartAtMs: 35_000)
        #expect(series[34_000]?.limit.maxclientsSource == .lastKnown)
        let restarted = try #require(series[35_000])
        #expect(restarted.limit.maxclients == nil)
        #expect(restarted.limit.maxclientsSource == nil)
        #expect(restarted.limit.binding == .rlimit)
        #expect(restarted.limit.effective == 20_000)
        #expect(restarted.aof.thresholdPercent == nil)
        #expect(restarted.aof.configSource == nil)
        #expect(restarted.version == nil)
    }

    @Test("CONFIG renamed later: INFO maxclients is current; without it the CONFIG value stands in")
    func configFailsLater() throws {
        var analyzer = Analyzer()
        let census = Build.census()
        func snapshot(_ ms: Int64, _ redis: RedisSample) -> Snapshot {
            Build.snapshot(at: ms, redis: .ok(redis), process: .ok(Build.process(census)))
        }
        _ = analyzer.ingest(snapshot(0, Build.redis(maxclients: 500)))
        // CONFIG now fails and INFO has maxclients (≥ 5.0): INFO is current.
        let info = analyzer.ingest(snapshot(1000, Build.redis(maxclients: 500, config: false)))
        #expect(info.limit.maxclientsSource == .info)
        #expect(info.aof.configSource == .lastKnown)
        #expect(info.aof.thresholdPercent == 100)
        // An INFO without maxclients (3.x): the last reading, from INFO, stands in.
        var old = Build.redis(maxclients: 500, config: false)
        old.maxclients = nil
        let stale = analyzer.ingest(snapshot(2000, old))
        #expect(stale.limit.maxclients == 500)
        #expect(stale.limit.maxclientsSource == .lastKnown)
        #expect(analyzer.history.lastKnown.maxclientsSource == .info)
    }

    @Test("Nothing ever read: no last-known values")
    func neverRead() {
        var history = AnalysisHistory()
        history.append(Build.snapshot(at: 0, redis: .failed("Connection refused"), process: .ok(Build.process(Build.census()))))
        #expect(history.lastKnown == LastKnownRedis())
        let a = assess(Build.snapshot(at: 0, redis: .failed("Connection refused"),
                                      process: .ok(Build.process(Build.census()))), history: history)
        #expect(a.limit.maxclientsSource == nil)
        #expect(a.limit.binding == .rlimit)
    }
}
