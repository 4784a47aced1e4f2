/// What Redis forks for, as far as a fork failure's log line tells: each is triggered, retried and fixed
/// differently, and each leaks (or not) on its own versions.
public enum ForkMechanism: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
    /// A background AOF rewrite (automatic on growth, or BGREWRITEAOF).
    case aofRewrite = "aof"
    /// A BGSAVE for a `save` schedule or the BGSAVE command.
    case bgsave = "rdb"
    /// A BGSAVE to disk for a replica's full sync.
    case replicaSync = "replica-sync"
    /// A diskless full sync: the child writes the RDB to the replicas' sockets.
    case disklessSync = "diskless-sync"

    /// The log line kind of this mechanism's failed fork.
    public var failureKind: LogEventKind {
        switch self {
        case .aofRewrite: .aofForkFailed
        case .bgsave: .rdbForkFailed
        case .replicaSync: .replicaSyncForkFailed
        case .disklessSync: .disklessSyncForkFailed
        }
    }

    /// For panes and sentences: `AOF rewrite`, `BGSAVE`, `replica sync`, `diskless sync`.
    public var title: String {
        switch self {
        case .aofRewrite: "AOF rewrite"
        case .bgsave: "BGSAVE"
        case .replicaSync: "replica sync"
        case .disklessSync: "diskless sync"
        }
    }

    /// Failed forks of each mechanism among log totals (mechanisms with none are 0).
    public static func failures(in totals: [LogEventKind: Int]) -> [ForkMechanism: Int] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, totals[$0.failureKind] ?? 0) })
    }

    /// Every failed fork among log totals.
    public static func totalFailures(in totals: [LogEventKind: Int]) -> Int {
        allCases.reduce(0) { $0 + (totals[$1.failureKind] ?? 0) }
    }

    public static func < (a: ForkMechanism, b: ForkMechanism) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
