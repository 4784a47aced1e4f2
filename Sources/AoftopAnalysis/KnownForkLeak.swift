import AoftopModel

/// An fd leak around fork that Redis or Valkey shipped, by the event each leak follows and the releases that have
/// it, read from their source history (`docs/fork-leaks.md` has the table with the commits).
public struct KnownForkLeak: Sendable, Equatable {
    public enum ID: String, Sendable, Codable, CaseIterable {
        case redis2857 = "redis#2857"
        case childInfoOverwrite = "redis#13699"
        case disklessExitPipe = "redis#12919"
        case killedRewriteChild = "redis#5798"
    }

    /// Releases `from..<fixed` of one series (`fixed` nil: never fixed in it).
    public struct Affected: Sendable, Equatable {
        public var from: RedisVersion
        public var fixed: RedisVersion?

        func contains(_ version: RedisVersion) -> Bool { version >= from && fixed.map { version < $0 } ?? true }
    }

    public var id: ID
    /// The log event each leak follows.
    public var trigger: LogEventKind
    public var fdsPerEvent: Int
    public var redis: [Affected]
    public var valkey: [Affected]
    /// `AOF rewrite fork failures leak the 3 IPC pipes`: what leaks, on what.
    public var headline: String
    public var reference: String { id.rawValue }
    public var fixedIn: String
    /// Whether each event is a failed fork: then making fork possible stops the leak too.
    public var followsFailedForks: Bool
    /// What stops the events now, until the upgrade.
    public var meanwhile: String

    /// The remedy, with `forkFix` (what makes fork possible on this host) where the events are failed forks. What
    /// stops the bleeding comes first: on an 80-column screen the rest may be cut.
    public func remedy(forkFix: String) -> String {
        ([meanwhile] + (followsFailedForks ? [forkFix] : []) + ["upgrade to \(fixedIn) or later", "only a restart frees the leaked fds"])
            .joined(separator: "; ")
    }

    /// Whether a server of this kind and version has the leak; with the version unknown, the ratio is the fingerprint.
    func applies(isValkey: Bool, version: RedisVersion?, fdsPerEvent ratio: Double) -> Bool {
        guard let version else { return true }
        return (isValkey ? valkey : redis).contains { $0.contains(version) }
    }
}

extension KnownForkLeak {
    public static let all: [KnownForkLeak] = [redis2857, childInfoOverwrite, disklessExitPipe, killedRewriteChild]

    public static func entry(_ id: ID) -> KnownForkLeak { all.first { $0.id == id }! }

    /// `rewriteAppendOnlyFileBackground` opened the three parent/child IPC pipes before forking and returned on a
    /// failed fork without closing them; retried every cron tick, 60 fds/s. Fixed by PR #3408 in 3.2.9 and 4.0-rc3
    /// (4.0's release candidates call themselves 3.9.10x); 3.0 was never fixed.
    static let redis2857 = KnownForkLeak(
        id: .redis2857, trigger: .aofForkFailed, fdsPerEvent: 6,
        redis: [Affected(from: RedisVersion(3, 0, 0), fixed: RedisVersion(3, 2, 9)),
                Affected(from: RedisVersion(3, 9, 0), fixed: RedisVersion(3, 9, 103))], valkey: [],
        headline: "AOF rewrite fork failures leak 6 fds each", fixedIn: "3.2.9",
        followsFailedForks: true, meanwhile: PipeLeakAttribution.stopRemedy(.aofRewrite))

    /// A BGSAVE that ends while replicas wait starts the next one for them at once, and the new child-info pipe
    /// overwrote the old one's fds without closing them (4.0 to 6.0.20; gone in 6.2.0 with PR #6271's rework).
    static let childInfoOverwrite = KnownForkLeak(
        id: .childInfoOverwrite, trigger: .replicaSyncStart, fdsPerEvent: 2,
        redis: [Affected(from: RedisVersion(4, 0, 0), fixed: RedisVersion(6, 2, 0))], valkey: [],
        headline: "replica syncs started right after a BGSAVE leak its child-info pipe, 2 fds each", fixedIn: "6.2.0",
        followsFailedForks: false,
        meanwhile: "keep replicas from full syncs while a BGSAVE runs (a larger repl-backlog-size, stable links)")

    /// A diskless sync whose fork failed left the write end of the rdb child exit pipe open: one fd, not a pair.
    /// From 6.0.15 (the exit pipe's introduction) to 7.2.x; fixed in 7.4.0 (PR #12919), no backport found.
    /// Valkey 8.0 closes it.
    static let disklessExitPipe = KnownForkLeak(
        id: .disklessExitPipe, trigger: .disklessSyncForkFailed, fdsPerEvent: 1,
        redis: [Affected(from: RedisVersion(6, 0, 15), fixed: RedisVersion(7, 4, 0))],
        valkey: [Affected(from: RedisVersion(7, 2, 0), fixed: RedisVersion(8, 0, 0))],
        headline: "diskless sync fork failures leak 1 fd each (the rdb child exit pipe)", fixedIn: "7.4.0",
        followsFailedForks: true,
        meanwhile: PipeLeakAttribution.stopRemedy(.disklessSync))

    /// Killing a running AOF rewrite child (`appendonly no`, a shutdown, FLUSHALL) left its child-info pipe open
    /// (4.0 to 5.0.14; fixed in 6.0.0 by PR #5798).
    static let killedRewriteChild = KnownForkLeak(
        id: .killedRewriteChild, trigger: .aofRewriteChildKilled, fdsPerEvent: 2,
        redis: [Affected(from: RedisVersion(4, 0, 0), fixed: RedisVersion(6, 0, 0))], valkey: [],
        headline: "killed AOF rewrite children leak their child-info pipe, 2 fds each", fixedIn: "6.0.0",
        followsFailedForks: false,
        meanwhile: "do not toggle appendonly or flush while a rewrite runs")
}
