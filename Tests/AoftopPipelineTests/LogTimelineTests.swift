import AoftopModel
import Foundation
import LogCollector
import Testing
@testable import AoftopPipeline

@Suite struct LogTimelineTests {
    /// Redis 7 writes its first start-up lines, the version line among them, with role `C`: the pid there is the
    /// server's own, so the version must carry on to the server's later lines, however many seconds later.
    @Test func theStartLineVersionCarriesOnWhenTheStormStartsLater() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("redis.log").path
        try """
        4242:C 21 Nov 2026 18:00:00.000 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=4242, just started
        4242:M 21 Nov 2026 18:00:00.010 * Ready to accept connections
        4242:M 21 Nov 2026 18:00:03.000 * Starting automatic rewriting of AOF on 100% growth
        4242:M 21 Nov 2026 18:00:03.001 # Can't rewrite append only file in background: fork: Cannot allocate memory
        4242:M 21 Nov 2026 18:00:04.000 # Can't rewrite append only file in background: fork: Cannot allocate memory

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let snapshots = try LogTimeline.build(path: path, zone: .fixed(offsetSeconds: 0))
        #expect(snapshots.count == 3)
        #expect(snapshots.map(\.source.version) == ["7.0.15", "7.0.15", "7.0.15"])
        #expect(snapshots.map(\.source.pid) == [4242, 4242, 4242])
    }

    /// A different server process that left no start line: what the first one said no longer applies.
    @Test func anotherProcessWithoutAStartLineForgetsTheVersion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("redis.log").path
        try """
        4242:C 21 Nov 2026 18:00:00.000 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=4242, just started
        5151:M 21 Nov 2026 18:10:00.000 # Can't rewrite append only file in background: fork: Cannot allocate memory

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let snapshots = try LogTimeline.build(path: path, zone: .fixed(offsetSeconds: 0))
        #expect(snapshots.map(\.source.version) == ["7.0.15", nil])
    }
}
