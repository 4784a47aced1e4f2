import AoftopModel
import Glibc

/// A scan that could not be done (missing or unreadable file); `description` is one line for the operator.
public struct LogScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Classifies every line of a whole log file for a post-mortem (`aoftop scan LOGFILE`).
///
/// Reads with one bounded buffer (default 1 MiB) and `memchr` for line ends; only lines of a known kind have
/// their timestamp parsed. Year-less timestamps resolve against the file's mtime unless a reference is given.
/// A line longer than the buffer is classified on its first `bufferBytes` bytes.
public struct LogScanner: Sendable {
    public var bufferBytes: Int
    public var zone: LogTimeZone

    public init(bufferBytes: Int = 1 << 20, zone: LogTimeZone = .system) {
        self.bufferBytes = max(4096, bufferBytes)
        self.zone = zone
    }

    public func scan(path: String, referenceTime: Timestamp? = nil) throws(LogScanError) -> LogScanReport {
        let reader = try LogFileReader(path: path, bufferBytes: bufferBytes, verb: "scan")
        var tally = LogScanTally(parser: LogLineParser(reference: referenceTime ?? reader.modified, zone: zone))
        try reader.forEachLine { line, _ in tally.add(ByteLine(line)) }
        return tally.report(file: path)
    }
}

/// Running counts of a scan.
struct LogScanTally {
    var parser: LogLineParser
    var lines = 0
    var other = 0
    /// Indexed by `LogScanTally.index`: no hashing on the hot path.
    var kinds = [LogScanReport.KindSummary](repeating: .init(count: 0), count: LogEventKind.allCases.count)
    /// Minutes in first-seen order; logs are chronological, so the last entry is nearly always the one to bump.
    var minutes: [(minute: Int64, fork: Int, pipes: Int)] = []
    var minuteIndex: [Int64: Int] = [:]

    init(parser: LogLineParser) { self.parser = parser }

    @inline(__always) mutating func add(_ line: ByteLine) {
        lines += 1
        let (kind, time) = parser.classify(line)
        if kind == .other { other += 1; return }
        let index = LogScanTally.index(kind)
        kinds[index].count += 1
        guard let time else { return }
        if kinds[index].first.map({ time < $0 }) ?? true { kinds[index].first = time }
        if kinds[index].last.map({ time > $0 }) ?? true { kinds[index].last = time }
        guard kind == .aofForkFailed || kind == .aofPipesFailed else { return }
        let minute = floorMinute(time.millisecondsSince1970)
        let slot: Int
        if let lastSlot = minutes.indices.last, minutes[lastSlot].minute == minute {
            slot = lastSlot
        } else if let known = minuteIndex[minute] {
            slot = known
        } else {
            slot = minutes.count
            minutes.append((minute, 0, 0))
            minuteIndex[minute] = slot
        }
        if kind == .aofForkFailed { minutes[slot].fork += 1 } else { minutes[slot].pipes += 1 }
    }

    /// The kind's position in `allCases`, by a switch the compiler turns into a table.
    @inline(__always) static func index(_ kind: LogEventKind) -> Int {
        switch kind {
        case .aofRewriteStart: 0
        case .aofForkFailed: 1
        case .rdbForkFailed: 2
        case .aofPipesFailed: 3
        case .clientRegisterFailed: 4
        case .acceptFailed: 5
        case .aofRewriteStarted: 6
        case .aofRewriteDone: 7
        case .aofRewriteFailed: 8
        case .aofRewriteLimited: 9
        case .aofIncrFileCreated: 10
        case .fdLimitRaised: 11
        case .maxclientsReduced: 12
        case .serverStart: 13
        case .noConfigFile: 14
        case .serverShutdown: 15
        case .rdbSaveScheduled: 16
        case .replicaSyncStart: 17
        case .disklessSyncStart: 18
        case .replicaSyncForkFailed: 19
        case .disklessSyncForkFailed: 20
        case .aofRewriteChildKilled: 21
        case .other: 22
        }
    }

    private func floorMinute(_ ms: Int64) -> Int64 {
        let q = ms / 60_000
        return (ms % 60_000 < 0 ? q - 1 : q) * 60_000
    }

    func report(file: String) -> LogScanReport {
        var all: [LogEventKind: LogScanReport.KindSummary] = [:]
        for kind in LogEventKind.allCases where kinds[LogScanTally.index(kind)].count > 0 {
            all[kind] = kinds[LogScanTally.index(kind)]
        }
        if other > 0 { all[.other] = LogScanReport.KindSummary(count: other) }
        let perMinute = minutes.sorted { $0.minute < $1.minute }.map {
            LogScanReport.MinuteCount(minute: Timestamp(millisecondsSince1970: $0.minute),
                                      aofForkFailed: $0.fork, aofPipesFailed: $0.pipes)
        }
        return LogScanReport(file: file, lines: lines, kinds: all, perMinute: perMinute)
    }
}
