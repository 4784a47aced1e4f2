import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

/// Files that are not recordings (or not ones this build can read) give one clear line, never a crash or a hang.
@Suite struct InvalidFileTests {
    func reason(_ path: String) -> String? {
        let full = #expect(throws: RecordingError.self) { _ = try RecordingReader(path: path) }
        let preview = #expect(throws: RecordingError.self) { _ = try RecordingReader.preview(path: path) }
        #expect(full == preview)
        return full?.reason
    }

    func file(_ dir: TempDirectory, _ name: String, _ bytes: Data) throws -> String {
        let path = dir.path(name)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func emptyFile() throws {
        let dir = try TempDirectory()
        #expect(reason(try file(dir, "empty.jsonl", Data())) == "the file is empty")
    }

    @Test func randomBytes() throws {
        let dir = try TempDirectory()
        var rng = SplitMix64(spreading: 42)
        let noise = Data((0..<100_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        #expect(reason(try file(dir, "noise.jsonl", noise)) == "not an aoftop recording")
        // Noise that happens to start like gzip.
        let fakeGzip = Data([0x1f, 0x8b]) + noise
        #expect(reason(try file(dir, "noise.gz", fakeGzip))?.hasPrefix("not an aoftop recording (gzip data corrupt") == true)
    }

    @Test func jsonThatIsNotARecording() throws {
        let dir = try TempDirectory()
        #expect(reason(try file(dir, "a.json", Data(#"{"name":"aoftop","version":1}"#.utf8 + [0x0A]))) == "not an aoftop recording")
        #expect(reason(try file(dir, "b.json", Data("[1,2,3]\n".utf8))) == "not an aoftop recording")
        // A snapshot without a header (someone saved `--json` output).
        let snapshot = try AoftopJSON.encoder().encode(SnapshotFactory.simple(0)) + [0x0A]
        #expect(reason(try file(dir, "c.jsonl", snapshot)) == "not an aoftop recording")
        // A long single-line document is rejected without reading it all.
        let big = Data("{\"x\":\"".utf8) + Data(repeating: 0x61, count: 1 << 20)
        #expect(reason(try file(dir, "d.json", big)) == "not an aoftop recording")
    }

    @Test func gzipOfSomethingElse() throws {
        let dir = try TempDirectory()
        let path = dir.path("text.gz")
        try Data("hello\nworld\n".utf8).write(to: URL(fileURLWithPath: dir.path("text")))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [dir.path("text")]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(reason(path) == "not an aoftop recording")
    }

    @Test func directoryMissingFileAndFifo() throws {
        let dir = try TempDirectory()
        #expect(reason(dir.url.path) == "is a directory, not a recording")
        #expect(reason(dir.path("nope.jsonl")) == "cannot open: No such file or directory")
        let fifo = dir.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(reason(fifo) == "not a regular file, not a recording")   // and it did not block waiting for a writer
    }

    @Test func newerVersionAsksForAnUpgrade() throws {
        let dir = try TempDirectory()
        // A future header may drop or retype fields; the version is still what the user needs to hear about.
        let header = #"{"format":"aoftop-recording","version":3,"started":12,"compression":"zstd"}"#
        #expect(reason(try file(dir, "new.jsonl", Data((header + "\n").utf8)))
                == "recording format version 3 is newer than this aoftop understands (1): upgrade aoftop")
    }

    @Test func olderOrSparseHeaderStillReads() throws {
        // Unknown keys are ignored and only format and version are required, so old and future minor files read.
        let dir = try TempDirectory()
        let snapshot = String(decoding: try AoftopJSON.encoder().encode(SnapshotFactory.simple(0)), as: UTF8.self)
        let text = #"{"format":"aoftop-recording","version":1,"new_field":{"a":1}}"# + "\n" + snapshot + "\n"
        let reader = try RecordingReader(path: try file(dir, "sparse.jsonl", Data(text.utf8)))
        #expect(reader.header.aoftopVersion == "unknown")
        #expect(reader.header.target == nil)
        #expect(try reader.snapshot(at: 0) == SnapshotFactory.simple(0))
    }

    @Test func headerOnlyAndTornHeader() throws {
        let dir = try TempDirectory()
        let header = try AoftopJSON.encoder().encode(SnapshotFactory.header())
        let onlyHeader = try RecordingReader(path: try file(dir, "h.jsonl", header + [0x0A]))
        #expect(onlyHeader.count == 0 && onlyHeader.timeRange == nil && onlyHeader.index(atOrBefore: SnapshotFactory.start) == nil)
        #expect(try RecordingReader.preview(path: dir.path("h.jsonl")).firstSnapshot == nil)
        #expect(reason(try file(dir, "torn.jsonl", header.prefix(30)))
                == "the recording header is incomplete (interrupted before the first snapshot)")
    }
}
