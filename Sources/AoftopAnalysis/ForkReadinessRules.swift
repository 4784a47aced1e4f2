import AoftopModel

/// What the next `fork()` will be charged against the commit limit, and where the figure came from.
public struct ForkCharge: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Codable {
        /// `VmData` + `VmStk` of `/proc/PID/status`: every private writable mapping, what `dup_mmap` charges at most.
        case privateWritable = "private_writable"
        /// INFO `used_memory` when `/proc/PID/status` is not readable: less than the charge (the allocator maps more
        /// than it hands out), so a fork it already fails is certain to fail, a fork it allows is not certain.
        case usedMemory = "used_memory"
    }

    public var bytes: Int64
    public var source: Source
    /// The process, for the check command.
    public var pid: Int32?

    public init(bytes: Int64, source: Source, pid: Int32? = nil) {
        self.bytes = bytes
        self.source = source
        self.pid = pid
    }

    /// `Redis 12.0 GiB`, or `Redis used_memory 12.0 GiB` when only INFO said it.
    var text: String {
        switch source {
        case .privateWritable: "Redis \(ByteText.text(bytes))"
        case .usedMemory: "Redis used_memory \(ByteText.text(bytes))"
        }
    }
}

/// Which rule mode 0 (`overcommit_memory=0`) applies to each mapping `fork()` copies.
public enum HeuristicRule: String, Sendable, Codable {
    /// Linux ≥ 5.2: refused only when larger than RAM + swap (MemTotal + SwapTotal).
    case ramPlusSwap = "ram_plus_swap"
    /// Before 5.2 (or kernel unknown): refused when larger than the kernel's estimate of free memory, which
    /// MemAvailable + SwapFree approximates.
    case availableMemory = "available_memory"

    var limitName: String {
        switch self {
        case .ramPlusSwap: "RAM+swap"
        case .availableMemory: "MemAvailable+SwapFree"
        }
    }
}

/// A memory cgroup by hierarchy and path, for texts and check commands.
public struct CgroupPlace: Sendable, Equatable, Codable {
    public enum Version: String, Sendable, Codable { case v1, v2 }
    public var version: Version
    public var path: String

    public init(version: Version, path: String) {
        self.version = version
        self.path = path
    }

    /// Where the hierarchy is mounted on a standard host.
    var directory: String {
        let suffix = path == "/" ? "" : path
        return version == .v2 ? "/sys/fs/cgroup\(suffix)" : "/sys/fs/cgroup/memory\(suffix)"
    }
}

/// One reason behind a fork-readiness verdict, with its numbers. Each says what it means in one line (`summary`),
/// which setting to change (`remedy`, nil when nothing needs doing) and what to paste to see the figures
/// (`checkCommand`).
public enum ForkCause: Sendable, Equatable {
    /// `overcommit_memory=1`: the kernel never refuses the fork.
    case overcommitAlways
    /// Mode 2 with room: Committed_AS + the charge stays below 90 % of CommitLimit.
    case commitRoom(committed: Int64, charge: ForkCharge, limit: Int64)
    /// Mode 2 within 10 % of CommitLimit: the kernel also keeps back the admin reserve and min(VmSize/32, user
    /// reserve), and every other process's commitments move Committed_AS meanwhile.
    case commitLimitNear(committed: Int64, charge: ForkCharge, limit: Int64)
    /// Mode 2 over CommitLimit: the fork fails with ENOMEM.
    case commitLimit(committed: Int64, charge: ForkCharge, limit: Int64)
    /// Mode 0 and the whole charge is within the rule's limit, so every mapping is.
    case heuristicRoom(charge: ForkCharge, limit: Int64, rule: HeuristicRule, kernel: String?)
    /// Mode 0 and the whole charge exceeds the rule's limit. "May": the kernel checks each mapping on its own,
    /// and jemalloc's `MAP_NORESERVE` mappings are not charged at all.
    case heuristicTooBig(charge: ForkCharge, limit: Int64, rule: HeuristicRule, kernel: String?)
    /// The memory cgroup has less room than the last copy-on-write (or is at 90 % of its limit). A cgroup does not
    /// refuse the fork; the child or Redis is OOM-killed as copy-on-write grows.
    /// `current`: the cgroup's usage less its inactive file cache (`pageCache`, which the kernel reclaims before it
    /// OOM-kills: a busy AOF keeps the raw figure near the limit); `pageCache` nil when `memory.stat` was unreadable.
    case cgroupNearLimit(cgroup: CgroupPlace, current: Int64, pageCache: Int64?, max: Int64, oomKills: Int64?, copyOnWrite: Int64?)
    /// Without a commit limit (mode 0 or 1), the last copy-on-write is more than the host has free: the OOM
    /// killer, not `fork()`, ends it.
    case copyOnWriteExceedsMemory(copyOnWrite: Int64, available: Int64)
    /// THP `always` and Redis not opted out: each write after the fork copies a 2 MiB page, a latency spike and
    /// up to 512× the copy-on-write memory.
    case transparentHugePages(latestForkUsec: Int64?, pid: Int32?)
    /// The last fork blocked Redis for at least `ForkReadiness.slowForkUsec` (page tables grow with RSS).
    case slowFork(latestForkUsec: Int64, rss: Int64?)
    /// What is missing to say anything (one phrase: `vm.overcommit_memory unreadable`).
    case unknown(missing: String)

