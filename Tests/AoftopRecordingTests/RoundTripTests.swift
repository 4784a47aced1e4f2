import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: ["day.jsonl", "day.jsonl.gz"])
    func writesAndReadsBackEqual(name: String) throws {
        let dir = try TempDirectory()
        let path = dir.path(name)
        let snapshots = (0..<50).map { $0 % 2 == 0 ? SnapshotFactory.realistic($0) : SnapshotFactory.simple($0) }
            .sorted { $0.time < $1.time }
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        for snapshot in snapshots { try writer.append(snapshot) }
        try writer.close()
        #expect(writer.snapshotCount == 50)

        let reader = try RecordingReader(path: path)
        #expect(reader.isCompressed == name.hasSuffix(".gz"))
        #expect(reader.header == SnapshotFactory.header())
        #expect(reader.warnings.isEmpty)
        #expect(reader.count == 50)
        for (i, snapshot) in snapshots.enumerated() {
            #expect(try reader.snapshot(at: i) == snapshot)
            #expect(reader.time(at: i) == snapshot.time)
            #expect(reader.lineNumber(at: i) == i + 2)
        }
        #expect(reader.timeRange == snapshots.first!.time...snapshots.last!.time)

        let preview = try RecordingReader.preview(path: path)
        #expect(preview.header == SnapshotFactory.header())
        #expect(preview.firstSnapshot == snapshots[0])
    }

    @Test func plainFileIsJSONLinesWithTheHeaderFirst() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl")
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        try writer.append(SnapshotFactory.simple(0))
        try writer.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0] == #"{"aoftop_version":"0.1.0","format":"aoftop-recording","host":"db7","interval_seconds":1,"started":"2026-11-21T17:39:52.123Z","target":"127.0.0.1:6379","version":1}"#)
        #expect(lines[1].hasSuffix(#","time":"2026-11-21T17:39:52.123Z"}"#))
        #expect(try AoftopJSON.decoder().decode(Snapshot.self, from: Data(lines[1].utf8)) == SnapshotFactory.simple(0))
    }

    @Test func gzipIsReadableByGunzip() throws {
        let dir = try TempDirectory()
        let path = dir.path("r.jsonl.gz")
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
        for i in 0..<3 { try writer.append(SnapshotFactory.simple(i)) }
        try writer.close()
        let gunzip = try Subprocess.run("/bin/gzip", ["-t", path], timeout: 30)
        #expect(gunzip.status == 0, "\(gunzip.standardError)")
    }

    @Test func fileModeIs0600() throws {
        let dir = try TempDirectory()
        for name in ["a.jsonl", "b.jsonl.gz"] {
            let writer = try RecordingWriter(path: dir.path(name), header: SnapshotFactory.header())
            try writer.close()
            var info = stat()
            #expect(stat(dir.path(name), &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o600)
        }
    }

    @Test func existingFileIsRefusedAndKept() throws {
        let dir = try TempDirectory()
        let path = dir.path("incident.jsonl")
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: RecordingError.self) {
            _ = try RecordingWriter(path: path, header: SnapshotFactory.header())
        }
        #expect(error?.reason == "already exists; refusing to overwrite it (choose another name)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
    }

    @Test func appendAfterCloseThrows() throws {
        let dir = try TempDirectory()
        let writer = try RecordingWriter(path: dir.path("x.jsonl.gz"), header: SnapshotFactory.header())
        try writer.close()
        try writer.close()
        #expect(throws: RecordingError.self) { try writer.append(SnapshotFactory.simple(0)) }
    }

    @Test func headerDropsCredentialsFromTarget() {
        let header = RecordingHeader(aoftopVersion: "0.1.0", target: "redis://admin:s3cret@db7:6379/0", started: SnapshotFactory.start)
        #expect(header.target == "redis://db7:6379/0")
        #expect(RecordingHeader(aoftopVersion: "x", target: "/run/redis/redis.sock", started: SnapshotFactory.start).target
                == "/run/redis/redis.sock")
        #expect(RecordingHeader(aoftopVersion: "x", target: "u:p@10.0.0.1:6379", started: SnapshotFactory.start).target == "10.0.0.1:6379")
    }

    @Test func excludeOtherFieldsOptionDropsOnlyThem() throws {
        let dir = try TempDirectory()
        let path = dir.path("lean.jsonl.gz")
        let writer = try RecordingWriter(path: path, header: SnapshotFactory.header(),
                                         options: .init(excludeOtherFields: true))
        let snapshot = SnapshotFactory.realistic(7)
        try writer.append(snapshot)
        try writer.close()
        var expected = snapshot
        if case .ok(var redis) = expected.redis {
            redis.otherFields = [:]
            expected.redis = .ok(redis)
        }
        #expect(try RecordingReader(path: path).snapshot(at: 0) == expected)
    }
}
