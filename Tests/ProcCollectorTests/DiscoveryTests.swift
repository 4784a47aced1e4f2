import AoftopModel
import AoftopTestSupport
import Foundation
import ProcCollector
import Testing

@Suite("Process discovery on a fake /proc tree")
struct DiscoveryTests {
    static func makeTree() throws -> FakeProcTree {
        let tree = try FakeProcTree()
        var redis = FakeProcess(pid: 100)
        redis.fds = [6: "socket:[500]", 7: "socket:[501]", 8: "socket:[502]", 9: "socket:[503]"]
        redis.tcp = [FakeTCPSocket(port: 6379, inode: 500), FakeTCPSocket(port: 6379, inode: 503, listening: false),
                     FakeTCPSocket(port: 8080, inode: 900)]
        redis.tcp6 = [FakeTCPSocket(port: 6379, inode: 501)]
        redis.unix = [FakeUnixSocket(path: "/run/redis/redis server.sock", inode: 502)]
        try tree.add(redis)

        // Renamed comm, found through argv[0] (Redis's rewritten title).
        var valkey = FakeProcess(pid: 200)
        valkey.command = "vk-main"
        valkey.arguments = ["/usr/local/bin/valkey-server *:6380", ""]
        valkey.fds = [6: "socket:[600]"]
        valkey.tcp = [FakeTCPSocket(port: 6380, inode: 600)]
        try tree.add(valkey)

        var web = FakeProcess(pid: 300)
        web.command = "nginx"
        web.arguments = ["nginx: master process /usr/sbin/nginx"]
        web.fds = [6: "socket:[900]"]
        web.tcp = redis.tcp
        try tree.add(web)

        // A Redis child (comm redis-rdb-bgsave) and a client named like a server are not servers.
        var child = FakeProcess(pid: 400)
        child.command = "redis-rdb-bgsave"
        child.arguments = ["redis-rdb-bgsave 127.0.0.1:6379"]
        try tree.add(child)
        var cli = FakeProcess(pid: 500)
        cli.command = "redis-cli"
        cli.arguments = ["redis-cli", "-p", "6379"]
        try tree.add(cli)
        return tree
    }

    @Test func listsServersWithTheirListeners() throws {
        let tree = try Self.makeTree()
        let servers = ProcessDiscovery(procRoot: tree.root).servers()
        #expect(servers == [
            ServerProcess(pid: 100, command: "redis-server", tcpPorts: [6379], unixSockets: ["/run/redis/redis server.sock"]),
            ServerProcess(pid: 200, command: "valkey-server", tcpPorts: [6380], unixSockets: []),
        ])
    }

    @Test func findsTheOwnerOfAPortOrSocket() throws {
        let tree = try Self.makeTree()
        let discovery = ProcessDiscovery(procRoot: tree.root)
        #expect(discovery.pid(listeningOnTCPPort: 6379) == 100)
        #expect(discovery.pid(listeningOnTCPPort: 6380) == 200)
        #expect(discovery.pid(listeningOnTCPPort: 8080) == 300)
        #expect(discovery.pid(listeningOnTCPPort: 1234) == nil)
        #expect(discovery.pid(listeningOnUnixSocket: "/run/redis/redis server.sock") == 100)
        #expect(discovery.pid(listeningOnUnixSocket: "/run/redis/other.sock") == nil)
        #expect(discovery.workingDirectory(pid: 100) == "/var/lib/redis")
    }

    @Test func anEmptyOrMissingRootFindsNothing() throws {
        let discovery = ProcessDiscovery(procRoot: "/nonexistent/proc-\(UUID().uuidString)")
        #expect(discovery.servers().isEmpty)
        #expect(discovery.pid(listeningOnTCPPort: 6379) == nil)
    }
}

@Suite("AOF directory counter")
struct AofDirectoryCounterTests {
    @Test func countsFilesIncrFilesAndBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aofdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["appendonly.aof.1.base.rdb": 100, "appendonly.aof.1.incr.aof": 30, "appendonly.aof.2.incr.aof": 0,
                     "appendonly.aof.manifest": 88, "notes.incr.aof.bak": 2]
        for (name, size) in files {
            try Data(repeating: 0x41, count: size).write(to: dir.appendingPathComponent(name))
        }
        let sample = AofDirectoryCounter().sample(path: dir.path)
        #expect(sample == .ok(AofDirectorySample(path: dir.path, files: 5, incrFiles: 2, totalBytes: 220)))
    }

    @Test func aMissingDirectoryFails() {
        let path = "/nonexistent/appendonlydir-\(UUID().uuidString)"
        #expect(AofDirectoryCounter().sample(path: path) == .failed("AOF directory \(path) does not exist"))
    }
}