    public var outcome: ForkOutcome {
        switch self {
        case .overcommitAlways, .commitRoom, .heuristicRoom: .shouldSucceed
        case .commitLimit: .willFail
        case .commitLimitNear, .heuristicTooBig, .cgroupNearLimit, .copyOnWriteExceedsMemory: .mayFail
        case .transparentHugePages, .slowFork: .slow
        case .unknown: .unknown
        }
    }

    public var summary: String {
        switch self {
        case .overcommitAlways:
            return "fork should succeed: overcommit_memory=1"
        case .commitRoom(let committed, let charge, let limit):
            return "fork should succeed: overcommit_memory=2 and Committed_AS \(ByteText.text(committed)) + \(charge.text) "
                + "<= CommitLimit \(ByteText.text(limit))"
        case .commitLimitNear(let committed, let charge, let limit):
            return "fork may fail: overcommit_memory=2 and Committed_AS \(ByteText.text(committed)) + \(charge.text) "
                + "is within 10% of CommitLimit \(ByteText.text(limit))"
        case .commitLimit(let committed, let charge, let limit):
            return "fork will fail: overcommit_memory=2 and Committed_AS \(ByteText.text(committed)) + \(charge.text) "
                + "> CommitLimit \(ByteText.text(limit))"
        case .heuristicRoom(let charge, let limit, let rule, let kernel):
            return "fork should succeed: overcommit_memory=0 (kernel \(Self.kernelText(kernel))) and \(charge.text) "
                + "<= \(rule.limitName) \(ByteText.text(limit))"
        case .heuristicTooBig(let charge, let limit, let rule, let kernel):
            return "fork may fail: overcommit_memory=0 (kernel \(Self.kernelText(kernel))) and \(charge.text) "
                + "> \(rule.limitName) \(ByteText.text(limit))"
        case .cgroupNearLimit(let cgroup, let current, let pageCache, let max, let oomKills, let copyOnWrite):
            let (currentName, maxName) = cgroup.version == .v2
                ? ("memory.current", "memory.max") : ("memory.usage_in_bytes", "memory.limit_in_bytes")
            let used = pageCache.map { "\(currentName) less \(ByteText.text($0)) inactive file cache" } ?? currentName
            var text = "copy-on-write after fork may be OOM-killed: cgroup \(used) \(ByteText.text(current)) "
                + "of \(maxName) \(ByteText.text(max))"
            if let copyOnWrite { text += ", last copy-on-write \(ByteText.text(copyOnWrite))" }
            if let oomKills, oomKills > 0 { text += ", \(oomKills) OOM \(oomKills == 1 ? "kill" : "kills")" }
            return text
        case .copyOnWriteExceedsMemory(let copyOnWrite, let available):
            return "copy-on-write after fork may exhaust memory: last copy-on-write \(ByteText.text(copyOnWrite)) "
                + "> MemAvailable+SwapFree \(ByteText.text(available))"
        case .transparentHugePages(let latestForkUsec, _):
            if let latestForkUsec, latestForkUsec >= ForkReadiness.slowForkUsec {
                return "fork is slow: THP always, last fork \(ByteText.duration(microseconds: latestForkUsec))"
            }
            let last = latestForkUsec.map { "last fork \(ByteText.duration(microseconds: $0))" } ?? "no fork yet"
            return "copy-on-write after fork is slow: THP always (2 MiB pages), \(last)"
        case .slowFork(let latestForkUsec, let rss):
            return "fork is slow: last fork \(ByteText.duration(microseconds: latestForkUsec))"
                + (rss.map { " (RSS \(ByteText.text($0)))" } ?? "")
        case .unknown(let missing):
            return "fork readiness unknown: \(missing)"
        }
    }

