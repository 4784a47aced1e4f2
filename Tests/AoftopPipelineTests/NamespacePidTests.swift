import AoftopModel
import AoftopTestSupport
@testable import AoftopPipeline
import ProcCollector
import RedisCollector
import Testing

/// A server in a pid namespace of its own calls itself by another number (INFO `process_id`): aoftop maps it to
/// the host's pid through `NSpid`, narrowed by the port it listens on in its own network namespace.
@Suite struct NamespacePidTests {
    static func containers(ports: [Int]) throws -> FakeProcTree {
        let tree = try FakeProcTree()
        for (index, port) in ports.enumerated() {
            var redis = FakeProcess(pid: Int32(5000 + index))
            redis.namespacePids = [redis.pid, 1]
            redis.fds = [6: "socket:[\(700 + index)]"]
            redis.tcp = [FakeTCPSocket(port: port, inode: UInt64(700 + index))]
            try tree.add(redis)
        }
        return tree
    }

    @Test func infoPidInsideANamespaceIsMappedByPort() throws {
        let tree = try Self.containers(ports: [6379, 6380])
        let resolver = PidResolver(discovery: ProcessDiscovery(procRoot: tree.root))
        // Published as 16380 on the host (docker-proxy or NAT): INFO's tcp_port is the one inside.
        #expect(resolver.resolve(endpoint: .tcp(host: "127.0.0.1", port: 16380), infoPid: 1, infoPort: 6380) == .pid(5001))
        #expect(resolver.resolve(endpoint: .tcp(host: "127.0.0.1", port: 16379), infoPid: 1, infoPort: 6379) == .pid(5000))
    }

    @Test func twoContainersOnTheSamePortAreNotGuessed() throws {
        let tree = try Self.containers(ports: [6379, 6379])
        let resolver = PidResolver(discovery: ProcessDiscovery(procRoot: tree.root))
        let resolution = resolver.resolve(endpoint: .tcp(host: "127.0.0.1", port: 16379), infoPid: 1, infoPort: 6379)
        #expect(resolution == .unknown("2 servers in other pid namespaces call themselves pid 1 (host pids 5000, 5001): pass --pid with the host pid"))
    }

    @Test func guidanceForEachPlaceStandardOutputGoes() {
        let endpoint = RedisEndpoint.tcp(host: "127.0.0.1", port: 6379)
        func text(_ output: LogDestination.Output, _ supervisor: ProcessSupervisor, host: String? = nil) -> String {
            StandardOutputLog.guidance(LogDestination(output: output, supervisor: supervisor, startedAt: 1_764_921_600,
                                                      hostName: host), endpoint: endpoint, pid: 812)
        }
        let id = String(repeating: "ab", count: 32)
        #expect(text(.socket, .systemdService(unit: "redis-server.service"))
                == "Redis logs to standard output (logfile \"\"), which systemd sends to the journal: journalctl -f -o cat -u redis-server.service --since @1764921600 | aoftop --log - -p 6379")
        #expect(text(.pipe, .container(runtime: .docker, id: id))
                == "Redis logs to standard output (logfile \"\"), which the container runtime keeps: docker logs -f --since 1764921600 abababababab 2>&1 | aoftop --log - -p 6379")
        #expect(text(.pipe, .kubernetesPod(uid: "u-1", containerId: nil), host: "redis-0")
                == "Redis logs to standard output (logfile \"\"), which Kubernetes keeps (pod uid u-1): kubectl logs -f --since-time=2025-12-05T08:00:00.000Z redis-0 (add -n NAMESPACE -c CONTAINER) | aoftop --log - -p 6379")
        #expect(text(.devNull, .systemdService(unit: "redis.service")).contains("/dev/null: nothing keeps it"))
        #expect(text(.terminal("/dev/pts/3"), .unknown).contains("the terminal /dev/pts/3"))
        #expect(StandardOutputLog.guidance(LogDestination(output: .pipe, supervisor: .unknown), endpoint: .unix(path: "/run/redis.sock"), pid: nil)
                == "Redis logs to standard output (logfile \"\"), into a pipe: pipe the same output into aoftop --log - -s /run/redis.sock")
    }
}
