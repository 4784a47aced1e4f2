import AoftopModel
import AoftopTestSupport
import Glibc
@testable import ProcCollector
import Testing

@Suite("Pid namespaces and supervisors")
struct NamespaceTests {
    @Test func nsPidIsReadOncePerProcess() throws {
        let tree = try FakeProcTree()
        var redis = FakeProcess(pid: 4242)
        redis.namespacePids = [4242, 77, 1]
        try tree.add(redis)
        let sample = try #require(ProcSampler(procRoot: tree.root).sample(pid: 4242).value)
        #expect(sample.namespaces?.pids == [4242, 77, 1])
        #expect(sample.namespaces?.innerPid == 1)
        #expect(sample.serverPid == 1)
        // A fake tree has no ns/mnt link: whether the mount namespace differs is unknown, not "no".
        #expect(sample.namespaces?.ownMountNamespace == nil)
    }

    @Test func aProcessInOurNamespacesHasNoInnerPid() throws {
        let own = try #require(ProcSampler().sample(pid: getpid()).value)
        #expect(own.namespaces?.pids == [getpid()])
        #expect(own.namespaces?.innerPid == nil)
        #expect(own.namespaces?.ownMountNamespace == false)
        #expect(own.serverPid == getpid())
    }

    @Test func nsPidRowsAndTheirAbsence() {
        func parse(_ text: String) -> [Int32]? {
            Array(text.utf8).withUnsafeBufferPointer { NamespaceReader.nsPids($0) }
        }
        #expect(parse("Name:\tredis-server\nPid:\t812\nPPid:\t1\nNSpid:\t812\t1\n") == [812, 1])
        // Before Linux 4.1 there is no NSpid row: the Pid row alone (PPid must not be taken for it).
        #expect(parse("Name:\tredis-server\nPPid:\t1\nPid:\t812\n") == [812])
        #expect(parse("Name:\tredis-server\nNSpid:\t812\tx\n") == nil)
        #expect(parse("") == nil)
    }

    @Test func supervisorsFromControlGroupPaths() {
        func parse(_ text: String) -> ProcessSupervisor { ProcessSupervisor.parse(cgroup: Array(text.utf8)) }
        let id = String(repeating: "0123456789abcdef", count: 4)
        #expect(parse("0::/system.slice/redis-server.service\n") == .systemdService(unit: "redis-server.service"))
        #expect(parse("0::/system.slice/docker-\(id).scope\n") == .container(runtime: .docker, id: id))
        #expect(parse("12:memory:/docker/\(id)\n1:name=systemd:/docker/\(id)\n") == .container(runtime: .docker, id: id))
        #expect(parse("0::/machine.slice/libpod-\(id).scope/container\n") == .container(runtime: .podman, id: id))
        let uid = "5e2a5b1c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
        #expect(parse("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uid.replacing("-", with: "_")).slice/cri-containerd-\(id).scope\n")
                == .kubernetesPod(uid: uid, containerId: id))
        #expect(parse("4:memory:/kubepods/besteffort/pod\(uid)/\(id)\n") == .kubernetesPod(uid: uid, containerId: nil))
        #expect(parse("0::/user.slice/user-1000.slice/session-3.scope\n") == .unknown)
        #expect(parse("garbage without colons\n") == .unknown)
    }

    @Test func standardOutputOfARealProcess() throws {
        // This test process: whatever its fd 1 is, it is read as one of the known kinds, never a crash.
        let destination = LogDestinationReader().read(pid: getpid(), startTicks: nil)
        switch destination.output {
        case .unreadable(let reason): Issue.record("own fd 1 unreadable: \(reason)")
        default: break
        }
        #expect(destination.startedAt == nil)
        let gone = LogDestinationReader().read(pid: Int32.max - 1, startTicks: nil)
        #expect(gone.output == .closed)
    }
}
