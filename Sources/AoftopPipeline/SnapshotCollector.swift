import AoftopModel
import Glibc
import LogCollector
import ProcCollector
import RedisCollector
import StartupCollector

/// Assembles one `Snapshot` from the collectors: Redis (INFO/CONFIG), `/proc/PID`, the log, and what the process
/// was started with (config file, command line, binary).
///
/// Each source fails on its own: with Redis refusing connections, the pid comes from the listening socket, and
/// `/proc`, the log and the start-up settings stand in for INFO and CONFIG; with `/proc` unreadable, INFO and the
/// log still do. The collectors it
/// creates (the Redis connection, the log follower) persist across snapshots. Not thread-safe: one owner
/// calls `snapshot()`, typically off the UI thread.
public final class SnapshotCollector {
    public let target: CollectionTarget
    private let clock: SnapshotClock
    private let redis: RedisSampler?
    private let proc: ProcSampler
    private let forkReadiness: ForkReadinessSampler
    private let discovery: ProcessDiscovery
    private let aofDirectoryCounter = AofDirectoryCounter()
    private let startupSampler: StartupSampler
    private var pid: Int32?
    /// What the resolved process calls itself (INFO's `process_id`): another number inside a pid namespace.
    private var serverPid: Int32?
    /// The followed log, and the process whose start its history was read back to.
    private var log: (path: String, pid: Int32?, collector: LogSampler)?
    /// The last CONFIG that answered: keeps the log followed while Redis refuses new connections.
    private var lastConfig: RedisConfig?
    private var lastLogSearch: (pid: Int32, time: Timestamp)?
    private var destination: (pid: Int32, startTicks: UInt64, value: LogDestination)?
    private var binaryCache: (pid: Int32, startTicks: UInt64, binary: ServerBinary?)?
    /// Server-side fds of aoftop's own connections the server accepted and never answered, per process.
    private var unserved: (pid: Int32, probe: Int?, fds: [Int])?

    /// How long no new Redis connection is tried once two were accepted and never answered (renewed every sample
    /// while the census shows no room below them).
    static let unservedHoldSeconds = 300.0

    public init(target: CollectionTarget, clock: SnapshotClock = .system) {
        self.target = target
        self.clock = clock
        self.proc = ProcSampler(procRoot: target.procRoot)
        self.forkReadiness = ForkReadinessSampler(procRoot: target.procRoot, sysRoot: target.sysRoot)
        self.discovery = ProcessDiscovery(procRoot: target.procRoot)
        self.startupSampler = StartupSampler(procRoot: target.procRoot, explicitConfigFile: target.configFile)
        self.pid = target.pid
        self.redis = target.endpoint.map {
            RedisSampler(endpoint: $0, credentials: target.credentials, timeout: target.timeout,
                         clientListInterval: target.clientListInterval)
        }
    }

    public func snapshot() -> Snapshot {
        let redisReading = redis?.collect() ?? .notConfigured
        let sample = redisReading.value
        if let config = sample?.config.value { lastConfig = config }

        let pidResolution = resolvePid(infoPid: sample?.processId, infoPort: sample?.tcpPort)
        var process: Reading<ProcSample> = .notConfigured
        var processWorkingDirectory: String?
        switch pidResolution {
        case .pid(let pid):
            process = proc.sample(pid: pid).map { noteUnservedConnection($0, redisFailed: redisReading.value == nil) }
            // Find the server again only when the process is gone: an unreadable one (another user's) would
            // otherwise send every sample through a discovery scan of all of /proc.
            if process.value == nil, target.pid == nil, access("\(target.procRoot)/\(pid)", F_OK) != 0 { self.pid = nil }
            processWorkingDirectory = discovery.workingDirectory(pid: pid)
        case .unknown(let reason):
            process = .failed(reason)
        case nil:
            break
        }

        let paths = ProcessPaths(procRoot: target.procRoot, process: process.value)
        // Read once per process; what the log path, the AOF directory and the limits fall back on without CONFIG.
        let startup: Reading<ServerStartup> = process.value.map {
            startupSampler.sample(pid: $0.pid, startTicks: $0.startTicks, binary: binary(of: $0), fileRoot: paths.root)
        } ?? .notConfigured
        // The log's lines carry the pid the server calls itself, not the host's.
        let logPid = process.value?.serverPid ?? sample?.processId ?? pidResolution?.pid
        let logReading = collectLog(processWorkingDirectory: processWorkingDirectory, startup: startup.value,
                                    pid: logPid, process: process.value, paths: paths)
        let aofDirectory = collectAofDirectory(sample: sample, startup: startup.value,
                                               processWorkingDirectory: processWorkingDirectory, paths: paths)
        // Re-read every sample: these are the settings an operator changes mid-incident. Only with a local process:
        // without one, this host's overcommit and memory would be passed off as a remote Redis's.
        let readinessPid = process.value?.pid ?? pidResolution?.pid
        let forkReadinessReading: Reading<ForkReadinessSample> = readinessPid.map { forkReadiness.sample(pid: $0) }
            ?? .notConfigured

        var source = SourceIdentity(pid: process.value?.pid ?? pidResolution?.pid,
                                    processStartTicks: process.value?.startTicks,
                                    server: sample?.server, version: sample?.version)
        switch target.endpoint {
        case .tcp(let host, let port)?:
            source.host = host
            source.port = port
        case .unix(let path)?:
            source.unixSocket = path
        case nil:
            break
        }
        return Snapshot(time: clock.now(), source: source, redis: redisReading, process: process, log: logReading,
                        aofDirectory: aofDirectory, startup: startup, forkReadiness: forkReadinessReading)
    }

