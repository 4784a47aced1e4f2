import AoftopModel

/// The diagnosis rules. Each looks at `Facts` and may add one `Finding`; the result is sorted by severity,
/// then by `FindingCode` order (named causes before the states they cause).
public enum Rules {
    /// A rising ETA under this many seconds is critical; above it, a warning.
    public static let criticalEtaSeconds = 600.0
    /// At or below this many spare fds (and not yet exhausted) the pane warns: single probes still work,
    /// a reconnect burst larger than the spare count does not.
    public static let fewSpareFds = 16
    /// CPU above this while out of fds: Redis spins on a failing `accept()` (EMFILE regime).
    public static let spinningCPUPercent = 90.0
    static let silentLogSeconds = 5.0
    public static let incrStormFiles = 10

    static func findings(_ f: Facts) -> [Finding] {
        var out: [Finding] = []
        let fdSeverity = fdUrgency(f)

        if f.leak.suspected {
            let severity = max(fdSeverity, .warning)
            if let attribution = f.leak.attribution {
                let code: FindingCode = switch attribution.verdict {
                case .knownLeak: attribution.leak == .redis2857 ? .redis2857 : .knownForkLeak
                case .followsFailures: .pipeLeak
                case .unexplained: .pipeLeakUnexplained
                }
                out.append(Finding(code: code, severity: severity, headline: attribution.headline, remedy: attribution.remedy))
            } else if isPre329(f) {
                let leak = KnownForkLeak.entry(.redis2857)
                out.append(Finding(code: .redis2857, severity: severity,
                    headline: "\(leak.headline) (\(leak.reference), fixed in \(leak.fixedIn))",
                    remedy: leak.remedy(forkFix: ForkReadinessText.forkFix(f.forkReadiness))))
            } else {
                let per = f.leak.fdsPerFailure.map { " (≈\(rounded($0, 1)) fds per failed fork)" } ?? ""
                out.append(Finding(code: .pipeLeak, severity: severity,
                    headline: "pipes leak, held at both ends by Redis\(per)",
                    remedy: PipeLeakAttribution.stopRemedy(.aofRewrite) + "; " + ForkReadinessText.forkFix(f.forkReadiness)
                        + "; only a restart frees the leaked fds"))
            }
        }
        if let storm = incrStorm(f) { out.append(storm) }
        if let emfile = emfileRegime(f) { out.append(emfile) }
        if f.leak.ratchet {
            out.append(Finding(code: .ratchet, severity: .critical,
                headline: "sockets fall while pipes rise: every freed client slot is taken by leaked pipes",
                remedy: "only a restart frees the fds"))
        }
        switch f.eta.status {
        case .exhausted:
            out.append(exhaustedFinding(f))
        case .rising:
            let slope = f.eta.slopePerS ?? 0
            // A slow leak read from the log: per hour, the way it was measured.
            let rate = f.eta.window == .history ? "+\(format(slope * 3600)) fds/h from the log's fork failures"
                                                : "+\(format(slope)) fds/s"
            out.append(Finding(code: .fdExhaustionImminent, severity: fdSeverity,
                headline: "fd exhaustion in \(duration(f.eta.seconds ?? 0)) (\(rate), \(roomText(f)))"))
        default:
            break
        }
        if f.eta.status != .exhausted, let spare = f.limit.spare, spare <= fewSpareFds {
            let preposition = f.limit.binding == .eventLoop ? "below" : "before"
            out.append(Finding(code: .fewSpareFds, severity: .warning,
                headline: "\(spare) spare \(fds(spare)) \(preposition) the \(limitName(f.limit)) limit \(f.limit.effective ?? 0)",
                remedy: "one connection may work; a reconnect burst of more than \(spare) will fail"))
        }
        out += ClientRules.findings(f)
        out += SocketRules.findings(f)
        if let verdict = f.forkReadiness,
           verdict.outcome == .willFail || (verdict.outcome == .mayFail && f.forkFailingRecently) {
            out.append(Finding(code: .forkWillFail, severity: .warning, headline: verdict.summary,
                               remedy: (verdict.remedy ?? "free memory") + "; check: `\(verdict.checkCommand)`"))
        }
        if f.forkFailingRecently {
            out.append(Finding(code: .forkFailing, severity: .warning, headline: forkHeadline(f),
                               remedy: ForkReadinessText.forkFix(f.forkReadiness)))
        }
        switch f.aof.state {
        case .dueButFailing:
            let growth = f.aof.growthPercent.map { " (growth \($0)%\(f.aof.thresholdPercent.map { " ≥ \($0)%" } ?? ""))" } ?? ""
            out.append(Finding(code: .aofRewriteFailing, severity: .warning,
                headline: "AOF rewrite due\(growth) but failing", remedy: ForkReadinessText.forkFix(f.forkReadiness)))
        case .throttled:
            out.append(Finding(code: .aofRewriteThrottled, severity: .warning,
                headline: "AOF rewrite throttled after repeated failures", remedy: ForkReadinessText.forkFix(f.forkReadiness)))
        default:
            break
        }
        out += sourceFindings(f)
        return out.sorted { ($0.severity, $1.code) > ($1.severity, $0.code) }
    }

