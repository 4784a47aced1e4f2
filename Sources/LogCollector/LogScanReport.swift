import AoftopModel

/// The result of a post-mortem scan of a whole log (`aoftop scan LOGFILE`).
///
/// JSON: `{"file": …, "lines": N, "kinds": {"aof-fork-failed": {"count": N, "first": "ISO-8601", "last": "ISO-8601"}, …},
/// "per_minute": [{"minute": "ISO-8601", "aof-fork-failed": N, "aof-pipes-failed": N}, …]}`.
/// `kinds` lists only kinds seen; `other` carries a count only (its lines' times are never parsed).
public struct LogScanReport: Sendable, Codable, Equatable {
    public struct KindSummary: Sendable, Codable, Equatable {
        public var count: Int
        public var first: Timestamp?
        public var last: Timestamp?

        public init(count: Int, first: Timestamp? = nil, last: Timestamp? = nil) {
            self.count = count
            self.first = first
            self.last = last
        }
    }

    /// Fork and pipe failures in one wall-clock minute (UTC), the storm's shape over time.
    public struct MinuteCount: Sendable, Codable, Equatable {
        /// Start of the minute.
        public var minute: Timestamp
        public var aofForkFailed: Int
        public var aofPipesFailed: Int

        public init(minute: Timestamp, aofForkFailed: Int, aofPipesFailed: Int) {
            self.minute = minute
            self.aofForkFailed = aofForkFailed
            self.aofPipesFailed = aofPipesFailed
        }

        private enum CodingKeys: String, CodingKey {
            case minute
            case aofForkFailed = "aof-fork-failed"
            case aofPipesFailed = "aof-pipes-failed"
        }
    }

    public var file: String
    public var lines: Int
    public var kinds: [LogEventKind: KindSummary]
    /// Minutes with at least one fork or pipe failure, oldest first.
    public var perMinute: [MinuteCount]

    public init(file: String, lines: Int, kinds: [LogEventKind: KindSummary], perMinute: [MinuteCount]) {
        self.file = file
        self.lines = lines
        self.kinds = kinds
        self.perMinute = perMinute
    }

    /// The count of one kind (0 when absent).
    public func count(_ kind: LogEventKind) -> Int { kinds[kind]?.count ?? 0 }

    private enum CodingKeys: String, CodingKey {
        case file, lines, kinds
        case perMinute = "per_minute"
    }
}

extension LogScanReport {
    /// A plain-text table for the terminal: one row per kind seen, then the per-minute failure counts.
    public func renderTable() -> String {
        var out = "\(file): \(lines) lines\n\n"
        let kindRows = kinds.keys.sorted().map { kind -> [String] in
            let summary = kinds[kind]!
            return [kind.rawValue, String(summary.count), summary.first?.iso8601 ?? "-", summary.last?.iso8601 ?? "-"]
        }
        out += Self.table(header: ["kind", "count", "first", "last"], rows: kindRows, rightAligned: [1])
        if !perMinute.isEmpty {
            out += "\nper minute (UTC)\n"
            let minuteRows = perMinute.map { [$0.minute.iso8601, String($0.aofForkFailed), String($0.aofPipesFailed)] }
            out += Self.table(header: ["minute", "aof-fork-failed", "aof-pipes-failed"], rows: minuteRows,
                              rightAligned: [1, 2])
        }
        return out
    }

    private static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in all {
            let cells = row.enumerated().map { column, cell -> String in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
