import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Synchronization
import Testing

/// A rotated set written to a real directory, with clocks the test steps.
@Suite struct RotatingRecordingTests {
    /// The wall clock (names, headers) and the monotonic clock (ages), stepped together.
    final class Clocks: Sendable {
        private let seconds = Mutex(0.0)
        let wallStart = Timestamp(iso8601: "2026-12-05T08:30:00Z")!

        func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
        var monotonic: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
        var wall: @Sendable () -> Timestamp {
            { [self] in wallStart.adding(milliseconds: Int64((seconds.withLock { $0 } * 1000).rounded())) }
        }
    }

    final class EventLog: Sendable {
        private let events = Mutex<[RotatingRecording.Event]>([])
        var record: @Sendable (RotatingRecording.Event) -> Void { { [self] event in events.withLock { $0.append(event) } } }
        var all: [RotatingRecording.Event] { events.withLock { $0 } }
        var started: [String] {
            all.compactMap { event -> String? in
                if case .started(let path, _) = event { return path }
                return nil
            }
        }
        var deleted: [String] {
            all.compactMap { event -> String? in
                if case .deleted(let path) = event { return path }
                return nil
            }
        }
    }

    static let instance = "127.0.0.1:6379"

    static func configuration(_ directory: String, rotation: RotationPolicy, retention: RetentionPolicy = RetentionPolicy())
        -> RotatingRecording.Configuration {
        RotatingRecording.Configuration(directory: directory, instance: instance, header: SnapshotFactory.header(),
                                        rotation: rotation, retention: retention)
    }

