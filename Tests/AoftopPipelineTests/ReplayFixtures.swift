import AoftopModel
@testable import AoftopPipeline

/// A synthetic incident for replay tests: one snapshot per second; healthy for `onset` s, then fork failures
/// every second, each snapshot leaking 20 pipe fds; AOF growth crosses the threshold at `onset`.
enum ReplayFixture {
    static let epoch: Int64 = 1_700_000_000_000

    static func time(_ seconds: Double) -> Timestamp { Timestamp(millisecondsSince1970: epoch + Int64(seconds * 1000)) }

    static func snapshots(count: Int = 300, onset: Int = 100, intervalMs: Int64 = 1000) -> [Snapshot] {
        (0..<count).map { i in
            let leaking = i >= onset
            let pipes = 2 + (leaking ? 20 * (i - onset + 1) : 0)
            let total = 15 + 50 + pipes
            let census = FdCensus(total: total, sockets: 52, listeningSockets: 2, pipes: pipes,
                                  selfHeldPipePairs: pipes / 2, anonInodes: ["eventpoll": 1], regularFiles: 9,
                                  other: 3, highestFd: total - 1, lowestFreeFd: total)
            let process = ProcSample(pid: 1838, command: "redis-server", startTicks: 4242, cpuTicks: UInt64(i),
                                     clockTicksPerSecond: 100, fds: census, limits: FdLimits(soft: 20_000, hard: 20_000))
            let failures = leaking ? 10 * (i - onset + 1) : 0
            let t = Timestamp(millisecondsSince1970: epoch + Int64(i) * intervalMs)
            let events = leaking ? [LogEvent(time: t, kind: .aofForkFailed, pid: 1838, role: "M", level: .warning,
                                             error: "Cannot allocate memory",
                                             message: "Can't rewrite append only file in background: fork: Cannot allocate memory")] : []
            let log = LogSample(path: "/var/log/redis.log", fileState: .following, events: events,
                                totals: [.aofForkFailed: failures], linesRead: 20 + failures)
            let redis = RedisSample(server: "redis", version: "3.2.8", processId: 1838, connectedClients: 50,
                                    aofEnabled: true, aofCurrentSize: leaking ? 300_000 : 100_000, aofBaseSize: 100_000,
                                    aofLastBgrewriteStatus: "ok",
                                    config: .ok(RedisConfig(maxclients: 1000, autoAofRewritePercentage: 100,
                                                            autoAofRewriteMinSize: 1024, appendonly: true)))
            return Snapshot(time: t, source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838,
                                                            processStartTicks: 4242, server: "redis"),
                            redis: .ok(redis), process: .ok(process), log: .ok(log))
        }
    }

    static func snapshots(in updates: [SourceUpdate]) -> [Snapshot] {
        updates.compactMap { if case .snapshot(let s) = $0 { return s } else { return nil } }
    }

    static func positions(in updates: [SourceUpdate]) -> [ReplayPosition] {
        updates.compactMap { if case .position(let p) = $0 { return p } else { return nil } }
    }
}

/// Marks exhaustion when total fds pass a fixed number (the real probe wraps the Analyzer).
struct ThresholdProbe: ReplayAnalysisProbe {
    var limit: Int
    mutating func isExhausted(after snapshot: Snapshot) -> Bool { (snapshot.process.value?.fds.total ?? 0) >= limit }
}
