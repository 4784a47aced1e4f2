import AoftopModel
import Glibc

/// Reads a log from an open stream, standard input for `--log -` (`docker logs -f NAME 2>&1 | aoftop --log - …`),
/// one bounded, non-blocking read per poll.
///
/// - Sets `O_NONBLOCK` on the descriptor (restored on deinit) so a quiet writer never holds up a sample; the
///   descriptor is not closed (it is not the stream's).
/// - Lines as `LogFollower` cuts them (`LineSplitter`): a partial line waits for its newline, an unterminated last
///   line is emitted when the writer closes the stream, lines over `maxLineBytes` are cut.
/// - End of stream is a state, `streamEnded`, not a failure: what was read stays counted. A read error is a one-line
///   failure. Every line is live: a stream has no backlog and nothing to read back.
///
/// Not thread-safe: confine one stream to one task.
public final class LogStream: LogLineSource {
    public let name: String
    /// A pipe holds 64 KiB, refilled while it is read: `docker logs -f` without `--since` first replays the whole
    /// container log, so a stream gets a larger bound than a file (whose history is read back on its own thread).
    public static let defaultMaxBytesPerPoll = 8 << 20
    public let maxBytesPerPoll: Int
    public private(set) var state: LogSample.FileState = .following
    public var rotations: Int { 0 }
    public var lineIsBacklog: Bool { false }

    private let fd: Int32
    /// The descriptor's flags before `O_NONBLOCK` was added; nil when it could not be read (then reads fail too).
    private let savedFlags: Int32?
    private var lines: LineSplitter
    private let buffer: UnsafeMutableRawBufferPointer

    /// `name` defaults to `standard input` for fd 0 and `fd N` otherwise.
    public init(fd: Int32, name: String? = nil, maxBytesPerPoll: Int = LogStream.defaultMaxBytesPerPoll,
                maxLineBytes: Int = 64 * 1024) {
        self.fd = fd
        self.name = name ?? (fd == STDIN_FILENO ? LogSample.standardInput : "fd \(fd)")
        self.maxBytesPerPoll = max(1, maxBytesPerPoll)
        self.lines = LineSplitter(maxLineBytes: maxLineBytes)
        self.buffer = .allocate(byteCount: min(self.maxBytesPerPoll, 256 * 1024), alignment: 16)
        let flags = fcntl(fd, F_GETFL)
        savedFlags = flags >= 0 ? flags : nil
        if flags >= 0, flags & O_NONBLOCK == 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    deinit {
        if let savedFlags, savedFlags & O_NONBLOCK == 0 { _ = fcntl(fd, F_SETFL, savedFlags) }
        buffer.deallocate()
    }

    public func poll(_ onLine: (UnsafeRawBufferPointer) -> Void) -> LogPollStatus {
        var status = LogPollStatus(state: state, bytesRead: 0, rotations: 0, failure: nil)
        guard state != .streamEnded else { return status }
        var budget = maxBytesPerPoll
        while budget > 0 {
            let got = read(fd, buffer.baseAddress, min(budget, buffer.count))
            if got < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                status.failure = "cannot read \(name): \(String(cString: strerror(code)).lowercased())"
                return status
            }
            if got == 0 {
                // The writer closed the stream: its last line will never get a newline.
                lines.flush(onLine)
                state = .streamEnded
                break
            }
            budget -= got
            status.bytesRead += got
            lines.split(UnsafeRawBufferPointer(rebasing: buffer[0..<got])) { line, _ in onLine(line) }
        }
        status.state = state
        return status
    }
}
