import AoftopModel
import Glibc

/// A whole regular file read front to back through one bounded buffer, handed out as complete lines: what both
/// `aoftop scan` and `aoftop replay --log` need. A line longer than the buffer is handed out once, cut to the
/// buffer size, and its rest skipped; a last line without a newline is handed out too.
public final class LogFileReader {
    public let path: String
    /// Modification time: the year reference for year-less (3.x–6.x) log lines.
    public let modified: Timestamp
    private let fd: Int32
    private let bufferBytes: Int
    /// Read only this many bytes from the start, and only the lines that end within them.
    private let limit: Int64?

    /// Opens `path`; `verb` names the operation in the error (`cannot scan X: not a regular file`).
    public convenience init(path: String, bufferBytes: Int = 1 << 20, verb: String = "read") throws(LogScanError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw LogScanError(description: LogFollower.readFailure(path: path, errno: errno)) }
        try self.init(descriptor: fd, path: path, bufferBytes: bufferBytes, verb: verb)
    }

    /// Takes ownership of `fd`, an open descriptor of `path` (read from offset 0 with `pread`). With `limit`, only
    /// the complete lines within its first `limit` bytes are handed out.
    public init(descriptor fd: Int32, path: String, limit: Int64? = nil, bufferBytes: Int = 1 << 20,
                verb: String = "read") throws(LogScanError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw LogScanError(description: LogFollower.readFailure(path: path, errno: code))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw LogScanError(description: "cannot \(verb) \(path): not a regular file")
        }
        self.path = path
        self.fd = fd
        self.limit = limit
        self.bufferBytes = max(4096, bufferBytes)
        self.modified = Timestamp(millisecondsSince1970: Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000)
    }

    deinit { close(fd) }

    /// Calls `body` with each line (without its newline, nor the `\r` of a CRLF log: every reader of logs then
    /// classifies alike, as `LogFollower` does) and the number of file bytes it took (newline included).
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int) -> Void) throws(LogScanError) {
        func line(_ start: UnsafePointer<UInt8>, _ count: Int, _ bytes: Int) {
            let length = count > 0 && start[count - 1] == 0x0D ? count - 1 : count
            body(UnsafeRawBufferPointer(start: start, count: length), bytes)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: 64)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var have = 0
        var skipping = false // inside a line longer than the buffer, already handed out
        var offset: Int64 = 0
        while true {
            let want = limit.map { Int(max(0, min(Int64(bufferBytes - have), $0 - offset))) } ?? (bufferBytes - have)
            if want == 0 && limit != nil { return } // a partial line at the limit belongs to whoever reads on
            let got = pread(fd, base + have, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw LogScanError(description: LogFollower.readFailure(path: path, errno: errno))
            }
            if got == 0 { break }
            offset += Int64(got)
            have += got
            var start = 0
            while start < have, let hit = memchr(base + start, 0x0A, have - start) {
                let end = UnsafeMutablePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                if skipping { skipping = false } else { line(base + start, end - start, end - start + 1) }
                start = end + 1
            }
            if start == 0 && have == bufferBytes {
                if !skipping { line(base, have, have) }
                skipping = true
                have = 0
            } else {
                have -= start
                if have > 0 && start > 0 { memmove(base, base + start, have) }
            }
        }
        // A last line without its newline: the whole file's, but not one cut by `limit` or by the file shrinking under
        // it (the rest of that line belongs to whoever reads on).
        if have > 0 && !skipping && limit == nil { line(base, have, have) }
    }

    /// The file's size now (`-1` when it cannot be read): a read-back checks it did not shrink while being read.
    public func currentSize() -> Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : -1
    }
}
