/// Where a server process lives relative to aoftop: its pids in nested pid namespaces, and whether it sees another
/// file system (its own mount namespace: a container, a systemd unit with `PrivateTmp=`, `unshare --mount`).
///
/// INFO's `process_id` and the pid in every log line are the innermost pid; `/proc` is indexed by the outermost
/// one the proc root shows. Paths from CONFIG (`logfile`, `dir`) name files in the process's mount namespace, which
/// aoftop reaches through `/proc/PID/root` when it differs from its own.
public struct ProcessNamespaces: Sendable, Codable, Equatable {
    /// `NSpid` of `/proc/PID/status`: the pid in each pid namespace from the proc root's outward view to the
    /// process's own; one entry when both share a pid namespace.
    public var pids: [Int32]
    /// Whether the process's mount namespace differs from aoftop's (`/proc/PID/ns/mnt`); nil when unreadable
    /// (another user's process without `CAP_SYS_PTRACE`).
    public var ownMountNamespace: Bool?

    public init(pids: [Int32], ownMountNamespace: Bool?) {
        self.pids = pids
        self.ownMountNamespace = ownMountNamespace
    }

    /// The pid the process knows itself by (INFO `process_id`, the log's `PID:M`); nil when it is the same as the
    /// proc root's.
    public var innerPid: Int32? { pids.count > 1 ? pids.last : nil }

    private enum CodingKeys: String, CodingKey {
        case pids
        case ownMountNamespace = "own_mount_namespace"
    }
}