    /// The setting that matters; nil when the fork should succeed.
    public var remedy: String? {
        switch self {
        case .overcommitAlways, .commitRoom, .heuristicRoom: nil
        case .commitLimit, .commitLimitNear: ForkRemedy.commitLimit
        case .heuristicTooBig: ForkRemedy.heuristic
        case .cgroupNearLimit(let cgroup, _, _, _, _, _): cgroup.version == .v2 ? ForkRemedy.cgroupV2 : ForkRemedy.cgroupV1
        case .copyOnWriteExceedsMemory: ForkRemedy.hostMemory
        case .transparentHugePages: ForkRemedy.transparentHugePages
        case .slowFork: ForkRemedy.slowFork
        case .unknown: ForkRemedy.unknown
        }
    }

    /// What an operator pastes to see the figures this cause is made of.
    public var checkCommand: String {
        switch self {
        case .overcommitAlways:
            return "sysctl vm.overcommit_memory"
        case .commitRoom(_, let charge, _), .commitLimitNear(_, let charge, _), .commitLimit(_, let charge, _):
            return "sysctl vm.overcommit_memory vm.overcommit_ratio vm.overcommit_kbytes; grep -E 'Commit|MemAvail' /proc/meminfo"
                + Self.statusCheck(charge.pid)
        case .heuristicRoom(let charge, _, _, _), .heuristicTooBig(let charge, _, _, _):
            return "sysctl vm.overcommit_memory; uname -r; grep -E 'MemTotal|MemAvail|Swap' /proc/meminfo"
                + Self.statusCheck(charge.pid)
        case .cgroupNearLimit(let cgroup, _, _, _, _, _):
            return cgroup.version == .v2
                ? "cd \(cgroup.directory) && cat memory.max memory.current memory.events; grep -w inactive_file memory.stat"
                : "cd \(cgroup.directory) && cat memory.limit_in_bytes memory.usage_in_bytes memory.oom_control; "
                    + "grep -w total_inactive_file memory.stat"
        case .copyOnWriteExceedsMemory:
            return "grep -E 'MemAvail|SwapFree' /proc/meminfo; redis-cli INFO persistence | grep cow_size"
        case .transparentHugePages(_, let pid):
            return "cat /sys/kernel/mm/transparent_hugepage/enabled" + (pid.map { "; grep THP_enabled /proc/\($0)/status" } ?? "")
        case .slowFork:
            return "redis-cli INFO stats | grep latest_fork_usec"
        case .unknown:
            return "sysctl vm.overcommit_memory; grep -E 'Commit|MemAvail' /proc/meminfo"
        }
    }

    private static func statusCheck(_ pid: Int32?) -> String {
        pid.map { "; grep -E 'VmData|VmStk' /proc/\($0)/status" } ?? ""
    }

