/// What decides whether Redis's next `fork()` (BGSAVE, BGREWRITEAOF, a full sync) succeeds and how much it costs,
/// read from `/proc` and `/sys` at one instant: the overcommit policy, the host's memory and commit figures,
/// transparent huge pages, the process's memory cgroup and its own memory.
///
/// Every figure is optional: a file that is missing (an older kernel, no THP support, no pid), unreadable
/// (permissions, a hardened `/proc`) or garbled is `nil` and named in `unreadable`, never a made-up zero.
public struct ForkReadinessSample: Sendable, Codable, Equatable {
    /// `vm.overcommit_memory`.
    public var overcommitMemory: OvercommitMode?
    /// `vm.overcommit_ratio` (percent of RAM in CommitLimit); used only in mode 2 and only while `overcommit_kbytes` is 0.
    public var overcommitRatio: Int?
    /// `vm.overcommit_kbytes`; when non-zero it replaces the ratio in CommitLimit.
    public var overcommitKbytes: Int64?
    /// `/proc/sys/kernel/osrelease`, e.g. `6.1.0-18-amd64`: mode 0's rule changed in Linux 5.2 (see `OvercommitMode`).
    public var kernelRelease: String?
    /// `/proc/meminfo`, in bytes.
    public var memory: HostMemory?
    /// `/sys/kernel/mm/transparent_hugepage/enabled`, the bracketed word.
    public var transparentHugePages: TransparentHugePagesMode?
    /// `/sys/kernel/mm/transparent_hugepage/defrag`, the bracketed word.
    public var transparentHugePagesDefrag: TransparentHugePagesDefrag?
    /// The process's memory cgroup; `nil` without a pid or when `/proc/PID/cgroup` is unreadable.
    public var cgroup: MemoryCgroup?
    /// The process's own memory (`/proc/PID/status`); `nil` without a pid or when unreadable.
    public var process: ProcessMemory?
    /// Files that could not be read or parsed, one short line each (`/proc/meminfo: permission denied`).
    public var unreadable: [String]

    public init(overcommitMemory: OvercommitMode? = nil, overcommitRatio: Int? = nil, overcommitKbytes: Int64? = nil,
                kernelRelease: String? = nil, memory: HostMemory? = nil,
                transparentHugePages: TransparentHugePagesMode? = nil,
                transparentHugePagesDefrag: TransparentHugePagesDefrag? = nil, cgroup: MemoryCgroup? = nil,
                process: ProcessMemory? = nil, unreadable: [String] = []) {
        self.overcommitMemory = overcommitMemory
        self.overcommitRatio = overcommitRatio
        self.overcommitKbytes = overcommitKbytes
        self.kernelRelease = kernelRelease
        self.memory = memory
        self.transparentHugePages = transparentHugePages
        self.transparentHugePagesDefrag = transparentHugePagesDefrag
        self.cgroup = cgroup
        self.process = process
        self.unreadable = unreadable
    }

    private enum CodingKeys: String, CodingKey {
        case memory, cgroup, process, unreadable
        case overcommitMemory = "overcommit_memory"
        case overcommitRatio = "overcommit_ratio"
        case overcommitKbytes = "overcommit_kbytes"
        case kernelRelease = "kernel_release"
        case transparentHugePages = "transparent_hugepages"
        case transparentHugePagesDefrag = "transparent_hugepages_defrag"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(overcommitMemory: try c.decodeIfPresent(OvercommitMode.self, forKey: .overcommitMemory),
                  overcommitRatio: try c.decodeIfPresent(Int.self, forKey: .overcommitRatio),
                  overcommitKbytes: try c.decodeIfPresent(Int64.self, forKey: .overcommitKbytes),
                  kernelRelease: try c.decodeIfPresent(String.self, forKey: .kernelRelease),
                  memory: try c.decodeIfPresent(HostMemory.self, forKey: .memory),
                  transparentHugePages: try c.decodeIfPresent(TransparentHugePagesMode.self, forKey: .transparentHugePages),
                  transparentHugePagesDefrag: try c.decodeIfPresent(TransparentHugePagesDefrag.self,
                                                                    forKey: .transparentHugePagesDefrag),
                  cgroup: try c.decodeIfPresent(MemoryCgroup.self, forKey: .cgroup),
                  process: try c.decodeIfPresent(ProcessMemory.self, forKey: .process),
                  unreadable: try c.decodeIfPresent([String].self, forKey: .unreadable) ?? [])
    }
}

