import AoftopAnalysis
import AoftopModel
import AoftopPipeline
import AoftopTestSupport
import Foundation
import Testing

/// After any jump, what the replay source emits must bring the dashboard's Analyzer to the assessment it had at
/// that point during recording.
@Suite struct ReplayHistoryTests {
    /// One snapshot a second: healthy 100 s, then a 20-fd/s pipe leak with fork failures in the log.
    static func incident(count: Int = 400, onset: Int = 100) -> [Snapshot] {
        (0..<count).map { i in
            let leaking = i >= onset
            let pipes = 2 + (leaking ? 20 * (i - onset + 1) : 0)
            let total = 65 + pipes
            let census = FdCensus(total: total, sockets: 52, listeningSockets: 2, pipes: pipes, selfHeldPipePairs: pipes / 2,
                                  anonInodes: ["eventpoll": 1], regularFiles: 9, other: 3, highestFd: total - 1, lowestFreeFd: total)
            let t = Timestamp(millisecondsSince1970: 1_700_000_000_000 + Int64(i) * 1000)
            let failures = leaking ? 10 * (i - onset + 1) : 0
            let events = leaking ? [LogEvent(time: t, kind: .aofForkFailed, pid: 1838, role: "M", level: .warning,
                                             error: "Cannot allocate memory",
                                             message: "Can't rewrite append only file in background: fork: Cannot allocate memory")] : []
            return Snapshot(time: t, source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838, processStartTicks: 4242),
                            redis: .ok(RedisSample(server: "redis", version: "3.2.8", processId: 1838, connectedClients: 50,
                                                   aofEnabled: true, aofCurrentSize: leaking ? 300_000 : 100_000,
                                                   aofBaseSize: 100_000, aofLastBgrewriteStatus: "ok",
                                                   config: .ok(RedisConfig(maxclients: 10_000, autoAofRewritePercentage: 100,
                                                                           autoAofRewriteMinSize: 1024, appendonly: true)))),
                            process: .ok(ProcSample(pid: 1838, command: "redis-server", startTicks: 4242, cpuTicks: UInt64(i * 3),
                                                    clockTicksPerSecond: 100, fds: census, limits: FdLimits(soft: 65_535, hard: 65_535))),
                            log: .ok(LogSample(path: "/var/log/redis.log", fileState: .following, events: events,
                                               totals: [.aofForkFailed: failures], linesRead: 20 + failures)))
        }
    }

    /// The assessment of every snapshot, analysed in order (as during recording).
    static func inOrder(_ snapshots: [Snapshot]) -> [Assessment] {
        var analyzer = Analyzer()
        return snapshots.map { analyzer.ingest($0) }
    }

    /// Feeds what the source emits to one long-lived Analyzer, as the dashboard does.
    struct Dashboard {
        var analyzer = Analyzer()
        var last: Assessment?
        mutating func take(_ updates: [SourceUpdate]) {
            for case .snapshot(let snapshot) in updates { last = analyzer.ingest(snapshot) }
        }
    }

    @Test(arguments: [
        [SourceControl.seekTo(Timestamp(millisecondsSince1970: 1_700_000_350_000))],                   // far forward
        [.end, .seekTo(Timestamp(millisecondsSince1970: 1_700_000_160_000))],                          // back, mid-leak
        [.seek(by: 300), .seek(by: -60)],
        [.jumpToMarker(forward: true), .seek(by: 200), .jumpToMarker(forward: false)],                    // the onset, from both sides
        [.seekTo(Timestamp(millisecondsSince1970: 1_700_000_200_000)), .step(-1), .step(-1), .step(5)],
        [.end, .home],
    ])
    func theAnalyzerAfterAJumpMatchesTheInOrderAnalyzer(controls: [SourceControl]) throws {
        let snapshots = Self.incident()
        let expected = Self.inOrder(snapshots)
        let source = ReplaySource(frames: SnapshotFrames(snapshots), probe: AnalyzerProbeForTests.factory)
        #expect(source.waitUntilIndexed(timeout: 30))
        var dashboard = Dashboard()
        dashboard.take(source.poll(now: 0))
        dashboard.take(source.poll(now: 5.2))          // play a few seconds first
        for control in controls {
            source.control(control, now: 5.2)
            let updates = source.poll(now: 5.2)
            dashboard.take(updates)
            let position = try #require(updates.compactMap { if case .position(let p) = $0 { p } else { nil } }.last)
            let got = try #require(dashboard.last)
            #expect(got.time == snapshots[position.index].time)
            #expect(got == expected[position.index], "after \(control) at index \(position.index)")
        }
    }

    @Test func theFixtureIsFlatBeforeTheLeakAndRisingDuringIt() throws {
        let snapshots = Self.incident()
        let expected = Self.inOrder(snapshots)
        // A sanity check on the fixture itself, so the equality above compares something meaningful.
        #expect(expected[350].eta.status == .rising)
        #expect(expected[350].leak.suspected)
        #expect(expected[50].eta.status == .flat)
    }
}

/// The aoftop binary's probe is internal to the executable; the same thing here.
enum AnalyzerProbeForTests {
    struct Probe: ReplayAnalysisProbe {
        var analyzer = Analyzer()
        mutating func isExhausted(after snapshot: Snapshot) -> Bool { analyzer.ingest(snapshot).eta.status == .exhausted }
    }
    static let factory: @Sendable () -> any ReplayAnalysisProbe = { Probe() }
}
