import AoftopModel
import Glibc

/// The file a follower started on: its identity and its size then. The read-back covers the lines within that size;
/// the follower counts the rest.
public struct InitialLogFile: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64

    public init(device: UInt64, inode: UInt64, size: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
    }
}

/// Reads a log back to the start line of one process: the file the follower started on (found by its identity, so
/// a rename since is no matter) up to where the follower began, and, when the start is not in it, the newest rotated
/// file beside it (`redis.log.1`, `redis.log-20261204`, …; not compressed ones). One pass front to back per file at
/// `LogScanner` speed.
public struct LogHistoryReader: Sendable {
    public var zone: LogTimeZone
    public var bufferBytes: Int

    public init(zone: LogTimeZone = .system, bufferBytes: Int = 1 << 20) {
        self.zone = zone
        self.bufferBytes = bufferBytes
    }

    /// `initial`: the follower's first file, or `nil` when nothing was at `path` when it started (just rotated
    /// away): then only the rotated file is read. `progress` is called with the bytes read so far, now and then.
    public func read(path: String, initial: InitialLogFile?, pid: Int32?, progress: (UInt64) -> Void = { _ in }) -> LogHistory {
        var bytesRead: UInt64 = 0
        var files: [String] = []
        var current = LogHistoryTally(pid: pid, parser: LogLineParser(reference: Timestamp(millisecondsSince1970: 0), zone: zone))
        if let initial, initial.size > 0 {
            // The follower's file, wherever it is now: at the path, or renamed beside it since.
            guard let (file, descriptor) = Self.open(initial, at: path) else {
                return LogHistory(state: .failed, reason: "\(path) was replaced before it could be read back", pid: pid,
                                  files: [path])
            }
            do {
                let reader = try LogFileReader(descriptor: descriptor, path: file, limit: initial.size, bufferBytes: bufferBytes)
                current = try tally(reader, pid: pid, bytesRead: &bytesRead, progress: progress)
                // Cut by copytruncate while being read: what was read may be the copy's successor, also read live.
                guard reader.currentSize() >= initial.size else {
                    return LogHistory(state: .failed, reason: "\(file) was truncated while being read back", pid: pid,
                                      files: [file], bytesRead: bytesRead)
                }
            } catch {
                return LogHistory(state: .failed, reason: error.description, pid: pid, files: [file], bytesRead: bytesRead)
            }
            files.append(file)
        }
        if current.startFound {
            return history(current.segment, state: .complete, pid: pid, files: files, bytesRead: bytesRead)
        }
        let who = pid.map { "pid \($0)" } ?? "the server"
        // A start line of another process in it: this process's start is not in any older file either.
        guard !current.sawAnyStart, let rotated = Self.newestRotatedSibling(of: path, excluding: initial) else {
            return history(current.segment, state: .startNotFound, pid: pid, files: files, bytesRead: bytesRead,
                           reason: "no start line of \(who) in \(files.first ?? path)")
        }
        do {
            let reader = try LogFileReader(path: rotated, bufferBytes: bufferBytes)
            let older = try tally(reader, pid: pid, bytesRead: &bytesRead, progress: progress)
            var merged = older.segment
            merged.append(current.segment)
            return history(merged, state: older.startFound ? .complete : .startNotFound, pid: pid,
                           files: [rotated] + files, bytesRead: bytesRead,
                           reason: older.startFound ? nil : "no start line of \(who) in \(rotated) or \(path)")
        } catch {
            return history(current.segment, state: .startNotFound, pid: pid, files: files, bytesRead: bytesRead,
                           reason: "start not in \(path), and \(error.description)")
        }
    }

    /// Reads the whole file at `path` as it is now (tools and tests; a sampler passes its follower's first file).
    public func read(path: String, pid: Int32?) -> LogHistory {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return LogHistory(state: .failed, reason: LogFollower.readFailure(path: path, errno: errno), pid: pid, files: [path])
        }
        return read(path: path, initial: InitialLogFile(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                                                        size: Int64(info.st_size)), pid: pid)
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

    /// Opens the file with `initial`'s identity: at `path`, else among the files renamed beside it.
    static func open(_ initial: InitialLogFile, at path: String) -> (String, Int32)? {
        for candidate in [path] + siblings(of: path).map(\.path) {
            let fd = Glibc.open(candidate, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, UInt64(info.st_dev) == initial.device, UInt64(info.st_ino) == initial.inode {
                return (candidate, fd)
            }
            close(fd)
        }
        return nil
    }

    /// The most recently modified uncompressed regular file named `BASENAME.*` or `BASENAME-*` beside `path`,
    /// other than the file the follower started on.
    static func newestRotatedSibling(of path: String, excluding initial: InitialLogFile?) -> String? {
        siblings(of: path)
            .filter { initial == nil || $0.device != initial?.device || $0.inode != initial?.inode }
            .max { $0.mtime < $1.mtime }?.path
    }

    static func siblings(of path: String) -> [(path: String, device: UInt64, inode: UInt64, mtime: Int64)] {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [(path: String, device: UInt64, inode: UInt64, mtime: Int64)] = []
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
            out.append((candidate, UInt64(info.st_dev), UInt64(info.st_ino),
                        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
        }
        return out
    }
}
