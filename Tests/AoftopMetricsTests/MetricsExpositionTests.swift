import AoftopAnalysis
import AoftopFleet
import AoftopMetrics
import AoftopModel
import Testing

/// What is exported when little is known: absent series, never made-up zeros.
@Suite struct MetricsExpositionTests {
    private func reading(_ target: FleetTarget, redis: Reading<RedisSample>, process: Reading<ProcSample>) -> InstanceReading {
        let snapshot = Snapshot(time: Timestamp(millisecondsSince1970: 1_700_000_000_000), source: SourceIdentity(pid: target.pid),
                                redis: redis, process: process, log: .notConfigured, aofDirectory: .notConfigured)
        return InstanceReading(snapshot: snapshot, assessment: assess(snapshot, history: AnalysisHistory()),
                               sampledAt: 100, sampleCount: 1)
    }

    private func series(_ text: String) -> [String] {
        // The value follows the last space (a label value may hold spaces: `pid 4242`).
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)]) }
    }

    @Test func aServerWatchedThroughProcAloneHasNoUpSeries() {
        // Another user's server: discovery reads its name but not its sockets, so there is no Redis to ask.
        let target = FleetTarget(name: "pid 4242", endpoint: nil, pid: 4242, ports: [])
        let entry = FleetMonitor.Entry(target: target, reading: reading(target, redis: .notConfigured,
                                                                        process: .failed("cannot read /proc/4242/fd: permission denied")))
        let names = series(MetricsExposition.render([entry], now: 101.5, scrapes: 1, host: "cache-07"))
        let labels = "{instance=\"cache-07:pid 4242\",port=\"\""
        #expect(!names.contains { $0.hasPrefix("aoftop_up{") }, "no Redis to be down: \(names)")
        #expect(names.contains("aoftop_source_up\(labels),source=\"proc\"}"))
        #expect(!names.contains { $0.contains("source=\"redis\"") || $0.contains("source=\"log\"") }, "not configured: absent")
        #expect(!names.contains { $0.hasPrefix("aoftop_open_fds") || $0.hasPrefix("aoftop_pipe_leak") }, "no census, no fd series")
        #expect(!names.contains { $0.hasPrefix("aoftop_fd_exhaustion_eta_seconds") })
        #expect(names.contains("aoftop_severity\(labels)}"))
        #expect(names.contains("aoftop_sample_age_seconds\(labels)}"))
    }

    @Test func anUnreachableRedisIsDownAndAnUnsampledOneIsAbsent() {
        let down = FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: 6390))
        let pending = FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: 6391))
        let text = MetricsExposition.render([
            FleetMonitor.Entry(target: down, reading: reading(down, redis: .failed("connection refused"),
                                                               process: .failed("no local process listens on port 6390"))),
            FleetMonitor.Entry(target: pending, reading: nil),
        ], now: 101, scrapes: 7, host: "cache-07")
        #expect(text.contains("aoftop_up{instance=\"cache-07:6390\",port=\"6390\"} 0"), "\(text)")
        #expect(!text.contains("6391"), "no reading yet, no series")
        #expect(text.contains("aoftop_instances 2"), "\(text)")
        #expect(text.contains("aoftop_scrapes_total 7"), "\(text)")
        #expect(text.contains("aoftop_severity{instance=\"cache-07:6390\",port=\"6390\"} 3"), "unknown: \(text)")
    }

    @Test func localServersAreNamedAfterThisHostRemoteOnesKeepTheirAddress() {
        let label = { (target: FleetTarget) in MetricsExposition.instanceLabel(target, host: "cache-07") }
        #expect(label(FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: 6379))) == "cache-07:6379")
        #expect(label(FleetTarget(endpoint: .tcp(host: "::1", port: 6380))) == "cache-07:6380")
        #expect(label(FleetTarget(endpoint: .unix(path: "/run/redis/redis.sock"))) == "cache-07:/run/redis/redis.sock")
        #expect(label(FleetTarget(name: "pid 77", endpoint: nil, pid: 77, ports: [])) == "cache-07:pid 77")
        #expect(label(FleetTarget(endpoint: .tcp(host: "10.0.0.5", port: 6379))) == "10.0.0.5:6379")
        #expect(MetricsExposition.instanceLabel(FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: 6379)), host: "")
                == "127.0.0.1:6379", "no host name: the address as given")
    }

    @Test func forkReadinessAndFailuresByMechanism() {
        // Overcommit 2 with 25 GiB committed and 5 GiB more to charge against a 28 GiB limit: the next fork fails.
        let sample = ForkReadinessSample(
            overcommitMemory: .never, overcommitRatio: 80, kernelRelease: "6.1.0-18-amd64",
            memory: HostMemory(memTotal: 34_359_738_368, memAvailable: 8_589_934_592, swapTotal: 0, swapFree: 0,
                               commitLimit: 30_064_771_072, committedAS: 26_843_545_600),
            process: ProcessMemory(pid: 1838, rss: 4_294_967_296, data: 5_368_709_120, stack: 135_168))
        var snapshot = Snapshot(time: Timestamp(millisecondsSince1970: 1_700_000_000_000), source: SourceIdentity(pid: 1838))
        snapshot.forkReadiness = .ok(sample)
        let target = FleetTarget(endpoint: .tcp(host: "127.0.0.1", port: 6379))
        let assessment = assess(snapshot, history: AnalysisHistory())
        #expect(assessment.forkReadiness?.outcome == .willFail)
        let reading = InstanceReading(snapshot: snapshot, assessment: assessment, sampledAt: 100, sampleCount: 1,
                                      newForkFailures: ForkFailureCounts([.aofRewrite: 3, .replicaSync: 2]))
        let text = MetricsExposition.render([FleetMonitor.Entry(target: target, reading: reading)], now: 101, scrapes: 1,
                                            host: "cache-07")
        let labels = "instance=\"cache-07:6379\",port=\"6379\""
        #expect(text.contains("aoftop_fork_readiness{\(labels),outcome=\"will_fail\"} 1"), "\(text)")
        #expect(text.contains("aoftop_overcommit_memory{\(labels)} 2"))
        #expect(text.contains("aoftop_commit_limit_bytes{\(labels)} 30064771072"))
        #expect(text.contains("aoftop_committed_as_bytes{\(labels)} 26843545600"))
        for (kind, count) in [("aof", 3), ("rdb", 0), ("replica-sync", 2), ("diskless-sync", 0)] {
            #expect(text.contains("aoftop_fork_failures_total{\(labels),kind=\"\(kind)\"} \(count)"), "\(kind): \(text)")
        }
        #expect(text.contains("aoftop_finding{\(labels),code=\"fork-will-fail\"} 1"), "\(text)")
    }
}
