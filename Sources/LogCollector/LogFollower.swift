import AoftopModel
import Glibc

/// What one `LogFollower.poll` did.
public struct LogPollStatus: Sendable, Equatable {
    public var state: LogSample.FileState
    /// Bytes read from the file(s) during this poll.
    public var bytesRead: Int
    /// Rotations (rename, copytruncate, delete and re-create) detected during this poll.
    public var rotations: Int
    /// Set when the file exists but cannot be read; one line an operator can act on.
    public var failure: String?
}

/// Complete lines from one poll, for callers that want owned bytes (tests, small tools).
public struct LogPoll: Sendable, Equatable {
    public var lines: [[UInt8]]
    public var status: LogPollStatus
}

/// Follows a log file with `tail -F` semantics, one bounded `poll()` at a time.
///
/// - Starts at most `backlogBytes` before the end of a file that exists at the first poll, skipping the partial
///   first line; a file that appears later (or after a rotation) is read from its start.
/// - Rename rotation: the old file is drained to its end (lines written to it after the rename included) before
///   the follower switches to the new file at the path, detected by `(st_dev, st_ino)` of the path vs the open fd.
/// - Copytruncate: a size below the read offset restarts at 0. Deletion: the old fd is kept and drained while the
///   path is missing (`waiting_for_file`), and the new file is picked up when it appears.
/// - Never emits half a line: a partial last line waits for its newline. Lines longer than `maxLineBytes` are
///   emitted cut to that length with the rest skipped up to the newline, so memory stays bounded.
/// - Reads at most `maxBytesPerPoll` per poll so a huge backlog cannot stall a UI tick; the rest comes next poll.
///
/// Not thread-safe: confine one follower to one task.
public final class LogFollower {
    public let path: String
    public let backlogBytes: Int
    public let maxBytesPerPoll: Int
    public let maxLineBytes: Int
    public private(set) var state: LogSample.FileState = .waitingForFile
    /// Rotations seen since the follower started.
    public private(set) var rotations = 0
    /// The first file followed and its size when it was opened: lines that end within it were already in the log
    /// when the follower started (the backlog, and what a read-back of the history covers).
    public private(set) var initialFile: InitialLogFile?
    /// During an `onLine` call: the line was in the file before the follower started (it ends within
    /// `initialFile.size` of the initial file).
    public private(set) var lineIsBacklog = false

    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset: Int64 = 0
    private var hadFile = false
    /// The path was missing at some poll: whatever appears there later is new and is read from its start.
    private var sawMissing = false
    private var lines: LineSplitter
    private let buffer: UnsafeMutableRawBufferPointer