    /// Adds the fds of aoftop's own unanswered connections (found once each, after the probe that timed out), and
    /// decides whether a new connection may be tried.
    private func noteUnservedConnection(_ sample: ProcSample, redisFailed: Bool) -> ProcSample {
        var known: (pid: Int32, probe: Int?, fds: [Int])
        if let previous = unserved, previous.pid == sample.pid {
            known = previous
        } else {
            // Another process: what was proven, and the hold it justified, were the old one's.
            known = (sample.pid, nil, [])
            redis?.releaseReconnectHold()
        }
        if !redisFailed {
            // Redis answers: whatever held it up (a slow command, a full event loop since relieved) is over.
            known.fds = []
        } else if case .tcp(_, let port)? = target.endpoint, let probe = redis?.lastUnanswered, probe.generation != known.probe {
            known.probe = probe.generation
            if let fd = proc.fdOfConnection(pid: sample.pid, serverPort: port, peerPort: probe.localPort) {
                known.fds = Array((known.fds + [fd]).suffix(8))
            }
        }
        unserved = known
        var sample = sample
        if !known.fds.isEmpty { sample.unservedConnectionFds = known.fds }
        // Proven that the server parks every new connection (each would take one more of its fds): try again only
        // once a free fd number below the lowest parked one appears, i.e. once a client could be served.
        if known.fds.count >= 2, let lowest = known.fds.min() {
            if sample.fds.freeFdBounds(below: lowest).upperBound <= FdCensus.eventLoopExhaustionMargin {
                redis?.holdReconnects(for: Self.unservedHoldSeconds)
            } else {
                redis?.releaseReconnectHold()
            }
        }
        return sample
    }

    /// The server binary's identity, read once per process (the file is megabytes; it does not change).
    private func binary(of process: ProcSample) -> ServerBinary? {
        if let cached = binaryCache, cached.pid == process.pid, cached.startTicks == process.startTicks { return cached.binary }
        let binary = try? ServerBinaryReader.identify(path: "\(target.procRoot)/\(process.pid)/exe").get()
        binaryCache = (process.pid, process.startTicks, binary)
        return binary
    }

    private func resolvePid(infoPid: Int32?, infoPort: Int?) -> PidResolver.Resolution? {
        if let pid, infoPid == nil || infoPid == (serverPid ?? pid) || target.pid != nil { return .pid(pid) }
        guard let endpoint = target.endpoint else { return nil }
        let resolution = PidResolver(discovery: discovery).resolve(endpoint: endpoint, infoPid: infoPid, infoPort: infoPort)
        if case .pid(let found) = resolution {
            pid = found
            serverPid = discovery.namespaces(pid: found)?.innerPid ?? found
        }
        return resolution
    }

