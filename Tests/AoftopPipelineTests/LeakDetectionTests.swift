import AoftopAnalysis
import AoftopModel
import AoftopPipeline
import AoftopTestSupport
import Foundation
import Testing

/// Issue 3 end to end: a real Redis 7 leaking pipes through the fault-injection shim, sampled by the real
/// pipeline and assessed by the real analysis, against the client's-eye truth of a refused reconnect burst.
@Suite(.serialized) struct LeakDetectionTests {
    static let intervalMs: Int64 = 250

    /// One sample of the run: what the pipeline saw and what the analysis concluded.
    struct Point {
        var time: Int64
        var total: Int?
        var lowestFree: Int?
        var assessment: Assessment
    }

    @Test func pipeLeakIsFlaggedWithinThreeSecondsAndTheEtaMatchesTheFirstRefusedBurst() throws {
        var options = RedisServerOptions()
        // setsize 328; ~30 fds at rest and ~20 fds/s leaked: the first refused burst ~15 s after onset.
        options.maxclients = 200
        options.openFilesLimit = 4096 // above setsize + margin: the event loop binds (ERANGE regime)
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }

        let collector = SnapshotCollector(target: CollectionTarget(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
        var analyzer = Analyzer()
        var points: [Point] = []
        var forkFailureTimes: [Int64] = []
        func sample() {
            let snapshot = collector.snapshot()
            let census = snapshot.process.value?.fds
            points.append(Point(time: snapshot.time.millisecondsSince1970, total: census?.total,
                                lowestFree: census?.lowestFreeFd, assessment: analyzer.ingest(snapshot)))
            for event in snapshot.log.value?.events ?? [] where event.kind == .aofForkFailed {
                forkFailureTimes.append((event.time ?? snapshot.time).millisecondsSince1970)
            }
        }
        // A monitor runs before the incident: 3 s of quiet history.
        var next = BurstProbe.nowMs()
        func sampleOnSchedule() {
            sample()
            next += Self.intervalMs
            let wait = next - BurstProbe.nowMs()
            if wait > 0 { usleep(useconds_t(wait * 1000)) } else { next = BurstProbe.nowMs() }
        }
        for _ in 0..<12 { sampleOnSchedule() }
        #expect(!points.contains { $0.assessment.leak.suspected }, "leak suspected before any fork failed")

        let prober = ProbeLoop(probe: BurstProbe(port: server.port))
        prober.start()
        defer { prober.stop() }
        try #require(RedisServer.waitUntil(timeout: 10) { prober.snapshot.lastSuccessMs != nil || prober.snapshot.firstFailure != nil })
        try #require(prober.snapshot.firstFailure == nil, "a burst failed before the leak started")

        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        let deadline = BurstProbe.nowMs() + 90_000
        while prober.snapshot.firstFailure == nil && BurstProbe.nowMs() < deadline { sampleOnSchedule() }
        sample()
        prober.stop()

        let refused = try #require(prober.snapshot.firstFailure,
                                   "no reconnect burst was refused within 90 s (fds \(points.last?.total ?? -1), setsize 328)")
        let onset = try #require(forkFailureTimes.min(), "no `Can't rewrite append only file` line was seen")
        let during = points.filter { $0.time >= onset }
        let flagged = try #require(during.first { $0.assessment.leak.suspected }, "the leak was never suspected")
        let truthS = Double(refused.startMs - onset) / 1000
        let summary = LeakRunSummary(onset: onset, refusedMs: refused.startMs, answered: refused.answered,
                                     flagged: flagged, points: points, rlimit: 4096)
        print(summary.report)

        #expect(Double(flagged.time - onset) / 1000 <= 3.0, "leak flagged \(Double(flagged.time - onset) / 1000) s after the first failed fork")
        #expect(during.allSatisfy { $0.assessment.limit.binding == .eventLoop })
        #expect(during.last?.assessment.limit.setsize == 328)
        try #require(truthS > 6, "refused \(truthS) s after onset: too early to judge the ETA at +5 s")
        let at5 = try #require(summary.etaCheck(afterS: 5))
        #expect(at5.point.assessment.eta.status == .rising, "ETA at +5 s: \(at5.point.assessment.eta)")
        let eta = try #require(at5.point.assessment.eta.seconds)
        #expect(abs(eta - at5.truthS) <= 0.15 * at5.truthS,
                "ETA \(eta) s at +\(at5.offsetS) s, truth \(at5.truthS) s (\(at5.errorPercent.map { "\($0)" } ?? "?") %)")
        // After the incident: the assessment says so.
        #expect(points.last.map { $0.assessment.severity == .critical } ?? false)
    }

    @Test func normalLoadWithReconnectsAndGoodRewritesRaisesNoAlarm() throws {
        var options = RedisServerOptions()
        options.maxclients = 200
        options.openFilesLimit = 4096
        let server = try RedisServer.start(options)
        defer { server.stop() }
        // A rewrite every few seconds: the AOF doubles quickly under the writer, and each good rewrite opens and
        // closes its pipes and child-info pipe, and creates and removes incr files.
        try server.cli(["CONFIG", "SET", "auto-aof-rewrite-min-size", "262144"])
        try server.cli(["CONFIG", "SET", "auto-aof-rewrite-percentage", "100"])
        let rewritesBefore = try Self.aofRewrites(server)

        let load = NormalLoad(port: server.port)
        load.start()
        defer { load.stop() }

        let collector = SnapshotCollector(target: CollectionTarget(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
        var analyzer = Analyzer()
        var alarms: [String] = []
        var totals: [Int] = []
        let start = BurstProbe.nowMs()
        var next = start
        while BurstProbe.nowMs() - start < 50_000 {
            let snapshot = collector.snapshot()
            let assessment = analyzer.ingest(snapshot)
            if let total = snapshot.process.value?.fds.total { totals.append(total) }
            let offset = Double(snapshot.time.millisecondsSince1970 - start) / 1000
            if assessment.leak.suspected { alarms.append("+\(offset) s leak suspected: \(assessment.leak.signature ?? "")") }
            if assessment.eta.status == .rising || assessment.eta.status == .exhausted {
                alarms.append("+\(offset) s eta \(assessment.eta.status.rawValue): \(assessment.eta)")
            }
            if assessment.severity == .critical { alarms.append("+\(offset) s critical: \(assessment.diagnosis)") }
            next += Self.intervalMs
            let wait = next - BurstProbe.nowMs()
            if wait > 0 { usleep(useconds_t(wait * 1000)) } else { next = BurstProbe.nowMs() }
        }
        load.stop()
        let rewrites = try Self.aofRewrites(server) - rewritesBefore
        let stats = load.statistics
        print("NORMAL-LOAD: \(rewrites) good rewrites, \(stats.connections) connections opened, \(stats.writes) writes, "
              + "fds \(totals.min() ?? -1)…\(totals.max() ?? -1), \(alarms.count) alarms")
        #expect(rewrites >= 3, "the load must include several successful rewrites")
        #expect(stats.connections >= 100, "the load must include connection churn")
        #expect((totals.max() ?? 0) - (totals.min() ?? 0) >= 15, "client sockets must vary")
        #expect(try server.cli(["INFO", "persistence"]).contains("aof_last_bgrewrite_status:ok"))
        #expect(alarms.isEmpty, "\(alarms.prefix(5).joined(separator: "\n"))")
    }

    static func aofRewrites(_ server: RedisServer) throws -> Int {
        let info = try server.cli(["INFO", "persistence"])
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("aof_rewrites:") }
        return Int(line?.dropFirst("aof_rewrites:".count).trimmingCharacters(in: .whitespaces) ?? "") ?? -1
    }
}