    /// The one-line text when no rule fired.
    static func allClear(_ f: Facts) -> String {
        guard let fds = f.snapshot.process.value?.fds else { return "no fd reading" }
        let limit = f.limit.effective.map { "/\($0) \(limitName(f.limit))" } ?? ""
        return "no fd leak: \(fds.total)\(limit) fds, \(fds.pipes) pipes"
    }

    private static func fdUrgency(_ f: Facts) -> Severity {
        switch f.eta.status {
        case .exhausted: return .critical
        case .rising: return (f.eta.seconds ?? .infinity) <= criticalEtaSeconds ? .critical : .warning
        default: return .warning
        }
    }

    private static func isPre329(_ f: Facts) -> Bool {
        if let version = f.parsedVersion, !f.isValkey { return version < .pipeLeakFixed }
        // Version unknown: the 6-fds-per-failure ratio is the fingerprint.
        guard f.parsedVersion == nil, let per = f.leak.fdsPerFailure else { return false }
        return per >= 5 && per <= 7
    }

    private static func incrStorm(_ f: Facts) -> Finding? {
        let files = f.aof.incrFiles ?? 0
        let modern = f.isValkey || (f.parsedVersion.map { $0 >= .multiPartAof } ?? false)
        // The rate counts every mechanism: only the AOF rewrite's share of it makes incr files.
        let aofShare = Double(f.forks.aof ?? 0) / Double(max(1, f.forks.total ?? 0))
        let unthrottled = modern && f.aof.state != .throttled && (f.forks.perMinute ?? 0) * aofShare >= 30
        guard files >= incrStormFiles || (unthrottled && f.forkFailingRecently) else { return nil }
        let count = f.aof.dirFiles.map { "appendonlydir has \($0) files" } ?? "incr files pile up"
        return Finding(code: .incrFileStorm, severity: .warning,
            headline: "AOF rewrite fork failures not throttled: \(count) (Redis 7 incr-file storm)",
            remedy: PipeLeakAttribution.stopRemedy(.aofRewrite) + "; " + ForkReadinessText.forkFix(f.forkReadiness)
                + "; the next good rewrite removes the files")
    }

    private static func emfileRegime(_ f: Facts) -> Finding? {
        guard f.limit.binding == .rlimit, let soft = f.limit.rlimitSoft, let fds = f.snapshot.process.value?.fds,
              f.eta.status == .exhausted else { return nil }
        var symptoms: [String] = []
        if let cpu = f.activity.cpuPercent, cpu >= spinningCPUPercent { symptoms.append("CPU \(Int(cpu.rounded())) %") }
        if let silent = f.activity.logSilentSeconds, silent >= silentLogSeconds {
            symptoms.append("log silent \(Int(silent)) s")
        }
        symptoms.append("new clients hang")
        return Finding(code: .emfileRegime, severity: .critical,
            headline: "out of fds at RLIMIT_NOFILE \(soft) (EMFILE, \(fds.total) open): " + symptoms.joined(separator: ", "),
            remedy: "only a restart frees the fds; a log-only monitor sees nothing now")
    }

    private static func exhaustedFinding(_ f: Facts) -> Finding {
        var finding = exhaustedState(f)
        // From the log read back to the start: how long this has lasted, and what proved the limit.
        if let since = f.eta.since { finding.headline += ", refusing clients since \(since.iso8601)" }
        if let evidence = f.limit.evidence { finding.headline += "; \(evidence.text)" }
        return finding
    }

