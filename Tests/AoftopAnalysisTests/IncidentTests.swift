import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

@Suite("The incident's numbers")
struct IncidentTests {
    @Test("ERANGE regime: event loop binds, rising within 3 s, ETA within 15 % at +5 s and +10 s",
          arguments: [Int64(1000), 500, 250])
    func erangeRegime(stepMs: Int64) throws {
        let scenario = LeakScenario()
        let series = scenario.run(stepMs: stepMs, through: 60_000)
        let truth = scenario.exhaustionMs
        #expect(abs(Double(truth - scenario.onsetMs) / 1000 - 17.7) < 0.2)

        let first = try #require(series.first?.assessment)
        #expect(first.limit.binding == .eventLoop)
        #expect(first.limit.setsize == 1128)
        #expect(first.limit.effective == 1128)
        #expect(first.limit.rlimitSoft == 20_000)
        #expect(first.fds.total == 67)

        let beforeOnset = series.filter { $0.ms < scenario.onsetMs }
        #expect(beforeOnset.allSatisfy { $0.assessment.eta.status != .rising })
        #expect(beforeOnset.allSatisfy { !$0.assessment.leak.suspected })

        let firstRising = try #require(series.first { $0.assessment.eta.status == .rising })
        #expect(firstRising.ms - scenario.onsetMs <= 3_000)

        for offset: Int64 in [5_000, 10_000] {
            let sample = try #require(series.first { $0.ms >= scenario.onsetMs + offset })
            #expect(sample.assessment.eta.status == .rising)
            let remaining = Double(truth - sample.ms) / 1000
            let eta = try #require(sample.assessment.eta.seconds)
            #expect(abs(eta - remaining) <= 0.15 * remaining, "eta \(eta) s vs truth \(remaining) s at +\(offset) ms")
            #expect(abs((sample.assessment.eta.slopePerS ?? 0) - 59.8) < 6)
            #expect(sample.assessment.severity == .critical)
            #expect(sample.assessment.leak.suspected)
        }

        let plateau = try #require(series.last?.assessment)
        #expect(plateau.fds.total == 1129)
        #expect(plateau.eta.status == .exhausted)
        #expect(plateau.fds.total! < plateau.limit.rlimitSoft!)
        #expect(plateau.limit.spare == 0)
        #expect(plateau.leak.suspected)
        #expect(abs((plateau.leak.fdsPerFailure ?? 0) - 6) < 0.5 || plateau.leak.fdsPerFailure ?? 0 < 6)
        #expect(plateau.findings.first?.code == .redis2857)
        #expect(plateau.diagnosis.contains("redis#2857"))
        #expect(plateau.diagnosis.contains("auto-aof-rewrite-percentage 0"))
        #expect(plateau.findings.contains { $0.code == .fdExhausted })
        #expect(plateau.severity == .critical)
        #expect(plateau.exitCode == 2)
    }

    @Test("Exhausted as soon as the lowest free fd reaches setsize, not at the count")
    func exhaustedByFdNumber() {
        // 1100 fds open but with holes filled up to 1128: the next fd number is 1128, which the event loop refuses.
        let census = FdCensus(total: 1128, sockets: 52, listeningSockets: 2, pipes: 1062, selfHeldPipePairs: 531,
                              regularFiles: 10, other: 4, highestFd: 1127, lowestFreeFd: 1128)
        let snapshot = Build.snapshot(at: 0, redis: .ok(Build.redis()), process: .ok(Build.process(census)))
        let assessment = assess(snapshot, history: AnalysisHistory())
        #expect(assessment.eta.status == .exhausted)
        #expect(assessment.eta.seconds == 0)

        var early = census
        early.lowestFreeFd = 1120
        early.total = 1120
        let near = assess(Build.snapshot(at: 0, redis: .ok(Build.redis()), process: .ok(Build.process(early))),
                          history: AnalysisHistory())
        #expect(near.eta.status == .warmingUp)
        #expect(near.limit.spare == 8)
        #expect(near.findings.contains { $0.code == .fewSpareFds && $0.headline.hasPrefix("8 spare fds") })
        #expect(near.severity >= .warning)
    }

    @Test("The blog case from one snapshot: exhausted, leak suspected, redis#2857 on 3.2.8")
    func blogCase() throws {
        let census = FdCensus(total: 10_322, sockets: 499, listeningSockets: 2, pipes: 9_823, selfHeldPipePairs: 4_911,
                              anonInodes: ["eventpoll": 1], regularFiles: 0, other: -1, highestFd: 10_321,
                              lowestFreeFd: 10_322)
        let snapshot = Build.snapshot(at: 0, redis: .ok(Build.redis(maxclients: 10_000)),
                                      process: .ok(Build.process(census, soft: 65_535)),
                                      log: .ok(Build.log(aofFailures: 1_644)))
        let assessment = assess(snapshot, history: AnalysisHistory())
        #expect(assessment.limit.setsize == 10_128)
        #expect(assessment.limit.binding == .eventLoop)
        #expect(assessment.eta.status == .exhausted)
        #expect(assessment.leak.suspected)
        let perFailure = try #require(assessment.leak.fdsPerFailure)
        #expect(abs(perFailure - 6) < 0.1)
        #expect(assessment.fds.clientSocket == 497)
        #expect(assessment.findings.first?.code == .redis2857)
        #expect(assessment.severity == .critical)
        #expect(assessment.checkLine.hasPrefix("CRITICAL - fd limit reached: next fd 10322 ≥ event-loop setsize 10128"))
        #expect(assessment.checkLine.contains("| fds=10322;;10128 pipes=9823 sockets=499"))
    }

    @Test("Same leak on 3.2.9+ (Redis 7 shim, 2 fds per failure) is a pipe leak, not redis#2857")
    func modernShimLeak() throws {
        var scenario = LeakScenario()
        scenario.version = "7.0.15"
        scenario.fdsPerFailure = 2
        let series = scenario.run(through: 40_000)
        let sample = try #require(series.first { $0.ms >= scenario.onsetMs + 10_000 }?.assessment)
        #expect(sample.eta.status == .rising)
        #expect(sample.leak.suspected)
        #expect(abs((sample.leak.fdsPerFailure ?? 0) - 2) < 0.3)
        #expect(sample.findings.first?.code == .pipeLeak)
        #expect(!sample.findings.contains { $0.code == .redis2857 })
    }
}
