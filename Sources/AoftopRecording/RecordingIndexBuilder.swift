import AoftopModel
import FoundationEssentials
import Glibc

/// The one-pass scan behind `RecordingReader`: validates the header, then records per snapshot line its time,
/// byte offset, length and line number in flat arrays (24 bytes a line, ~2 MB for a day at 1 Hz).
struct RecordingIndexBuilder {
    let path: String

    var header: RecordingHeader?
    var times: [Int64] = []
    var offsets: [UInt64] = []
    var lengths: [UInt32] = []
    var lineNumbers: [UInt32] = []
    var warnings: [String] = []
    /// A complete snapshot found on an unterminated last line, kept in memory (the file holds no newline after it).
    var lastLineSnapshot: Snapshot?

    init(path: String) { self.path = path }

    mutating func add(_ line: ScannedLine) throws {
        guard let _ = header else {
            header = try HeaderValidator.header(from: line, path: path)
            return
        }
        if !line.terminated {
            addUnterminatedLast(line)
            return
        }
        if line.tooLong {
            warnings.append("line \(line.number): longer than \(LineScanner.maxLineLength >> 20) MiB; skipped")
            return
        }
        if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            warnings.append("line \(line.number): empty; skipped")
            return
        }
        // The cheap path: take the time from the line's end. The whole line is decoded only when asked for.
        if line.bytes.first == 0x7B, let time = SnapshotTimeScanner.time(inLine: line.bytes) {
            append(time, line)
            return
        }
        // Not in the layout this writer produces (edited by hand, another encoder): decode just enough to know.
        do {
            let time = try AoftopJSON.decoder().decode(TimeOnly.self, from: Data(line.bytes)).time
            append(time, line)
        } catch {
            warnings.append("line \(line.number): not a snapshot (\(DecodingSummary.describe(error))); skipped")
        }
    }

    /// A last line without `\n`: usually torn by a kill. If it happens to be a whole snapshot (cut exactly before
    /// the newline), it is kept: losing a complete frame would help nobody.
    private mutating func addUnterminatedLast(_ line: ScannedLine) {
        if !line.tooLong, let snapshot = try? AoftopJSON.decoder().decode(Snapshot.self, from: Data(line.bytes)) {
            lastLineSnapshot = snapshot
            append(snapshot.time, line)
        } else {
            warnings.append("last line incomplete (recording was interrupted); ignored")
        }
    }

    private mutating func append(_ time: Timestamp, _ line: ScannedLine) {
        guard line.length <= UInt64(UInt32.max) else { return }
        times.append(time.millisecondsSince1970)
        offsets.append(line.offset)
        lengths.append(UInt32(line.length))
        lineNumbers.append(UInt32(clamping: line.number))
    }

    /// Times that never go backwards, for binary search: a clock stepped back (NTP, manual change) would otherwise
    /// make seeking land anywhere. Reports the first such step.
    mutating func seekTimes() -> [Int64] {
        guard var previous = times.first else { return [] }
        var result = times
        var reported = false
        for i in result.indices.dropFirst() {
            if result[i] < previous {
                if !reported {
                    warnings.append("line \(lineNumbers[i]): time goes backwards (clock changed?); seeking treats it as \(Timestamp(millisecondsSince1970: previous))")
                    reported = true
                }
                result[i] = previous
            }
            previous = result[i]
        }
        return result
    }

    private struct TimeOnly: Decodable {
        var time: Timestamp
    }
}