    /// The log follower for `path`, made anew when the path or the process changes (a restarted server's history
    /// is read back to its own start line).
    private func collectLog(processWorkingDirectory: String?, startup: ServerStartup?, pid: Int32?,
                            process: ProcSample?, paths: ProcessPaths) -> Reading<LogSample> {
        if let fd = target.logStreamFd { return collectLogStream(fd: fd) }
        var path = target.logPath
        if path == nil {
            // CONFIG (now or last known) first: `CONFIG SET logfile` may have moved it since the start.
            let fromConfig = lastConfig.map { ($0.logfile, $0.dir) }
            let resolution = LogPathResolver.resolve(logfile: fromConfig?.0 ?? startup?.logfile?.value,
                                                     dir: fromConfig?.1 ?? startup?.dir?.value,
                                                     processWorkingDirectory: processWorkingDirectory)
            switch resolution {
            case .path(let resolved):
                path = paths.hostPath(resolved)
            case .standardOutput:
                let destination = process.map(logDestination)
                if case .file(let file)? = destination?.output {
                    path = paths.hostPath(file)
                } else if let destination {
                    return .failed(StandardOutputLog.guidance(destination, endpoint: target.endpoint, pid: process?.pid))
                } else {
                    return .failed("\(StandardOutputLog.preamble): pass --log - and pipe it in")
                }
            case .unavailable(let reason):
                path = log?.path ?? discoverLog(pid: pid, processWorkingDirectory: processWorkingDirectory, paths: paths)
                if path == nil { return target.endpoint == nil && startup == nil ? .notConfigured : .failed(reason) }
            }
        }
        guard let path else { return .notConfigured }
        if log?.path != path || (pid != nil && log?.pid != pid) {
            log = (path, pid, makeLogCollector(path: path, pid: pid))
        }
        return log?.collector.collect() ?? .notConfigured
    }

    /// Where the process's standard output goes, read once per process.
    private func logDestination(_ process: ProcSample) -> LogDestination {
        if let known = destination, known.pid == process.pid, known.startTicks == process.startTicks { return known.value }
        let value = LogDestinationReader(procRoot: target.procRoot).read(pid: process.pid, startTicks: process.startTicks)
        destination = (process.pid, process.startTicks, value)
        return value
    }

    /// A stream is read once, so its sampler lives as long as the collector whatever the pid does (`journalctl -f`
    /// goes on across restarts); its history counts from the last start line it carried, whichever pid wrote it (a
    /// container's server logs its namespace's pid, not the one seen here).
    private func collectLogStream(fd: Int32) -> Reading<LogSample> {
        if log == nil {
            let clock = self.clock
            let stream = LogStream(fd: fd)
            log = (stream.name, nil, LogSampler(stream: stream, history: LogSampler.HistoryRequest(pid: nil), clock: { clock.now() }))
        }
        return log?.collector.collect() ?? .notConfigured
    }

    /// The log found by its lines from `pid` (searched at most every 10 s while not found).
    private func discoverLog(pid: Int32?, processWorkingDirectory: String?, paths: ProcessPaths) -> String? {
        guard let pid else { return nil }
        let now = clock.now()
        if let last = lastLogSearch, last.pid == pid, now.seconds(since: last.time) < 10 { return nil }
        lastLogSearch = (pid, now)
        return LogDiscovery.find(pid: pid, workingDirectory: processWorkingDirectory, paths: paths)
    }

    private func collectAofDirectory(sample: RedisSample?, startup: ServerStartup?, processWorkingDirectory: String?,
                                     paths: ProcessPaths) -> Reading<AofDirectorySample> {
        guard sample?.aofEnabled ?? lastConfig?.appendonly ?? startup?.appendonly?.value ?? false,
              let path = LogPathResolver.aofDirectory(dir: lastConfig?.dir ?? startup?.dir?.value,
                                                      appenddirname: lastConfig?.appenddirname ?? startup?.appenddirname?.value,
                                                      processWorkingDirectory: processWorkingDirectory) else {
            return .notConfigured
        }
        return aofDirectoryCounter.sample(path: paths.hostPath(path))
    }

    private func makeLogCollector(path: String, pid: Int32?) -> LogSampler {
        let clock = self.clock
        return LogSampler(path: path, backlogBytes: target.logBacklogBytes,
                          history: LogSampler.HistoryRequest(pid: pid), clock: { clock.now() })
    }
}

extension PidResolver.Resolution {
    var pid: Int32? {
        if case .pid(let pid) = self { return pid }
        return nil
    }
}
