import AoftopModel
import AoftopTestSupport
import Dashboard
import TextGrid

/// Redis, log and snapshot samples as the dashboard shows the incident: a full INFO (role, port, uptime, memory,
/// sizes past `auto-aof-rewrite-min-size`), the log at its Debian path, a server seen from across the network.
enum IncidentSample {
    static func redis(version: String = "3.2.8", clients: Int = 50, current: Int64 = 41_943_040,
                      base: Int64 = 31_457_280, uptime: Int64 = 266_400, status: String = "ok") -> RedisSample {
        RedisSample(server: "redis", version: version, processId: Build.pid, role: "master", tcpPort: 6379,
                    uptimeSeconds: uptime, hz: 10, connectedClients: clients, aofEnabled: true,
                    aofCurrentSize: current, aofBaseSize: base, aofRewriteInProgress: false,
                    aofLastBgrewriteStatus: status, aofRewrites: 12, aofRewritesConsecutiveFailures: 0,
                    totalForks: 31, latestForkUsec: 8_412, usedMemory: 6_871_947_674,
                    config: .ok(RedisConfig(maxclients: 1000, autoAofRewritePercentage: 100,
                                            autoAofRewriteMinSize: 67_108_864, appendonly: true)))
    }

    static func log(aofFailures: Int = 0, events: [LogEvent] = [], lines: Int = 40) -> LogSample {
        LogSample(path: "/var/log/redis/redis-server.log", fileState: .following, events: events,
                  totals: [.aofForkFailed: aofFailures], linesRead: lines + aofFailures)
    }

    static func snapshot(at ms: Int64, redis: Reading<RedisSample>, process: Reading<ProcSample>,
                         log: Reading<LogSample>) -> Snapshot {
        Build.snapshot(at: ms, host: "10.0.3.17", version: "3.2.8", redis: redis, process: process, log: log)
    }
}

/// The incident as a series: at rest until `onsetMs`, then 9.97 failed forks/s, each keeping 6 pipe fds, until the
/// event loop refuses fd 1128. After exhaustion clients leave one by one and leaked pipes take their slots.
struct Incident {
    var onsetMs: Int64 = 20_300
    let setsize = 1128

    func failures(at ms: Int64) -> Int { ms < onsetMs ? 0 : Int(Double(ms - onsetMs) / 1000 * 9.97) + 1 }

    func snapshot(at ms: Int64, previousMs: Int64?) -> Snapshot {
        let failures = failures(at: ms)
        // Clients leave after exhaustion (one per 2 s); each freed slot becomes 6 more leaked fds at the next tick.
        let exhaustedAt = onsetMs + 17_800
        let left = ms > exhaustedAt ? Int((ms - exhaustedAt) / 2000) : 0
        let clients = 50 - left
        let room = setsize + 1 - (2 + clients + 13) - 2
        let leaked = min(failures * 6, room - room % 2)
        let census = Build.census(clients: clients, pipes: 2 + leaked)
        let before = previousMs.map(failures(at:)) ?? 0
        var events: [LogEvent] = []
        if before == 0 && failures > 0 {
            events.append(Build.event(.aofRewriteStart, at: onsetMs, growth: 104,
                                      message: "Starting automatic rewriting of AOF on 104% growth"))
        }
        events += (max(before, failures - 6)..<failures).map { k in Build.forkFailure(at: onsetMs + Int64(Double(k) * 100.3)) }
        if ms > exhaustedAt {
            events.append(Build.event(.aofPipesFailed, at: ms - 300, error: "Numerical result out of range",
                                      message: "Error opening /setting AOF rewrite IPC pipes: Numerical result out of range"))
            events.append(Build.event(.clientRegisterFailed, at: ms - 150, error: "Numerical result out of range",
                                      fd: setsize + 1, message: "Error registering fd event for the new client: Numerical result out of range (fd=1129)"))
        }
        events.sort { ($0.time ?? Build.time(0)) < ($1.time ?? Build.time(0)) }
        var snapshot = IncidentSample.snapshot(at: ms,
                              redis: .ok(IncidentSample.redis(clients: clients, current: 64_424_509_440 / 1000, base: 31_457_280)),
                              process: .ok(Build.process(census, ms: ms)),
                              log: .ok(IncidentSample.log(aofFailures: failures, events: events)))
        snapshot.forkReadiness = .ok(Self.host)
        return snapshot
    }

    /// The blog's kind of host: a CentOS 7 kernel in overcommit mode 0, THP always, little memory left beside Redis.
    static let host = ForkReadinessSample(
        overcommitMemory: .heuristic, overcommitRatio: 50, overcommitKbytes: 0, kernelRelease: "3.10.0-514.el7.x86_64",
        memory: HostMemory(memTotal: 8_589_934_592, memAvailable: 1_288_490_188, swapTotal: 0, swapFree: 0,
                           commitLimit: 4_294_967_296, committedAS: 7_516_192_768),
        transparentHugePages: .always, transparentHugePagesDefrag: .always, cgroup: MemoryCgroup.none,
        process: ProcessMemory(pid: Build.pid, rss: 6_871_947_673, data: 7_086_696_038, stack: 135_168))
}

