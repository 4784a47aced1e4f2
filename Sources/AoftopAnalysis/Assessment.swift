import AoftopModel

/// What aoftop concludes about one snapshot given its history: the single input of every pane, of `check`
/// and of `metrics`. Unknown values are `nil` (JSON `null`), never a made-up zero. JSON: see docs/json.md.
public struct Assessment: Sendable, Equatable, Codable {
    public var time: Timestamp
    public var pid: Int32?
    /// The pid the server calls itself inside a pid namespace of its own (INFO's `process_id`, the log's pid) when
    /// it differs from `pid`, the one `/proc` is read by: a container's Redis is often pid 1.
    public var namespacePid: Int32?
    /// `redis` or `valkey`: INFO, else the log's start banner, else the binary.
    public var server: String?
    /// INFO, else what was read earlier from this process, else the log's start banner, else the binary's own.
    public var version: String?
    public var fds: FdFigures
    public var limit: FdLimitAssessment
    public var eta: ExhaustionEstimate
    /// Clients against `maxclients`: a limit of its own, with its own forecast and remedy.
    public var clients: ClientLimitAssessment
    /// Who holds the sockets (roles, TCP states, top peers), from `/proc`; `nil` without a socket census.
    public var sockets: SocketCensus?
    /// A replica's master as INFO names it (`master_host:master_port`): its outbound link is that, not a client.
    public var master: ReplicationMaster?
    public var leak: LeakAssessment
    public var aof: AofAssessment
    public var forkFailures: ForkFailureAssessment
    /// Whether the next fork can succeed, measured (overcommit, commit limit, cgroup, THP, last fork); `nil`
    /// without a local process (a remote server, an old recording).
    public var forkReadiness: ForkReadinessVerdict?
    public var process: ProcessActivity
    public var severity: Severity
    /// One line: the headline of the most important finding and its remedy.
    public var diagnosis: String
    /// Every rule that fired, most important first; empty when all is well.
    public var findings: [Finding]
    public var sources: SourceStatus

    public init(time: Timestamp, pid: Int32?, server: String? = nil, version: String?, fds: FdFigures, limit: FdLimitAssessment,
                eta: ExhaustionEstimate, clients: ClientLimitAssessment = ClientLimitAssessment(), sockets: SocketCensus? = nil, master: ReplicationMaster? = nil,
                leak: LeakAssessment, aof: AofAssessment,
                forkFailures: ForkFailureAssessment, forkReadiness: ForkReadinessVerdict? = nil, process: ProcessActivity, severity: Severity,
                diagnosis: String, findings: [Finding], sources: SourceStatus) {
        self.time = time
        self.pid = pid
        self.server = server
        self.version = version
        self.fds = fds
        self.limit = limit
        self.eta = eta
        self.clients = clients
        self.sockets = sockets
        self.master = master
        self.leak = leak
        self.aof = aof
        self.forkFailures = forkFailures
        self.forkReadiness = forkReadiness
        self.process = process
        self.severity = severity
        self.diagnosis = diagnosis
        self.findings = findings
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case time, pid, server, version, fds, limit, eta, clients, sockets, master, leak, aof, process, severity, diagnosis, findings, sources
        case forkFailures = "fork_failures"
        case forkReadiness = "fork_readiness"
        case namespacePid = "namespace_pid"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(pid, forKey: .pid)
        try c.encode(namespacePid, forKey: .namespacePid)
        try c.encode(server, forKey: .server)
        try c.encode(version, forKey: .version)
        try c.encode(fds, forKey: .fds)
        try c.encode(limit, forKey: .limit)
        try c.encode(eta, forKey: .eta)
        try c.encode(clients, forKey: .clients)
        try c.encode(sockets, forKey: .sockets)
        try c.encode(master, forKey: .master)
        try c.encode(leak, forKey: .leak)
        try c.encode(aof, forKey: .aof)
        try c.encode(forkFailures, forKey: .forkFailures)
        try c.encode(forkReadiness, forKey: .forkReadiness)
        try c.encode(process, forKey: .process)
        try c.encode(severity, forKey: .severity)
        try c.encode(diagnosis, forKey: .diagnosis)
        try c.encode(findings, forKey: .findings)
        try c.encode(sources, forKey: .sources)
    }
}

/// Overall state, ordered by urgency. `unknown`: nothing could be assessed (every source failed).
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case ok, warning, critical, unknown

    private var rank: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// Monitoring-plugin exit code: ok 0, warning 1, critical 2, unknown 3.
    public var exitCode: Int32 {
        switch self {
        case .ok: 0
        case .warning: 1
        case .critical: 2
        case .unknown: 3
        }
    }
}

/// One rule that fired: a stable code (for tests, metrics and docs), its severity, a headline and a remedy.
public struct Finding: Sendable, Equatable, Codable {
    public var code: FindingCode
    public var severity: Severity
    public var headline: String
    public var remedy: String?

    public init(code: FindingCode, severity: Severity, headline: String, remedy: String? = nil) {
        self.code = code
        self.severity = severity
        self.headline = headline
        self.remedy = remedy
    }

    /// `headline; remedy` on one line.
    public var line: String { remedy.map { "\(headline): \($0)" } ?? headline }

    enum CodingKeys: String, CodingKey { case code, severity, headline, remedy }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(severity, forKey: .severity)
        try c.encode(headline, forKey: .headline)
        try c.encode(remedy, forKey: .remedy)
    }
}

/// The rules, in order of priority within one severity: a named cause comes before the state it causes.
public enum FindingCode: String, Sendable, Codable, CaseIterable, Comparable {
    case redis2857 = "redis-2857"
    /// Another leak the table of known fork leaks names (`KnownForkLeak`).
    case knownForkLeak = "known-fork-leak"
    case pipeLeak = "pipe-leak"
    case pipeLeakUnexplained = "pipe-leak-unexplained"
    case incrFileStorm = "incr-file-storm"
    case emfileRegime = "emfile-regime"
    case ratchet
    case clientLeak = "client-leak"
    case deadPeers = "dead-peers"
    case fdExhausted = "fd-exhausted"
    case fdExhaustionImminent = "fd-exhaustion-imminent"
    case fewSpareFds = "few-spare-fds"
    case maxclientsReached = "maxclients-reached"
    case connectionsRejected = "connections-rejected"
    case maxclientsNear = "maxclients-near"
    /// The measured fork readiness says the next fork will fail (or may, while forks are failing).
    case forkWillFail = "fork-will-fail"
    case forkFailing = "fork-failing"
    case aofRewriteFailing = "aof-rewrite-failing"
    case aofRewriteThrottled = "aof-rewrite-throttled"
    case sourceFailed = "source-failed"

    public static func < (a: FindingCode, b: FindingCode) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
