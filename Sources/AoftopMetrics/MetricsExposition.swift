import AoftopAnalysis
import AoftopFleet
import AoftopModel
import Prometheus

/// The Prometheus text exposition of a fleet's latest readings (names, types and labels: docs/metrics.md).
///
/// A new registry per scrape: a value that is unknown now (no ETA while fds are flat, a log that cannot be read)
/// must be absent from this scrape, not left at its last value, and instances come and go with discovery.
public enum MetricsExposition {
    /// - Parameters:
    ///   - now: monotonic seconds (`MonotonicClock`), to age the readings.
    ///   - scrapes: scrapes served so far, this one included.
    ///   - host: this machine's name, for the `instance` label of local servers (`instanceLabel`).
    public static func render(_ entries: [FleetMonitor.Entry], now: Double, scrapes: Int, host: String) -> String {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: metric("instances", "Redis/Valkey instances being sampled"))
            .set(Int64(entries.count))
        registry.makeCounter(descriptor: metric("scrapes", "Scrapes of this endpoint served", unit: "total"))
            .increment(by: Int64(scrapes))
        for entry in entries {
            guard let reading = entry.reading else { continue }
            InstanceSeries(registry: registry, instance: instanceLabel(entry.target, host: host), port: entry.target.port)
                .emit(reading, now: now)
        }
        return registry.emitToString()
    }

    /// The `instance` label: how the fleet knows this Redis. A server reached on loopback or a unix socket is
    /// named after this host (`cache-07:6379`), so that the same port on two hosts, scraped by one Prometheus
    /// with `honor_labels`, stays two series and an alert says which host. A named remote address is kept.
    public static func instanceLabel(_ target: FleetTarget, host: String) -> String {
        guard !host.isEmpty else { return target.name }
        switch target.endpoint {
        case .tcp(let address, let port)?:
            let loopback = address == "localhost" || address == "::1" || address.hasPrefix("127.")
            return loopback ? "\(host):\(port)" : target.name
        case .unix(let path)?:
            return "\(host):\(path)"
        case nil:
            return "\(host):\(target.name)"
        }
    }
}

/// The series of one instance, all labelled `instance` and `port`.
struct InstanceSeries {
    let registry: PrometheusCollectorRegistry
    let labels: [(String, String)]

    init(registry: PrometheusCollectorRegistry, instance: String, port: Int?) {
        self.registry = registry
        labels = [("instance", instance), ("port", port.map(String.init) ?? "")]
    }

