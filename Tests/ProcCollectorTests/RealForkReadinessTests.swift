import AoftopModel
import AoftopTestSupport
import Foundation
import Glibc
import ProcCollector
import Testing

/// The sampler on this machine's `/proc` and `/sys`, checked against `sysctl`, `uname` and the files read
/// independently here. Reads only: no test changes a host setting.
@Suite("Fork readiness on the real /proc and /sys")
struct RealForkReadinessTests {
    /// `/proc/meminfo` parsed here without the parser under test: key → bytes.
    static func meminfo() throws -> [String: Int64] {
        var values: [String: Int64] = [:]
        for line in try String(contentsOfFile: "/proc/meminfo", encoding: .utf8).components(separatedBy: "\n") {
            let words = line.components(separatedBy: CharacterSet(charactersIn: ": ")).filter { !$0.isEmpty }
            if words.count == 3, words[2] == "kB", let kib = Int64(words[1]) { values[words[0]] = kib * 1024 }
        }
        return values
    }

    @Test("Overcommit, kernel release, meminfo and THP match sysctl, uname and the files")
    func hostSettings() throws {
        let sample = try #require(ForkReadinessSampler().sample(pid: nil).value)

        let sysctl = try Subprocess.run("/usr/sbin/sysctl", ["-n", "vm.overcommit_memory", "vm.overcommit_ratio"])
        #expect(sysctl.status == 0)
        let values = sysctl.standardOutput.split(separator: "\n").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(values.count == 2)
        #expect(sample.overcommitMemory?.rawValue == values.first ?? nil)
        #expect(sample.overcommitRatio == values.last ?? nil)

        let uname = try Subprocess.run("/usr/bin/uname", ["-r"])
        #expect(sample.kernelRelease == uname.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))

        let meminfo = try Self.meminfo()
        let memory = try #require(sample.memory)
        #expect(memory.memTotal == meminfo["MemTotal"])
        #expect(memory.commitLimit == meminfo["CommitLimit"])
        #expect(memory.swapTotal == meminfo["SwapTotal"])
        // Every allocation on the machine moves Committed_AS and MemAvailable; a few hundred MiB between two reads
        // would already be a busy host.
        let tolerance: Int64 = 256 << 20
        let committed = try #require(memory.committedAS)
        let available = try #require(memory.memAvailable)
        #expect(abs(committed - (meminfo["Committed_AS"] ?? 0)) < tolerance)
        #expect(abs(available - (meminfo["MemAvailable"] ?? 0)) < tolerance)

        // THP: the word in brackets, found here by splitting on spaces.
        if let enabled = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8) {
            let chosen = enabled.split(separator: " ").first { $0.hasPrefix("[") }?
                .trimmingCharacters(in: CharacterSet(charactersIn: "[]\n"))
            #expect(sample.transparentHugePages?.rawValue == chosen)
        } else {
            #expect(sample.transparentHugePages == nil)
        }
    }

    @Test("A real redis-server: its RSS and private writable memory, and its memory cgroup as /proc/PID/cgroup names it")
    func realServer() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let sample = try #require(ForkReadinessSampler().sample(pid: server.pid).value)
        let process = try #require(sample.process)
        #expect(process.pid == server.pid)
        #expect((process.rss ?? 0) > 0)
        #expect((process.data ?? 0) > 0)
        #expect((process.privateWritable ?? 0) >= (process.data ?? 0))
        // VmRSS read here too: a quiet server's RSS does not move by a MiB between the two reads.
        let status = try String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)
        let rssLine = try #require(status.components(separatedBy: "\n").first { $0.hasPrefix("VmRSS:") })
        let rssKiB = try #require(Int64(rssLine.components(separatedBy: CharacterSet(charactersIn: " \t")).filter { !$0.isEmpty }[1]))
        #expect(abs((process.rss ?? 0) - rssKiB * 1024) < 1 << 20)

        // The cgroup, decided here from the same file: a v1 memory line wins, else the v2 line.
        let lines = try String(contentsOfFile: "/proc/\(server.pid)/cgroup", encoding: .utf8).split(separator: "\n")
        let fields = lines.map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) }
        if let v1 = fields.first(where: { $0.count == 3 && $0[1].split(separator: ",").contains("memory") }) {
            guard case .v1(let memory)? = sample.cgroup else {
                Issue.record("expected a v1 memory cgroup, got \(String(describing: sample.cgroup))")
                return
            }
            try Self.expectLevel(memory, of: v1[2], root: "/sys/fs/cgroup/memory", limitFile: "memory.limit_in_bytes")
        } else if let v2 = fields.first(where: { $0.count == 3 && $0[0] == "0" && $0[1].isEmpty }) {
            guard case .v2(let memory)? = sample.cgroup else {
                Issue.record("expected a v2 memory cgroup, got \(String(describing: sample.cgroup))")
                return
            }
            try Self.expectLevel(memory, of: v2[2], root: "/sys/fs/cgroup", limitFile: "memory.max")
        } else {
            #expect(sample.cgroup == MemoryCgroup.none)
        }
    }

    /// The reported level is the process's cgroup, one of its ancestors, or the root (a container seeing its own
    /// cgroup as the root), and its limit is what that level's file says.
    static func expectLevel(_ memory: CgroupMemory, of path: String, root: String, limitFile: String) throws {
        #expect(memory.path == "/" || path == memory.path || path.hasPrefix(memory.path + "/"), "\(memory.path) vs \(path)")
        let directory = root + (memory.path == "/" ? "" : memory.path)
        guard let text = try? String(contentsOfFile: "\(directory)/\(limitFile)", encoding: .utf8) else {
            #expect(memory.limit == .unlimited, "no \(limitFile) in \(directory): only the v2 root lacks one")
            return
        }
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let bytes = Int64(word), bytes < 1 << 62 {
            #expect(memory.limit == .bytes(bytes))
        } else {
            #expect(memory.limit == .unlimited)
        }
        #expect((memory.current ?? 0) > 0)
    }
}
