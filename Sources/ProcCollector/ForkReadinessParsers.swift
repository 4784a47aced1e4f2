import AoftopModel

/// Pure parsers for the small text files `ForkReadinessSampler` reads. Each takes the whole file and returns
/// `nil` (or leaves a field `nil`) for anything it does not recognise: a strange kernel must cost a figure,
/// never the sample.
public enum ForkReadinessParsers {
    /// A sysctl file's single integer (`0\n`).
    public static func integer(_ text: String) -> Int64? {
        Int64(text.trimmingBlanks)
    }

    /// `/proc/meminfo`: the six figures the verdict needs, kB converted to bytes.
    public static func meminfo(_ text: String) -> HostMemory {
        var memory = HostMemory()
        for (key, number, unit) in fields(text) {
            guard let bytes = kibibytes(number, unit) else { continue }
            switch key {
            case "MemTotal": memory.memTotal = bytes
            case "MemAvailable": memory.memAvailable = bytes
            case "SwapTotal": memory.swapTotal = bytes
            case "SwapFree": memory.swapFree = bytes
            case "CommitLimit": memory.commitLimit = bytes
            case "Committed_AS": memory.committedAS = bytes
            default: break
            }
        }
        return memory
    }

    /// `Key:   1234 kB` lines (meminfo, status): the key, the number and the unit when there is exactly one.
    private static func fields(_ text: String) -> [(key: Substring, number: Int64, unit: Substring?)] {
        text.split(separator: "\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let fields = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let number = fields.first.flatMap({ Int64($0) }), fields.count <= 2 else { return nil }
            return (line[..<colon], number, fields.count == 2 ? fields[1] : nil)
        }
    }

    /// Bytes of a `kB` (KiB) figure; a line without the unit is a page count or a flag, not bytes.
    private static func kibibytes(_ number: Int64, _ unit: Substring?) -> Int64? {
        guard unit == "kB" else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: 1024)
        return overflow ? nil : bytes
    }

    /// The word in brackets of a sysfs choice file (`always [madvise] never` → `madvise`).
    public static func bracketed(_ text: String) -> String? {
        guard let open = text.firstIndex(of: "["),
              let close = text[open...].firstIndex(of: "]") else { return nil }
        let word = text[text.index(after: open)..<close]
        return word.isEmpty ? nil : String(word)
    }

    /// Which memory cgroup `/proc/PID/cgroup` puts the process in.
    public enum CgroupMembership: Equatable, Sendable {
        case v1(path: String)
        case v2(path: String)
        case none
    }

    /// `/proc/PID/cgroup` (`hierarchy-id:controllers:path` per line). A v1 line whose controllers include
    /// `memory` wins over the v2 line: on a hybrid host (systemd's default before cgroup v2 became unified,
    /// and this project's CI) the v2 hierarchy is mounted at `/sys/fs/cgroup/unified` without the memory
    /// controller, which v1 holds. `nil`: no line has the expected form.
    public static func cgroupMembership(_ text: String) -> CgroupMembership? {
        var v2Path: String?
        var sawLine = false
        for line in text.split(separator: "\n") {
            // The path may itself contain ':', so split off only the first two fields.
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[2].isEmpty else { continue }
            sawLine = true
            if parts[0] == "0" && parts[1].isEmpty {
                v2Path = String(parts[2])
            } else if parts[1].split(separator: ",").contains("memory") {
                return .v1(path: String(parts[2]))
            }
        }
        if let v2Path { return .v2(path: v2Path) }
        return sawLine ? CgroupMembership.none : nil
    }

    /// v1 writes "no limit" as `PAGE_COUNTER_MAX` pages, i.e. `LONG_MAX` rounded down to a page
    /// (9223372036854771712 with 4 KiB pages); anything from 2^62 up is that, not a real limit.
    static let v1Unlimited: Int64 = 1 << 62

    /// `memory.max` (`max` or bytes) or `memory.limit_in_bytes`.
    public static func memoryLimit(_ text: String) -> MemoryLimit? {
        let word = text.trimmingBlanks
        if word == "max" { return .unlimited }
        if let value = Int64(word) { return value >= v1Unlimited ? .unlimited : .bytes(value) }
        // Larger than Int64: v1's "unlimited" on a kernel with bigger pages, or any absurd number.
        if let value = UInt64(word), value > UInt64(Int64.max) { return .unlimited }
        return nil
    }

    /// `key value` lines (`memory.events`, `memory.oom_control`).
    public static func keyedCounts(_ text: String) -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2, let value = Int64(fields[1]) else { continue }
            counts[String(fields[0])] = value
        }
        return counts
    }

    /// `/proc/PID/status`: VmRSS, VmData, VmStk, VmSize (kB → bytes) and THP_enabled. A kernel thread or a
    /// zombie has no Vm lines: those stay `nil`.
    public static func processMemory(pid: Int32, status text: String) -> ProcessMemory {
        var memory = ProcessMemory(pid: pid)
        for (key, number, unit) in fields(text) {
            if key == "THP_enabled" {
                memory.transparentHugePagesEnabled = number != 0
                continue
            }
            guard let bytes = kibibytes(number, unit) else { continue }
            switch key {
            case "VmRSS": memory.rss = bytes
            case "VmData": memory.data = bytes
            case "VmStk": memory.stack = bytes
            case "VmSize": memory.size = bytes
            default: break
            }
        }
        return memory
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (FoundationEssentials has no `trimmingCharacters`).
    var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
