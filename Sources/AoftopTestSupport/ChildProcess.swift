import Foundation

/// A child process started with `posix_spawn`, reset to an empty signal mask and default signal dispositions,
/// with only fds 0–2 inherited.
///
/// Why not `Foundation.Process`: tests run on Dispatch worker threads, which block every signal, and `Process`
/// passes that mask on — a `redis-server` (or `aoftop`) started that way ignores SIGTERM/SIGINT. It also
/// reports exit seconds late. Inherited pipes would blur the pipe baseline the tests measure.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `pid` is immutable; `exitStatus` is guarded by `lock`.
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`; `fdMap` maps child fd numbers (0, 1, 2) to parent fds (default /dev/null).
    /// `workingDirectory`: where the child starts (default: the parent's).
    public init(_ executable: String, _ arguments: [String], environment: [String: String],
                fdMap: [Int32: Int32] = [:], workingDirectory: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let workingDirectory {
            guard addChdir(&actions, workingDirectory) == 0 else { throw FixtureError("posix_spawn_file_actions_addchdir_np failed") }
        }
        for target: Int32 in 0...2 {
            if let source = fdMap[target] {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        guard addCloseFrom(&actions, 3) == 0 else { throw FixtureError("posix_spawn_file_actions_addclosefrom_np failed") }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw FixtureError("cannot start \(executable): \(String(cString: strerror(status)))") }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }

    /// Reaps the child if it has exited; `true` while it runs.
    public var isRunning: Bool { poll() == nil }

    /// The raw wait status once the child has exited.
    public func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exitStatus = status }
        return exitStatus
    }

    /// Waits up to `timeout` seconds; returns the raw wait status, or nil if still running.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = poll() { return status }
            usleep(2_000)
        }
        return poll()
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; waits for the exit.
    public func terminate(grace: Double = 5) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if waitForExit(timeout: grace) == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
    }

    /// Exit code for a normal exit, or 128 + signal like a shell.
    public static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but Swift's Glibc module hides `_GNU_SOURCE`
/// declarations, so it is looked up at run time.
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32 {
    typealias Function = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        return -1
    }
    return unsafeBitCast(symbol, to: Function.self)(actions, from)
}

/// `posix_spawn_file_actions_addchdir_np` (glibc ≥ 2.29), looked up at run time for the same reason.
private func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
    typealias Function = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
        return -1
    }
    return path.withCString { unsafeBitCast(symbol, to: Function.self)(actions, $0) }
}
