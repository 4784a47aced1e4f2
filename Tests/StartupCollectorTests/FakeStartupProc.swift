import AoftopTestSupport
import Foundation

/// A fake `/proc` for the startup reader: `FakeProcTree` plus what it does not write (`/proc/stat`'s btime,
/// a parent pid and start ticks in `stat`, `cgroup`).
final class FakeStartupProc {
    let tree: FakeProcTree
    var root: String { tree.root }

    init(bootTime: Int64 = Int64(Date().timeIntervalSince1970)) throws {
        tree = try FakeProcTree()
        try Data("cpu  1 2 3 4\nbtime \(bootTime)\nprocesses 100\n".utf8).write(to: URL(fileURLWithPath: tree.root + "/stat"))
    }

    /// Adds a process; `arguments` are joined with NULs (pass one string with padding for a rewritten title).
    func add(pid: Int32, arguments: [String], cwd: String?, parent: Int32 = 1, startTicks: UInt64 = 100,
             cgroup: String? = nil) throws {
        var process = FakeProcess(pid: pid)
        process.arguments = arguments
        process.workingDirectory = cwd
        process.startTicks = startTicks
        process.statText = "\(pid) (redis-server) S \(parent) \(pid) \(pid) 0 -1 4194560 1 0 0 0 10 5 0 0 20 0 6 0 "
            + "\(startTicks) 150990848 2781 18446744073709551615\n"
        try tree.add(process)
        if let cgroup {
            try Data(cgroup.utf8).write(to: URL(fileURLWithPath: "\(tree.path(pid))/cgroup"))
        }
    }

    /// A process title as Redis writes it: one string, then NUL padding.
    func addTitled(pid: Int32, title: String, cwd: String?, cgroup: String? = nil) throws {
        try add(pid: pid, arguments: [title + String(repeating: "\0", count: 20)], cwd: cwd, cgroup: cgroup)
    }

    /// An ordinary parent (pid 1 by default) whose cwd is where the server was started.
    func addParent(pid: Int32 = 1, cwd: String) throws {
        var process = FakeProcess(pid: pid)
        process.command = "bash"
        process.arguments = ["-bash"]
        process.workingDirectory = cwd
        try tree.add(process)
    }
}
