import AoftopModel
import Glibc

/// Reads what decides whether Redis's next `fork()` succeeds: the overcommit sysctls, `/proc/meminfo`, the kernel
/// release, transparent huge pages, and, with a pid, the process's memory cgroup and `/proc/PID/status`.
///
/// About fifteen small files per sample, all re-read every time: an operator fixing an incident changes exactly
/// these settings (`sysctl vm.overcommit_memory=1`, `echo never > …/enabled`, a container limit) while aoftop runs.
/// Roots are parameters so tests read a fake tree. Stateless, so it is `Sendable` and may be shared.
public struct ForkReadinessSampler: Sendable {
    public let procRoot: String
    public let sysRoot: String

    public init(procRoot: String = "/proc", sysRoot: String = "/sys") {
        self.procRoot = procRoot
        self.sysRoot = sysRoot
    }

    /// Every figure that could be read; `pid` nil gives the host-wide figures only. `.failed` only when nothing at
    /// all could be read (one line naming the first file and why); a partial sample is `.ok` and lists the rest in
    /// `unreadable`.
    public func sample(pid: Int32?) -> Reading<ForkReadinessSample> {
        var files = Files()
        var sample = ForkReadinessSample()

        sample.overcommitMemory = files.read("\(procRoot)/sys/vm/overcommit_memory") {
            ForkReadinessParsers.integer($0).flatMap { OvercommitMode(rawValue: Int($0)) }
        }
        sample.overcommitRatio = files.read("\(procRoot)/sys/vm/overcommit_ratio") {
            ForkReadinessParsers.integer($0).map { Int($0) }
        }
        sample.overcommitKbytes = files.read("\(procRoot)/sys/vm/overcommit_kbytes") { ForkReadinessParsers.integer($0) }
        sample.kernelRelease = files.read("\(procRoot)/sys/kernel/osrelease") {
            let release = $0.trimmingBlanks
            return release.isEmpty ? nil : release
        }
        sample.memory = files.read("\(procRoot)/meminfo") {
            let memory = ForkReadinessParsers.meminfo($0)
            return memory == HostMemory() ? nil : memory
        }
        sample.transparentHugePages = files.read("\(sysRoot)/kernel/mm/transparent_hugepage/enabled") {
            ForkReadinessParsers.bracketed($0).flatMap(TransparentHugePagesMode.init(rawValue:))
        }
        sample.transparentHugePagesDefrag = files.read("\(sysRoot)/kernel/mm/transparent_hugepage/defrag") {
            ForkReadinessParsers.bracketed($0).flatMap(TransparentHugePagesDefrag.init(rawValue:))
        }
        if let pid {
            sample.process = files.read("\(procRoot)/\(pid)/status") {
                let memory = ForkReadinessParsers.processMemory(pid: pid, status: $0)
                return memory == ProcessMemory(pid: pid) ? nil : memory
            }
            sample.cgroup = files.read("\(procRoot)/\(pid)/cgroup") { ForkReadinessParsers.cgroupMembership($0) }
                .map { cgroup(of: $0, files: &files) }
        }

        sample.unreadable = files.problems
        if files.readAny { return .ok(sample) }
        let first = files.problems.first ?? "no file read"
        return .failed(files.problems.count > 1 ? "\(first) (and \(files.problems.count - 1) more)" : first)
    }

    /// The figures of the process's memory cgroup. Limits nest: a parent's `memory.max` (a systemd slice, a
    /// Kubernetes pod) binds its children too, so every level up to the root is read and the one with the least
    /// room left is reported.
    private func cgroup(of membership: ForkReadinessParsers.CgroupMembership, files: inout Files) -> MemoryCgroup {
        switch membership {
        case .none:
            return MemoryCgroup.none
        case .v2(let path):
            let memory = bindingLevel(root: "\(sysRoot)/fs/cgroup", path: path, limitFile: "memory.max",
                                      currentFile: "memory.current", files: &files)
            var result = memory
            // The v2 root has no memory.events.
            let events = files.read("\(sysRoot)/fs/cgroup\(Self.directory(memory.path))/memory.events",
                                    optional: memory.path == "/") {
                ForkReadinessParsers.keyedCounts($0)
            }
            result.oomEvents = events?["oom"]
            result.oomKills = events?["oom_kill"]
            result.inactiveFile = files.read("\(sysRoot)/fs/cgroup\(Self.directory(memory.path))/memory.stat",
                                             optional: true) { ForkReadinessParsers.keyedCounts($0) }?["inactive_file"]
            return .v2(result)
        case .v1(let path):
            let root = "\(sysRoot)/fs/cgroup/memory"
            var result = bindingLevel(root: root, path: path, limitFile: "memory.limit_in_bytes",
                                      currentFile: "memory.usage_in_bytes", files: &files)
            // `oom_kill` joined `memory.oom_control` in Linux 4.13; older kernels leave it nil.
            result.oomKills = files.read("\(root)\(Self.directory(result.path))/memory.oom_control") {
                ForkReadinessParsers.keyedCounts($0)
            }?["oom_kill"]
            result.inactiveFile = files.read("\(root)\(Self.directory(result.path))/memory.stat", optional: true) {
                ForkReadinessParsers.keyedCounts($0)
            }?["total_inactive_file"]
            return .v1(result)
        }
    }