/// `vm.overcommit_memory`, encoded as the kernel's number.
///
/// What each mode means for `fork()`, checked against the kernel source: `dup_mmap` (kernel/fork.c) charges the
/// child, mapping by mapping, every parent mapping flagged `VM_ACCOUNT` (private and writable, not `MAP_NORESERVE`:
/// `accountable_mapping` in mm/mmap.c) through `__vm_enough_memory` (mm/util.c):
/// - `always` (1): never refused.
/// - `heuristic` (0): each mapping is checked on its own. Since commit 8c7829b04c52 ("mm: fix false-positive
///   OVERCOMMIT_GUESS failures", Johannes Weiner, May 2019; merged for Linux 5.2, between v5.1-10326 and
///   v5.1-10706 by LTP's bisection) a mapping is refused only when it is larger than RAM + swap
///   (`totalram_pages() + total_swap_pages`). Before, it was refused when larger than an estimate of free memory
///   (free + file pages − shmem + free swap + reclaimable slab − reserves − the admin reserve, as in 4.19's
///   mm/util.c). The kernel's own documentation said "estimate the amount of free memory" until 2022 (commit
///   "docs: mm: fix vm overcommit documentation for OVERCOMMIT_GUESS"). jemalloc 5 (the allocator Redis bundles since
///   5.0) maps with `MAP_NORESERVE` when it reads mode 0 or 1 at start (`pages_boot`, src/pages.c), and such
///   mappings are not charged at all.
/// - `never` (2): the whole charge is added to `Committed_AS` and the fork fails when that would exceed
///   CommitLimit, less the admin reserve and min(VmSize/32, user reserve). `MAP_NORESERVE` is ignored.
public enum OvercommitMode: Int, Sendable, Codable, Equatable, CaseIterable {
    case heuristic = 0
    case always = 1
    case never = 2
}

/// `/proc/meminfo` figures in bytes (the file says kB, meaning KiB).
public struct HostMemory: Sendable, Codable, Equatable {
    public var memTotal: Int64?
    public var memAvailable: Int64?
    public var swapTotal: Int64?
    public var swapFree: Int64?
    /// What mode 2 lets the whole system commit: swap + RAM × ratio (or `overcommit_kbytes`).
    public var commitLimit: Int64?
    /// What the system has committed now (private writable mappings of every process, shared memory…).
    public var committedAS: Int64?

    public init(memTotal: Int64? = nil, memAvailable: Int64? = nil, swapTotal: Int64? = nil, swapFree: Int64? = nil,
                commitLimit: Int64? = nil, committedAS: Int64? = nil) {
        self.memTotal = memTotal
        self.memAvailable = memAvailable
        self.swapTotal = swapTotal
        self.swapFree = swapFree
        self.commitLimit = commitLimit
        self.committedAS = committedAS
    }

    private enum CodingKeys: String, CodingKey {
        case memTotal = "mem_total"
        case memAvailable = "mem_available"
        case swapTotal = "swap_total"
        case swapFree = "swap_free"
        case commitLimit = "commit_limit"
        case committedAS = "committed_as"
    }
}

/// `/sys/kernel/mm/transparent_hugepage/enabled`.
public enum TransparentHugePagesMode: String, Sendable, Codable, Equatable, CaseIterable {
    case always, madvise, never
}

/// `/sys/kernel/mm/transparent_hugepage/defrag`.
public enum TransparentHugePagesDefrag: String, Sendable, Codable, Equatable, CaseIterable {
    case always
    case `defer`
    case deferMadvise = "defer+madvise"
    case madvise, never
}

/// The memory cgroup the process is in, by hierarchy.
///
/// A memory cgroup adds no check to `fork()` itself (the commit charge is system-wide); it limits what the
/// process and its child then touch, so copy-on-write after the fork can reach the limit and the kernel
/// OOM-kills the child or Redis.
public enum MemoryCgroup: Sendable, Codable, Equatable {
    /// cgroup v2 (`0::/path` in `/proc/PID/cgroup`): `memory.max`, `memory.current`, `memory.events`.
    case v2(CgroupMemory)
    /// cgroup v1 (a line whose controllers include `memory`): `memory.limit_in_bytes`, `memory.usage_in_bytes`,
    /// `memory.oom_control`.
    case v1(CgroupMemory)
    /// The process is in no memory cgroup (no v1 memory controller, no v2 hierarchy).
    case none

    public var memory: CgroupMemory? {
        switch self {
        case .v1(let memory), .v2(let memory): memory
        case .none: nil
        }
    }

    private enum CodingKeys: String, CodingKey { case version }
    private enum Version: String, Codable { case v1, v2, none }

    public init(from decoder: any Decoder) throws {
        switch try decoder.container(keyedBy: CodingKeys.self).decode(Version.self, forKey: .version) {
        case .v1: self = .v1(try CgroupMemory(from: decoder))
        case .v2: self = .v2(try CgroupMemory(from: decoder))
        case .none: self = .none
        }
    }

