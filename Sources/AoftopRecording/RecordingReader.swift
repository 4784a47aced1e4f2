import AoftopModel
import FoundationEssentials
import Glibc

/// A recording opened for replay: header, warnings and an index of every snapshot, each decoded only on request.
///
/// `init(path:)` reads the whole file once (about a second for a day at 1 Hz, see docs/benchmarks.md); call
/// `RecordingReader.preview(path:)` first to show the first frame at once and build the reader in the background.
/// Immutable after `init` and `Sendable`: any thread may decode snapshots concurrently. Never writes to the file.
public final class RecordingReader: Sendable {
    /// The file as given.
    public let path: String
    /// Line 1, validated.
    public let header: RecordingHeader
    /// The file is gzip (detected from its first bytes, not its name).
    public let isCompressed: Bool
    /// Notes about lines that were skipped or cut, one line each, e.g. `line 1234: not a snapshot (invalid JSON); skipped`.
    public let warnings: [String]

    private let data: OwnedDescriptor
    private let times: [Int64]
    private let seekTimes: [Int64]
    private let offsets: [UInt64]
    private let lengths: [UInt32]
    private let lineNumbers: [UInt32]
    private let lastLineSnapshot: Snapshot?

    /// Opens, validates and indexes `path`. Throws `RecordingError` with a one-line reason.
    public init(path: String) throws {
        let opened = try OpenedRecording(path: path)
        let copy = opened.isCompressed ? try InflatedCopy(recordingPath: path) : nil
        var builder = RecordingIndexBuilder(path: path)
        let textBytes = try LineScanner().scan(opened.text, onChunk: { chunk, offset in
            try copy?.write(chunk, at: offset)
        }, onLine: { line in
            try builder.add(line)
            return true
        })
        guard let header = builder.header else {
            throw RecordingError(path: path, reason: Self.emptyReason(textBytes: textBytes, notes: opened.text.notes))
        }
        self.path = path
        self.header = header
        isCompressed = opened.isCompressed
        data = copy?.file ?? opened.file
        seekTimes = builder.seekTimes()
        warnings = opened.text.notes + builder.warnings
        times = builder.times
        offsets = builder.offsets
        lengths = builder.lengths
        lineNumbers = builder.lineNumbers
        lastLineSnapshot = builder.lastLineSnapshot
    }

    /// Reads only the header and the first snapshot, without indexing: the quick first frame for a big file.
    public static func preview(path: String) throws -> RecordingPreview {
        let opened = try OpenedRecording(path: path)
        var header: RecordingHeader?
        var first: Snapshot?
        let textBytes = try LineScanner(chunkSize: 64 << 10).scan(opened.text) { line in
            guard header != nil else {
                header = try HeaderValidator.header(from: line, path: path)
                return true
            }
            // Skip what the full reader would skip; give up after a few lines rather than read a broken file whole.
            if !line.tooLong, let snapshot = try? AoftopJSON.decoder().decode(Snapshot.self, from: Data(line.bytes)) {
                first = snapshot
                return false
            }
            return line.number < 100
        }
        guard let header else {
            throw RecordingError(path: path, reason: emptyReason(textBytes: textBytes, notes: opened.text.notes))
        }
        return RecordingPreview(header: header, firstSnapshot: first, isCompressed: opened.isCompressed)
    }

    /// Number of snapshots.
    public var count: Int { times.count }

    /// Time of the first and the last snapshot; nil when there is none.
    public var timeRange: ClosedRange<Timestamp>? {
        guard let first = times.first, let last = seekTimes.last else { return nil }
        return Timestamp(millisecondsSince1970: first)...Timestamp(millisecondsSince1970: max(first, last))
    }

    /// Time of snapshot `index` (from the index, no decoding).
    public func time(at index: Int) -> Timestamp { Timestamp(millisecondsSince1970: times[index]) }

    /// The file line (1-based, header = 1) that holds snapshot `index`, for messages.
    public func lineNumber(at index: Int) -> Int { Int(lineNumbers[index]) }

    /// Reads and decodes snapshot `index` (0 ..< count). Throws `RecordingError`, e.g. `line 1234: not a snapshot (…)`.
    public func snapshot(at index: Int) throws -> Snapshot {
        guard times.indices.contains(index) else {
            throw RecordingError(path: path, reason: "no snapshot \(index): the recording has \(count)")
        }
        if index == times.count - 1, let lastLineSnapshot { return lastLineSnapshot }
        let length = Int(lengths[index])
        var bytes = Data(count: length)
        let n = bytes.withUnsafeMutableBytes { FileIO.readFully(data.fd, into: $0.baseAddress!, count: length, at: offsets[index]) }
        guard n == length else {
            throw n < 0 ? RecordingError.system(path, "cannot read line \(lineNumbers[index])")
                        : RecordingError(path: path, reason: "line \(lineNumbers[index]): file is shorter than when it was opened")
        }
        do {
            return try AoftopJSON.decoder().decode(Snapshot.self, from: bytes)
        } catch {
            throw RecordingError(path: path, reason: "line \(lineNumbers[index]): not a snapshot (\(DecodingSummary.describe(error)))")
        }
    }

    /// The last snapshot at or before `time` (binary search); nil when `time` is before the first snapshot.
    public func index(atOrBefore time: Timestamp) -> Int? {
        let target = time.millisecondsSince1970
        var low = 0
        var high = seekTimes.count   // first index whose time is > target
        while low < high {
            let mid = (low + high) / 2
            if seekTimes[mid] <= target { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    private static func emptyReason(textBytes: UInt64, notes: [String]) -> String {
        if textBytes == 0, let note = notes.first { return "not an aoftop recording (\(note))" }
        return textBytes == 0 ? "the file is empty" : "not an aoftop recording"
    }
}

/// The start of a recording, read without indexing the rest.
public struct RecordingPreview: Sendable {
    /// Line 1, validated.
    public var header: RecordingHeader
    /// The first snapshot that decodes; nil when the recording holds none (in its first 100 lines).
    public var firstSnapshot: Snapshot?
    /// The file is gzip.
    public var isCompressed: Bool
}