    /// The level of `path` (or one of its ancestors) with the least room below its limit. When the process's own
    /// directory is not visible (a container without a cgroup namespace sees its cgroup mounted as the root),
    /// the hierarchy's root stands for it and the path becomes `/`.
    private func bindingLevel(root: String, path: String, limitFile: String, currentFile: String,
                              files: inout Files) -> CgroupMemory {
        var levels: [String] = []
        var components = path.split(separator: "/").map(String.init)
        if access("\(root)/\(components.joined(separator: "/"))", F_OK) != 0 { components = [] }
        while true {
            levels.append("/" + components.joined(separator: "/"))
            if components.isEmpty { break }
            components.removeLast()
        }
        var best: CgroupMemory?
        for (index, level) in levels.enumerated() {
            let directory = root + Self.directory(level)
            // The v2 root has no memory.max (nothing limits it); v1's root says unlimited. Past the process's
            // own level only a real limit matters, so a missing file there is skipped, not reported.
            let isLeaf = index == 0
            let isRoot = level == "/"
            if !isLeaf && access("\(directory)/\(limitFile)", F_OK) != 0 { continue }
            if isLeaf && isRoot && access("\(directory)/\(limitFile)", F_OK) != 0 {
                return CgroupMemory(path: level, limit: .unlimited,
                                    current: files.read("\(directory)/\(currentFile)", optional: true) {
                                        ForkReadinessParsers.integer($0)
                                    })
            }
            let limit = files.read("\(directory)/\(limitFile)") { ForkReadinessParsers.memoryLimit($0) }
            if !isLeaf && limit?.bytes == nil { continue }
            let current = files.read("\(directory)/\(currentFile)") { ForkReadinessParsers.integer($0) }
            let candidate = CgroupMemory(path: level, limit: limit, current: current)
            if let chosen = best {
                if let room = Self.room(candidate), Self.room(chosen).map({ room < $0 }) ?? true { best = candidate }
            } else {
                best = candidate
            }
        }
        return best ?? CgroupMemory(path: path)
    }

    private static func room(_ memory: CgroupMemory) -> Int64? {
        guard let limit = memory.limit?.bytes else { return nil }
        return limit - (memory.current ?? 0)
    }

    private static func directory(_ path: String) -> String { path == "/" ? "" : path }
}

/// Reads small text files and keeps the list of those that failed.
private struct Files {
    private(set) var problems: [String] = []
    private(set) var readAny = false

    /// The parsed content of `path`, or nil with the reason noted (missing, permission denied, unexpected format).
    /// `optional`: a missing file is not a problem worth listing.
    mutating func read<T>(_ path: String, optional: Bool = false, _ parse: (String) -> T?) -> T? {
        switch Self.text(path) {
        case .failure(let failure):
            let error = failure.code
            if !(optional && error == ENOENT) { problems.append("\(path): \(Self.describe(error))") }
            return nil
        case .success(let text):
            readAny = true
            guard let value = parse(text) else {
                problems.append("\(path): unexpected format")
                return nil
            }
            return value
        }
    }

    private static func describe(_ error: Int32) -> String {
        switch error {
        case ENOENT: "missing"
        case EACCES, EPERM: "permission denied"
        default: String(cString: strerror(error))
        }
    }

    /// Sysfs and procfs files report size 0 or 4096 whatever they hold, so this reads to the end, up to 64 KiB
    /// (the largest file here, `/proc/PID/status`, is about 1.5 KiB).
    private static func text(_ path: String) -> Result<String, ReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { return .failure(ReadError(code: errno)) }
        defer { close(fd) }
        let capacity = 64 * 1024
        var bytes = [UInt8](repeating: 0, count: capacity)
        var count = 0
        while count < capacity {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, capacity - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadError(code: errno))
            }
            if n == 0 { break }
            count += n
        }
        return .success(String(decoding: bytes[..<count], as: UTF8.self))
    }
}

private struct ReadError: Error {
    let code: Int32
}