    /// Flat: `{"version":"v2","path":"/system.slice/redis.service","limit":8589934592,…}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .v1(let memory):
            try c.encode(Version.v1, forKey: .version)
            try memory.encode(to: encoder)
        case .v2(let memory):
            try c.encode(Version.v2, forKey: .version)
            try memory.encode(to: encoder)
        case .none:
            try c.encode(Version.none, forKey: .version)
        }
    }
}

/// One memory cgroup's figures, under either hierarchy.
public struct CgroupMemory: Sendable, Codable, Equatable {
    /// The cgroup's path inside its hierarchy as `/proc/PID/cgroup` gives it (`/system.slice/redis.service`); `/`
    /// when that directory is not visible and the hierarchy's root was read instead (a container that sees its
    /// own cgroup mounted as the root).
    public var path: String
    /// `memory.max` (v2) or `memory.limit_in_bytes` (v1); `nil`: unreadable.
    public var limit: MemoryLimit?
    /// `memory.current` (v2) or `memory.usage_in_bytes` (v1), bytes.
    public var current: Int64?
    /// Times the cgroup hit its limit and the OOM killer was invoked (v2 `memory.events` `oom`).
    public var oomEvents: Int64?
    /// Processes OOM-killed in the cgroup (v2 `memory.events` `oom_kill`, v1 `memory.oom_control` `oom_kill`, 4.13+).
    public var oomKills: Int64?
    /// `memory.stat` `inactive_file` (v1 `total_inactive_file`): page cache counted in `current` that the kernel
    /// reclaims before it OOM-kills; absent in older recordings.
    public var inactiveFile: Int64?

    public init(path: String, limit: MemoryLimit? = nil, current: Int64? = nil, oomEvents: Int64? = nil,
                oomKills: Int64? = nil, inactiveFile: Int64? = nil) {
        self.path = path
        self.limit = limit
        self.current = current
        self.oomEvents = oomEvents
        self.oomKills = oomKills
        self.inactiveFile = inactiveFile
    }

    private enum CodingKeys: String, CodingKey {
        case path, limit, current
        case oomEvents = "oom_events"
        case oomKills = "oom_kills"
        case inactiveFile = "inactive_file"
    }
}

/// A cgroup memory limit: `max` (v2) or the page-rounded `LONG_MAX` of v1 mean none.
public enum MemoryLimit: Sendable, Codable, Equatable {
    case unlimited
    case bytes(Int64)

    public var bytes: Int64? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// JSON: the number of bytes, or `"max"` as in the v2 file.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let value = try? c.decode(Int64.self) {
            self = .bytes(value)
        } else if try c.decode(String.self) == "max" {
            self = .unlimited
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "memory limit is neither a number nor \"max\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .unlimited: try c.encode("max")
        case .bytes(let value): try c.encode(value)
        }
    }
}

/// What `/proc/PID/status` says of the process's memory, in bytes.
public struct ProcessMemory: Sendable, Codable, Equatable {
    public var pid: Int32
    /// `VmRSS`: resident memory; the page tables `fork()` copies grow with it, and so does the worst-case copy-on-write.
    public var rss: Int64?
    /// `VmData`: private writable mappings other than the stack (`mm->data_vm`).
    public var data: Int64?
    /// `VmStk`: the main stack (`mm->stack_vm`), also private and writable.
    public var stack: Int64?
    /// `VmSize`: the whole address space (`mm->total_vm`); mode 2 keeps min(VmSize/32, user reserve) back.
    public var size: Int64?
    /// `THP_enabled` (Linux 5.0+): 0 once the process opted out with `prctl(PR_SET_THP_DISABLE)`, which Redis ≥ 6.2
    /// does at start when THP is `always` (`disable-thp yes`, the default).
    public var transparentHugePagesEnabled: Bool?

    public init(pid: Int32, rss: Int64? = nil, data: Int64? = nil, stack: Int64? = nil, size: Int64? = nil,
                transparentHugePagesEnabled: Bool? = nil) {
        self.pid = pid
        self.rss = rss
        self.data = data
        self.stack = stack
        self.size = size
        self.transparentHugePagesEnabled = transparentHugePagesEnabled
    }

    /// What `fork()` charges against the commit limit, at most: every private writable mapping is `VmData` +
    /// `VmStk` (`is_data_mapping`/`is_stack_mapping` in mm/internal.h are what fills those two counters, and
    /// `accountable_mapping` charges exactly the private writable ones). An upper bound: mappings made with
    /// `MAP_NORESERVE` under mode 0 or 1, or marked `MADV_DONTFORK`, are counted here but not charged.
    public var privateWritable: Int64? {
        guard let data else { return nil }
        return data + (stack ?? 0)
    }

    private enum CodingKeys: String, CodingKey {
        case pid, rss, data, stack, size
        case transparentHugePagesEnabled = "thp_enabled"
    }
}
