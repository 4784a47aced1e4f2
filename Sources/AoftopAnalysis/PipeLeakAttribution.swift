import AoftopModel

/// Which mechanism a rise of self-held pipes follows, and whether that is a known leak of this server's version.
///
/// Leaked pipes come in whole pipes per event (the AOF rewrite's three IPC pipes: 6 fds; a child-info pipe: 2), so
/// a leak shows as pipes gained ≈ k × events of one kind over the same span. The events compared are every fork
/// failure by mechanism and every other trigger a known leak follows; the one whose count the rise matches is
/// named. A rise that matches none is called unexplained, with the events of the span, rather than forced into
/// the AOF story: a module, a debugger or a library can open pipes too.
public struct PipeLeakAttribution: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Codable {
        /// The rise follows a trigger of a leak this version is known to have.
        case knownLeak = "known-leak"
        /// The rise follows one mechanism's failed forks, but no known leak of this version explains it.
        case followsFailures = "follows-failures"
        /// It follows no fork failure or known trigger.
        case unexplained
    }

    public var verdict: Verdict
    /// The failed fork the rise follows (`known-leak` of a fork failure, `follows-failures`).
    public var mechanism: ForkMechanism?
    /// The known leak (`known-leak` only).
    public var leak: KnownForkLeak.ID?
    /// The event kind the rise was matched with, and how many fds it gained per event.
    public var trigger: LogEventKind?
    public var fdsPerEvent: Double?
    /// Pipe fds gained over the span compared, and the span's start (`nil`: since the server started, from the log
    /// read back to its start line).
    public var pipesGained: Int
    public var since: Timestamp?
    /// Classified log events of the span (what the rise could follow), by kind.
    public var events: [LogEventKind: Int]
    /// One line for the diagnosis: what leaks, on what.
    public var headline: String
    /// The numbers behind it: the pipes gained, the events they were matched with, the events of the span.
    public var evidence: String
    public var remedy: String

    enum CodingKeys: String, CodingKey {
        case verdict, mechanism, leak, trigger, since, events, headline, evidence, remedy
        case fdsPerEvent = "fds_per_event"
        case pipesGained = "pipes_gained"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(mechanism, forKey: .mechanism)
        try c.encode(leak, forKey: .leak)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(fdsPerEvent, forKey: .fdsPerEvent)
        try c.encode(pipesGained, forKey: .pipesGained)
        try c.encode(since, forKey: .since)
        try c.encode(events, forKey: .events)
        try c.encode(headline, forKey: .headline)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(remedy, forKey: .remedy)
    }
}

extension PipeLeakAttribution {
    /// Fewer events than this say nothing about a ratio.
    static let minEvents = 2
    /// No known mechanism leaks less than one pipe end or more than the AOF rewrite's three pipes per event.
    static let plausibleFdsPerEvent = 0.8...7.0
    /// A leak no release is known for is named after failed forks only at a whole pipe or more per failure.
    static let followedFdsPerEvent = 1.5...7.0
    /// How far the measured fds per event may be from a known leak's (the baseline and a pipe or two of a
    /// rewrite under way blur it).
    static let knownLeakTolerance = 0.35

    /// The pipes gained and the events over one span: since the server's start (the log read back to it), or over
    /// the samples aoftop holds.
    struct Span {
        var pipesGained: Int
        var events: [LogEventKind: Int]
        var since: Timestamp?
        /// `since the server started`, `in the last 4 min`.
        var text: String
    }

    /// `nil` when there is no rise to attribute or no log to attribute it with, and when a rise at the fd limit
    /// matches nothing: there the log itself goes short (Redis opens the log file for every line, and the leak
    /// takes every free fd), so the events undercount and "unexplained" would be wrong.
    init?(history: AnalysisHistory, census: FdCensus?, logHistory: LogHistory?, baselineIsTheServers: Bool,
          server: String?, version: RedisVersion?, minGain: Int, atLimit: Bool, forkFix: String) {
        guard let census else { return nil }
        let spans = Self.spans(history: history, census: census, logHistory: logHistory,
                               baselineIsTheServers: baselineIsTheServers).filter { $0.pipesGained >= minGain }
        let isValkey = server?.lowercased() == "valkey"
        // The server's whole life first; a span whose baseline already held leaked single ends (they form no
        // self-held pairs, so the fewest pipes seen are no clean baseline) can still match over aoftop's own samples.
        let judged = spans.map { Self.judge($0, isValkey: isValkey, version: version, forkFix: forkFix) }
        guard let chosen = judged.first(where: { $0.verdict != .unexplained }) ?? (atLimit ? nil : judged.first) else { return nil }
        self = chosen
    }

