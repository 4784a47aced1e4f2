import AoftopModel
import AoftopTestSupport
import Foundation
import ProcCollector
import Testing

@Suite("Census of a real Redis 7 leaking pipes under the fork-failure shim")
struct RedisLeakCensusTests {
    @Test func pipesAndSelfHeldPairsRiseTogether() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForksAndLeakPipes
        options.maxclients = 1000  // room for the leak to grow well past the baseline without hitting the limit
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let collector = ProcSampler()

        let baseline = try #require(collector.sample(pid: server.pid).value)
        #expect(baseline.command == "redis-server")
        #expect(baseline.fds.listeningSockets == 2)  // 127.0.0.1:port and the unix socket
        // Redis 7 keeps one internal pipe with both ends: a baseline pair that is not a leak.
        #expect(baseline.fds.pipes == 2 * baseline.fds.selfHeldPipePairs)

        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        var leaking: ProcSample?
        let grew = RedisServer.waitUntil(timeout: 60) {
            guard let sample = collector.sample(pid: server.pid).value else { return false }
            leaking = sample
            return sample.fds.pipes >= baseline.fds.pipes + 40
        }
        #expect(grew, "pipes never grew: \(String(describing: leaking?.fds))")
        let fds = try #require(leaking).fds
        // Every leaked fd is one end of a pipe whose other end Redis also holds.
        #expect(fds.pipes - baseline.fds.pipes == 2 * (fds.selfHeldPipePairs - baseline.fds.selfHeldPipePairs))
        #expect(fds.listeningSockets == 2)
        #expect(fds.anonInodes == baseline.fds.anonInodes)

        // Let forks work again: the leaked pipes stay. Once the count is still, the census must agree with an
        // independent count made the way an operator would (ls -l /proc/PID/fd | grep pipe).
        try server.setForkFailure(false)
        var agreed = false
        _ = RedisServer.waitUntil(timeout: 30, interval: 0.2) {
            guard let first = collector.sample(pid: server.pid).value?.fds else { return false }
            let independent = server.countFds(withTargetPrefix: "pipe:")
            let second = collector.sample(pid: server.pid).value?.fds
            agreed = first == second && first.pipes == independent
            return agreed
        }
        #expect(agreed)
        #expect(collector.openFdCount(pid: server.pid) == collector.sample(pid: server.pid).value?.fds.total)
    }

    @Test func discoveryFindsTheServerAndItsListeners() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let discovery = ProcessDiscovery()
        #expect(discovery.pid(listeningOnTCPPort: server.port) == server.pid)
        #expect(discovery.pid(listeningOnUnixSocket: server.unixSocketPath) == server.pid)
        let found = try #require(discovery.servers().first { $0.pid == server.pid })
        #expect(found.command == "redis-server")
        #expect(found.tcpPorts == [server.port])
        #expect(found.unixSockets == [server.unixSocketPath])
        #expect(discovery.workingDirectory(pid: server.pid) != nil)
    }

    @Test func aStoppedServerIsGone() throws {
        let server = try RedisServer.start()
        let pid = server.pid
        server.stop()
        let collector = ProcSampler()
        let gone = RedisServer.waitUntil(timeout: 20) { collector.sample(pid: pid) == .failed("process \(pid) is gone") }
        #expect(gone)
    }
}
