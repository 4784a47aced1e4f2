import AoftopModel
import AoftopRecording
import Foundation
import Testing

/// What a crash, a `kill -9`, a full disk or a hand edit leaves behind: the reader keeps every whole line and says
/// what it dropped, in one line, and never crashes.
@Suite struct DamagedFileTests {
    static let incomplete = "last line incomplete (recording was interrupted); ignored"

    static func write(_ path: String, count: Int) throws -> [Snapshot] {
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        let snapshots = (0..<count).map(SnapshotFactory.simple)
        for snapshot in snapshots { try writer.append(snapshot) }
        try writer.close()
        return snapshots
    }

    @Test func plainFileCutAtEveryByteOfTheLastLine() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl")
        let snapshots = try Self.write(path, count: 4)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        let lastLineStart = full.dropLast().lastIndex(of: 0x0A)! + 1
        for cut in lastLineStart..<full.count {
            let cutPath = dir.path("cut-\(cut).jsonl")
            try full.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            let reader = try RecordingReader(path: cutPath)
            let decoded = try (0..<reader.count).map(reader.snapshot(at:))
            if cut == lastLineStart {
                // Cut exactly at a line boundary: nothing torn.
                #expect(decoded == Array(snapshots.prefix(3)) && reader.warnings.isEmpty)
            } else if cut == full.count - 1 {
                // Only the newline is missing: the snapshot is whole and kept.
                #expect(decoded == snapshots && reader.warnings.isEmpty)
            } else {
                #expect(decoded == Array(snapshots.prefix(3)), "cut at \(cut)")
                #expect(reader.warnings == [Self.incomplete], "cut at \(cut)")
            }
            #expect(try RecordingReader.preview(path: cutPath).firstSnapshot == snapshots[0])
        }
    }

    @Test func gzipFileCutAnywhereKeepsEveryFlushedLine() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl.gz")
        // Record the file size after each line: those are the sync-flush points a kill can land between.
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        var flushPoints = [writer.bytesWritten]
        let snapshots = (0..<6).map(SnapshotFactory.simple)
        for snapshot in snapshots {
            try writer.append(snapshot)
            flushPoints.append(writer.bytesWritten)
        }
        try writer.close()
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(UInt64(full.count) > flushPoints.last!)   // the trailer came with close()

        for cut in flushPoints.first!..<UInt64(full.count) {
            let cutPath = dir.path("cut-\(cut).jsonl.gz")
            try full.prefix(Int(cut)).write(to: URL(fileURLWithPath: cutPath))
            let reader = try RecordingReader(path: cutPath)
            // Lines whose flush completed before the cut are all there; at most the one being written is lost.
            let whole = flushPoints.lastIndex { $0 <= cut }!
            #expect(reader.count == whole || reader.count == whole + 1, "cut at \(cut)")
            let decoded = try (0..<reader.count).map(reader.snapshot(at:))
            #expect(decoded == Array(snapshots.prefix(reader.count)), "cut at \(cut)")
            if cut < flushPoints.last! {
                #expect(reader.warnings.contains { $0.hasPrefix("gzip stream ends without its trailer") }, "cut at \(cut)")
            }
            if flushPoints.contains(cut) {
                #expect(!reader.warnings.contains(Self.incomplete), "cut at \(cut)")
            }
        }
    }

    @Test func gzipFileOfAKilledWriterIsReadable() throws {
        // The real thing: a child process records and is killed with SIGKILL without closing.
        let dir = try TempDirectory()
        let path = dir.path("killed.jsonl.gz")
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        for i in 0..<5 { try writer.append(SnapshotFactory.simple(i)) }
        // Copy the file as it is now (what a kill would leave), before close() writes the trailer.
        let atKill = try Data(contentsOf: URL(fileURLWithPath: path))
        try writer.close()
        let killedPath = dir.path("copy.jsonl.gz")
        try atKill.write(to: URL(fileURLWithPath: killedPath))
        let reader = try RecordingReader(path: killedPath)
        #expect(reader.count == 5)
        #expect(try reader.snapshot(at: 4) == SnapshotFactory.simple(4))
        #expect(reader.warnings == ["gzip stream ends without its trailer (recording was interrupted); read up to the cut"])
    }

    @Test func corruptMiddleLineIsReportedByNumberAndSkipped() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl")
        let snapshots = try Self.write(path, count: 5)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = String(lines[2].prefix(40))          // line 3: torn in the middle (e.g. a disk error)
        lines[4] = "garbage \u{1}\u{2} not json"          // line 5
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let reader = try RecordingReader(path: path)
        #expect(reader.warnings == ["line 3: not a snapshot (invalid JSON); skipped",
                                    "line 5: not a snapshot (invalid JSON); skipped"])
        #expect(try (0..<reader.count).map(reader.snapshot(at:)) == [snapshots[0], snapshots[2], snapshots[4]])
        #expect(reader.lineNumber(at: 1) == 4)
    }

    @Test func lineWithAValidEndButBadBodyFailsOnDecodeWithItsNumber() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl")
        _ = try Self.write(path, count: 3)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = #"{"source":{},"time":"2026-11-21T17:39:53.123Z"}"#   // passes the index's cheap check
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let reader = try RecordingReader(path: path)
        #expect(reader.count == 3)
        let error = #expect(throws: RecordingError.self) { try reader.snapshot(at: 1) }
        #expect(error?.reason == #"line 3: not a snapshot (no "redis")"#)
        #expect(throws: RecordingError.self) { try reader.snapshot(at: 3) }
        #expect(throws: RecordingError.self) { try reader.snapshot(at: -1) }
    }

    @Test func otherEncodingsOfTheTimeAreIndexedByDecoding() throws {
        // A recording written by hand or another tool: keys unsorted, time as epoch milliseconds, CRLF.
        let dir = try TempDirectory()
        let path = dir.path("hand.jsonl")
        let header = String(decoding: try AoftopJSON.encoder().encode(SnapshotFactory.header()), as: UTF8.self)
        let text = header + "\r\n" + #"{"time":1795283992123,"source":{"port":6379},"redis":{"status":"not_configured"},"process":{"status":"not_configured"},"log":{"status":"not_configured"},"aof_directory":{"status":"not_configured"},"future_key":[1,2]}"# + "\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = try RecordingReader(path: path)
        #expect(reader.warnings.isEmpty)
        #expect(reader.count == 1)
        #expect(reader.time(at: 0) == Timestamp(millisecondsSince1970: 1_795_283_992_123))
        #expect(try reader.snapshot(at: 0).source.port == 6379)
    }

    @Test func truncatedAfterOpeningFailsCleanly() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl")
        _ = try Self.write(path, count: 3)
        let reader = try RecordingReader(path: path)
        #expect(truncate(path, 10) == 0)
        let error = #expect(throws: RecordingError.self) { try reader.snapshot(at: 2) }
        #expect(error?.reason == "line 4: file is shorter than when it was opened")
    }

    @Test func readerNeverWritesTheFile() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl.gz")
        _ = try Self.write(path, count: 3)
        #expect(chmod(path, 0o400) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try RecordingReader(path: path)
        #expect(reader.count == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
