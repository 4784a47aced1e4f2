import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// The analysis of a first snapshot taken while Redis refuses connections: settings from what the server was started
/// with, the limit from evidence, fork failures and a slow leak's ETA from the log read back to the start line.
@Suite struct ColdStartAnalysisTests {
    static let elevenHours: Int64 = 11 * 3_600_000

    /// The blog's case after 11 hours: 1,644 failures spread over the hours, 6 fds each, Redis unreachable.
    static func blogSnapshot(pipes: Int = 4_500, startup: ServerStartup? = nil, history: LogHistory? = nil,
                             unserved: [Int]? = nil) -> Snapshot {
        var process = Build.process(Build.census(clients: 480, pipes: pipes, selfPairs: pipes / 2), soft: 65_535)
        process.unservedConnectionFds = unserved
        var log = Build.log(aofFailures: 3)
        log.history = history
        var snapshot = Build.snapshot(at: elevenHours, redis: .failed("connection reset by peer (127.0.0.1:6379)"),
                                      process: .ok(process), log: .ok(log))
        snapshot.source.server = nil
        snapshot.startup = startup.map { .ok($0) } ?? .failed("config file unknown: process title rewritten")
        return snapshot
    }

    /// One failure every `everyMs` from the start, `count` in all.
    static func history(count: Int, everyMs: Int64, refusedFd: Int? = nil) -> LogHistory {
        var buckets = TimeBuckets(start: Build.time(0))
        for i in 0..<count { buckets.add(Build.time(Int64(i) * everyMs)) }
        return LogHistory(state: .complete, pid: 1838, files: ["/var/log/redis/redis.log"], processStart: Build.time(-1000),
                          server: "redis", version: "3.2.8", totals: [.aofForkFailed: count, .serverStart: 1],
                          firstForkFailure: Build.time(0), lastForkFailure: Build.time(Int64(count - 1) * everyMs),
                          firstRefusal: refusedFd.map { _ in Build.time(elevenHours - 60_000) },
                          lowestRefusedFd: refusedFd, forkFailureBuckets: buckets)
    }

    @Test func theConfigFileGivesTheLimitAndItsOrigin() {
        let startup = ServerStartup(configFile: "/etc/redis/redis.conf", configFileLocation: .systemdUnit,
                                    maxclients: Setting(10_000, origin: .defaultValue),
                                    autoAofRewritePercentage: Setting(100, origin: .configFile, detail: "/etc/redis/redis.conf:1130"))
        let a = assess(Self.blogSnapshot(startup: startup), history: AnalysisHistory())
        #expect(a.limit.maxclients == 10_000)
        #expect(a.limit.maxclientsSource == .defaultValue)
        #expect(a.limit.setsize == 10_128)
        #expect(a.limit.binding == .eventLoop)
        #expect(a.aof.thresholdPercent == 100)
        #expect(a.aof.configSource == .configFile)
    }

    @Test func theLogsRefusedFdBeatsASettingThatDisagrees() {
        let startup = ServerStartup(maxclients: Setting(10_000, origin: .configFile))
        let a = assess(Self.blogSnapshot(pipes: 9_823, startup: startup, history: Self.history(count: 1_644, everyMs: 24_000, refusedFd: 2_129)),
                       history: AnalysisHistory())
        #expect(a.limit.setsize == 2_129)
        #expect(a.limit.setsizeSource == .evidence)
        #expect(a.limit.maxclientsSource == .configFile)
        #expect(a.limit.evidence?.kind == .refusedInLog)
        #expect(a.limit.evidence?.text.contains("refused at fd 2129") ?? false)
        #expect(a.limit.evidence?.text.contains("below the setsize 10128 that config-file implies") ?? false)
        #expect(a.eta.status == .exhausted)
        #expect(a.eta.since == Build.time(Self.elevenHours - 60_000))
        #expect(a.severity == .critical)
        #expect(a.diagnosis.contains("redis#2857"), "the version comes from the log's banner: \(a.diagnosis)")
        #expect(a.findings.contains { $0.code == .fdExhausted && $0.headline.contains("refusing clients since") })
    }

