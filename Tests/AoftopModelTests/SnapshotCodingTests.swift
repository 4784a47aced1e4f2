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
