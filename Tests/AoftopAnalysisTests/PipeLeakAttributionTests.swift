import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// A self-held pipe rise is named after the events it follows, and after a known leak only on the versions that have it.
@Suite struct PipeLeakAttributionTests {
    /// One event of each kind in `every` (kind → seconds between events) for 90 s; pipes gain `fds` per event of
    /// `leaking` (nil: `pipesPerSecond` from nowhere).
    func assess(server: String = "redis", version: String, every: [LogEventKind: Int], leaking: LogEventKind?,
                fds: Int = 2, pipesPerSecond: Int = 0) -> Assessment {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...90 {
            var totals: [LogEventKind: Int] = [:]
            for (kind, period) in every { totals[kind] = second / period }
            let gained = leaking.map { fds * (totals[$0] ?? 0) } ?? pipesPerSecond * second
            let pipes = 2 + gained
            var redis = Build.redis(version: version)
            redis.server = server
            var snapshot = Build.snapshot(at: Int64(second) * 1000, version: version,
                                          redis: .ok(redis), process: .ok(Build.process(Build.census(pipes: pipes))),
                                          log: .ok(LogSample(path: "/var/log/redis/redis.log", fileState: .following,
                                                             totals: totals, linesRead: 20 + totals.values.reduce(0, +))))
            snapshot.source.server = server
            last = analyzer.ingest(snapshot)
        }
        return last!
    }

    @Test func theAofLeakOf328IsRedis2857() throws {
        let a = assess(version: "3.2.8", every: [.aofForkFailed: 1], leaking: .aofForkFailed, fds: 6)
        let attribution = try #require(a.leak.attribution)
        #expect(attribution.verdict == .knownLeak)
        #expect(attribution.leak == .redis2857)
        #expect(attribution.mechanism == .aofRewrite)
        #expect(a.findings.first?.code == .redis2857)
        #expect(a.findings.first?.headline == "AOF rewrite fork failures leak 6 fds each (redis#2857, fixed in 3.2.9)")
        #expect(attribution.evidence == "+540 pipe fds in the last 90 s, ≈6 per failed AOF rewrite fork; log: 90 failed AOF rewrite forks")
    }