    /// What Redis says itself is exact and newer than any refusal (`CONFIG SET maxclients` resizes the event loop).
    @Test func evidenceNeverOverridesWhatRedisSaid() {
        var snapshot = Self.blogSnapshot(pipes: 9_823, history: Self.history(count: 1_644, everyMs: 24_000, refusedFd: 2_129),
                                         unserved: [2_200, 2_201])
        snapshot.redis = .ok(Build.redis(maxclients: 10_000))
        let a = assess(snapshot, history: AnalysisHistory())
        #expect(a.limit.setsize == 10_128)
        #expect(a.limit.setsizeSource == .config)
        #expect(a.limit.evidence == nil)
    }

    @Test func oneUnansweredConnectionIsNoEvidenceTwoAre() {
        let one = assess(Self.blogSnapshot(unserved: [3_000]), history: AnalysisHistory())
        #expect(one.limit.setsize == nil)
        let two = assess(Self.blogSnapshot(unserved: [3_002, 3_000]), history: AnalysisHistory())
        #expect(two.limit.setsize == 3_000)
        #expect(two.limit.setsizeSource == .evidence)
        #expect(two.limit.binding == .eventLoop)
    }

    @Test func aSlowLeakGetsAnETAFromTheLogsHistory() throws {
        // 1,644 failures in 11 h (one per 24 s), 6 fds each; 4,500 pipes now, limit 10,128: no live window sees it.
        let startup = ServerStartup(maxclients: Setting(10_000, origin: .configFile))
        let history = Self.history(count: 1_644, everyMs: 24_000)
        let a = assess(Self.blogSnapshot(pipes: 4_500, startup: startup, history: history), history: AnalysisHistory())
        #expect(a.leak.suspected)
        let perFailure = try #require(a.leak.fdsPerFailure)
        #expect(abs(perFailure - Double(4_500 - 2) / 1_644) < 0.01, "excess pipes / failures since the start")
        #expect(a.eta.status == .rising)
        #expect(a.eta.window == .history)
        // 150 failures/h × 2.74 fds = 411 fds/h; 10,128 − 4,995 − 2 = 5,131 fds to go: ≈ 12.5 h.
        let seconds = try #require(a.eta.seconds)
        #expect(seconds > 11 * 3600 && seconds < 14 * 3600, "\(seconds)")
        #expect(a.forkFailures.sinceStart?.total == 1_644)
        #expect(a.forkFailures.sinceStart?.perHourLastHour.map { abs($0 - 150) < 12 } ?? false, "buckets of 16 min, the last 3 min empty: \(String(describing: a.forkFailures.sinceStart))")
        #expect(a.findings.contains { $0.code == .fdExhaustionImminent && $0.headline.contains(" h (+") })
    }

    @Test func aLeakThatStoppedOrJustStartedGetsNoHistoryETA() {
        let startup = ServerStartup(maxclients: Setting(10_000, origin: .configFile))
        // The failures stopped 10 h ago: nothing in the last 6 h either.
        let stopped = Self.history(count: 100, everyMs: 1_000)
        let a = assess(Self.blogSnapshot(pipes: 600, startup: startup, history: stopped), history: AnalysisHistory())
        #expect(a.eta.window != .history)
        // A fast leak 5 minutes old belongs to the live windows.
        var young = Self.history(count: 3_000, everyMs: 100)
        young.firstForkFailure = Build.time(Self.elevenHours - 300_000)
        let b = assess(Self.blogSnapshot(pipes: 6_000, startup: startup, history: young), history: AnalysisHistory())
        #expect(b.eta.window != .history)
    }

    @Test func whileTheLogIsReadBackNothingIsClaimed() {
        let startup = ServerStartup(maxclients: Setting(10_000, origin: .configFile))
        let reading = LogHistory(state: .reading, pid: 1838, files: ["/var/log/redis/redis.log"], bytesRead: 1 << 28)
        let a = assess(Self.blogSnapshot(startup: startup, history: reading), history: AnalysisHistory())
        #expect(a.forkFailures.sinceStart?.state == .reading)
        #expect(a.forkFailures.sinceStart?.total == nil)
        #expect(a.forkFailures.sinceStart?.bytesRead == 1 << 28)
        #expect(a.eta.window != .history)
    }
}
