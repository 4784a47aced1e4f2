import AoftopModel

/// Which fork a `Can't save in background: fork: …` line belongs to.
///
/// Every BGSAVE writes the same failure line; what tells them apart is the line its trigger wrote just before.
/// Redis logs the trigger and forks in the same call (`startBgsaveForReplication`: `Starting BGSAVE for SYNC
/// with target: …`, then `rdbSaveBackground` or `rdbSaveToSlavesSockets`; `serverCron`: `N changes in M seconds.
/// Saving...`, then `rdbSaveBackground`), so the failure follows its trigger by the same process within
/// milliseconds. A failure with no trigger just before it is a BGSAVE command (or a schedule the log level hid).
struct ForkTriggerContext: Sendable {
    /// More than a failing fork of a large heap takes (page tables copied first), less than the 5 s before a
    /// failed BGSAVE is retried.
    static let maxGapMs: Int64 = 4000

    private var trigger: (kind: LogEventKind, pid: Int32?, time: Timestamp?)?

    /// A line of no interest: in a log without times (`journalctl -o cat`) the gap cannot be measured, so a
    /// trigger only counts for the very next line (Redis writes nothing between a trigger and its fork's failure).
    mutating func noteOther() {
        if let trigger, trigger.time == nil { self.trigger = nil }
    }

    /// The kind of a line in the context of the lines before it; remembers triggers, resolves a BGSAVE's failure.
    mutating func refine(_ kind: LogEventKind, pid: Int32?, time: Timestamp?) -> LogEventKind {
        switch kind {
        case .rdbSaveScheduled, .replicaSyncStart, .disklessSyncStart:
            trigger = (kind, pid, time)
            return kind
        case .rdbForkFailed:
            defer { trigger = nil }
            guard let trigger, pid == nil || trigger.pid == nil || pid == trigger.pid else { return kind }
            if let time, let then = trigger.time, time.millisecondsSince1970 - then.millisecondsSince1970 > Self.maxGapMs {
                return kind
            }
            switch trigger.kind {
            case .replicaSyncStart: return .replicaSyncForkFailed
            case .disklessSyncStart: return .disklessSyncForkFailed
            default: return kind
            }
        case .aofForkFailed:
            trigger = nil
            return kind
        default:
            return kind
        }
    }
}
