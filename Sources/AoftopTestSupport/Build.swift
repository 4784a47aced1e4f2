import AoftopModel

/// Snapshot parts for synthetic series, shared by the analysis and dashboard tests. The numbers are the incident's:
/// pid 1838, maxclients 1000, 67 fds at rest. Times are milliseconds from `epoch` (2023-11-14 22:13:20 UTC).
public enum Build {
    public static let epoch: Int64 = 1_700_000_000_000
    public static let pid: Int32 = 1838

    public static func time(_ ms: Int64) -> Timestamp { Timestamp(millisecondsSince1970: epoch + ms) }

    /// `listeners`, `clients` client sockets, `pipes` pipe fds and `fixed` others (an epoll fd, 3 other, the rest
    /// regular files), numbered so that `holes` free numbers lie below the highest (none: the lowest free is `total`).
    public static func census(listeners: Int = 2, clients: Int = 50, pipes: Int = 2, selfPairs: Int? = nil,
                              fixed: Int = 13, holes: Int = 0) -> FdCensus {
        let total = listeners + clients + pipes + fixed
        return FdCensus(total: total, sockets: listeners + clients, listeningSockets: listeners, pipes: pipes,
                        selfHeldPipePairs: selfPairs ?? pipes / 2, anonInodes: ["eventpoll": 1], regularFiles: fixed - 4,
                        other: 3, highestFd: total - 1 + holes, lowestFreeFd: total - holes)
    }

    public static func process(_ census: FdCensus, soft: Int? = 20_000, cpuTicks: UInt64 = 0, pid: Int32 = pid,
                               startTicks: UInt64 = 4242) -> ProcSample {
        ProcSample(pid: pid, command: "redis-server", startTicks: startTicks, cpuTicks: cpuTicks,
                   clockTicksPerSecond: 100, fds: census, limits: FdLimits(soft: soft, hard: soft))
    }

    /// A process busy a fifth of the time since `ms` 0.
    public static func process(_ census: FdCensus, ms: Int64, soft: Int = 20_000) -> ProcSample {
        process(census, soft: soft, cpuTicks: UInt64(ms / 200))
    }

    public static func forkFailure(at ms: Int64, kind: LogEventKind = .aofForkFailed) -> LogEvent {
        LogEvent(time: time(ms), kind: kind, pid: pid, role: "M", level: .warning, error: "Cannot allocate memory",
                 message: "Can't rewrite append only file in background: fork: Cannot allocate memory")
    }

    public static func event(_ kind: LogEventKind, at ms: Int64, error: String? = nil, fd: Int? = nil,
                             growth: Int64? = nil, message: String) -> LogEvent {
        LogEvent(time: time(ms), kind: kind, pid: pid, role: "M", level: .warning, growthPercent: growth,
                 error: error, fd: fd, message: message)
    }

    public static func snapshot(at ms: Int64, host: String = "127.0.0.1", version: String? = nil, pid: Int32 = pid,
                                startTicks: UInt64 = 4242, redis: Reading<RedisSample> = .notConfigured,
                                process: Reading<ProcSample> = .notConfigured, log: Reading<LogSample> = .notConfigured,
                                aofDirectory: Reading<AofDirectorySample> = .notConfigured) -> Snapshot {
        Snapshot(time: time(ms), source: SourceIdentity(host: host, port: 6379, pid: pid, processStartTicks: startTicks,
                                                        server: "redis", version: version),
                 redis: redis, process: process, log: log, aofDirectory: aofDirectory)
    }

    /// INFO and CONFIG as the analysis needs them; `config: false` is a server that refuses CONFIG (maxclients
    /// then comes from INFO).
    public static func redis(version: String = "3.2.8", maxclients: Int? = 1000, config: Bool = true, clients: Int = 50,
                             current: Int64 = 69_383, base: Int64 = 0, percentage: Int = 100, minSize: Int64 = 1024,
                             aofEnabled: Bool = true, inProgress: Bool = false, status: String = "ok",
                             aofRewrites: Int64 = 0, totalForks: Int64 = 0) -> RedisSample {
        RedisSample(server: "redis", version: version, processId: pid, connectedClients: clients,
                    maxclients: config ? nil : maxclients, aofEnabled: aofEnabled, aofCurrentSize: current,
                    aofBaseSize: base, aofRewriteInProgress: inProgress, aofLastBgrewriteStatus: status,
                    aofRewrites: aofRewrites, totalForks: totalForks,
                    config: config ? .ok(RedisConfig(maxclients: maxclients, autoAofRewritePercentage: percentage,
                                                     autoAofRewriteMinSize: minSize, appendonly: aofEnabled))
                                   : .failed("ERR unknown command 'CONFIG'"))
    }

    public static func log(aofFailures: Int, rdbFailures: Int = 0, newEvents: [LogEvent] = [], lines: Int? = nil) -> LogSample {
        LogSample(path: "/var/log/redis/redis.log", fileState: .following, events: newEvents,
                  totals: [.aofForkFailed: aofFailures, .rdbForkFailed: rdbFailures],
                  linesRead: lines ?? (20 + aofFailures + rdbFailures))
    }
}
