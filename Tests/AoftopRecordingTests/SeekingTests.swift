import AoftopModel
import AoftopRecording
import Foundation
import Testing

@Suite struct SeekingTests {
    /// Snapshots every 1000 ms starting at `SnapshotFactory.start`.
    func recording(_ dir: TempDirectory, _ name: String, times: [Int64]) throws -> RecordingReader {
        let path = dir.path(name)
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        for (i, offset) in times.enumerated() {
            var snapshot = SnapshotFactory.simple(i)
            snapshot.time = SnapshotFactory.start.adding(milliseconds: offset)
            try writer.append(snapshot)
        }
        try writer.close()
        return try RecordingReader(path: path)
    }

    @Test(arguments: ["s.jsonl", "s.jsonl.gz"])
    func atOrBeforeBeforeBetweenAndAfter(name: String) throws {
        let dir = try TempDirectory()
        let reader = try recording(dir, name, times: (0..<100).map { Int64($0) * 1000 })
        let t0 = SnapshotFactory.start
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: -1)) == nil)
        #expect(reader.index(atOrBefore: t0) == 0)
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: 999)) == 0)
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: 1000)) == 1)
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: 41_500)) == 41)
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: 99_000)) == 99)
        #expect(reader.index(atOrBefore: t0.adding(milliseconds: 86_400_000)) == 99)
        #expect(reader.timeRange == t0...t0.adding(milliseconds: 99_000))
        #expect(try reader.snapshot(at: 41).time == t0.adding(milliseconds: 41_000))
    }

    @Test func equalTimesSeekToTheLastOfThem() throws {
        let dir = try TempDirectory()
        let reader = try recording(dir, "eq.jsonl", times: [0, 1000, 1000, 1000, 2000])
        #expect(reader.index(atOrBefore: SnapshotFactory.start.adding(milliseconds: 1000)) == 3)
    }

    @Test func clockSteppedBackDoesNotBreakSeeking() throws {
        let dir = try TempDirectory()
        let reader = try recording(dir, "back.jsonl", times: [0, 1000, 2000, 500, 3000, 4000])
        #expect(reader.warnings == ["line 5: time goes backwards (clock changed?); seeking treats it as 2026-11-21T17:39:54.123Z"])
        #expect(reader.time(at: 3) == SnapshotFactory.start.adding(milliseconds: 500))   // the real time is kept
        #expect(reader.index(atOrBefore: SnapshotFactory.start.adding(milliseconds: 2500)) == 3)
        #expect(reader.index(atOrBefore: SnapshotFactory.start.adding(milliseconds: 3500)) == 4)
        #expect(reader.timeRange == SnapshotFactory.start...SnapshotFactory.start.adding(milliseconds: 4000))
    }

    @Test func linesLongerThanAReadBufferIndexCorrectly() throws {
        // Lines straddling the scanner's 1 MiB reads: big log samples.
        let dir = try TempDirectory()
        let path = dir.path("big.jsonl.gz")
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        var snapshots: [Snapshot] = []
        for i in 0..<5 {
            var snapshot = SnapshotFactory.realistic(i)
            snapshot.log = .ok(LogSample(path: "/l", fileState: .following,
                                         events: (0..<900).map { LogEvent(time: nil, kind: .other, message: String(repeating: "x", count: 1000 + $0 + i)) }))
            snapshots.append(snapshot)
            try writer.append(snapshot)
        }
        try writer.close()
        let reader = try RecordingReader(path: path)
        #expect(reader.warnings.isEmpty)
        #expect(try (0..<reader.count).map(reader.snapshot(at:)) == snapshots)
    }
}
