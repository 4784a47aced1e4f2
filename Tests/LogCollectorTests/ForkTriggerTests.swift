import AoftopModel
import Foundation
import Testing
@testable import LogCollector

/// Which fork a `Can't save in background` line belongs to, read from the line its trigger wrote just before.
@Suite struct ForkTriggerTests {
    static let failure = "# Can't save in background: fork: Cannot allocate memory"

    /// Kinds of `lines` classified in order by one parser, the way every reader of a log sees them.
    func kinds(_ lines: [String]) -> [LogEventKind] {
        var parser = LogLineParser(reference: time("2026-12-05T06:00:00Z"), zone: .fixed(offsetSeconds: 0))
        return lines.map { line in
            var copy = line
            return copy.withUTF8 { parser.classify(UnsafeRawBufferPointer($0)).kind }
        }
    }

    @Test func eachTriggerNamesTheFailureAfterIt() {
        let log = [
            "4242:M 05 Dec 2026 05:00:00.100 * Replica 127.0.0.1:6380 asks for synchronization",
            "4242:M 05 Dec 2026 05:00:00.101 * Starting BGSAVE for SYNC with target: disk",
            "4242:M 05 Dec 2026 05:00:00.101 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:00.101 # BGSAVE for replication failed",
            "4242:M 05 Dec 2026 05:00:01.000 * Starting BGSAVE for SYNC with target: replicas sockets",
            "4242:M 05 Dec 2026 05:00:01.001 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:02.000 * 1 changes in 3600 seconds. Saving...",
            "4242:M 05 Dec 2026 05:00:02.001 \(Self.failure)",
            // The BGSAVE command writes nothing before its fork.
            "4242:M 05 Dec 2026 05:00:09.000 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:10.000 * Starting automatic rewriting of AOF on 101% growth",
            "4242:M 05 Dec 2026 05:00:10.000 # Can't rewrite append only file in background: fork: Cannot allocate memory",
        ]
        #expect(kinds(log) == [.other, .replicaSyncStart, .replicaSyncForkFailed, .other, .disklessSyncStart,
                               .disklessSyncForkFailed, .rdbSaveScheduled, .rdbForkFailed, .rdbForkFailed,
                               .aofRewriteStart, .aofForkFailed])
        #expect(kinds(log).compactMap(\.failedFork) == [.replicaSync, .disklessSync, .bgsave, .bgsave, .aofRewrite])
    }

    @Test func oldWordingsAndLogfmt() {
        // 2.8 names no target; 3.x/4.x say `slaves sockets`; Valkey 8 may log in logfmt.
        #expect(kinds([
            "[1838] 16 Aug 01:09:00.000 * Starting BGSAVE for SYNC",
            "[1838] 16 Aug 01:09:00.001 \(Self.failure)",
            "1838:M 16 Aug 01:09:01.000 * Starting BGSAVE for SYNC with target: slaves sockets",
            "1838:M 16 Aug 01:09:01.001 \(Self.failure)",
            "pid=77 role=primary timestamp=\"2026-12-05T05:00:00.000+00:00\" level=notice message=\"Starting BGSAVE for SYNC with target: disk\"",
            "pid=77 role=primary timestamp=\"2026-12-05T05:00:00.001+00:00\" level=warning message=\"Can't save in background: fork: Cannot allocate memory\"",
        ]) == [.replicaSyncStart, .replicaSyncForkFailed, .disklessSyncStart, .disklessSyncForkFailed,
               .replicaSyncStart, .replicaSyncForkFailed])
    }

    @Test func valkey8AndRedis8WordingsOfADisklessSync() {
        #expect(kinds([
            "77:M 05 Dec 2026 05:00:00.000 * Starting BGSAVE for SYNC with target: replicas sockets using: normal sync",
            "77:M 05 Dec 2026 05:00:00.001 \(Self.failure)",
            "77:M 05 Dec 2026 05:00:01.000 * Starting BGSAVE for SYNC with target: replicas sockets using: dual-channel",
            "77:M 05 Dec 2026 05:00:01.001 \(Self.failure)",
            "77:M 05 Dec 2026 05:00:02.000 * Starting BGSAVE for SYNC with target: replicas sockets (rdb-channel)",
            "77:M 05 Dec 2026 05:00:02.001 \(Self.failure)",
            "77:M 05 Dec 2026 05:00:03.000 * Starting BGSAVE for SYNC with target: disk using: normal sync",
            "77:M 05 Dec 2026 05:00:03.001 \(Self.failure)",
        ]) == [.disklessSyncStart, .disklessSyncForkFailed, .disklessSyncStart, .disklessSyncForkFailed,
               .disklessSyncStart, .disklessSyncForkFailed, .replicaSyncStart, .replicaSyncForkFailed])
    }

    @Test func withoutTimesOnlyTheNextLineCounts() {
        // `journalctl -o cat`: messages alone. A sync whose fork worked, then much later a BGSAVE command that failed.
        #expect(kinds([
            "Starting BGSAVE for SYNC with target: disk",
            "Background saving started by pid 4243",
            "Can't save in background: fork: Cannot allocate memory",
            "Starting BGSAVE for SYNC with target: disk",
            "Can't save in background: fork: Cannot allocate memory",
        ]) == [.replicaSyncStart, .other, .rdbForkFailed, .replicaSyncStart, .replicaSyncForkFailed])
    }

    @Test func aTriggerIsNotCarriedToALaterFailure() {
        #expect(kinds([
            // Too late: the sync's fork succeeded (nothing failed within the second), this is a BGSAVE command.
            "4242:M 05 Dec 2026 05:00:00.000 * Starting BGSAVE for SYNC with target: disk",
            "4242:M 05 Dec 2026 05:00:05.000 \(Self.failure)",
            // Another process's trigger (two servers logging to one file) says nothing of this one's fork.
            "5151:M 05 Dec 2026 05:00:06.000 * Starting BGSAVE for SYNC with target: disk",
            "4242:M 05 Dec 2026 05:00:06.001 \(Self.failure)",
            // A trigger is used once.
            "4242:M 05 Dec 2026 05:00:07.000 * Starting BGSAVE for SYNC with target: disk",
            "4242:M 05 Dec 2026 05:00:07.001 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:07.002 \(Self.failure)",
        ]) == [.replicaSyncStart, .rdbForkFailed, .replicaSyncStart, .rdbForkFailed, .replicaSyncStart,
               .replicaSyncForkFailed, .rdbForkFailed])
        #expect(kinds(["4242:M 05 Dec 2026 05:00:07.000 * 12 changes in 300 seconds. Saving...",
                       "4242:M 05 Dec 2026 05:00:07.000 * 12 changes in 300 seconds. Saved"]) == [.rdbSaveScheduled, .other])
    }

    @Test func theSamplerAndTheScanCountEachMechanism() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let lines = [
            "4242:M 05 Dec 2026 05:00:00.101 * Starting BGSAVE for SYNC with target: disk",
            "4242:M 05 Dec 2026 05:00:00.101 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:02.000 * 1 changes in 3600 seconds. Saving...",
            "4242:M 05 Dec 2026 05:00:02.001 \(Self.failure)",
            "4242:M 05 Dec 2026 05:00:03.000 * Starting BGSAVE for SYNC with target: replicas sockets",
            "4242:M 05 Dec 2026 05:00:03.001 \(Self.failure)",
        ]
        try append(path, lines.joined(separator: "\n") + "\n")
        let report = try LogScanner(zone: .fixed(offsetSeconds: 0)).scan(path: path, referenceTime: time("2026-12-05T06:00:00Z"))
        #expect(report.count(.replicaSyncForkFailed) == 1)
        #expect(report.count(.disklessSyncForkFailed) == 1)
        #expect(report.count(.rdbForkFailed) == 1)

        let sampler = LogSampler(path: path, backlogBytes: 1 << 20, zone: .fixed(offsetSeconds: 0),
                                 referenceTime: time("2026-12-05T06:00:00Z"))
        let sample = try #require(sampler.collect().value)
        #expect(ForkMechanism.failures(in: sample.totals) == [.aofRewrite: 0, .bgsave: 1, .replicaSync: 1, .disklessSync: 1])
        #expect(sample.events.map(\.kind).filter { $0.failedFork != nil } == [.replicaSyncForkFailed, .rdbForkFailed, .disklessSyncForkFailed])
        #expect(sample.events.first { $0.kind == .disklessSyncForkFailed }?.error == "Cannot allocate memory")
    }
}
