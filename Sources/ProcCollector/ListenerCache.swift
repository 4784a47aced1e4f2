import Glibc

/// The listening-socket inodes of one process's network namespace, remembered per (pid, start time).
///
/// `net/tcp` and `net/unix` list every socket in the namespace, which during an incident means thousands of
/// lines; listeners change rarely, so the set is reloaded only every `refreshInterval` or when the match count
/// looks off (see `ProcSampler.sample`), not on every sample.
struct ListenerCache {
    struct Entry {
        var startTicks: UInt64
        var loadedAt: UInt64
        /// Sorted, for binary search.
        var inodes: [UInt64]
        /// How many of the process's fds matched right after loading; nil until the first match.
        var matchedAtLoad: Int?
    }

    static let refreshInterval: UInt64 = 30_000_000_000
    /// A collector usually watches one server; the cap only guards against unbounded growth.
    private static let maxEntries = 64

    private var entries: [Int32: Entry] = [:]

    /// The listener inodes for the process, loading them with `load` when missing, stale or from another
    /// incarnation of the pid. `fresh` tells whether they were just loaded.
    mutating func inodes(pid: Int32, startTicks: UInt64, now: UInt64,
                         load: () -> [UInt64]) -> (inodes: [UInt64], fresh: Bool) {
        if let entry = entries[pid], entry.startTicks == startTicks, now &- entry.loadedAt < Self.refreshInterval {
            return (entry.inodes, false)
        }
        return (reload(pid: pid, startTicks: startTicks, now: now, load: load), true)
    }

    mutating func reload(pid: Int32, startTicks: UInt64, now: UInt64, load: () -> [UInt64]) -> [UInt64] {
        if entries.count >= Self.maxEntries && entries[pid] == nil { entries.removeAll() }
        let inodes = load().sorted()
        entries[pid] = Entry(startTicks: startTicks, loadedAt: now, inodes: inodes, matchedAtLoad: nil)
        return inodes
    }

    /// Records the match count and tells whether it differs from the one seen at load (so a reload is due).
    mutating func noteMatched(pid: Int32, _ matched: Int) -> Bool {
        guard var entry = entries[pid] else { return false }
        guard let expected = entry.matchedAtLoad else {
            entry.matchedAtLoad = matched
            entries[pid] = entry
            return false
        }
        return expected != matched
    }

    /// Number of `sockets` whose inode is in the sorted `listeners`.
    static func countMatches(_ sockets: [UInt64], in listeners: [UInt64]) -> Int {
        guard !listeners.isEmpty else { return 0 }
        var matched = 0
        for inode in sockets where contains(listeners, inode) { matched += 1 }
        return matched
    }

    static func contains(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }
}