    /// This instance's files in `directory`, oldest first.
    static func setFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { (try? FileManager.default.attributesOfItem(atPath: directory + "/" + $0)[.type] as? FileAttributeType) == .typeRegular }
            .compactMap { RecordingFileName.parse($0, instance: instance) }
            .sorted().map { directory + "/" + $0.fileName }
    }

    @Test func rotatesBySizeAndEveryFileIsAWholeRecording() throws {
        let dir = try TempDirectory()
        let clocks = Clocks()
        let log = EventLog()
        let set = try RotatingRecording(Self.configuration(dir.url.path, rotation: RotationPolicy(maxBytes: 4096)),
                                        wallClock: clocks.wall, monotonicClock: clocks.monotonic, events: log.record)
        let snapshots = (0..<60).map { SnapshotFactory.realistic($0) }
        for snapshot in snapshots {
            try set.append(snapshot)
            clocks.advance(1)
        }
        try set.close()
        let files = try Self.setFiles(dir.url.path)
        #expect(files.count >= 4, "\(files)")
        #expect(files == log.started)
        #expect(set.filesCreated == files.count)
        #expect(set.snapshotCount == 60)
        var read: [Snapshot] = []
        var bytes: UInt64 = 0
        for path in files {
            let reader = try RecordingReader(path: path)
            #expect(reader.warnings.isEmpty, "\(path): \(reader.warnings)")
            #expect(reader.isCompressed)
            #expect(reader.count > 0)
            // Each file's header says when that file started, which is also the time in its name.
            let name = try #require(RecordingFileName.parse((path as NSString).lastPathComponent, instance: Self.instance))
            #expect(RecordingFileName(instance: Self.instance, started: reader.header.started).stamp == name.stamp)
            #expect(reader.header.target == "127.0.0.1:6379")
            read += try (0..<reader.count).map { try reader.snapshot(at: $0) }
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64)
            bytes += size
            // A file ends with the line that took it to the limit: the limit plus at most one line.
            #expect(size < 4096 + 4096, "\(path): \(size)")
            let gzip = try Subprocess.run("/bin/gzip", ["-t", path], timeout: 30)
            #expect(gzip.status == 0, "\(gzip.standardError)")
        }
        #expect(read == snapshots)
        #expect(bytes == set.bytesWritten)
    }

    @Test func rotatesByAgeOnTheMonotonicClock() throws {
        let dir = try TempDirectory()
        let clocks = Clocks()
        let set = try RotatingRecording(Self.configuration(dir.url.path, rotation: RotationPolicy(maxAge: 10)),
                                        wallClock: clocks.wall, monotonicClock: clocks.monotonic)
        for i in 0..<35 {
            try set.append(SnapshotFactory.simple(i))
            clocks.advance(1)
        }
        try set.close()
        let counts = try Self.setFiles(dir.url.path).map { try RecordingReader(path: $0).count }
        #expect(counts == [10, 10, 10, 5])
    }

    @Test func retentionKeepsTheNewestOfThisInstanceAndNothingElseIsTouched() throws {
        let dir = try TempDirectory()
        let path = dir.url.path
        let old = ["aoftop-127.0.0.1-6379-20200101-000000.jsonl.gz", "aoftop-127.0.0.1-6379-20200101-000000-1.jsonl"]
        let foreign = ["aoftop-127.0.0.1-6380-20200101-000000.jsonl.gz", "aoftop-127.0.0.1-6379-20200101-000000.jsonl.gz.bak",
                       "aoftop-127.0.0.1-6379-notes.txt", "redis.conf", "aoftop-127.0.0.1-63790-20200101-000000.jsonl.gz"]
        for name in old + foreign { try Data("\(name)\n".utf8).write(to: dir.url.appendingPathComponent(name)) }
        // A link named like ours is not ours to delete, nor is a directory.
        try FileManager.default.createSymbolicLink(atPath: path + "/aoftop-127.0.0.1-6379-20190101-000000.jsonl.gz",
                                                   withDestinationPath: path + "/redis.conf")
        try FileManager.default.createDirectory(atPath: path + "/aoftop-127.0.0.1-6379-20180101-000000.jsonl.gz",
                                                withIntermediateDirectories: false)
        let clocks = Clocks()
        let log = EventLog()
        let set = try RotatingRecording(Self.configuration(path, rotation: RotationPolicy(maxBytes: 2048),
                                                           retention: RetentionPolicy(keep: 3)),
                                        wallClock: clocks.wall, monotonicClock: clocks.monotonic, events: log.record)
        // Before the first file, the two old ones leave room: 3 - 1 may stay, so none goes yet.
        #expect(log.deleted.isEmpty)
        for i in 0..<80 {
            try set.append(SnapshotFactory.realistic(i))
            clocks.advance(1)
            #expect(try Self.setFiles(path).count <= 3)
        }
        try set.close()
        let created = log.started
        #expect(created.count >= 5, "\(created)")
        let remaining = try Self.setFiles(path)
        #expect(remaining == Array(created.suffix(3)))
        // Deleted oldest first: the two old files, then the first ones this recorder made.
        #expect(log.deleted == old.map { path + "/" + $0 } + created.dropLast(3))
        for name in foreign {
            #expect(try String(contentsOfFile: path + "/" + name, encoding: .utf8) == "\(name)\n", "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: path + "/aoftop-127.0.0.1-6379-20190101-000000.jsonl.gz"))
        #expect(FileManager.default.fileExists(atPath: path + "/aoftop-127.0.0.1-6379-20180101-000000.jsonl.gz"))
    }

    @Test func keepOneNeverDeletesTheFileBeingWritten() throws {
        let dir = try TempDirectory()
        let clocks = Clocks()
        let set = try RotatingRecording(Self.configuration(dir.url.path, rotation: RotationPolicy(maxAge: 2),
                                                           retention: RetentionPolicy(keep: 1)),
                                        wallClock: clocks.wall, monotonicClock: clocks.monotonic)
        for i in 0..<9 {
            try set.append(SnapshotFactory.simple(i))
            clocks.advance(1)
            #expect(try Self.setFiles(dir.url.path) == (set.currentPath.map { [$0] } ?? []))
        }
        try set.close()
        #expect(set.filesCreated == 5)
        #expect(try RecordingReader(path: try Self.setFiles(dir.url.path)[0]).count == 1)
    }

    @Test func filesStartedInOneSecondGetSequenceNumbers() throws {
        let dir = try TempDirectory()
        let clocks = Clocks()
        let log = EventLog()
        // The wall clock stands still: every file starts in the same second.
        let set = try RotatingRecording(Self.configuration(dir.url.path, rotation: RotationPolicy(maxBytes: 1024),
                                                           retention: RetentionPolicy(keep: 3)),
                                        wallClock: { clocks.wallStart }, monotonicClock: clocks.monotonic, events: log.record)
        for i in 0..<60 { try set.append(SnapshotFactory.realistic(i)) }
        try set.close()
        let names = log.started.map { ($0 as NSString).lastPathComponent }
        #expect(names.count >= 5)
        #expect(names.prefix(3) == ["aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz",
                                    "aoftop-127.0.0.1-6379-20261205-083000-1.jsonl.gz",
                                    "aoftop-127.0.0.1-6379-20261205-083000-2.jsonl.gz"])
        #expect(try Self.setFiles(dir.url.path) == Array(log.started.suffix(3)))
    }

    @Test func aMissingDirectoryOrAFileIsRefusedInOneLine() throws {
        let dir = try TempDirectory()
        let clocks = Clocks()
        let missing = dir.path("missing")
        #expect(throws: RecordingError(path: missing, reason: "cannot use as the recording directory: No such file or directory")) {
            try RotatingRecording(Self.configuration(missing, rotation: RotationPolicy(maxBytes: 1 << 20)),
                                  wallClock: clocks.wall, monotonicClock: clocks.monotonic)
        }
        let file = dir.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        #expect(throws: RecordingError(path: file, reason: "not a directory")) {
            try RotatingRecording(Self.configuration(file, rotation: RotationPolicy(maxBytes: 1 << 20)),
                                  wallClock: clocks.wall, monotonicClock: clocks.monotonic)
        }
    }
}
