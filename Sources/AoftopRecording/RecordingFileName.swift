import AoftopModel

/// The name of a recording aoftop names itself: `aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz`, the instance
/// (its display name with every character but letters, digits and `.` made `-`) and the start time in UTC to the
/// second. A second file started in the same second gets a sequence number: `…-083000-1.jsonl.gz`.
///
/// The one place that spells the name: the dashboard's `r`, `record --directory`, and the retention that must
/// recognise a set's files (and nothing else) by it.
public struct RecordingFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The instance part, already made safe for a file name (`127.0.0.1-6379`).
    public let instance: String
    /// `20261205-083000` (UTC): sorts as the time does.
    public let stamp: String
    /// 0 for the first file of a second, then 1, 2, …
    public let sequence: Int
    /// `.jsonl.gz` rather than `.jsonl`.
    public let compressed: Bool

    /// The name of a recording of `displayName` (`127.0.0.1:6379`, `/run/redis.sock`) started at `started`.
    public init(instance displayName: String, started: Timestamp, sequence: Int = 0, compressed: Bool = true) {
        instance = Self.instancePart(displayName)
        let digits = started.iso8601.prefix(19).filter(\.isNumber)
        stamp = "\(digits.prefix(8))-\(digits.dropFirst(8))"
        self.sequence = sequence
        self.compressed = compressed
    }

    private init(instance: String, stamp: String, sequence: Int, compressed: Bool) {
        self.instance = instance
        self.stamp = stamp
        self.sequence = sequence
        self.compressed = compressed
    }

    /// `127.0.0.1:6379` → `127.0.0.1-6379`, `/run/redis.sock` → `-run-redis.sock`.
    public static func instancePart(_ displayName: String) -> String {
        String(displayName.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
    }

    /// The file name, without a directory.
    public var fileName: String {
        "aoftop-\(instance)-\(stamp)\(sequence > 0 ? "-\(sequence)" : "")\(compressed ? ".jsonl.gz" : ".jsonl")"
    }

    public var description: String { fileName }

    /// This name with another sequence number.
    public func withSequence(_ sequence: Int) -> RecordingFileName {
        RecordingFileName(instance: instance, stamp: stamp, sequence: sequence, compressed: compressed)
    }

    /// The name parsed back when `fileName` is a recording of `displayName` named by aoftop, else nil: a file of
    /// another instance, or one whose name merely starts like it (`….jsonl.gz.bak`, `…-notes.txt`), is not.
    public static func parse(_ fileName: String, instance displayName: String) -> RecordingFileName? {
        let instance = instancePart(displayName)
        let prefix = "aoftop-\(instance)-"
        guard fileName.hasPrefix(prefix) else { return nil }
        var rest = Substring(fileName.dropFirst(prefix.count))
        let compressed: Bool
        if rest.hasSuffix(".jsonl.gz") {
            compressed = true
            rest = rest.dropLast(".jsonl.gz".count)
        } else if rest.hasSuffix(".jsonl") {
            compressed = false
            rest = rest.dropLast(".jsonl".count)
        } else {
            return nil
        }
        // 8 digits, '-', 6 digits, then optionally '-' and a sequence number.
        let bytes = Array(rest.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 } }
        guard bytes.count >= 15, digits(0..<8), bytes[8] == 0x2D, digits(9..<15) else { return nil }
        var sequence = 0
        if bytes.count > 15 {
            guard bytes[15] == 0x2D, bytes.count > 16, bytes.count <= 16 + 9, bytes[16] != 0x30, digits(16..<bytes.count),
                  let number = Int(String(decoding: bytes[16...], as: UTF8.self)), number > 0 else { return nil }
            sequence = number
        }
        return RecordingFileName(instance: instance, stamp: String(decoding: bytes[0..<15], as: UTF8.self),
                                 sequence: sequence, compressed: compressed)
    }

    /// Oldest first: by start time, then sequence.
    public static func < (a: RecordingFileName, b: RecordingFileName) -> Bool {
        (a.stamp, a.sequence, a.fileName) < (b.stamp, b.sequence, b.fileName)
    }
}