    @Test func aLeakNoReleaseHasIsNamedAfterTheForksItFollows() throws {
        let a = assess(version: "7.0.15", every: [.aofForkFailed: 1, .rdbForkFailed: 5], leaking: .aofForkFailed)
        let attribution = try #require(a.leak.attribution)
        #expect(attribution.verdict == .followsFailures)
        #expect(attribution.mechanism == .aofRewrite)
        #expect(a.findings.first?.code == .pipeLeak)
        #expect(attribution.headline == "pipes leak with failed AOF rewrite forks (≈2 fds each), not a known leak of Redis 7.0.15")
        #expect(attribution.remedy.contains("`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries"))

        let sync = try #require(assess(version: "7.0.15", every: [.aofForkFailed: 1, .replicaSyncForkFailed: 2],
                                       leaking: .replicaSyncForkFailed).leak.attribution)
        #expect(sync.mechanism == .replicaSync)
        #expect(sync.remedy.contains("REPLICAOF NO ONE"))

        let valkey = try #require(assess(server: "valkey", version: "8.1.1", every: [.rdbForkFailed: 5],
                                         leaking: .rdbForkFailed, fds: 6).leak.attribution)
        #expect(valkey.verdict == .followsFailures)
        #expect(valkey.headline == "pipes leak with failed BGSAVE forks (≈6 fds each), not a known leak of Valkey 8.1.1")
        #expect(valkey.remedy.contains("CONFIG SET save"))
    }

    @Test func knownLeaksOnlyOnTheirReleases() throws {
        let diskless = try #require(assess(version: "7.0.15", every: [.disklessSyncForkFailed: 2],
                                           leaking: .disklessSyncForkFailed, fds: 1).leak.attribution)
        #expect(diskless.verdict == .knownLeak)
        #expect(diskless.leak == .disklessExitPipe)
        let fixed = try #require(assess(version: "7.4.0", every: [.disklessSyncForkFailed: 2],
                                        leaking: .disklessSyncForkFailed).leak.attribution)
        #expect(fixed.verdict == .followsFailures)
        #expect(fixed.mechanism == .disklessSync)

        let overwrite = try #require(assess(version: "5.0.7", every: [.replicaSyncStart: 3],
                                            leaking: .replicaSyncStart).leak.attribution)
        #expect(overwrite.verdict == .knownLeak)
        #expect(overwrite.leak == .childInfoOverwrite)
        #expect(overwrite.mechanism == nil)
    }

    @Test func aRiseThatFollowsNoForkIsUnexplained() throws {
        let quiet = assess(version: "7.0.15", every: [.aofRewriteDone: 30], leaking: nil, pipesPerSecond: 2)
        let attribution = try #require(quiet.leak.attribution)
        #expect(attribution.verdict == .unexplained)
        #expect(quiet.findings.first?.code == .pipeLeakUnexplained)
        #expect(attribution.headline == "self-held pipes rise unexplained (+180 fds, no failed fork of any kind)")
        #expect(attribution.evidence == "+180 pipe fds in the last 90 s; log: 3 AOF rewrites done")
        #expect(!quiet.diagnosis.contains("auto-aof-rewrite-percentage"))

        // Forks fail, but ten times faster than the pipes grow: not their leak.
        let unrelated = try #require(assess(version: "7.0.15", every: [.aofForkFailed: 1], leaking: nil,
                                            pipesPerSecond: 1).leak.attribution)
        #expect(unrelated.verdict == .unexplained)
        #expect(unrelated.headline == "self-held pipes rise unexplained (+90 fds, 1 per failed fork matches no fork)")
        // 1 fd per failed diskless fork is the known leak; the same per AOF failure is no leak of Redis's.
        #expect(assess(version: "7.0.15", every: [.disklessSyncForkFailed: 2], leaking: .disklessSyncForkFailed, fds: 1)
            .findings.first?.code == .knownForkLeak)
    }

    @Test func aLeakEveryMechanismSharesIsNamedSo() throws {
        // 2 fds per failed fork of any kind (a leak in the fork path itself): AOF every 2 s, BGSAVE every 2 s.
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...90 {
            let totals: [LogEventKind: Int] = [.aofForkFailed: second / 2, .rdbForkFailed: second / 2]
            let pipes = 2 + 2 * (totals.values.reduce(0, +))
            last = analyzer.ingest(Build.snapshot(at: Int64(second) * 1000, version: "7.0.15",
                redis: .ok(Build.redis(version: "7.0.15")), process: .ok(Build.process(Build.census(pipes: pipes))),
                log: .ok(LogSample(path: "/var/log/redis/redis.log", fileState: .following, totals: totals))))
        }
        let attribution = try #require(last?.leak.attribution)
        #expect(attribution.verdict == .followsFailures)
        #expect(attribution.mechanism == nil)
        #expect(attribution.headline == "pipes leak with every failed fork (AOF rewrite, BGSAVE) (≈2 fds each), not a known leak of Redis 7.0.15")
        #expect(attribution.remedy.contains("auto-aof-rewrite-percentage 0") && attribution.remedy.contains("CONFIG SET save"))
    }

    @Test func aKnownLeakOfOtherEventsMustMatchItsSize() throws {
        // 5.0 has the child-info overwrite (2 fds per sync start): 1 fd per start is something else.
        let half = try #require(assess(version: "5.0.7", every: [.replicaSyncStart: 1], leaking: nil,
                                       pipesPerSecond: 1).leak.attribution)
        #expect(half.verdict == .unexplained, "\(half)")
    }

    @Test func theDisklessLeakIsFoundWhenAoftopStartsLate() throws {
        // 700 single ends leaked before aoftop came (no self-held pairs, so its baseline already holds them), then
        // one per failed diskless sync while it watches; the log read back counts all 790 failures.
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...90 {
            let failures = 700 + second
            var process = Build.process(Build.census(pipes: 2 + failures, selfPairs: 1))
            process.pid = Build.pid
            let history = LogHistory(state: .complete, pid: Build.pid, processStart: Build.time(-3_600_000),
                                     totals: [.disklessSyncForkFailed: failures])
            last = analyzer.ingest(Build.snapshot(at: Int64(second) * 1000, version: "7.0.15",
                redis: .ok(Build.redis(version: "7.0.15")), process: .ok(process),
                log: .ok(LogSample(path: "/var/log/redis/redis.log", fileState: .following,
                                   totals: [.disklessSyncForkFailed: second], history: history))))
        }
        let attribution = try #require(last?.leak.attribution)
        #expect(attribution.verdict == .knownLeak)
        #expect(attribution.leak == .disklessExitPipe)
        #expect(last?.findings.first?.code == .knownForkLeak)
    }

    @Test func atTheLimitARiseTheLogUndercountsIsNotCalledUnexplained() throws {
        // 3.2.8: 60 fds/s up to the event loop's limit (1128), but the log shows only the first 3 s of failures
        // (then Redis cannot open its log file for the next line).
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...30 {
            let pipes = min(2 + 60 * second, 1128 - 65)
            let failures = min(10 * second, 30)
            last = analyzer.ingest(Build.snapshot(at: Int64(second) * 1000, version: "3.2.8",
                redis: .ok(Build.redis(version: "3.2.8")), process: .ok(Build.process(Build.census(pipes: pipes))),
                log: .ok(LogSample(path: "/var/log/redis/redis.log", fileState: .following,
                                   totals: [.aofForkFailed: failures]))))
        }
        let a = try #require(last)
        #expect(a.eta.status == .exhausted)
        #expect(a.leak.attribution?.verdict != .unexplained, "\(String(describing: a.leak.attribution))")
        #expect(a.findings.first?.code == .redis2857, "\(a.findings.map(\.code))")
    }
}