    /// `6.1` from `6.1.0-18-amd64`; `?` when unknown.
    private static func kernelText(_ release: String?) -> String {
        guard let release else { return "?" }
        return KernelVersion(release).map { "\($0.major).\($0.minor)" } ?? release
    }
}

/// Remedy texts, one place each.
enum ForkRemedy {
    static let commitLimit = "sysctl vm.overcommit_memory=1 (what Redis asks for), or make CommitLimit cover another "
        + "copy of Redis: raise vm.overcommit_ratio (or vm.overcommit_kbytes) or add swap; persist it in /etc/sysctl.d"
    static let heuristic = "sysctl vm.overcommit_memory=1 (what Redis asks for; persist it in /etc/sysctl.d), "
        + "or free memory or add swap"
    static let cgroupV2 = "raise the cgroup's memory.max (the container memory limit, systemd MemoryMax=) above Redis "
        + "plus its copy-on-write, or lower maxmemory"
    static let cgroupV1 = "raise the cgroup's memory.limit_in_bytes (the container memory limit, systemd MemoryLimit=) "
        + "above Redis plus its copy-on-write, or lower maxmemory"
    static let hostMemory = "free memory or add swap before the next save or rewrite, or lower maxmemory"
    static let transparentHugePages = "echo never > /sys/kernel/mm/transparent_hugepage/enabled and restart Redis "
        + "(Redis >= 6.2 opts itself out at start with disable-thp yes, the default)"
    static let slowFork = "fork copies page tables in proportion to RSS while Redis waits: keep RSS smaller (shard, "
        + "lower maxmemory), avoid Xen PV guests, or save and rewrite on a replica"
    static let unknown = "run aoftop as root or as the redis user so it can read /proc/sys/vm, /proc/meminfo and /proc/PID"
}

/// Major and minor of a kernel release string (`6.1.0-18-amd64` → 6, 1).
struct KernelVersion: Comparable {
    var major: Int
    var minor: Int

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    init?(_ release: String) {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard release.first?.isNumber == true, numbers.count == 2 else { return nil }
        major = numbers[0]
        minor = numbers[1]
    }

    static func < (a: KernelVersion, b: KernelVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}

extension ForkCause: Codable {
    private enum Kind: String, Codable {
        case overcommitAlways = "overcommit_always"
        case commitRoom = "commit_room"
        case commitLimitNear = "commit_limit_near"
        case commitLimit = "commit_limit"
        case heuristicRoom = "heuristic_room"
        case heuristicTooBig = "heuristic_too_big"
        case cgroupNearLimit = "cgroup_near_limit"
        case copyOnWriteExceedsMemory = "copy_on_write_exceeds_memory"
        case transparentHugePages = "transparent_hugepages"
        case slowFork = "slow_fork"
        case unknown
    }

    private enum CodingKeys: String, CodingKey {
        case kind, outcome, summary, remedy, charge, rule, kernel, cgroup, pid, missing
        case checkCommand = "check_command"
        case committed = "committed_bytes"
        case limit = "limit_bytes"
        case current = "current_bytes"
        case pageCache = "page_cache_bytes"
        case max = "max_bytes"
        case oomKills = "oom_kills"
        case copyOnWrite = "copy_on_write_bytes"
        case available = "available_bytes"
        case latestForkUsec = "latest_fork_usec"
        case rss = "rss_bytes"
    }