    /// The attribution over one span.
    static func judge(_ span: Span, isValkey: Bool, version: RedisVersion?, forkFix: String) -> PipeLeakAttribution {
        let ratios = span.events.compactMapValues { count -> Double? in
            count >= Self.minEvents ? Double(span.pipesGained) / Double(count) : nil
        }.filter { Self.plausibleFdsPerEvent.contains($0.value) }

        let known = KnownForkLeak.all.compactMap { leak -> (KnownForkLeak, Double)? in
            guard let ratio = ratios[leak.trigger], leak.applies(isValkey: isValkey, version: version, fdsPerEvent: ratio)
            else { return nil }
            let size = Double(leak.fdsPerEvent)
            // On a release that has a leak of failed forks, fewer fds per failure than it leaks is the limit capping
            // it (the forks go on failing, no pipe can be opened); a leak of other events, or with the version
            // unknown, must match its size.
            let lowest = version != nil && leak.followsFailedForks ? 0 : size * (1 - Self.knownLeakTolerance)
            guard ratio >= lowest, ratio <= size * (1 + Self.knownLeakTolerance) else { return nil }
            return (leak, ratio)
        }.min { abs($0.1 - Double($0.0.fdsPerEvent)) < abs($1.1 - Double($1.0.fdsPerEvent)) }
        let gained = "+\(span.pipesGained) pipe fds \(span.text)"
        let seen = span.events.filter { $0.value > 0 }.sorted { $0.key < $1.key }.prefix(4)
            .map { "\($0.value) \(Self.name($0.key))" }
        let log = seen.isEmpty ? "no log events in the span" : "log: " + seen.joined(separator: ", ")
        if let (leak, ratio) = known {
            return PipeLeakAttribution(
                verdict: .knownLeak, mechanism: leak.trigger.failedFork, leak: leak.id, trigger: leak.trigger,
                fdsPerEvent: rounded(ratio, 2), pipesGained: span.pipesGained, since: span.since, events: span.events,
                headline: "\(leak.headline) (\(leak.reference), fixed in \(leak.fixedIn))",
                evidence: "\(gained), ≈\(Rules.format(rounded(ratio, 1))) per \(Self.one(leak.trigger)); \(log)",
                remedy: leak.remedy(forkFix: forkFix))
        }
        // The failed forks the rise follows: one mechanism's, or every failed fork's when several failed and the
        // total fits whole pipes better (a leak in the fork path they share); the ratio nearest whole pipes wins.
        let failing = ForkMechanism.allCases.filter { (span.events[$0.failureKind] ?? 0) > 0 }
        var candidates: [(ForkMechanism?, Double)] = ForkMechanism.allCases.compactMap { mechanism in
            ratios[mechanism.failureKind].map { (mechanism, $0) }
        }
        let total = ForkMechanism.totalFailures(in: span.events)
        if failing.count >= 2, total >= Self.minEvents {
            candidates.append((nil, Double(span.pipesGained) / Double(total)))
        }
        // Equally whole, the fewer fds per event explains more of the events (2 per failure of both beats 4 per
        // failure of one).
        let followed = candidates.filter { Self.followedFdsPerEvent.contains($0.1) }
            .min { (rounded(Self.offWholePipes($0.1), 1), $0.1) < (rounded(Self.offWholePipes($1.1), 1), $1.1) }
        let release = Self.release(isValkey: isValkey, version: version)
        if let (mechanism, ratio) = followed {
            let which = mechanism.map { "failed \($0.title) forks" }
                ?? "every failed fork (" + failing.map(\.title).joined(separator: ", ") + ")"
            let stops = (mechanism.map { [$0] } ?? failing).map(Self.stopRemedy).joined(separator: "; ")
            return PipeLeakAttribution(
                verdict: .followsFailures, mechanism: mechanism, leak: nil, trigger: mechanism?.failureKind,
                fdsPerEvent: rounded(ratio, 2), pipesGained: span.pipesGained, since: span.since, events: span.events,
                headline: "pipes leak with \(which) (≈\(Rules.format(rounded(ratio, 1))) fds each), not a known leak of \(release)",
                evidence: "\(gained); \(log)",
                remedy: stops + "; " + forkFix + "; only a restart frees the leaked fds; worth a bug report (`aoftop record`)")
        }
        let follows = total > 0
            ? "\(Rules.format(rounded(Double(span.pipesGained) / Double(total), 1))) per failed fork matches no fork"
            : "no failed fork of any kind"
        return PipeLeakAttribution(
            verdict: .unexplained, mechanism: nil, leak: nil, trigger: nil, fdsPerEvent: nil,
            pipesGained: span.pipesGained, since: span.since, events: span.events,
            headline: "self-held pipes rise unexplained (+\(span.pipesGained) fds, \(follows))",
            evidence: "\(gained); \(log)",
            remedy: "not Redis's fork path: see who opens them — a module (`MODULE LIST`), a debugger or tracer "
                + "(`grep TracerPid /proc/PID/status`), a library; `ls -l /proc/PID/fd | grep pipe`")
    }

