import AoftopModel
import Glibc
import LogCollector
import ProcCollector
import RedisCollector

/// Assembles one `Snapshot` from the three collectors: Redis (INFO/CONFIG), `/proc/PID` and the log.
///
/// Each source fails on its own: with Redis refusing connections, the pid comes from the listening socket and
/// `/proc` and the log keep working; with `/proc` unreadable, INFO and the log still do. The collectors it
/// creates (the Redis connection, the log follower) persist across snapshots. Not thread-safe: one owner
/// calls `snapshot()`, typically off the UI thread.
public final class SnapshotCollector {
    public let target: CollectionTarget
    private let clock: SnapshotClock
    private let redis: RedisSampler?
    private let proc: ProcSampler
    private let discovery: ProcessDiscovery
    private let aofDirectoryCounter = AofDirectoryCounter()
    private var pid: Int32?
    private var log: (path: String, collector: LogSampler)?
    /// The last CONFIG that answered: keeps the log followed while Redis refuses new connections.
    private var lastConfig: RedisConfig?

    public init(target: CollectionTarget, clock: SnapshotClock = .system) {
        self.target = target
        self.clock = clock
        self.proc = ProcSampler(procRoot: target.procRoot)
        self.discovery = ProcessDiscovery(procRoot: target.procRoot)
        self.pid = target.pid
        self.redis = target.endpoint.map {
            RedisSampler(endpoint: $0, credentials: target.credentials, timeout: target.timeout)
        }
        if let path = target.logPath { log = (path, makeLogCollector(path: path)) }
    }

    public func snapshot() -> Snapshot {
        let redisReading = redis?.collect() ?? .notConfigured
        let sample = redisReading.value
        if let config = sample?.config.value { lastConfig = config }

        let pidResolution = resolvePid(infoPid: sample?.processId)
        var process: Reading<ProcSample> = .notConfigured
        var processWorkingDirectory: String?
        switch pidResolution {
        case .pid(let pid):
            process = proc.sample(pid: pid)
            // Find the server again only when the process is gone: an unreadable one (another user's) would
            // otherwise send every sample through a discovery scan of all of /proc.
            if process.value == nil, target.pid == nil, access("\(target.procRoot)/\(pid)", F_OK) != 0 { self.pid = nil }
            processWorkingDirectory = discovery.workingDirectory(pid: pid)
        case .unknown(let reason):
            process = .failed(reason)
        case nil:
            break
        }

        let logReading = collectLog(processWorkingDirectory: processWorkingDirectory)
        let aofDirectory = collectAofDirectory(sample: sample, processWorkingDirectory: processWorkingDirectory)

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
                        aofDirectory: aofDirectory)
    }

    private func resolvePid(infoPid: Int32?) -> PidResolver.Resolution? {
        if let pid, infoPid == nil || infoPid == pid || target.pid != nil { return .pid(pid) }
        guard let endpoint = target.endpoint else { return nil }
        let resolution = PidResolver(discovery: discovery).resolve(endpoint: endpoint, infoPid: infoPid)
        if case .pid(let found) = resolution { pid = found }
        return resolution
    }

    private func collectLog(processWorkingDirectory: String?) -> Reading<LogSample> {
        if target.logPath == nil {
            switch LogPathResolver.resolve(logfile: lastConfig?.logfile, dir: lastConfig?.dir,
                                           processWorkingDirectory: processWorkingDirectory) {
            case .path(let path):
                if log?.path != path { log = (path, makeLogCollector(path: path)) }
            case .unavailable(let reason):
                if log == nil { return target.endpoint == nil ? .notConfigured : .failed(reason) }
            }
        }
        return log?.collector.collect() ?? .notConfigured
    }

    private func collectAofDirectory(sample: RedisSample?, processWorkingDirectory: String?) -> Reading<AofDirectorySample> {
        guard sample?.aofEnabled ?? lastConfig?.appendonly ?? false,
              let path = LogPathResolver.aofDirectory(dir: lastConfig?.dir, appenddirname: lastConfig?.appenddirname,
                                                      processWorkingDirectory: processWorkingDirectory) else {
            return .notConfigured
        }
        return aofDirectoryCounter.sample(path: path)
    }

    private func makeLogCollector(path: String) -> LogSampler {
        let clock = self.clock
        return LogSampler(path: path, backlogBytes: target.logBacklogBytes, clock: { clock.now() })
    }
}

extension PidResolver.Resolution {
    var pid: Int32? {
        if case .pid(let pid) = self { return pid }
        return nil
    }
}
