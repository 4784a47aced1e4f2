import AoftopModel

/// The diagnosis rules. Each looks at `Facts` and may add one `Finding`; the result is sorted by severity,
/// then by `FindingCode` order (named causes before the states they cause).
enum Rules {
    /// A rising ETA under this many seconds is critical; above it, a warning.
    static let criticalEtaSeconds = 600.0
    /// At or below this many spare fds (and not yet exhausted) the pane warns: single probes still work,
    /// a reconnect burst does not.
    static let fewSpareFds = 16
    /// CPU above this while out of fds: Redis spins on a failing `accept()` (EMFILE regime).
    static let spinningCPUPercent = 90.0
    static let silentLogSeconds = 5.0
    static let incrStormFiles = 10

    static let remedy2857 = "upgrade; make fork possible — vm.overcommit_memory=1, free memory —; meanwhile "
        + "`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries; only a restart frees the leaked fds"
    static let remedyFork = "make fork possible: vm.overcommit_memory=1, free memory"

    static func findings(_ f: Facts) -> [Finding] {
        var out: [Finding] = []
        let fdSeverity = fdUrgency(f)

        if f.leak.suspected {
            let severity = max(fdSeverity, .warning)
            if isPre329(f) {
                out.append(Finding(code: .redis2857, severity: severity,
                    headline: "AOF rewrite fork failures leak 6 fds each (redis#2857, fixed in 3.2.9)",
                    remedy: remedy2857))
            } else {
                let per = f.leak.fdsPerFailure.map { " (≈\(rounded($0, 1)) fds per failed fork)" } ?? ""
                out.append(Finding(code: .pipeLeak, severity: severity,
                    headline: "pipes leak, held at both ends by Redis\(per)",
                    remedy: "make fork possible — vm.overcommit_memory=1, free memory —; "
                        + "`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries; only a restart frees the leaked fds"))
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
            out.append(Finding(code: .fdExhausted, severity: .critical, headline: exhaustedHeadline(f),
                               remedy: "new clients are refused until Redis restarts"))
        case .rising:
            let seconds = Int((f.eta.seconds ?? 0).rounded())
            out.append(Finding(code: .fdExhaustionImminent, severity: fdSeverity,
                headline: "fd exhaustion in \(seconds) s (+\(format(f.eta.slopePerS ?? 0)) fds/s, "
                    + "\(f.snapshot.process.value?.fds.total ?? 0)/\(f.limit.effective ?? 0) \(limitName(f.limit)))"))
        default:
            break
        }
        if f.eta.status != .exhausted, let spare = f.limit.spare, spare <= fewSpareFds {
            out.append(Finding(code: .fewSpareFds, severity: .warning,
                headline: "\(spare) spare fds before the \(limitName(f.limit)) limit \(f.limit.effective ?? 0)",
                remedy: "one connection may work; a reconnect burst will fail"))
        }
        if f.forkFailingRecently {
            out.append(Finding(code: .forkFailing, severity: .warning, headline: forkHeadline(f), remedy: remedyFork))
        }
        switch f.aof.state {
        case .dueButFailing:
            let growth = f.aof.growthPercent.map { " (growth \($0)%\(f.aof.thresholdPercent.map { " ≥ \($0)%" } ?? ""))" } ?? ""
            out.append(Finding(code: .aofRewriteFailing, severity: .warning,
                headline: "AOF rewrite due\(growth) but failing", remedy: remedyFork))
        case .throttled:
            out.append(Finding(code: .aofRewriteThrottled, severity: .warning,
                headline: "AOF rewrite throttled after repeated failures", remedy: remedyFork))
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
        let unthrottled = modern && f.aof.state != .throttled && (f.forks.perMinute ?? 0) >= 30
        guard files >= incrStormFiles || (unthrottled && f.forkFailingRecently) else { return nil }
        let count = f.aof.dirFiles.map { "appendonlydir has \($0) files" } ?? "incr files pile up"
        return Finding(code: .incrFileStorm, severity: .warning,
            headline: "AOF rewrite fork failures not throttled: \(count) (Redis 7 incr-file storm)",
            remedy: "make fork possible — vm.overcommit_memory=1, free memory —; "
                + "`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries; the next good rewrite removes the files")
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

    private static func exhaustedHeadline(_ f: Facts) -> String {
        guard let fds = f.snapshot.process.value?.fds else { return "fds exhausted" }
        if let setsize = f.limit.setsize, fds.lowestFreeFd >= setsize {
            return "fd limit reached: next fd \(fds.lowestFreeFd) ≥ event-loop setsize \(setsize) (ERANGE), "
                + "\(fds.total) fds open"
        }
        return "fd limit reached: \(fds.total) fds open of RLIMIT_NOFILE \(f.limit.rlimitSoft ?? 0) (EMFILE)"
    }

    private static func forkHeadline(_ f: Facts) -> String {
        var text = "fork failing"
        if let rate = f.forks.perMinute, rate > 0 { text += ": \(format(rate))/min" }
        if let last = f.forks.last {
            text += " (\(last.kind == .aof ? "AOF rewrite" : "RDB save")\(last.error.map { ": fork: \($0)" } ?? ""))"
        } else if f.forks.inferredFromInfo {
            text += " (INFO aof_last_bgrewrite_status:err, no new rewrite)"
        }
        return text
    }

    private static func sourceFindings(_ f: Facts) -> [Finding] {
        var out: [Finding] = []
        if let reason = f.snapshot.process.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no /proc reading: \(reason) — fd panes unknown"))
        }
        if let reason = f.snapshot.redis.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no Redis reading: \(reason) — AOF pane unknown"))
        }
        if let reason = f.snapshot.log.failureReason {
            out.append(Finding(code: .sourceFailed, severity: .warning,
                               headline: "no log reading: \(reason) — fork failures unknown"))
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
