import AoftopModel

/// Feeds snapshots one by one and keeps the history: what live and replay modes hold.
public struct Analyzer: Sendable {
    public private(set) var history = AnalysisHistory()

    public init() {}

    /// Appends the snapshot to the history, then assesses it.
    public mutating func ingest(_ snapshot: Snapshot) -> Assessment {
        history.append(snapshot)
        return assess(snapshot, history: history)
    }
}

/// Assesses `snapshot` against `history`. The history may already end with this snapshot (as after
/// `Analyzer.ingest`); if not, it is appended to a copy. Pure: time comes from the snapshot only.
public func assess(_ snapshot: Snapshot, history: AnalysisHistory) -> Assessment {
    var history = history
    if history.latest?.time != snapshot.time || history.latest != HistoryPoint(snapshot) {
        history.append(snapshot)
    }
    let redis = snapshot.redis.value
    let process = snapshot.process.value
    let log = snapshot.log.value

    let startup = snapshot.startup.value
    // The log read back to this process's start line (not another process's: the pid must match when known). Only a
    // complete one feeds the analysis: without the start line the counts may span earlier runs of the server.
    let logHistory = log?.history.flatMap { h in h.pid == nil || process == nil || h.pid == process?.serverPid ? h : nil }
    let settledHistory = logHistory.flatMap { $0.state == .complete ? $0 : nil }
    let limit = FdLimitAssessment(redis: redis, process: process, lastKnown: history.lastKnown, startup: startup,
                                  log: settledHistory)
    var aof = AofAssessment(redis: redis, directory: snapshot.aofDirectory.value, lastKnown: history.lastKnown,
                            startup: startup)
    let forks = ForkFailureAssessment(history: history, log: log, logHistory: logHistory, redis: redis,
                                      rewriteDue: aof.isDue ?? false, now: snapshot.time)
    let aofFailing = forks.inferredFromInfo
        || (history.lastAofForkFailureTime.map { snapshot.time.seconds(since: $0) <= 60 } ?? false)
    let throttled = history.lastRewriteLimitedTime.map {
        snapshot.time.seconds(since: $0) <= Double(history.lastRewriteLimitedMinutes) * 60
    } ?? false
    aof.decideState(redis: redis, forksFailing: aofFailing, throttled: throttled)

    // The ratchet shows at the limit: within RLIMIT's margin of either kind of limit.
    let nearLimit = limit.isExhausted || (limit.spare.map { $0 <= FdLimitAssessment.rlimitExhaustionMargin } ?? false)
    // The leak is judged before the ETA so that a slow leak seen only in the log's history can still get one.
    let liveEta = ExhaustionEstimator(history: history, limit: limit).estimate(process: snapshot.process)
    var leak = LeakAssessment(history: history, census: process?.fds, eta: liveEta,
                              aofForkFailures: log.map { $0.totals[.aofForkFailed] ?? 0 },
                              aofForkFailuresSinceStart: settledHistory?.totals.map { $0[.aofForkFailed] ?? 0 },
                              nearLimit: nearLimit)
    let eta = liveEta.continued(with: settledHistory, leak: leak, limit: limit, now: snapshot.time)
    let clients = ClientLimitAssessment(redis: redis, redisFailure: snapshot.redis.failureReason, limit: limit,
                                        history: history)
    let activity = ProcessActivity(history: history, now: snapshot.time, logOK: log != nil)
    let server = redis?.server ?? snapshot.source.server ?? settledHistory?.server ?? startup?.binary?.server
    let version = redis?.version ?? snapshot.source.version ?? history.lastKnown.version ?? settledHistory?.version
        ?? startup?.binary?.version
    let forkReadiness = snapshot.forkReadiness.value.map { ForkReadiness.assess(sample: $0, redis: redis) }
    // A leak of single pipe ends (not self-held pairs) is suspected only once a known leak explains it.
    let risingPipes = (liveEta.status == .rising || liveEta.status == .exhausted)
        && (leak.excessPipes ?? 0) >= LeakAssessment.minExcessPipes
    if leak.suspected || risingPipes, let census = process?.fds, log != nil {
        let attribution = PipeLeakAttribution(
            history: history, census: census, logHistory: settledHistory,
            baselineIsTheServers: LeakAssessment.baselineIsTheServers(history, pairs: census.selfHeldPipePairs),
            server: server, version: version.flatMap(RedisVersion.init), minGain: LeakAssessment.minExcessPipes,
            atLimit: nearLimit || leak.ratchet || liveEta.status == .exhausted, forkFix: ForkReadinessText.forkFix(forkReadiness))
        if leak.suspected || attribution?.verdict == .knownLeak {
            leak.attribution = attribution
            if !leak.suspected, let attribution {
                leak.suspected = true
                leak.signature = attribution.evidence
            }
        }
    }

    let facts = Facts(snapshot: snapshot, history: history, server: server, version: version, limit: limit, eta: eta, clients: clients, leak: leak,
                      aof: aof, forks: forks, activity: activity, forkFailingRecently: forks.failingRecently(now: snapshot.time, history: history),
                      forkReadiness: forkReadiness)
    let findings = Rules.findings(facts)
    let severity: Severity
    if redis == nil && process == nil {
        severity = .unknown
    } else {
        severity = findings.map(\.severity).max() ?? .ok
    }
    let diagnosis = findings.first?.line ?? Rules.allClear(facts)

    var assessment = Assessment(
        time: snapshot.time,
        pid: history.pid,
        server: server,
        version: version,
        fds: FdFigures(census: process?.fds, connectedClients: redis?.connectedClients, baselinePipes: history.baselinePipes),
        limit: limit, eta: eta, clients: clients, sockets: process?.sockets,
        master: redis?.master, leak: leak, aof: aof, forkFailures: forks, forkReadiness: forkReadiness, process: activity,
        severity: severity, diagnosis: diagnosis, findings: findings, sources: SourceStatus(snapshot))
    assessment.namespacePid = process?.namespaces?.innerPid
    return assessment
}

/// Everything the rules look at, computed once.
struct Facts {
    var snapshot: Snapshot
    var history: AnalysisHistory
    /// `redis` or `valkey`, from INFO, else the log's start banner, else the binary.
    var server: String?
    var version: String?
    var limit: FdLimitAssessment
    var eta: ExhaustionEstimate
    var clients: ClientLimitAssessment
    var leak: LeakAssessment
    var aof: AofAssessment
    var forks: ForkFailureAssessment
    var activity: ProcessActivity
    var forkFailingRecently: Bool
    /// Whether the next fork can succeed on this host, measured; `nil` without a local process to read.
    var forkReadiness: ForkReadinessVerdict?

    var parsedVersion: RedisVersion? { version.flatMap(RedisVersion.init) }
    var isValkey: Bool { server?.lowercased() == "valkey" }
}