    func emit(_ reading: InstanceReading, now: Double) {
        let snapshot = reading.snapshot
        let a = reading.assessment
        // Absent, not 0, for a server watched through /proc alone (another user's, its sockets unreadable): there
        // is no Redis to be down.
        if let ok = snapshot.redis.isOK { gauge("up", "1 when Redis answered INFO in the latest sample", ok ? 1 : 0) }
        for (source, ok) in [("redis", snapshot.redis.isOK), ("proc", snapshot.process.isOK), ("log", snapshot.log.isOK)] {
            if let ok { gauge("source_up", "1 when that collector read successfully in the latest sample", ok ? 1 : 0, [("source", source)]) }
        }
        gauge("sample_age_seconds", "Seconds since the latest sample was taken", max(0, now - reading.sampledAt))

        if let census = snapshot.process.value?.fds {
            let help = "Open fds of the server process by type (they sum to the total)"
            for (type, count) in [("socket", census.sockets), ("pipe", census.pipes), ("file", census.regularFiles),
                                  ("anon_inode", census.anonInodeTotal), ("other", census.other)] {
                gauge("open_fds", help, Double(count), [("type", type)])
            }
            gauge("client_sockets", "Sockets that are not listeners (clients, replicas)", Double(census.clientSockets))
            gauge("self_held_pipe_pairs", "Pipes of which the server holds both ends (leaked AOF IPC pipes)",
                  Double(census.selfHeldPipePairs))
            gauge("pipe_leak", "1 when the redis#2857 pipe-leak signature is present", a.leak.suspected ? 1 : 0)
        }

        let limitHelp = "The event loop's setsize (maxclients + 128) and the soft RLIMIT_NOFILE"
        if let setsize = a.limit.setsize { gauge("fd_limit", limitHelp, Double(setsize), [("limit", "event_loop")]) }
        if let soft = a.limit.rlimitSoft { gauge("fd_limit", limitHelp, Double(soft), [("limit", "rlimit")]) }
        if let effective = a.limit.effective {
            gauge("fd_effective_limit", "The fd limit that binds first", Double(effective))
        }
        if a.limit.binding != .unknown {
            let help = "1 for the fd limit that binds first, 0 for the other"
            gauge("fd_limit_binding", help, a.limit.binding == .eventLoop ? 1 : 0, [("limit", "event_loop")])
            gauge("fd_limit_binding", help, a.limit.binding == .rlimit ? 1 : 0, [("limit", "rlimit")])
        }
        if let spare = a.limit.spare { gauge("fd_spare", "Room left below the binding fd limit", Double(spare)) }
        if let seconds = a.eta.seconds { // set only while rising, 0 when exhausted
            gauge("fd_exhaustion_eta_seconds",
                  "Seconds until the binding fd limit is reached (0 when exhausted; absent when fds are not rising)", seconds)
        }
        if let slope = a.eta.slopePerS {
            gauge("fd_growth_per_second", "Open fds gained per second (Theil-Sen slope the forecast uses)", slope)
        }

        emitClients(a.clients)
        if let census = a.sockets { emitSockets(census) }

        if let growth = a.aof.growthPercent {
            gauge("aof_growth_ratio", "AOF growth over the last rewrite's base size (1.0 = 100%)", Double(growth) / 100)
        }
        if let threshold = a.aof.thresholdPercent {
            gauge("aof_rewrite_threshold_ratio", "auto-aof-rewrite-percentage / 100 (0 = automatic rewrites off)",
                  Double(threshold) / 100)
        }
        if let due = a.aof.isDue {
            gauge("aof_rewrite_due", "1 when Redis's own rule says an automatic AOF rewrite is due (growth over threshold, size over min-size)",
                  due ? 1 : 0)
        }
        if let size = a.aof.currentSize { gauge("aof_size_bytes", "Current AOF size as INFO reports it", Double(size)) }
        if let counts = reading.newForkFailures {
            let help = "Fork-failure lines appended to the Redis log since aoftop started following it"
            for mechanism in ForkMechanism.allCases {
                registry.makeCounter(descriptor: metric("fork_failures", help, unit: "total"),
                                     labels: labels + [("kind", mechanism.rawValue)])
                    .increment(by: Int64(counts[mechanism]))
            }
        }
        if let since = a.forkFailures.sinceStart, since.state == .complete {
            // A gauge, not a counter: it counts from the server's start line, read back from the log at once.
            let help = "Fork-failure lines in the Redis log since the server process started (read back to its start line)"
            for (mechanism, count) in (since.byMechanism ?? [:]).sorted(by: { $0.key < $1.key }) {
                gauge("fork_failures_since_process_start", help, Double(count), [("kind", mechanism.rawValue)])
            }
        }
        if let readiness = a.forkReadiness {
            gauge("fork_readiness", "1 for the measured outcome of the next fork (overcommit, commit limit, cgroup, THP, last fork)",
                  1, [("outcome", readiness.outcome.rawValue)])
        }
        if let sample = snapshot.forkReadiness.value {
            if let mode = sample.overcommitMemory {
                gauge("overcommit_memory", "vm.overcommit_memory on the Redis host (0 heuristic, 1 always, 2 never)", Double(mode.rawValue))
            }
            for (name, help, value) in [
                ("commit_limit_bytes", "CommitLimit from /proc/meminfo (binding under overcommit_memory=2)", sample.memory?.commitLimit),
                ("committed_as_bytes", "Committed_AS from /proc/meminfo", sample.memory?.committedAS),
                ("mem_available_bytes", "MemAvailable from /proc/meminfo", sample.memory?.memAvailable),
            ] {
                if let value { gauge(name, help, Double(value)) }
            }
        }
        if let attribution = a.leak.attribution {
            gauge("pipe_leak_attribution", "Pipe fds gained, by what the rise follows: a known leak, one mechanism's failed forks, or nothing (unexplained)",
                  Double(attribution.pipesGained),
                  [("verdict", attribution.verdict.rawValue), ("mechanism", attribution.mechanism?.rawValue ?? ""),
                   ("leak", attribution.leak?.rawValue ?? "")])
        }
        if let since = a.eta.since {
            gauge("fd_exhausted_since_timestamp_seconds", "When the log first showed a client or rewrite pipe refused for lack of fds",
                  since.secondsSince1970)
        }
        // Only while INFO answers: during an outage the server kind is not known, and a guessed `redis` for a
        // Valkey server would swap the series.
        if let version = a.version, let server = snapshot.source.server {
            gauge("redis_info", "Always 1; the server and version as labels", 1, [("server", server), ("version", version)])
        }
        gauge("sample_interval_seconds", "Seconds between samples of this instance", reading.interval)

        var codes = Set<FindingCode>()
        for finding in a.findings where codes.insert(finding.code).inserted {
            gauge("finding", "1 while that aoftop rule fires", 1, [("code", finding.code.rawValue)])
        }
        gauge("severity", "0 ok, 1 warning, 2 critical, 3 unknown (the aoftop check exit codes)",
              Double(a.severity.exitCode))
    }

