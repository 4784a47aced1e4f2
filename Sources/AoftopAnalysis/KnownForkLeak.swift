import AoftopModel

/// An fd leak around fork that Redis or Valkey shipped, by the event each leak follows and the releases that have
/// it, read from their source history (`docs/fork-leaks.md` has the table with the commits).
public struct KnownForkLeak: Sendable, Equatable {
    public enum ID: String, Sendable, Codable, CaseIterable {
        case redis2857 = "redis#2857"
        case childInfoOverwrite = "redis#13699"
        case disklessExitPipe = "redis#12919"
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
    public var remedy: String

    /// Whether a server of this kind and version has the leak; with the version unknown, the ratio is the fingerprint.
    func applies(isValkey: Bool, version: RedisVersion?, fdsPerEvent ratio: Double) -> Bool {
        guard let version else { return true }
        return (isValkey ? valkey : redis).contains { $0.contains(version) }
    }
}

extension KnownForkLeak {
    public static let all: [KnownForkLeak] = [redis2857, childInfoOverwrite, disklessExitPipe]

    public static func entry(_ id: ID) -> KnownForkLeak { all.first { $0.id == id }! }

    /// `rewriteAppendOnlyFileBackground` opened the three parent/child IPC pipes before forking and returned on
    /// a failed fork without closing them; retried every cron tick, 60 fds/s.
    static let redis2857 = KnownForkLeak(
        id: .redis2857, trigger: .aofForkFailed, fdsPerEvent: 6,
        redis: [Affected(from: RedisVersion(2, 8, 0), fixed: RedisVersion(3, 2, 9))], valkey: [],
        headline: "AOF rewrite fork failures leak 6 fds each",
        fixedIn: "3.2.9",
        remedy: "upgrade; " + ForkReadinessText.makeForkPossible + "; meanwhile "
            + PipeLeakAttribution.stopRemedy(.aofRewrite) + "; only a restart frees the leaked fds")

    /// A BGSAVE that ends while replicas wait starts the next one for them at once, and the new child-info pipe
    /// overwrote the old one's fds without closing them.
    static let childInfoOverwrite = KnownForkLeak(
        id: .childInfoOverwrite, trigger: .replicaSyncStart, fdsPerEvent: 2,
        redis: [Affected(from: RedisVersion(4, 0, 0), fixed: RedisVersion(6, 2, 0))], valkey: [],
        headline: "replica syncs started right after a BGSAVE leak its child-info pipe, 2 fds each",
        fixedIn: "6.2",
        remedy: "upgrade; fewer full syncs (a larger `repl-backlog-size`, stable replicas) leak less; "
            + "only a restart frees the leaked fds")

    /// A diskless sync whose fork failed left the rdb child exit pipe open.
    static let disklessExitPipe = KnownForkLeak(
        id: .disklessExitPipe, trigger: .disklessSyncForkFailed, fdsPerEvent: 2,
        redis: [Affected(from: RedisVersion(6, 0, 0), fixed: RedisVersion(7, 2, 5))],
        valkey: [Affected(from: RedisVersion(7, 2, 0), fixed: RedisVersion(7, 2, 5))],
        headline: "diskless sync fork failures leak the rdb child exit pipe, 2 fds each",
        fixedIn: "7.2.5",
        remedy: "upgrade; " + ForkReadinessText.makeForkPossible + "; meanwhile "
            + PipeLeakAttribution.stopRemedy(.disklessSync) + "; only a restart frees the leaked fds")
}

/// Remedy texts shared by the fork rules, said once.
enum ForkReadinessText {
    static let makeForkPossible = "make fork possible — vm.overcommit_memory=1, free memory —"
}