    /// Flat: the kind, its numbers, and the texts (`outcome`, `summary`, `remedy`, `check_command`) for readers
    /// that do not rebuild them. Decoding reads the kind and numbers only.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .overcommitAlways:
            break
        case .commitRoom(let committed, let charge, let limit), .commitLimitNear(let committed, let charge, let limit),
             .commitLimit(let committed, let charge, let limit):
            try c.encode(committed, forKey: .committed)
            try c.encode(charge, forKey: .charge)
            try c.encode(limit, forKey: .limit)
        case .heuristicRoom(let charge, let limit, let rule, let kernel),
             .heuristicTooBig(let charge, let limit, let rule, let kernel):
            try c.encode(charge, forKey: .charge)
            try c.encode(limit, forKey: .limit)
            try c.encode(rule, forKey: .rule)
            try c.encode(kernel, forKey: .kernel)
        case .cgroupNearLimit(let cgroup, let current, let pageCache, let max, let oomKills, let copyOnWrite):
            try c.encode(cgroup, forKey: .cgroup)
            try c.encode(current, forKey: .current)
            try c.encode(pageCache, forKey: .pageCache)
            try c.encode(max, forKey: .max)
            try c.encode(oomKills, forKey: .oomKills)
            try c.encode(copyOnWrite, forKey: .copyOnWrite)
        case .copyOnWriteExceedsMemory(let copyOnWrite, let available):
            try c.encode(copyOnWrite, forKey: .copyOnWrite)
            try c.encode(available, forKey: .available)
        case .transparentHugePages(let latestForkUsec, let pid):
            try c.encode(latestForkUsec, forKey: .latestForkUsec)
            try c.encode(pid, forKey: .pid)
        case .slowFork(let latestForkUsec, let rss):
            try c.encode(latestForkUsec, forKey: .latestForkUsec)
            try c.encode(rss, forKey: .rss)
        case .unknown(let missing):
            try c.encode(missing, forKey: .missing)
        }
        try c.encode(outcome, forKey: .outcome)
        try c.encode(summary, forKey: .summary)
        try c.encode(remedy, forKey: .remedy)
        try c.encode(checkCommand, forKey: .checkCommand)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys) throws -> T { try c.decode(T.self, forKey: key) }
        func optional<T: Decodable>(_ key: CodingKeys) throws -> T? { try c.decodeIfPresent(T.self, forKey: key) }
        switch try c.decode(Kind.self, forKey: .kind) {
        case .overcommitAlways:
            self = .overcommitAlways
        case .commitRoom:
            self = .commitRoom(committed: try value(.committed), charge: try value(.charge), limit: try value(.limit))
        case .commitLimitNear:
            self = .commitLimitNear(committed: try value(.committed), charge: try value(.charge), limit: try value(.limit))
        case .commitLimit:
            self = .commitLimit(committed: try value(.committed), charge: try value(.charge), limit: try value(.limit))
        case .heuristicRoom:
            self = .heuristicRoom(charge: try value(.charge), limit: try value(.limit), rule: try value(.rule),
                                  kernel: try optional(.kernel))
        case .heuristicTooBig:
            self = .heuristicTooBig(charge: try value(.charge), limit: try value(.limit), rule: try value(.rule),
                                    kernel: try optional(.kernel))
        case .cgroupNearLimit:
            self = .cgroupNearLimit(cgroup: try value(.cgroup), current: try value(.current),
                                    pageCache: try optional(.pageCache), max: try value(.max),
                                    oomKills: try optional(.oomKills), copyOnWrite: try optional(.copyOnWrite))
        case .copyOnWriteExceedsMemory:
            self = .copyOnWriteExceedsMemory(copyOnWrite: try value(.copyOnWrite), available: try value(.available))
        case .transparentHugePages:
            self = .transparentHugePages(latestForkUsec: try optional(.latestForkUsec), pid: try optional(.pid))
        case .slowFork:
            self = .slowFork(latestForkUsec: try value(.latestForkUsec), rss: try optional(.rss))
        case .unknown:
            self = .unknown(missing: try value(.missing))
        }
    }

    private var kind: Kind {
        switch self {
        case .overcommitAlways: .overcommitAlways
        case .commitRoom: .commitRoom
        case .commitLimitNear: .commitLimitNear
        case .commitLimit: .commitLimit
        case .heuristicRoom: .heuristicRoom
        case .heuristicTooBig: .heuristicTooBig
        case .cgroupNearLimit: .cgroupNearLimit
        case .copyOnWriteExceedsMemory: .copyOnWriteExceedsMemory
        case .transparentHugePages: .transparentHugePages
        case .slowFork: .slowFork
        case .unknown: .unknown
        }
    }
}
