import AoftopModel

/// The monitoring-plugin rendering used by `aoftop check`: one line `STATUS - summary | perfdata`, and the
/// exit code (`Severity.exitCode`). Perfdata values that are unknown are left out, never printed as 0.
extension Assessment {
    public var checkLine: String {
        let status = severity.rawValue.uppercased()
        var summary = stateSummary
        if let top = findings.first, top.code != .fdExhaustionImminent, top.code != .fdExhausted,
           !summary.contains(top.headline), !top.headline.contains(eta.reason ?? "\u{0}") {
            summary += " (\(top.headline))"
        } else if findings.isEmpty {
            summary = diagnosis
        }
        if sources.log.path == LogSample.standardInput {
            // Piped in: say so, and whether it has ended (then no new event can arrive).
            summary += sources.log.fileState == LogSample.FileState.streamEnded.rawValue
                ? "; log: standard input (closed)" : "; log: standard input"
        }
        let perf = perfdata
        return perf.isEmpty ? "\(status) - \(summary)" : "\(status) - \(summary) | \(perf)"
    }

    public var exitCode: Int32 { severity.exitCode }

    private var stateSummary: String {
        switch eta.status {
        case .exhausted:
            return findings.first { $0.code == .fdExhausted }?.headline ?? "fds exhausted"
        case .rising:
            return findings.first { $0.code == .fdExhaustionImminent }?.headline
                ?? "fd exhaustion in \(Int((eta.seconds ?? 0).rounded())) s"
        case .unknown:
            return "fd exhaustion unknown: \(eta.reason ?? "no data")"
        case .warmingUp, .flat:
            guard let total = fds.total else { return "fds unknown" }
            let limitText = limit.effective.map { "/\($0) \(Rules.limitName(limit))" } ?? ""
            return "fds \(total)\(limitText), \(eta.status == .flat ? "flat" : "warming up")"
        }
    }

    /// `fds=1020;;1128 pipes=950 sockets=60 clients=58;;1000 rejected_per_min=0 eta=12s growth=110%`
    public var perfdata: String {
        var items: [String] = []
        if let total = fds.total { items.append("fds=\(total);;\(limit.effective.map(String.init) ?? "")") }
        if let pipe = fds.pipe { items.append("pipes=\(pipe)") }
        if let socket = fds.socket { items.append("sockets=\(socket)") }
        if let count = clients.clients { items.append("clients=\(count);;\(clients.maxclients.map(String.init) ?? "")") }
        if let rate = clients.rejectedPerMinute { items.append("rejected_per_min=\(Rules.format(rate))") }
        if let seconds = eta.seconds { items.append("eta=\(Int(seconds.rounded()))s") }
        if let growth = aof.growthPercent { items.append("growth=\(growth)%") }
        if let perMinute = forkFailures.perMinute { items.append("fork_failures_per_min=\(Rules.format(perMinute))") }
        return items.joined(separator: " ")
    }
}
