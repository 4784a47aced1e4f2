import Foundation
import Testing
import AoftopTestSupport

/// aoftop run by a user who may not read the server's `/proc/PID/fd` or its log: each pane says why and what to
/// do, and the rest of the snapshot is still produced. Needs root to switch to `nobody`, as CI runs.
@Suite struct PermissionTests {
    /// Root (to switch users), `runuser`, and a checkout that `nobody` may traverse to run the binary.
    static var canRunAsNobody: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return false }
        let probe = try? Subprocess.run("/usr/sbin/runuser", ["-u", "nobody", "--", "test", "-x", RepositoryPaths.aoftopBinary],
                                        timeout: 10)
        return probe?.status == 0
    }

    @Test(.enabled(if: canRunAsNobody, "needs root and a checkout that nobody may read"))
    func anotherUsersServerSaysPermissionDeniedAndKeepsRedis() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try Subprocess.run("/usr/sbin/runuser", ["-u", "nobody", "--", RepositoryPaths.aoftopBinary,
                                                               "snapshot", "-p", String(server.port)], timeout: 30)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("cannot read /proc/\(server.pid)/fd: permission denied (run aoftop as the redis user or root)"),
                "\(result.standardError)")
        #expect(result.standardOutput.contains("redis    ok"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("log      FAILED  cannot read \(server.logPath): permission denied"),
                "\(result.standardOutput)")
    }

    @Test(.enabled(if: canRunAsNobody, "needs root and a checkout that nobody may read"))
    func listShowsAnotherUsersServerByPidWithTheReason() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try Subprocess.run("/usr/sbin/runuser", ["-u", "nobody", "--", RepositoryPaths.aoftopBinary,
                                                               "list", "--duration", "0", "--json"], timeout: 30)
        #expect(result.status == 0, "\(result.standardError)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        // Its sockets cannot be read, so it has no port to be named by: it is listed by pid, watched through /proc.
        let entry = try #require(list.first { $0["pid"] as? Int == Int(server.pid) }, "\(result.standardOutput)")
        #expect(entry["instance"] as? String == "pid \(server.pid)")
        #expect((entry["diagnosis"] as? String ?? "").contains("permission denied (run aoftop as the redis user or root)"),
                "\(entry)")
    }
}
