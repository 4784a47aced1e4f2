import AoftopModel

/// How the next fork is expected to go, ordered by severity (`willFail` is the greatest).
public enum ForkOutcome: String, Sendable, Codable, Comparable, CaseIterable {
    case shouldSucceed = "should_succeed"
    /// Nothing decisive could be read; ranks above `shouldSucceed` so a missing figure is never read as all clear.
    case unknown
    /// The fork succeeds but blocks Redis, or the copy-on-write after it is slow.
    case slow
    case mayFail = "may_fail"
    case willFail = "will_fail"

    private var rank: Int {
        switch self {
        case .shouldSucceed: 0
        case .unknown: 1
        case .slow: 2
        case .mayFail: 3
        case .willFail: 4
        }
    }

    public static func < (a: ForkOutcome, b: ForkOutcome) -> Bool { a.rank < b.rank }
}

/// The verdict on the next fork: every cause found, the one that decides the outcome first.
public struct ForkReadinessVerdict: Sendable, Equatable, Codable {
    /// Most severe first; never empty (the overcommit policy always yields one, `unknown` at worst).
    public let causes: [ForkCause]

    /// Orders `causes` by severity, keeping the given order among equals.
    public init(causes: [ForkCause]) {
        let ordered = causes.enumerated().sorted {
            $0.element.outcome != $1.element.outcome ? $0.element.outcome > $1.element.outcome : $0.offset < $1.offset
        }.map(\.element)
        self.causes = ordered.isEmpty ? [.unknown(missing: "nothing assessed")] : ordered
    }

    public var outcome: ForkOutcome { causes[0].outcome }
    public var summary: String { causes[0].summary }
    public var remedy: String? { causes[0].remedy }
    public var checkCommand: String { causes[0].checkCommand }

    private enum CodingKeys: String, CodingKey {
        case outcome, summary, remedy, causes
        case checkCommand = "check_command"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(summary, forKey: .summary)
        try c.encode(remedy, forKey: .remedy)
        try c.encode(checkCommand, forKey: .checkCommand)
        try c.encode(causes, forKey: .causes)
    }

    /// The texts are derived from the causes, so only those are read back.
    public init(from decoder: any Decoder) throws {
        self.init(causes: try decoder.container(keyedBy: CodingKeys.self).decode([ForkCause].self, forKey: .causes))
    }
}

/// Whether Redis's next fork (BGSAVE, BGREWRITEAOF, a full sync) will succeed, measured: the overcommit policy
/// against the commit figures and the process's charge, its memory cgroup against the copy-on-write the last
/// fork needed, and what makes forks slow. Pure: the same sample gives the same verdict, live or on replay.
public enum ForkReadiness {
    /// A fork that blocks the event loop this long (µs) stalls every client for as long: an outage of its own.
    /// Redis sets no such threshold; half a second is aoftop's choice, well above the tens of milliseconds a
    /// fork of a few GiB takes on bare metal.
    public static let slowForkUsec: Int64 = 500_000
    /// Mode 2 within this share of CommitLimit is "may fail" (the reserves the kernel keeps back, and other
    /// processes' commitments that move while aoftop looks).
    static let commitMarginPercent: Int64 = 10
    /// A memory cgroup this full has no room for copy-on-write even when the last one is unknown.
    static let cgroupFullPercent: Int64 = 90
    /// Mode 0 checks each mapping against RAM + swap from Linux 5.2 (commit 8c7829b04c52); before, against an
    /// estimate of free memory.
    static let ramPlusSwapKernel = KernelVersion(major: 5, minor: 2)

    public static func assess(sample: ForkReadinessSample?, redis: RedisSample?) -> ForkReadinessVerdict {
        var causes = [overcommit(sample, redis)]
        if let cause = cgroup(sample, redis) { causes.append(cause) }
        if let cause = hostCopyOnWrite(sample, redis) { causes.append(cause) }
        if let cause = slowness(sample, redis) { causes.append(cause) }
        return ForkReadinessVerdict(causes: causes)
    }

    /// What the fork is charged: the process's private writable mappings, else INFO `used_memory` (a lower bound).
    static func charge(_ sample: ForkReadinessSample?, _ redis: RedisSample?) -> ForkCharge? {
        if let process = sample?.process, let bytes = process.privateWritable {
            return ForkCharge(bytes: bytes, source: .privateWritable, pid: process.pid)
        }
        if let used = redis?.usedMemory {
            return ForkCharge(bytes: used, source: .usedMemory, pid: sample?.process?.pid ?? redis?.processId)
        }
        return nil
    }

    /// What the next copy-on-write is likely to need: the largest the server reported (the one under way, the last
    /// save's, the last rewrite's). nil before any fork, or on servers older than 4.0.
    static func copyOnWrite(_ redis: RedisSample?) -> Int64? {
        guard let redis else { return nil }
        let sizes = [redis.currentCowSize, redis.rdbLastCowSize, redis.aofLastCowSize].compactMap { $0 }.filter { $0 > 0 }
        return sizes.max()
    }