    private static func exhaustedState(_ f: Facts) -> Finding {
        let refused = "new clients are refused until Redis restarts"
        guard let fds = f.snapshot.process.value?.fds else {
            return Finding(code: .fdExhausted, severity: .critical, headline: "fds exhausted", remedy: refused)
        }
        guard f.limit.binding == .eventLoop, let setsize = f.limit.setsize, let spare = f.limit.spare else {
            return Finding(code: .fdExhausted, severity: .critical,
                headline: "fd limit reached: \(fds.total) fds open of RLIMIT_NOFILE \(f.limit.rlimitSoft ?? 0) (EMFILE)",
                remedy: refused)
        }
        if spare == 0 {
            return Finding(code: .fdExhausted, severity: .critical,
                headline: "fd limit reached: next fd \(fds.lowestFreeFd) ≥ event-loop setsize \(setsize) (ERANGE), "
                    + "\(fds.total) fds open", remedy: refused)
        }
        // A few free numbers left below setsize (holes): one client at a time may still get in, which makes a
        // single probe look healthy while a reconnect burst fails.
        let numbers = spare == 1 ? "only 1 free fd number below it" : "only \(spare) free fd numbers below it"
        let taken = spare == 1 ? "whenever it is taken" : "whenever they are taken"
        return Finding(code: .fdExhausted, severity: .critical,
            headline: "\(fds.total) fds open, event-loop limit \(setsize): \(numbers) — new clients hang or are refused \(taken)",
            remedy: "\(spare) spare \(Self.fds(spare)) below the event-loop limit: single connections may work, "
                + "reconnect bursts fail until Redis restarts")
    }

    /// How close the fds are to the binding limit, for the ETA headline: `529/1128 event loop` while the fds below
    /// the limit are contiguous; with holes, the free numbers below it (the open count says little then).
    private static func roomText(_ f: Facts) -> String {
        let total = f.snapshot.process.value?.fds.total ?? 0
        let effective = f.limit.effective ?? 0
        if f.limit.binding == .eventLoop, let spare = f.limit.spare, spare != effective - total {
            return "\(spare) free fd \(spare == 1 ? "number" : "numbers") below event-loop limit \(effective), \(total) open"
        }
        return "\(total)/\(effective) \(limitName(f.limit))"
    }

    private static func fds(_ count: Int) -> String { count == 1 ? "fd" : "fds" }

    /// Seconds up to 1,000 (what a live leak's ETA is), then minutes, hours or days.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1000: "\(Int(seconds.rounded())) s"
        case ..<(3 * 3600): "\(Int((seconds / 60).rounded())) min"
        case ..<(3 * 86400): "\(format(rounded(seconds / 3600, 1))) h"
        default: "\(format(rounded(seconds / 86400, 1))) days"
        }
    }

    private static func forkHeadline(_ f: Facts) -> String {
        var text = "fork failing"
        if let rate = f.forks.perMinute, rate > 0 { text += ": \(format(rate))/min" }
        if let last = f.forks.last {
            text += " (\(last.kind.title)\(last.error.map { ": fork: \($0)" } ?? ""))"
        } else if f.forks.inferredFromInfo {
            text += " (INFO aof_last_bgrewrite_status:err, no new rewrite)"
        }
        return text
    }

    private static func sourceFindings(_ f: Facts) -> [Finding] {
        var out: [Finding] = []
        // With both gone, Redis's reason (refused, timeout, auth) usually explains the missing pid: it comes first.
        if let reason = f.snapshot.redis.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no Redis reading: \(reason) — AOF pane unknown"))
        }
        if let reason = f.snapshot.process.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no /proc reading: \(reason) — fd panes unknown"))
        }
        if let reason = f.snapshot.log.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no log reading: \(reason) — fork failures unknown"))
        }
        // Only when Redis cannot be asked do the start-up settings matter (a rewritten process title is the default).
        if f.snapshot.redis.value == nil, let reason = f.snapshot.startup.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no start-up settings: \(reason) — limits from evidence only"))
        }
        if let reason = f.snapshot.aofDirectory.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no AOF directory reading: \(reason)"))
        }
        return out
    }

    static func limitName(_ limit: FdLimitAssessment) -> String {
        switch limit.binding {
        case .eventLoop: "event loop"
        case .rlimit: "RLIMIT_NOFILE"
        case .unknown: "unknown limit"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(rounded(value, 1))
    }
}
