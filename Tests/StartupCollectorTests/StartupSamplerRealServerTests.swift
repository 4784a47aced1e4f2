import AoftopModel
import AoftopTestSupport
import Foundation
import StartupCollector
import Testing

/// The real `/usr/bin/redis-server` (7.0.15): what the sampler reads must be what `CONFIG GET` says.
@Suite("StartupSampler against a real redis-server", .serialized)
struct StartupSamplerRealServerTests {
    /// A server started by `/bin/sh -c 'cd DIR || exit 1; redis-server ARGS & wait'`: the shell stays its parent, with
    /// the start directory as cwd, as an operator's shell would be.
    final class StartedServer {
        let shell: ChildProcess
        let port: Int
        let pid: Int32

        init(directory: String, arguments: [String]) throws {
            let port = try Loopback.freePort()
            self.port = port
            let quoted = (arguments + ["--port", String(port), "--bind", "127.0.0.1", "--save", "",
                                       "--daemonize", "no", "--protected-mode", "no"])
                .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            shell = try ChildProcess("/bin/sh", ["-c", "cd '\(directory)' || exit 1; \(RedisServer.redisServerBinary) \(quoted) & wait"],
                                     environment: ["PATH": "/usr/bin:/bin"])
            var found: Int32?
            let up = RedisServer.waitUntil(timeout: 15) {
                guard let info = try? StartedServer.cli(port, ["INFO", "server"]),
                      let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("process_id:") })
                else { return false }
                found = Int32(line.dropFirst("process_id:".count))
                return found != nil
            }
            guard up, let found else {
                shell.terminate()
                throw StartupTestError("redis-server on port \(port) did not start")
            }
            pid = found
        }

        deinit { stop() }

        func stop() {
            kill(pid, SIGTERM)
            _ = RedisServer.waitUntil(timeout: 5) { kill(pid, 0) != 0 }
            kill(pid, SIGKILL)
            shell.terminate()
        }

        func config(_ name: String) throws -> String {
            let lines = try Self.cli(port, ["CONFIG", "GET", name]).split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count == 2 else { throw StartupTestError("CONFIG GET \(name): \(lines)") }
            return String(lines[1])
        }

        static func cli(_ port: Int, _ arguments: [String]) throws -> String {
            let result = try Subprocess.run(RedisServer.redisCLIBinary, ["-p", String(port)] + arguments, timeout: 10)
            guard result.status == 0 else { throw StartupTestError("redis-cli failed: \(result.standardError)") }
            return result.standardOutput.hasSuffix("\n") ? String(result.standardOutput.dropLast()) : result.standardOutput
        }
    }

    static let redis7 = ServerBinary(server: "redis", version: "7.0.15", path: RedisServer.redisServerBinary)

    func expectMatches(_ startup: ServerStartup, _ server: StartedServer) throws {
        #expect(String(try #require(startup.maxclients).value) == (try server.config("maxclients")))
        #expect(String(try #require(startup.hz).value) == (try server.config("hz")))
        #expect((try #require(startup.appendonly).value ? "yes" : "no") == (try server.config("appendonly")))
        #expect(try #require(startup.dir).value == (try server.config("dir")))
        #expect(try #require(startup.logfile).value == (try server.config("logfile")))
        #expect(String(try #require(startup.autoAofRewritePercentage).value)
            == (try server.config("auto-aof-rewrite-percentage")))
        #expect(String(try #require(startup.autoAofRewriteMinSize).value) == (try server.config("auto-aof-rewrite-min-size")))
        #expect(try #require(startup.appenddirname).value == (try server.config("appenddirname")))
    }

    @Test func aRelativeConfigWithIncludesAndADirChange() throws {
        let start = try StartupTemporaryDirectory("real")
        try start.write("conf/redis.conf", """
            include conf/limits.conf
            dir data
            include ../conf/aof.conf
            HZ 1000
            """)
        try start.write("conf/limits.conf", "maxclients 1234\nauto-aof-rewrite-percentage 50\n")
        try start.write("conf/aof.conf", "appendonly yes\nauto-aof-rewrite-min-size 32mb\nappenddirname 'my aof'\n")
        try start.makeDirectory("data")
        let server = try StartedServer(directory: start.path, arguments: ["conf/redis.conf", "--set-proc-title", "no"])
        defer { server.stop() }

        let reading = StartupSampler(systemdRoots: []).sample(pid: server.pid, startTicks: nil, binary: Self.redis7)
        let startup = try #require(reading.value, "\(reading)")
        #expect(startup.configFileLocation == .commandLine)
        #expect(startup.configFile == start.path + "/conf/redis.conf")
        #expect(startup.maxclients?.detail == start.path + "/conf/limits.conf:1")
        #expect(startup.hz?.value == 500) // clamped, as Redis does
        #expect(startup.dir?.value == start.path + "/data")
        try expectMatches(startup, server)
    }

    @Test func commandLineOptionsOnly() throws {
        let dir = try StartupTemporaryDirectory("real")
        let server = try StartedServer(directory: dir.path, arguments: [
            "--set-proc-title", "no", "--maxclients", "2000", "--appendonly", "yes", "--dir", dir.path])
        defer { server.stop() }

        let reading = StartupSampler(systemdRoots: []).sample(pid: server.pid, startTicks: nil, binary: Self.redis7)
        let startup = try #require(reading.value, "\(reading)")
        #expect(startup.configFileLocation == ConfigFileLocation.none)
        #expect(startup.maxclients == Setting(2000, origin: .commandLine, detail: "--maxclients"))
        #expect(startup.appendonly == Setting(true, origin: .commandLine, detail: "--appendonly"))
        #expect(startup.hz?.origin == .defaultValue)
        #expect(startup.warnings.isEmpty)
        try expectMatches(startup, server)
    }

    @Test func theDefaultRewrittenTitleNeedsAnExplicitConfig() throws {
        let dir = try StartupTemporaryDirectory("real")
        let config = try dir.write("redis.conf", "maxclients 321\nappendonly no\n")
        let server = try StartedServer(directory: dir.path, arguments: [config])
        defer { server.stop() }

        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(server.pid)/cmdline"))
        #expect(!cmdline.contains(where: { $0 == 0 }) || cmdline.split(separator: 0).count == 1)
        let reason = try #require(StartupSampler(systemdRoots: []).sample(pid: server.pid, startTicks: nil).failureReason)
        #expect(reason.contains("process title rewritten (set-proc-title yes)"))
        #expect(reason.hasSuffix("pass --config PATH"))

        let explicit = StartupSampler(explicitConfigFile: config, systemdRoots: [])
            .sample(pid: server.pid, startTicks: nil, binary: Self.redis7)
        let startup = try #require(explicit.value)
        #expect(startup.configFileLocation == .explicit)
        try expectMatches(startup, server)
    }
}