    public init(path: String, backlogBytes: Int = 64 * 1024, maxBytesPerPoll: Int = 1 << 20, maxLineBytes: Int = 64 * 1024) {
        self.path = path
        self.backlogBytes = max(0, backlogBytes)
        self.maxBytesPerPoll = max(1, maxBytesPerPoll)
        self.maxLineBytes = max(1, maxLineBytes)
        self.buffer = .allocate(byteCount: min(self.maxBytesPerPoll, 256 * 1024), alignment: 16)
        self.lines = LineSplitter(maxLineBytes: self.maxLineBytes)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// Reads what is new and calls `onLine` for each complete line (without its newline; the bytes are only
    /// valid during the call).
    public func poll(_ onLine: (UnsafeRawBufferPointer) -> Void) -> LogPollStatus {
        var status = LogPollStatus(state: state, bytesRead: 0, rotations: 0, failure: nil)
        if fd < 0 {
            let result = open(applyBacklog: !hadFile && !sawMissing)
            guard case .opened(let sameFile) = result else { return noFile(result, status) }
            if hadFile && !sameFile { rotations += 1; status.rotations += 1 }
            hadFile = true
        }
        var budget = maxBytesPerPoll
        // A few rounds at most: one per file switch within this poll.
        for _ in 0..<4 {
            var info = stat()
            if fstat(fd, &info) == 0, Int64(info.st_size) < offset {
                flushPending(onLine)
                initialFile?.size = 0 // copytruncate: nothing left from before
                offset = 0
                rotations += 1
                status.rotations += 1
            }
            switch drain(budget: &budget, bytesRead: &status.bytesRead, onLine) {
            case .budgetExhausted:
                status.state = state
                return status
            case .failed(let reason):
                status.failure = reason
                return status
            case .endOfFile:
                break
            }
            var pathInfo = stat()
            guard stat(path, &pathInfo) == 0 else {
                // Deleted or renamed away: keep draining the old fd until a new file shows up at the path.
                state = .waitingForFile
                break
            }
            if UInt64(pathInfo.st_dev) == device && UInt64(pathInfo.st_ino) == inode {
                state = .following
                break
            }
            // A new file at the path: the old one is fully drained, switch.
            flushPending(onLine)
            closeFile()
            let result = open(applyBacklog: false)
            guard case .opened = result else { return noFile(result, status) }
            rotations += 1
            status.rotations += 1
        }
        status.state = state
        return status
    }

    /// `sameFile`: the file we were following before a read error, reopened; its offset still holds.
    private enum OpenResult { case opened(sameFile: Bool), missing, failed(String) }
    private enum DrainResult { case endOfFile, budgetExhausted, failed(String) }

    /// The poll's status when an open found no file (waiting for it) or failed.
    private func noFile(_ result: OpenResult, _ status: LogPollStatus) -> LogPollStatus {
        var status = status
        switch result {
        case .missing:
            sawMissing = true
            state = .waitingForFile
            status.state = state
        case .failed(let reason):
            status.failure = reason
        case .opened:
            break
        }
        return status
    }

    private func open(applyBacklog: Bool) -> OpenResult {
        // O_NONBLOCK: a FIFO at the path must not hang the UI in open() or read().
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .failed(LogFollower.readFailure(path: path, errno: code))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            return .failed(LogFollower.readFailure(path: path, errno: code))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : "not a regular file"
            return .failed("cannot read \(path): \(what)")
        }
        let sameFile = hadFile && device == UInt64(info.st_dev) && inode == UInt64(info.st_ino)
        if initialFile == nil {
            initialFile = InitialLogFile(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                                         size: applyBacklog ? Int64(info.st_size) : 0)
        }
        fd = descriptor
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        state = .following
        let size = Int64(info.st_size)
        if sameFile && size >= offset { return .opened(sameFile: true) }
        lines.reset()
        if applyBacklog && size > Int64(backlogBytes) {
            // Start one byte early: if that byte is the newline ending the previous line, no line is lost.
            offset = size - Int64(backlogBytes) - 1
            lines.skipToNewline = true
        } else {
            offset = 0
        }
        return .opened(sameFile: false)
    }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func drain(budget: inout Int, bytesRead: inout Int, _ onLine: (UnsafeRawBufferPointer) -> Void) -> DrainResult {
        while budget > 0 {
            let want = min(budget, buffer.count)
            let got = pread(fd, buffer.baseAddress, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return .endOfFile }
                let code = errno
                closeFile()
                return .failed(LogFollower.readFailure(path: path, errno: code))
            }
            if got == 0 { return .endOfFile }
            let chunkOffset = offset
            offset += Int64(got)
            budget -= got
            bytesRead += got
            split(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), at: chunkOffset, onLine)
        }
        return .budgetExhausted
    }

    /// Cuts a chunk read at file offset `chunkOffset` into lines, noting for each whether it was in the file
    /// before the follower started.
    private func split(_ chunk: UnsafeRawBufferPointer, at chunkOffset: Int64, _ onLine: (UnsafeRawBufferPointer) -> Void) {
        let backlogEnd = initialFile.flatMap { $0.device == device && $0.inode == inode ? $0.size : nil } ?? -1
        lines.split(chunk) { line, newline in
            lineIsBacklog = chunkOffset + Int64(newline) + 1 <= backlogEnd
            onLine(line)
        }
    }

    /// At a rotation the old file's unterminated last line will never be completed: emit what there is.
    private func flushPending(_ onLine: (UnsafeRawBufferPointer) -> Void) {
        lineIsBacklog = false
        lines.flush(onLine)
    }

    /// The one-line reason for an unreadable log, with the fix for the common case.
    static func readFailure(path: String, errno code: Int32) -> String {
        switch code {
        case EACCES, EPERM:
            return "cannot read \(path): permission denied (run as the redis user or root)"
        default:
            return "cannot read \(path): \(String(cString: strerror(code)).lowercased())"
        }
    }
}
