import AoftopFleet
import AoftopPipeline
import AoftopTestSupport
import Foundation
import Testing

/// Real servers, the real `/proc`: each instance sampled on its own, a hung one never holding up the others,
/// a vanished one kept for the retention time and then dropped.
@Suite struct FleetMonitorTests {
    private func entry(_ monitor: FleetMonitor, port: Int) -> FleetMonitor.Entry? {
        monitor.entries.first { $0.target.name == "127.0.0.1:\(port)" }
    }

    @Test func aHungServerDoesNotHoldUpTheOthers() throws {
        let healthy = try RedisServer.start()
        defer { healthy.stop() }
        let hung = try RedisServer.start()
        defer {
            kill(hung.pid, SIGCONT)
            hung.stop()
        }
        kill(hung.pid, SIGSTOP)
        let monitor = FleetMonitor(scope: .targets([FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: healthy.port)),
                                                    FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: hung.port))]),
                                   collection: CollectionTarget(endpoint: nil, timeout: 2), interval: 0.1)
        defer { monitor.stop() }
        // By the time the stopped server's first INFO has waited out its 2 s timeout, the healthy one has been
        // sampled many times (every 0.1 s): nobody waited for the hung one.
        try #require(RedisServer.waitUntil(timeout: 20) { entry(monitor, port: hung.port)?.reading != nil })
        let healthySamples = entry(monitor, port: healthy.port)?.reading?.sampleCount ?? 0
        #expect(healthySamples >= 5, "the healthy server took only \(healthySamples) samples meanwhile")
        #expect(entry(monitor, port: healthy.port)?.reading?.snapshot.redis.value != nil)
        #expect(RedisServer.waitUntil(timeout: 20) {
            entry(monitor, port: hung.port)?.reading?.snapshot.redis.failureReason?.contains("timed out") ?? false
        }, "\(String(describing: entry(monitor, port: hung.port)?.reading?.snapshot.redis))")
    }

    @Test func discoveryKeepsAVanishedServerForTheRetentionThenDropsIt() throws {
        let staying = try RedisServer.start()
        defer { staying.stop() }
        let leaving = try RedisServer.start()
        defer { leaving.stop() }
        let monitor = FleetMonitor(scope: .discovered(procRoot: "/proc"), collection: CollectionTarget(endpoint: nil),
                                   interval: 0.1, rediscovery: 0.2, goneRetention: 10)
        defer { monitor.stop() }
        try #require(RedisServer.waitUntil(timeout: 20) {
            entry(monitor, port: staying.port)?.reading != nil && entry(monitor, port: leaving.port)?.reading != nil
        })
        let leavingPid = leaving.pid
        #expect(entry(monitor, port: leaving.port)?.reading?.snapshot.process.value?.pid == leavingPid)

        leaving.stop()
        // Still listed, now failing: the crash is visible (aoftop_up 0) rather than a silently missing series.
        #expect(RedisServer.waitUntil(timeout: 8) {
            entry(monitor, port: leaving.port)?.reading.map { $0.snapshot.redis.value == nil } ?? false
        }, "not listed as failing within the retention time")
        // …and gone once the retention has passed.
        #expect(RedisServer.waitUntil(timeout: 30) { entry(monitor, port: leaving.port) == nil })
        #expect(entry(monitor, port: staying.port)?.reading?.snapshot.redis.value != nil)
    }
}