    /// The spans to compare, widest first: since the start (the log read back to it, the server's own baseline
    /// known), then over aoftop's samples (the oldest point kept with both a census and log totals).
    static func spans(history: AnalysisHistory, census: FdCensus, logHistory: LogHistory?, baselineIsTheServers: Bool) -> [Span] {
        var spans: [Span] = []
        if baselineIsTheServers, let logHistory, logHistory.state == .complete, let totals = logHistory.totals,
           let baseline = history.baselinePipes, ForkMechanism.totalFailures(in: totals) >= minEvents {
            spans.append(Span(pipesGained: census.pipes - baseline, events: totals.filter { $0.key != .other && $0.value > 0 },
                              since: nil, text: "since the server started"))
        }
        if let first = history.points.first(where: { $0.fds != nil && $0.logTotals != nil }),
           let before = first.fds, let totalsBefore = first.logTotals, let latest = history.latest,
           let totalsNow = latest.logTotals {
            var events: [LogEventKind: Int] = [:]
            for (kind, count) in totalsNow where kind != .other && count > (totalsBefore[kind] ?? 0) {
                events[kind] = count - (totalsBefore[kind] ?? 0)
            }
            let seconds = latest.time.seconds(since: first.time)
            spans.append(Span(pipesGained: census.pipes - before.pipes, events: events, since: first.time,
                              text: "in the last \(Rules.duration(seconds))"))
        }
        return spans
    }

    /// How far fds per event is from a whole number of pipes (2, 4, 6 fds).
    private static func offWholePipes(_ ratio: Double) -> Double {
        abs(ratio / 2 - (ratio / 2).rounded())
    }

    /// `Redis 7.0.15`, `Valkey 8.1.1`, or `this version` when unknown.
    static func release(isValkey: Bool, version: RedisVersion?) -> String {
        guard let version else { return "this version" }
        return "\(isValkey ? "Valkey" : "Redis") \(version)"
    }

    /// What stops each mechanism's forks from being retried: one place per remedy.
    static func stopRemedy(_ mechanism: ForkMechanism) -> String {
        switch mechanism {
        case .aofRewrite: "`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries"
        case .bgsave: "`CONFIG SET save \"\"` stops the scheduled BGSAVE retries (and stop any cron issuing BGSAVE)"
        case .replicaSync: "stop the replica asking for a full sync (`REPLICAOF NO ONE` on it, or fix what makes it resync)"
        case .disklessSync: "stop the replica asking for a full sync; `CONFIG SET repl-diskless-sync no` moves syncs to disk"
        }
    }

    /// `failed AOF rewrite fork`, `replica sync start`: one event.
    public static func one(_ kind: LogEventKind) -> String { String(name(kind).dropLast()) }

    /// `failed AOF rewrite forks`, `replica sync starts`: the events a count is of.
    static func name(_ kind: LogEventKind) -> String {
        if let mechanism = kind.failedFork { return "failed \(mechanism.title) forks" }
        switch kind {
        case .rdbSaveScheduled: return "scheduled saves"
        case .replicaSyncStart: return "replica sync starts"
        case .disklessSyncStart: return "diskless sync starts"
        case .aofRewriteStarted: return "AOF rewrites started"
        case .aofRewriteDone: return "AOF rewrites done"
        case .aofRewriteFailed: return "AOF rewrites failed or killed"
        case .aofPipesFailed: return "rewrite pipes refused"
        case .aofRewriteChildKilled: return "rewrite children killed"
        case .clientRegisterFailed: return "clients refused"
        default: return kind.rawValue
        }
    }
}
