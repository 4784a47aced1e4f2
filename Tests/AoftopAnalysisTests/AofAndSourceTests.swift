import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

@Suite("AOF, fork failures and failed sources")
struct AofAndSourceTests {
    @Test("Growth is serverCron's integer arithmetic", arguments: [
        (Int64(69_383), Int64(0), Int64(6_938_200)),
        (200, 100, 100), (199, 100, 99), (100, 100, 0), (50, 100, -50), (0, 0, -100), (3, 2, 50),
        (4_000_000_000, 1_000_000_000, 300),
    ])
    func growth(current: Int64, base: Int64, expected: Int64) {
        #expect(AofAssessment.growthPercent(current: current, base: base) == expected)
    }

    @Test("Rewrite due exactly when percentage > 0, current > min size and growth ≥ percentage", arguments: [
        (Int64(200), Int64(100), 100, Int64(64), true), (199, 100, 100, 64, false), (200, 100, 0, 64, false),
        (64, 0, 100, 64, false), (65, 0, 100, 64, true),
    ])
    func due(current: Int64, base: Int64, percentage: Int, minSize: Int64, expected: Bool) {
        #expect(AofAssessment.rewriteDue(current: current, base: base, percentage: percentage, minSize: minSize) == expected)
    }

    enum Case: String, CaseIterable { case disabled, below, due, rewriting, failingLog, failingInfo, throttled, noConfig, noRedis }