    private static func overcommit(_ sample: ForkReadinessSample?, _ redis: RedisSample?) -> ForkCause {
        guard let sample else { return .unknown(missing: "no /proc reading") }
        guard let mode = sample.overcommitMemory else { return .unknown(missing: "vm.overcommit_memory unreadable") }
        if mode == .always { return .overcommitAlways }
        // Modes 0 and 2 weigh what the fork is charged.
        guard let charge = charge(sample, redis) else {
            return .unknown(missing: "Redis's memory unknown (no /proc/PID/status, no INFO)")
        }
        let memory = sample.memory ?? HostMemory()
        switch mode {
        case .always:
            return .overcommitAlways   // returned above; listed for the compiler
        case .never:
            guard let committed = memory.committedAS, let limit = memory.commitLimit else {
                return .unknown(missing: "CommitLimit or Committed_AS unreadable")
            }
            let total = committed + charge.bytes
            if total > limit { return .commitLimit(committed: committed, charge: charge, limit: limit) }
            // used_memory is below what fork is charged: it proves a failure, never room.
            if charge.source == .usedMemory { return .unknown(missing: "/proc/PID/status (used_memory only bounds the charge from below)") }
            if total * 100 > limit * (100 - commitMarginPercent) {
                return .commitLimitNear(committed: committed, charge: charge, limit: limit)
            }
            return .commitRoom(committed: committed, charge: charge, limit: limit)
        case .heuristic:
            let kernel = sample.kernelRelease
            // An unreadable release gets the older, stricter rule: "may fail" is then a warning too many, not too few.
            let rule: HeuristicRule = kernel.flatMap(KernelVersion.init).map { $0 >= ramPlusSwapKernel } == true
                ? .ramPlusSwap : .availableMemory
            let limit: Int64
            switch rule {
            case .ramPlusSwap:
                guard let total = memory.memTotal else { return .unknown(missing: "MemTotal unreadable") }
                limit = total + (memory.swapTotal ?? 0)
            case .availableMemory:
                guard let available = memory.memAvailable else { return .unknown(missing: "MemAvailable unreadable") }
                limit = available + (memory.swapFree ?? 0)
            }
            if charge.bytes > limit { return .heuristicTooBig(charge: charge, limit: limit, rule: rule, kernel: kernel) }
            if charge.source == .usedMemory { return .unknown(missing: "/proc/PID/status (used_memory only bounds the charge from below)") }
            return .heuristicRoom(charge: charge, limit: limit, rule: rule, kernel: kernel)
        }
    }

    private static func cgroup(_ sample: ForkReadinessSample?, _ redis: RedisSample?) -> ForkCause? {
        let place: CgroupPlace
        let memory: CgroupMemory
        switch sample?.cgroup {
        case .v2(let m)?:
            (place, memory) = (CgroupPlace(version: .v2, path: m.path), m)
        case .v1(let m)?:
            (place, memory) = (CgroupPlace(version: .v1, path: m.path), m)
        case .none?, nil:
            return nil
        }
        guard let max = memory.limit?.bytes, let raw = memory.current, max > 0 else { return nil }
        // The inactive file cache is reclaimed before anything is OOM-killed: what is left is the working set.
        let current = Swift.max(0, raw - (memory.inactiveFile ?? 0))
        let copyOnWrite = copyOnWrite(redis)
        let full = current * 100 >= max * cgroupFullPercent
        let noRoom = copyOnWrite.map { $0 > max - current } ?? false
        guard full || noRoom else { return nil }
        return .cgroupNearLimit(cgroup: place, current: current, pageCache: memory.inactiveFile, max: max,
                                oomKills: memory.oomKills, copyOnWrite: copyOnWrite)
    }

    /// Only without a commit limit: in mode 2 the child's whole charge was committed, so memory for its
    /// copy-on-write is already accounted for.
    private static func hostCopyOnWrite(_ sample: ForkReadinessSample?, _ redis: RedisSample?) -> ForkCause? {
        guard let sample, sample.overcommitMemory != .never, let copyOnWrite = copyOnWrite(redis),
              let available = sample.memory?.memAvailable else { return nil }
        let room = available + (sample.memory?.swapFree ?? 0)
        return copyOnWrite > room ? .copyOnWriteExceedsMemory(copyOnWrite: copyOnWrite, available: room) : nil
    }

    private static func slowness(_ sample: ForkReadinessSample?, _ redis: RedisSample?) -> ForkCause? {
        // 0 until the first fork.
        let latest = redis?.latestForkUsec.flatMap { $0 > 0 ? $0 : nil }
        let slow = latest.map { $0 >= slowForkUsec } ?? false
        // THP_enabled 0: Redis opted out (disable-thp). Unknown (no pid, kernel < 5.0): blamed only for a slow fork.
        let processUsesTHP = sample?.process?.transparentHugePagesEnabled
        if sample?.transparentHugePages == .always, processUsesTHP == true || (processUsesTHP == nil && slow) {
            return .transparentHugePages(latestForkUsec: latest, pid: sample?.process?.pid)
        }
        if let latest, slow { return .slowFork(latestForkUsec: latest, rss: sample?.process?.rss) }
        return nil
    }
}
