import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

@Suite("Regimes, churn, restarts and the ratchet")
struct RegimeTests {
    @Test("EMFILE regime: RLIMIT binds, plateau at RLIMIT − 5, CPU spinning, log silent")
    func emfileRegime() throws {
        var scenario = LeakScenario()
        scenario.rlimit = 1032
        var analyzer = Analyzer()
        var last: Assessment?
        var previous: Int64?
        var exhaustedSince: Int64?
        for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
            var snapshot = scenario.snapshot(at: ms, previousMs: previous)
            if var process = snapshot.process.value, process.fds.total >= scenario.plateau {
                // Out of fds: accept() fails in a loop (100 % CPU) and the log can no longer be opened.
                exhaustedSince = exhaustedSince ?? ms
                process.cpuTicks = UInt64(exhaustedSince! / 100) + UInt64((ms - exhaustedSince!) / 10)
                snapshot.process = .ok(process)
                snapshot.log = .ok(Build.log(aofFailures: scenario.failures(at: exhaustedSince!)))
            }
            last = analyzer.ingest(snapshot)
            previous = ms
        }
        let a = try #require(last)
        #expect(a.limit.binding == .rlimit)
        #expect(a.limit.effective == 1032)
        #expect(a.limit.setsize == 1128)
        #expect(a.fds.total == 1027)
        #expect(a.eta.status == .exhausted)
        #expect((a.process.cpuPercent ?? 0) >= 99)
        #expect((a.process.logSilentSeconds ?? 0) >= 10)
        let emfile = try #require(a.findings.first { $0.code == .emfileRegime })
        #expect(emfile.headline.contains("RLIMIT_NOFILE 1032"))
        #expect(emfile.headline.contains("CPU 100 %"))
        #expect(emfile.headline.contains("log silent"))
        #expect(emfile.headline.contains("new clients hang"))
        #expect(a.severity == .critical)
        #expect(a.findings.first?.code == .redis2857)
    }

    @Test("Churn never produces an ETA or a leak", arguments: [(Int64(1000), UInt64(1)), (500, 2), (2000, 3), (1000, 42)])
    func churn(stepMs: Int64, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var analyzer = Analyzer()
        var statuses: Set<ExhaustionEstimate.Status> = []
        var rewrites: Int64 = 0
        for ms in stride(from: Int64(0), through: 600_000, by: Int(stepMs)) {
            let clients = 50 + Int.random(in: -20...20, using: &random)
            // A good rewrite holds 6 extra pipe fds (self-held) for about a second every 30 s.
            let rewriting = ms % 30_000 < 1_000 && ms >= 30_000
            if rewriting, ms % 30_000 == 0 { rewrites += 1 }
            let census = Build.census(clients: clients, pipes: rewriting ? 8 : 2)
            let snapshot = Build.snapshot(
                at: ms,
                redis: .ok(Build.redis(version: "7.0.15", clients: clients, current: 2_000_000, base: 1_500_000,
                                       inProgress: rewriting, aofRewrites: rewrites, totalForks: rewrites)),
                process: .ok(Build.process(census, cpuTicks: UInt64(ms / 200))),
                log: .ok(Build.log(aofFailures: 0)))
            let a = analyzer.ingest(snapshot)
            statuses.insert(a.eta.status)
            #expect(a.eta.status != .rising, "rising at \(ms) ms: \(a.eta)")
            #expect(!a.leak.suspected, "leak at \(ms) ms")
            #expect(a.findings.isEmpty, "at \(ms) ms: \(a.findings)")
            #expect(a.severity == .ok)
        }
        #expect(statuses.contains(.flat))
        #expect(statuses.contains(.warmingUp))
    }

    @Test("A leak that starts, stops (plateau, flat, leaked fds remain) and restarts")
    func startStopRestart() throws {
        var scenario = LeakScenario()
        scenario.maxclients = 10_000
        scenario.pauseStartMs = 30_300
        scenario.pauseEndMs = 120_300
        let series = scenario.run(through: 140_000)
        func at(_ ms: Int64) throws -> Assessment { try #require(series.first { $0.ms == ms }?.assessment) }

        #expect(try at(28_000).eta.status == .rising)
        let paused = try at(110_000)
        #expect(paused.eta.status == .flat)
        #expect(paused.fds.total == 67 + 6 * scenario.failures(at: 110_000))
        #expect((paused.leak.excessPipes ?? 0) >= 600)
        #expect(paused.leak.suspected)
        #expect(paused.findings.first?.code == .redis2857)
        #expect(paused.severity == .warning)
        #expect(!paused.findings.contains { $0.code == .forkFailing })

        let resumed = try at(124_000)
        #expect(resumed.eta.status == .rising)
        #expect(resumed.severity == .critical)
        #expect(resumed.findings.contains { $0.code == .forkFailing })
    }

    @Test("After exhaustion sockets fall while pipes rise: said plainly")
    func ratchet() throws {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...40 {
            // Total pinned at 1129: every client that leaves is replaced by the next tick's leaked pipes.
            let clients = 100 - 2 * second
            let pipes = 1129 - 2 - 13 - clients
            let census = Build.census(clients: clients, pipes: pipes, selfPairs: pipes / 2)
            last = analyzer.ingest(Build.snapshot(
                at: Int64(second) * 1000, redis: .ok(Build.redis(clients: clients)),
                process: .ok(Build.process(census)), log: .ok(Build.log(aofFailures: 2000 + 10 * second))))
        }
        let a = try #require(last)
        #expect(a.eta.status == .exhausted)
        #expect(a.leak.ratchet)
        #expect(a.leak.clientSocketsTrend == "falling")
        #expect(a.leak.signature?.contains("sockets fall while pipes rise") == true)
        let finding = try #require(a.findings.first { $0.code == .ratchet })
        #expect(finding.headline.hasPrefix("sockets fall while pipes rise"))
    }

    @Test("A restart (pid or start time) resets the history", arguments: [true, false])
    func restartResets(changePid: Bool) throws {
        let scenario = LeakScenario()
        var analyzer = Analyzer()
        var previous: Int64?
        for ms in stride(from: Int64(0), through: 30_000, by: 1000) {
            _ = analyzer.ingest(scenario.snapshot(at: ms, previousMs: previous))
            previous = ms
        }
        let census = Build.census()
        let pid: Int32 = changePid ? 2001 : 1838
        let ticks: UInt64 = changePid ? 4242 : 9999
        let restarted = Build.snapshot(at: 31_000, pid: pid, startTicks: ticks, redis: .ok(Build.redis()),
                                       process: .ok(Build.process(census, pid: pid, startTicks: ticks)),
                                       log: .ok(Build.log(aofFailures: 0)))
        let a = analyzer.ingest(restarted)
        #expect(a.eta.status == .warmingUp)
        #expect(a.fds.baselinePipes == 2)
        #expect(!a.leak.suspected)
        #expect(analyzer.history.points.count == 1)
        #expect(analyzer.history.resets == 1)
        #expect(a.pid == pid)
    }

    @Test("History stays bounded and thinned")
    func historyBounded() {
        var history = AnalysisHistory()
        for ms in stride(from: Int64(0), through: 3_600_000, by: 500) {
            history.append(Build.snapshot(at: ms, process: .ok(Build.process(Build.census()))))
        }
        #expect(history.points.count <= 240 + 1 + 78 + 1)
        let span = history.points.last!.time.seconds(since: history.points.first!.time)
        #expect(span <= 900 && span >= 880)
    }

    /// Sampling every 40 ms (faster than the dashboard allows; `record --interval` does not stop it) hits the cap
    /// on recent points: it stays bounded and the short ETA window keeps enough points to judge.
    @Test func fastSamplingHitsTheCapAndKeepsTheShortWindow() {
        var history = AnalysisHistory()
        for ms in stride(from: Int64(0), through: 130_000, by: 40) {
            history.append(Build.snapshot(at: ms, process: .ok(Build.process(Build.census()))))
        }
        let recent = history.window(milliseconds: AnalysisHistory.recentSpanMs)
        #expect(recent.count <= AnalysisHistory.maxRecentPoints)
        #expect(recent.count > AnalysisHistory.maxRecentPoints / 2)
        #expect(history.window(milliseconds: 5_000).count >= 3)
        #expect(history.points.last?.time == Build.time(130_000))
    }
}
