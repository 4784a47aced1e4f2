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
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw LogScanError(description: LogFollower.readFailure(path: path, errno: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LogScanError(description: LogFollower.readFailure(path: path, errno: errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw LogScanError(description: "cannot scan \(path): not a regular file") }
        let mtime = Timestamp(millisecondsSince1970: Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000)
        var tally = LogScanTally(parser: LogLineParser(reference: referenceTime ?? mtime, zone: zone))

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: 64)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var have = 0
        var skipping = false // inside a line longer than the buffer, already classified
        while true {
            let got = read(fd, base + have, bufferBytes - have)
            if got < 0 {
                if errno == EINTR { continue }
                throw LogScanError(description: LogFollower.readFailure(path: path, errno: errno))
            }
            if got == 0 { break }
            have += got
            var start = 0
            while start < have, let hit = memchr(base + start, 0x0A, have - start) {
                let end = UnsafeMutablePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                if skipping { skipping = false } else { tally.add(ByteLine(base: base + start, count: end - start)) }
                start = end + 1
            }
            if start == 0 && have == bufferBytes {
                if !skipping { tally.add(ByteLine(base: base, count: have)) }
                skipping = true
                have = 0
            } else {
                have -= start
                if have > 0 && start > 0 { memmove(base, base + start, have) }
            }
        }
        if have > 0 && !skipping { tally.add(ByteLine(base: base, count: have)) }
        return tally.report(file: path)
    }
}

/// Running counts of a scan.
struct LogScanTally {
    var parser: LogLineParser
    var lines = 0
    var other = 0
    var kinds: [LogEventKind: LogScanReport.KindSummary] = [:]
    var minutes: [Int64: (fork: Int, pipes: Int)] = [:]

    init(parser: LogLineParser) { self.parser = parser }

    @inline(__always) mutating func add(_ line: ByteLine) {
        lines += 1
        let (kind, time) = parser.classify(line)
        if kind == .other { other += 1; return }
        var summary = kinds[kind] ?? LogScanReport.KindSummary(count: 0)
        summary.count += 1
        if let time {
            if summary.first.map({ time < $0 }) ?? true { summary.first = time }
            if summary.last.map({ time > $0 }) ?? true { summary.last = time }
            if kind == .aofForkFailed || kind == .aofPipesFailed {
                let minute = floorMinute(time.millisecondsSince1970)
                var entry = minutes[minute] ?? (0, 0)
                if kind == .aofForkFailed { entry.fork += 1 } else { entry.pipes += 1 }
                minutes[minute] = entry
            }
        }
        kinds[kind] = summary
    }

    private func floorMinute(_ ms: Int64) -> Int64 {
        let q = ms / 60_000
        return (ms % 60_000 < 0 ? q - 1 : q) * 60_000
    }

    func report(file: String) -> LogScanReport {
        var all = kinds
        if other > 0 { all[.other] = LogScanReport.KindSummary(count: other) }
        let perMinute = minutes.keys.sorted().map { key in
            LogScanReport.MinuteCount(minute: Timestamp(millisecondsSince1970: key),
                                      aofForkFailed: minutes[key]!.fork, aofPipesFailed: minutes[key]!.pipes)
        }
        return LogScanReport(file: file, lines: lines, kinds: all, perMinute: perMinute)
    }
}
