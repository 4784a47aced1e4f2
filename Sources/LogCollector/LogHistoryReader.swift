import AoftopModel
import Glibc

/// Reads a log back to the start line of one process: the current file up to where the live follower began, and,
/// when the start is not in it, the newest rotated file beside it (`redis.log.1`, `redis.log-20261204`, …; not
/// compressed ones). One pass front to back per file at `LogScanner` speed.
public struct LogHistoryReader: Sendable {
    public var zone: LogTimeZone
    public var bufferBytes: Int

    public init(zone: LogTimeZone = .system, bufferBytes: Int = 1 << 20) {
        self.zone = zone
        self.bufferBytes = bufferBytes
    }

    /// Reads `descriptor` (an open descriptor of the file at `path`, owned and closed here) up to `limit` bytes,
    /// then the rotated file if needed. No descriptor: nothing is at `path` yet (it was just rotated away), so only
    /// the rotated file is read. `progress` is called with the bytes read so far, now and then.
    public func read(descriptor: Int32?, path: String, limit: Int64, pid: Int32?,
                     progress: (UInt64) -> Void = { _ in }) -> LogHistory {
        var bytesRead: UInt64 = 0
        var current = LogHistoryTally(pid: pid, parser: LogLineParser(reference: Timestamp(millisecondsSince1970: 0), zone: zone))
        if let descriptor {
            do {
                let reader = try LogFileReader(descriptor: descriptor, path: path, limit: limit, bufferBytes: bufferBytes)
                current = try tally(reader, pid: pid, bytesRead: &bytesRead, progress: progress)
            } catch {
                return LogHistory(state: .failed, reason: error.description, pid: pid, files: [path], bytesRead: bytesRead)
            }
        }
        if current.startFound {
            return history(current.segment, state: .complete, pid: pid, files: [path], bytesRead: bytesRead)
        }
        // The start is older than the current file: it was rotated after the server started.
        guard let rotated = Self.newestRotatedSibling(of: path) else {
            return history(current.segment, state: .startNotFound, pid: pid, files: [path], bytesRead: bytesRead,
                           reason: "no start line of \(pid.map { "pid \($0)" } ?? "the server") in \(path)")
        }
        do {
            let reader = try LogFileReader(path: rotated, bufferBytes: bufferBytes)
            let older = try tally(reader, pid: pid, bytesRead: &bytesRead, progress: progress)
            var merged = older.segment
            merged.append(current.segment)
            return history(merged, state: older.startFound ? .complete : .startNotFound, pid: pid,
                           files: descriptor == nil ? [rotated] : [rotated, path], bytesRead: bytesRead,
                           reason: older.startFound ? nil : "no start line of \(pid.map { "pid \($0)" } ?? "the server") in \(rotated) or \(path)")
        } catch {
            return history(current.segment, state: .startNotFound, pid: pid, files: [path], bytesRead: bytesRead,
                           reason: "start not in \(path), and \(error.description)")
        }
    }

    private func tally(_ reader: LogFileReader, pid: Int32?, bytesRead: inout UInt64,
                       progress: (UInt64) -> Void) throws(LogScanError) -> LogHistoryTally {
        var tally = LogHistoryTally(pid: pid, parser: LogLineParser(reference: reader.modified, zone: zone))
        var sinceReport: UInt64 = 0
        var total = bytesRead
        try reader.forEachLine { line, bytes in
            tally.add(line)
            total += UInt64(bytes)
            sinceReport += UInt64(bytes)
            if sinceReport >= 16 << 20 {
                sinceReport = 0
                progress(total)
            }
        }
        bytesRead = total
        return tally
    }

    private func history(_ segment: LogHistoryTally.Segment, state: LogHistory.State, pid: Int32?, files: [String],
                         bytesRead: UInt64, reason: String? = nil) -> LogHistory {
        segment.applied(to: LogHistory(state: state, reason: reason, pid: pid, files: files, bytesRead: bytesRead))
    }

    /// The most recently modified uncompressed regular file named `BASENAME.*` or `BASENAME-*` beside `path`.
    static func newestRotatedSibling(of path: String) -> String? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var best: (path: String, mtime: Int64)?
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.count > base.count, name.hasPrefix(base) else { continue }
            let separator = name[name.index(name.startIndex, offsetBy: base.count)]
            guard separator == "." || separator == "-",
                  !name.hasSuffix(".gz"), !name.hasSuffix(".xz"), !name.hasSuffix(".bz2"), !name.hasSuffix(".zst")
            else { continue }
            let candidate = directory == "/" ? "/" + name : directory + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            if best.map({ mtime > $0.mtime }) ?? true { best = (candidate, mtime) }
        }
        return best?.path
    }
}