    /// The client limit: a state of its own (refused at maxclients while the fds are fine).
    private func emitClients(_ c: ClientLimitAssessment) {
        if let clients = c.clients {
            gauge("clients", "Clients Redis counts against maxclients (connected_clients + replicas + cluster-bus links)",
                  Double(clients))
        }
        if let maxclients = c.maxclients { gauge("maxclients", "The maxclients setting in force", Double(maxclients)) }
        if let blocked = c.blockedClients {
            gauge("blocked_clients", "Clients waiting in a blocking command (each holds a connection)", Double(blocked))
        }
        if let rejected = c.rejectedConnections {
            // Redis's own counter since its start, so a counter: rate() over it is the rejections per second.
            registry.makeCounter(descriptor: metric("rejected_connections", "Connections Redis refused since it started, at maxclients or by protected mode (INFO rejected_connections)", unit: "total"),
                                 labels: labels).increment(by: rejected)
        }
        if let seconds = c.forecast.seconds {
            gauge("maxclients_eta_seconds",
                  "Seconds until clients reach maxclients at the current rise (0 when reached; absent when not rising)", seconds)
        }
        if let idle = c.clientList?.idle {
            let help = "Clients by idle time, from CLIENT LIST (--client-list)"
            for (bucket, count) in [("under_1m", idle.underOneMinute), ("under_10m", idle.underTenMinutes),
                                    ("under_1h", idle.underOneHour), ("over_1h", idle.overOneHour)] {
                gauge("clients_idle", help, Double(count), [("idle", bucket)])
            }
        }
        if let refusal = c.refusal {
            let help = "1 while new clients are refused, labelled by why: maxclients, event_loop (ERANGE), emfile, or below_limit (protected-mode denials: rejections with protected-mode on, far below maxclients)"
            gauge("clients_refused", help, 1, [("reason", refusal.metricLabel)])
        }
    }

    /// Who holds the sockets. Only the largest peer gets a series (its address as a label): one series per instance,
    /// however many clients connect.
    private func emitSockets(_ census: SocketCensus) {
        for role in SocketRole.allCases where census.count(role) > 0 {
            gauge("sockets", "Socket fds of the server by role (from /proc; they sum to the socket fds)",
                  Double(census.count(role)), [("role", role.rawValue)])
        }
        for state in TCPState.allCases where census.count(state) > 0 {
            gauge("tcp_sockets", "Non-listening TCP sockets of the server by state (established, close_wait, ...)",
                  Double(census.count(state)), [("state", state.rawValue)])
        }
        let queueHelp = "Bytes queued on the server's TCP sockets: unsent or unacknowledged (send), received and unread (receive)"
        gauge("socket_queue_bytes", queueHelp, Double(census.queues.sendBytes), [("direction", "send")])
        gauge("socket_queue_bytes", queueHelp, Double(census.queues.receiveBytes), [("direction", "receive")])
        gauge("distinct_peers", "Distinct peer addresses of inbound TCP clients", Double(census.distinctPeers))
        if let top = census.topPeers.first {
            gauge("top_peer_clients", "Inbound TCP clients from the peer address with the most of them",
                  Double(top.count), [("peer", top.address.description)])
            if let share = census.share(of: top) {
                gauge("top_peer_share", "That peer's share of the inbound TCP clients (0-1)", share)
            }
        }
    }

    /// `name` without the `aoftop_` prefix, which the descriptor adds as the namespace.
    private func gauge(_ name: String, _ help: String, _ value: Double, _ extra: [(String, String)] = []) {
        registry.makeGauge(descriptor: metric(name, help), labels: labels + extra).set(to: value)
    }
}

/// `aoftop_<name>[_<unit>]`.
func metric(_ name: String, _ help: String, unit: String = "") -> MetricNameDescriptor {
    MetricNameDescriptor(namespace: "aoftop", metricName: name, unitName: unit, helpText: help)
}

extension Reading {
    /// `true`/`false` for a source that was read or failed; `nil` when not configured.
    var isOK: Bool? {
        switch self {
        case .ok: true
        case .failed: false
        case .notConfigured: nil
        }
    }
}

extension ClientLimitAssessment.Refusal {
    /// Prometheus label values use underscores.
    var metricLabel: String {
        switch self {
        case .maxclients: "maxclients"
        case .eventLoop: "event_loop"
        case .emfile: "emfile"
        case .belowLimit: "below_limit"
        }
    }
}