    @Test("AOF states", arguments: Case.allCases)
    func states(_ c: Case) {
        var redis = Build.redis(version: "7.0.15", current: 2_000_000, base: 1_000_000)
        var events: [LogEvent] = []
        var failures = 0
        switch c {
        case .disabled: redis.aofEnabled = false
        case .below: redis.aofCurrentSize = 1_500_000
        case .due: break
        case .rewriting: redis.aofRewriteInProgress = true
        case .failingLog: events = [Build.forkFailure(at: 9_500)]; failures = 1
        case .failingInfo: redis.aofLastBgrewriteStatus = "err"
        case .throttled:
            events = [LogEvent(time: Build.time(5_000), kind: .aofRewriteLimited, level: .warning, value: 1,
                               message: "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in 1 minutes")]
        case .noConfig: redis.config = .failed("ERR unknown command 'CONFIG'")
        case .noRedis: break
        }
        let snapshot = Build.snapshot(at: 10_000, redis: c == .noRedis ? .failed("connection refused") : .ok(redis),
                                      process: .ok(Build.process(Build.census())),
                                      log: .ok(Build.log(aofFailures: failures, newEvents: events)))
        let a = assess(snapshot, history: AnalysisHistory())
        let expected: AofAssessment.State = switch c {
        case .disabled: .disabled
        case .below: .belowThreshold
        case .due: .due
        case .rewriting: .rewriting
        case .failingLog, .failingInfo: .dueButFailing
        case .throttled: .throttled
        case .noConfig, .noRedis: .unknown
        }
        #expect(a.aof.state == expected)
        #expect(a.aof.growthPercent == (c == .noRedis ? nil : c == .below ? 50 : 100))
        if c == .failingLog {
            #expect(a.forkFailures.last == ForkFailureEvent(time: Build.time(9_500), kind: .aofRewrite, error: "Cannot allocate memory"))
            #expect(a.findings.contains { $0.code == .aofRewriteFailing })
        }
        if c == .throttled { #expect(a.findings.contains { $0.code == .aofRewriteThrottled }) }
    }

    @Test("Throttle expires after its retry minutes")
    func throttleExpires() {
        var analyzer = Analyzer()
        let limited = LogEvent(time: Build.time(0), kind: .aofRewriteLimited, value: 1, message: "…will retry in 1 minutes")
        let redis = Build.redis(version: "7.0.15", current: 2_000_000, base: 1_000_000)
        _ = analyzer.ingest(Build.snapshot(at: 0, redis: .ok(redis), log: .ok(Build.log(aofFailures: 0, newEvents: [limited]))))
        #expect(analyzer.ingest(Build.snapshot(at: 59_000, redis: .ok(redis), log: .ok(Build.log(aofFailures: 0)))).aof.state == .throttled)
        #expect(analyzer.ingest(Build.snapshot(at: 61_000, redis: .ok(redis), log: .ok(Build.log(aofFailures: 0)))).aof.state == .due)
    }

    @Test("Redis 7 incr-file storm: unthrottled fork failures, appendonlydir filling, INFO err inferred")
    func incrStorm() throws {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...30 {
            let failures = Int(Double(second) * 9.6)
            let redis = Build.redis(version: "7.0.15", current: 5_000_000, base: 1_000_000,
                                    status: second > 0 ? "err" : "ok", aofRewrites: 3, totalForks: 3)
            let dir = AofDirectorySample(path: "/var/lib/redis/appendonlydir", files: 2 + failures,
                                         incrFiles: 1 + failures, totalBytes: 5_000_000)
            last = analyzer.ingest(Build.snapshot(
                at: Int64(second) * 1000, redis: .ok(redis),
                process: .ok(Build.process(Build.census(pipes: 2))), log: .ok(Build.log(aofFailures: failures)),
                aofDirectory: .ok(dir)))
        }
        let a = try #require(last)
        #expect(a.aof.dirFiles == 290)
        #expect(a.aof.state == .dueButFailing)
        #expect(a.forkFailures.aof == 288)
        #expect(abs((a.forkFailures.perMinute ?? 0) - 576) < 1)
        #expect(a.forkFailures.inferredFromInfo)
        #expect(!a.leak.suspected)
        #expect(a.eta.status == .flat)
        let storm = try #require(a.findings.first)
        #expect(storm.code == .incrFileStorm)
        #expect(storm.headline.contains("appendonlydir has 290 files"))
        #expect(a.severity == .warning)
    }

    @Test("Failed diskless-sync forks make no incr files: no incr-file storm however fast they fail")
    func disklessFailuresAreNoIncrFileStorm() throws {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...30 {
            var log = Build.log(aofFailures: 0)
            log.totals[.disklessSyncForkFailed] = second * 2
            let redis = Build.redis(version: "7.0.15", current: 100, base: 100, aofRewrites: 0, totalForks: 0)
            last = analyzer.ingest(Build.snapshot(
                at: Int64(second) * 1000, redis: .ok(redis), process: .ok(Build.process(Build.census(pipes: 2))),
                log: .ok(log), aofDirectory: .ok(AofDirectorySample(path: "/d/appendonlydir", files: 3, incrFiles: 1, totalBytes: 200))))
        }
        let a = try #require(last)
        #expect((a.forkFailures.perMinute ?? 0) >= 100)
        #expect(!a.findings.contains { $0.code == .incrFileStorm }, "\(a.findings.map(\.code))")
    }

    @Test("3.x: INFO says ok, the log is the source of fork failures (AOF and RDB counted separately)")
    func forkFailuresFromLog() throws {
        var analyzer = Analyzer()
        _ = analyzer.ingest(Build.snapshot(at: 0, redis: .ok(Build.redis()), log: .ok(Build.log(aofFailures: 10, rdbFailures: 1))))
        let a = analyzer.ingest(Build.snapshot(
            at: 30_000, redis: .ok(Build.redis()),
            log: .ok(Build.log(aofFailures: 40, rdbFailures: 2,
                               newEvents: [Build.forkFailure(at: 29_000, kind: .rdbForkFailed)]))))
        #expect(a.forkFailures.total == 42)
        #expect(a.forkFailures.aof == 40)
        #expect(a.forkFailures.rdb == 2)
        #expect(a.forkFailures.perMinute == 62)
        #expect(a.forkFailures.last?.kind == .bgsave)
        #expect(a.aof.lastBgrewriteStatus == "ok")
        #expect(a.aof.state == .dueButFailing)
        let fork = try #require(a.findings.first { $0.code == .forkFailing })
        #expect(fork.headline == "fork failing: 62/min (BGSAVE: fork: Cannot allocate memory)")
    }

    @Test("Failed /proc: ETA unknown with why; AOF and fork panes still assessed")
    func procFailed() throws {
        var analyzer = Analyzer()
        var last: Assessment?
        for second in 0...10 {
            last = analyzer.ingest(Build.snapshot(
                at: Int64(second) * 1000, redis: .ok(Build.redis()),
                process: .failed("permission denied"), log: .ok(Build.log(aofFailures: 10 * second))))
        }
        let a = try #require(last)
        #expect(a.eta.status == .unknown)
        #expect(a.eta.reason == "no /proc reading: permission denied")
        #expect(a.fds == FdFigures(connectedClients: 50))
        #expect(a.limit.binding == .eventLoop)
        #expect(a.aof.growthPercent == 6_938_200)
        #expect(a.aof.state == .dueButFailing)
        #expect(a.forkFailures.perMinute == 600)
        #expect(a.findings.contains { $0.headline == "no /proc reading: permission denied — fd panes unknown" })
        #expect(a.sources.process == SourceStatus.State(status: "failed", reason: "permission denied"))
        #expect(a.severity == .warning)
    }

    @Test("Failed Redis: AOF unknown; ETA from /proc and RLIMIT alone")
    func redisFailed() throws {
        var scenario = LeakScenario()
        scenario.rlimit = 4096
        var analyzer = Analyzer()
        var last: Assessment?
        var previous: Int64?
        for ms in stride(from: Int64(0), through: 30_000, by: 1000) {
            var snapshot = scenario.snapshot(at: ms, previousMs: previous)
            snapshot.redis = .failed("Connection reset by peer")
            last = analyzer.ingest(snapshot)
            previous = ms
        }
        let a = try #require(last)
        #expect(a.aof.state == .unknown)
        #expect(a.aof.growthPercent == nil)
        #expect(a.limit.maxclients == nil)
        #expect(a.limit.setsize == nil)
        #expect(a.limit.binding == .rlimit)
        #expect(a.limit.effective == 4096)
        #expect(a.eta.status == .rising)
        #expect(a.leak.suspected)
        #expect(a.findings.contains { $0.headline.hasPrefix("no Redis reading: Connection reset by peer") })
        // Version unknown, but ≈6 fds per failed fork is redis#2857's fingerprint.
        #expect(a.findings.first?.code == .redis2857)
        #expect(a.severity == .critical)
    }

    @Test("Nothing readable: severity unknown, exit code 3")
    func nothing() {
        let a = assess(Build.snapshot(at: 0, redis: .failed("connection refused"), process: .failed("no such process")),
                       history: AnalysisHistory())
        #expect(a.severity == .unknown)
        #expect(a.exitCode == 3)
        #expect(a.checkLine.hasPrefix("UNKNOWN - fd exhaustion unknown: no /proc reading: no such process"))
        #expect(a.diagnosis.hasPrefix("no Redis reading: connection refused"), "the cause before its consequence")
    }

    @Test("Version parsing and comparison", arguments: [
        ("3.2.8", RedisVersion(3, 2, 8)), ("3.2.10", RedisVersion(3, 2, 10)), ("7.0.15", RedisVersion(7, 0, 15)),
        ("8", RedisVersion(8, 0, 0)), ("7.2.4-rc1", RedisVersion(7, 2, 4)), ("6.0", RedisVersion(6, 0, 0)),
    ])
    func versions(text: String, expected: RedisVersion) {
        #expect(RedisVersion(text) == expected)
    }

    @Test func versionOrder() {
        #expect(RedisVersion("3.2.8")! < .pipeLeakFixed)
        #expect(!(RedisVersion("3.2.10")! < .pipeLeakFixed))
        #expect(RedisVersion("3.0.6")! < RedisVersion("3.2.9")!)
        #expect(RedisVersion("") == nil)
        #expect(RedisVersion("x.1") == nil)
    }

    @Test func exitCodes() {
        #expect(Severity.allCases.map(\.exitCode) == [0, 1, 2, 3])
    }
}
