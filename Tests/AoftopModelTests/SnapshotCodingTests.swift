import Foundation
import Testing
import AoftopModel

@Suite struct SnapshotCodingTests {
    static let sample = Snapshot(
        time: Timestamp(millisecondsSince1970: 1_502_845_659_319),
        source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838, processStartTicks: 4242, server: "redis", version: "3.2.8"),
        redis: .ok(RedisSample(version: "3.2.8", processId: 1838, connectedClients: 499, aofCurrentSize: 2_100,
                               aofBaseSize: 1_000, aofLastBgrewriteStatus: "ok", otherFields: ["mem_fragmentation_ratio": "1.02"],
                               config: .failed("CONFIG unavailable: ERR unknown command 'CONFIG'"))),
        process: .ok(ProcSample(pid: 1838, command: "redis-server", startTicks: 4242, cpuTicks: 90, clockTicksPerSecond: 100,
                                fds: FdCensus(total: 10_322, sockets: 500, listeningSockets: 1, pipes: 9_823,
                                              selfHeldPipePairs: 4_910, anonInodes: ["eventpoll": 1], regularFiles: 1,
                                              other: 3, highestFd: 10_321, lowestFreeFd: 10_322),
                                limits: FdLimits(soft: 65_535, hard: nil))),
        log: .ok(LogSample(path: "/var/log/redis/redis.log", fileState: .following,
                           events: [LogEvent(time: Timestamp(millisecondsSince1970: 1_502_845_659_319), kind: .clientRegisterFailed,
                                             pid: 1838, role: "M", level: .warning, fd: 10_311,
                                             message: "Error registering fd event for the new client: Numerical result out of range (fd=10311)")],
                           totals: [.aofForkFailed: 1_644, .other: 12], linesRead: 1_656, bytesRead: 180_000)),
        aofDirectory: .failed("cannot read /var/lib/redis/appendonlydir: No such file or directory"))

    @Test func roundTripsExactly() throws {
        let data = try AoftopJSON.encoder().encode(Self.sample)
        #expect(try AoftopJSON.decoder().decode(Snapshot.self, from: data) == Self.sample)
    }

    @Test func keysAreStableSnakeCase() throws {
        let text = String(decoding: try AoftopJSON.encoder().encode(Self.sample), as: UTF8.self)
        for key in [#""aof_directory":{"reason":"#, #""status":"failed""#, #""process_start_ticks":4242"#,
                    #""self_held_pipe_pairs":4910"#, #""lowest_free_fd":10322"#, #""connected_clients":499"#,
                    #""totals":{"aof-fork-failed":1644,"other":12}"#, #""kind":"client-register-failed""#,
                    #""time":"2017-08-16T01:07:39.319Z""#, #""other_fields":{"mem_fragmentation_ratio":"1.02"}"#,
                    #""file_state":"following""#, #""anon_inodes":{"eventpoll":1}"#] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(!text.contains("camel"))
        #expect(!text.contains("processStartTicks"))
    }

    static let forkReadiness = ForkReadinessSample(
        overcommitMemory: .never, overcommitRatio: 80, overcommitKbytes: 0, kernelRelease: "6.1.0-18-amd64",
        memory: HostMemory(memTotal: 34_359_738_368, memAvailable: 21_474_836_480, swapTotal: 0, swapFree: 0,
                           commitLimit: 27_487_790_694, committedAS: 9_663_676_416),
        transparentHugePages: .always, transparentHugePagesDefrag: .deferMadvise,
        cgroup: .v2(CgroupMemory(path: "/system.slice/redis.service", limit: .unlimited, current: 3_221_225_472,
                                 oomEvents: 0, oomKills: 0)),
        process: ProcessMemory(pid: 1838, rss: 3_221_225_472, data: 5_368_709_120, stack: 135_168, size: 6_442_450_944,
                               transparentHugePagesEnabled: false),
        unreadable: ["/sys/kernel/mm/transparent_hugepage/defrag: permission denied"])

    @Test func forkReadinessRoundTripsWithSnakeCaseKeys() throws {
        var snapshot = Self.sample
        snapshot.forkReadiness = .ok(Self.forkReadiness)
        let data = try AoftopJSON.encoder().encode(snapshot)
        #expect(try AoftopJSON.decoder().decode(Snapshot.self, from: data) == snapshot)
        let text = String(decoding: data, as: UTF8.self)
        for key in [#""fork_readiness":{"status":"ok""#, #""overcommit_memory":2"#, #""overcommit_ratio":80"#,
                    #""committed_as":9663676416"#, #""commit_limit":27487790694"#, #""transparent_hugepages":"always""#,
                    #""transparent_hugepages_defrag":"defer+madvise""#, #""limit":"max""#, #""version":"v2""#,
                    #""oom_kills":0"#, #""thp_enabled":false"#, #""kernel_release":"6.1.0-18-amd64""#] {
            #expect(text.contains(key), "missing \(key)")
        }
        // The other cgroup kinds and a limit in bytes.
        for cgroup in [MemoryCgroup.v1(CgroupMemory(path: "/docker/abc", limit: .bytes(2_147_483_648), current: 1, oomKills: nil)),
                       MemoryCgroup.none] {
            var sample = Self.forkReadiness
            sample.cgroup = cgroup
            let encoded = try AoftopJSON.encoder().encode(sample)
            #expect(try AoftopJSON.decoder().decode(ForkReadinessSample.self, from: encoded) == sample)
        }
    }

    @Test func recordingsWithoutForkReadinessReplay() throws {
        // A line recorded before the key existed: the same snapshot without it.
        var snapshot = Self.sample
        snapshot.forkReadiness = .ok(Self.forkReadiness)
        var object = try #require(try JSONSerialization.jsonObject(with: AoftopJSON.encoder().encode(snapshot)) as? [String: Any])
        object.removeValue(forKey: "fork_readiness")
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try AoftopJSON.decoder().decode(Snapshot.self, from: old)
        #expect(decoded.forkReadiness == .notConfigured)
        snapshot.forkReadiness = .notConfigured
        #expect(decoded == snapshot)
        // A sample written before a field existed (here: everything but the mode) decodes with the rest nil.
        let sparse = try AoftopJSON.decoder().decode(ForkReadinessSample.self, from: Data(#"{"overcommit_memory":1}"#.utf8))
        #expect(sparse == ForkReadinessSample(overcommitMemory: .always))
    }

    @Test func copyOnWriteSizesRoundTripAndLiftFromOldRecordings() throws {
        let redis = RedisSample(version: "7.2.4", currentCowSize: 0, rdbLastCowSize: 1_048_576, aofLastCowSize: 2_097_152)
        let data = try AoftopJSON.encoder().encode(redis)
        #expect(String(decoding: data, as: UTF8.self).contains(#""rdb_last_cow_size":1048576"#))
        #expect(try AoftopJSON.decoder().decode(RedisSample.self, from: data) == redis)
        // Recorded before the fields were typed: verbatim in other_fields.
        let old = #"{"version":"6.0.9","other_fields":{"rdb_last_cow_size":"4096","aof_last_cow_size":"8192","x":"1"}}"#
        let decoded = try AoftopJSON.decoder().decode(RedisSample.self, from: Data(old.utf8))
        #expect(decoded.rdbLastCowSize == 4096)
        #expect(decoded.aofLastCowSize == 8192)
        #expect(decoded.currentCowSize == nil)
        #expect(decoded.otherFields == ["x": "1"])
    }

    @Test func readingsSayWhatFailed() throws {
        let reading: Reading<FdLimits> = .failed("permission denied")
        #expect(reading.failureReason == "permission denied")
        #expect(reading.value == nil)
        #expect(Reading<FdLimits>.notConfigured.map { $0.soft } == .notConfigured)
        let decoded = try AoftopJSON.decoder().decode(Reading<FdLimits>.self, from: Data(#"{"status":"not_configured"}"#.utf8))
        #expect(decoded == .notConfigured)
        #expect(throws: DecodingError.self) {
            try AoftopJSON.decoder().decode(Reading<FdLimits>.self, from: Data(#"{"status":"maybe"}"#.utf8))
        }
    }

    @Test func derivedCountsAreConsistent() {
        let census = FdCensus(total: 10, sockets: 5, listeningSockets: 2, anonInodes: ["eventpoll": 1, "eventfd": 2])
        #expect(census.clientSockets == 3)
        #expect(census.anonInodeTotal == 3)
        #expect(SourceIdentity(host: "::1", port: 6379).displayName == "[::1]:6379")
    }
}
