import AoftopModel
@testable import AoftopAnalysis

/// Small builders for synthetic snapshot series. Times are milliseconds from `epoch`.
enum Build {
    static let epoch: Int64 = 1_700_000_000_000

    static func time(_ ms: Int64) -> Timestamp { Timestamp(millisecondsSince1970: epoch + ms) }

    /// A census without holes: fds 0..<total are open, so the lowest free fd is `total`.
    static func census(listeners: Int = 2, clients: Int = 50, pipes: Int = 2, selfPairs: Int? = nil,
                       fixed: Int = 13, holes: Int = 0) -> FdCensus {
        let total = listeners + clients + pipes + fixed
        return FdCensus(total: total, sockets: listeners + clients, listeningSockets: listeners, pipes: pipes,
                        selfHeldPipePairs: selfPairs ?? pipes / 2, anonInodes: ["eventpoll": 1], regularFiles: fixed - 4,
                        other: 3, highestFd: total - 1 + holes, lowestFreeFd: total - holes)
    }

    static func process(_ census: FdCensus, soft: Int? = 20_000, cpuTicks: UInt64 = 0, pid: Int32 = 1838,
                        startTicks: UInt64 = 4242) -> ProcSample {
        ProcSample(pid: pid, command: "redis-server", startTicks: startTicks, cpuTicks: cpuTicks,
                   clockTicksPerSecond: 100, fds: census, limits: FdLimits(soft: soft, hard: soft))
    }

    static func redis(version: String = "3.2.8", maxclients: Int? = 1000, config: Bool = true, clients: Int = 50,
                      current: Int64 = 69_383, base: Int64 = 0, percentage: Int = 100, minSize: Int64 = 1024,
                      aofEnabled: Bool = true, inProgress: Bool = false, status: String = "ok",
                      aofRewrites: Int64 = 0, totalForks: Int64 = 0) -> RedisSample {
        RedisSample(server: "redis", version: version, processId: 1838, connectedClients: clients,
                    maxclients: config ? nil : maxclients, aofEnabled: aofEnabled, aofCurrentSize: current,
                    aofBaseSize: base, aofRewriteInProgress: inProgress, aofLastBgrewriteStatus: status,
                    aofRewrites: aofRewrites, totalForks: totalForks,
                    config: config ? .ok(RedisConfig(maxclients: maxclients, autoAofRewritePercentage: percentage,
                                                     autoAofRewriteMinSize: minSize, appendonly: aofEnabled))
                                   : .failed("ERR unknown command 'CONFIG'"))
    }

    static func log(aofFailures: Int, rdbFailures: Int = 0, newEvents: [LogEvent] = [], lines: Int? = nil) -> LogSample {
        LogSample(path: "/var/log/redis/redis.log", fileState: .following, events: newEvents,
                  totals: [.aofForkFailed: aofFailures, .rdbForkFailed: rdbFailures],
                  linesRead: lines ?? (20 + aofFailures + rdbFailures))
    }

    static func forkFailure(at ms: Int64, kind: LogEventKind = .aofForkFailed) -> LogEvent {
        LogEvent(time: time(ms), kind: kind, pid: 1838, role: "M", level: .warning, error: "Cannot allocate memory",
                 message: "Can't rewrite append only file in background: fork: Cannot allocate memory")
    }

    static func snapshot(at ms: Int64, pid: Int32 = 1838, startTicks: UInt64 = 4242,
                         redis: Reading<RedisSample> = .notConfigured, process: Reading<ProcSample> = .notConfigured,
                         log: Reading<LogSample> = .notConfigured,
                         aofDirectory: Reading<AofDirectorySample> = .notConfigured) -> Snapshot {
        Snapshot(time: time(ms), source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: pid,
                                                        processStartTicks: startTicks, server: "redis"),
                 redis: redis, process: process, log: log, aofDirectory: aofDirectory)
    }
}

/// A deterministic generator (SplitMix64) so churn tests are reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The incident: 67 fds at start, failed forks at 9.97/s from `onsetMs`, each leaking `fdsPerFailure` pipe fds,
/// until the regime's plateau.
struct LeakScenario {
    var onsetMs: Int64 = 20_300
    var forksPerSecond = 9.97
    var fdsPerFailure = 6
    var maxclients = 1000
    var rlimit = 20_000
    var version = "3.2.8"
    /// A leak that pauses: no failures in `[pauseStartMs, pauseEndMs)`.
    var pauseStartMs: Int64 = .max
    var pauseEndMs: Int64 = .max

    var setsize: Int { maxclients + 128 }
    /// ERANGE: growth stops at about setsize (1129 measured); EMFILE: at RLIMIT − 5.
    var plateau: Int { rlimit >= setsize ? setsize + 1 : rlimit - 5 }

    /// Fork failures that happened by `ms` (one at the onset, then every 1/9.97 s), minus the pause.
    func failures(at ms: Int64) -> Int {
        func count(_ t: Int64) -> Int { t < onsetMs ? 0 : Int(Double(t - onsetMs) / 1000 * forksPerSecond) + 1 }
        let paused = ms < pauseStartMs ? 0 : count(min(ms, pauseEndMs)) - count(pauseStartMs)
        return count(ms) - paused
    }

    /// Leaked pipe fds at `ms`, capped at the plateau.
    func leaked(at ms: Int64) -> Int {
        let base = Build.census().total
        let fits = (plateau - base) / fdsPerFailure
        return min(failures(at: ms), fits) * fdsPerFailure
    }

    func snapshot(at ms: Int64, previousMs: Int64?) -> Snapshot {
        let census = Build.census(pipes: 2 + leaked(at: ms))
        let total = failures(at: ms)
        let before = previousMs.map(failures(at:)) ?? 0
        let events = (before < total) ? (before..<total).suffix(50).map { k in
            Build.forkFailure(at: onsetMs + Int64(Double(k) * 1000 / forksPerSecond))
        } : []
        return Build.snapshot(at: ms,
                              redis: .ok(Build.redis(version: version, maxclients: maxclients)),
                              process: .ok(Build.process(census, soft: rlimit, cpuTicks: UInt64(ms / 100))),
                              log: .ok(Build.log(aofFailures: total, newEvents: events)))
    }

    /// The first time the next fd is refused (all fds below setsize open), or the RLIMIT plateau.
    var exhaustionMs: Int64 {
        var ms = onsetMs
        while Build.census(pipes: 2 + leaked(at: ms)).total < min(setsize, plateau) { ms += 1 }
        return ms
    }

    /// Samples every `stepMs` from 0 through `endMs`, assessed in order.
    func run(stepMs: Int64 = 1000, through endMs: Int64) -> [(ms: Int64, assessment: Assessment)] {
        var analyzer = Analyzer()
        var out: [(Int64, Assessment)] = []
        var previous: Int64?
        for ms in stride(from: Int64(0), through: endMs, by: Int(stepMs)) {
            out.append((ms, analyzer.ingest(snapshot(at: ms, previousMs: previous))))
            previous = ms
        }
        return out
    }
}