/// The screens under test, each built by feeding snapshots through `update` so the Analyzer runs for real.
enum Scenario: String, CaseIterable, Sendable {
    case healthy
    case leak
    case exhausted
    case redisUnreachable = "redis-unreachable"
    case procDenied = "proc-denied"
    case replay

    var mode: DashboardMode { self == .replay ? .replay : .live }

    func state() -> DashboardState {
        var state = DashboardState(mode: mode)
        func feed(_ message: DashboardMessage) { _ = update(&state, message) }
        switch self {
        case .healthy:
            for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
                let clients = 48 + Int(ms / 1000 % 5)
                let events: [LogEvent] = ms == 30_000 ? [
                    Build.event(.aofRewriteStart, at: 29_600, growth: 100, message: "Starting automatic rewriting of AOF on 100% growth"),
                    Build.event(.aofRewriteStarted, at: 29_601, message: "Background append only file rewriting started by pid 2291"),
                    Build.event(.aofRewriteDone, at: 29_980, message: "Background AOF rewrite finished successfully"),
                ] : []
                // Who holds the sockets: three application hosts and a replica, two peers gone (CLOSE_WAIT).
                var process = Build.process(Build.census(clients: clients), ms: ms)
                process.sockets = SocketCensus(
                    roles: [.listener: 2, .inboundTCP: clients],
                    listeners: [SocketListener(endpoint: .tcp(address: IPAddress("0.0.0.0")!, port: 6379), accepted: clients,
                                               acceptQueue: 0)],
                    tcpStates: [.established: clients - 2, .closeWait: 2],
                    queues: SocketQueues(sendBytes: 0, receiveBytes: 0, sendingSockets: 0, receivingSockets: 0),
                    topPeers: [PeerCount(address: IPAddress("10.0.0.7")!, count: 30),
                               PeerCount(address: IPAddress("10.0.0.8")!, count: 12),
                               PeerCount(address: IPAddress("10.0.0.9")!, count: clients - 43),
                               PeerCount(address: IPAddress("10.0.0.21")!, count: 1)],
                    distinctPeers: 4)
                var redis = IncidentSample.redis(clients: clients)
                redis.clientList = .ok(ClientListSummary(
                    clients: clients, byAddress: [], distinctAddresses: 4,
                    byName: [NamedCount("orders", 30), NamedCount("billing", 12), NamedCount("", clients - 42)],
                    idle: IdleBuckets(underOneMinute: clients - 5, underTenMinutes: 3, underOneHour: 2, longestSeconds: 1900)))
                feed(.snapshot(IncidentSample.snapshot(at: ms, redis: .ok(redis), process: .ok(process),
                                              log: .ok(IncidentSample.log(events: events)))))
            }
            feed(.tick(Build.time(60_400)))
        case .leak, .replay:
            let incident = Incident()
            var previous: Int64?
            for ms in stride(from: Int64(0), through: 28_000, by: 1000) {
                feed(.snapshot(incident.snapshot(at: ms, previousMs: previous)))
                previous = ms
            }
            feed(.tick(Build.time(28_400)))
            if self == .replay {
                feed(.timeline(Timeline(position: Build.time(28_000), start: Build.time(0), end: Build.time(90_000),
                                        speed: 8, playing: true, markers: [
                                            TimelineMarker(time: Build.time(20_300), kind: .thresholdCrossing),
                                            TimelineMarker(time: Build.time(20_400), kind: .forkFailure),
                                            TimelineMarker(time: Build.time(38_100), kind: .exhaustion),
                                        ])))
            }
        case .exhausted:
            let incident = Incident()
            var previous: Int64?
            for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
                feed(.snapshot(incident.snapshot(at: ms, previousMs: previous)))
                previous = ms
            }
            feed(.tick(Build.time(60_400)))
        case .redisUnreachable:
            for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
                let redis: Reading<RedisSample> = ms < 18_000 ? .ok(IncidentSample.redis()) : .failed("connection reset by peer")
                feed(.snapshot(IncidentSample.snapshot(at: ms, redis: redis,
                                              process: .ok(Build.process(Build.census(), ms: ms)),
                                              log: .ok(IncidentSample.log()))))
            }
            feed(.tick(Build.time(60_400)))
        case .procDenied:
            for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
                feed(.snapshot(IncidentSample.snapshot(at: ms, redis: .ok(IncidentSample.redis()),
                                              process: .failed("permission denied: /proc/1838/fd"),
                                              log: .ok(IncidentSample.log()))))
            }
            feed(.tick(Build.time(60_400)))
        }
        return state
    }
}
