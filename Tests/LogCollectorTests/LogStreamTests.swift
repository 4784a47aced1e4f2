import AoftopClock
import AoftopModel
import Foundation
import Testing
@testable import LogCollector

/// A real pipe (pipe(2)): the test writes to one end, a `LogStream` reads the other, as `--log -` reads standard input.
final class TestPipe {
    let readEnd: Int32
    private(set) var writeEnd: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        (readEnd, writeEnd) = (fds[0], fds[1])
    }

    deinit {
        close(readEnd)
        closeWriter()
    }

    /// Writes everything (blocking while the pipe is full: only call with what the pipe holds, 64 KiB).
    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress, $0.count) }
            precondition(written > 0, "write to the test pipe failed: \(errno)")
            offset += written
        }
    }

    /// The writer goes away (`docker logs` ended, the server exited).
    func closeWriter() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }
}

@Suite struct LogStreamTests {
    static let reference = time("2026-12-04T13:00:00Z")

    @Test func linesSplitAcrossWritesArriveWholeAndOnce() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd)
        pipe.write("1:M 04 Dec 2026 12:00:00.000 * first line\n1:M 04 Dec 2026 12:00:00.001 * sec")
        #expect(lines(stream.poll()) == ["1:M 04 Dec 2026 12:00:00.000 * first line"])
        #expect(stream.poll().lines.isEmpty, "the partial line waits for its newline")
        pipe.write("ond line\r\nthird")
        pipe.write(" line\n")
        let poll = stream.poll()
        #expect(lines(poll) == ["1:M 04 Dec 2026 12:00:00.001 * second line", "third line"])
        #expect(poll.status.state == .following)
        #expect(poll.status.failure == nil)
        #expect(stream.name == "fd \(pipe.readEnd)")
    }

    @Test func anUnterminatedLastLineIsFlushedAtEndOfStream() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd)
        pipe.write("one\ntwo")
        #expect(lines(stream.poll()) == ["one"])
        pipe.closeWriter()
        let end = stream.poll()
        #expect(lines(end) == ["two"])
        #expect(end.status.state == .streamEnded)
        #expect(end.status.failure == nil)
        let after = stream.poll()
        #expect(after.lines.isEmpty && after.status.state == .streamEnded && after.status.bytesRead == 0)
    }

    @Test func endOfStreamWithNothingPendingEmitsNoEmptyLine() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd)
        pipe.write("only\n")
        pipe.closeWriter()
        let poll = stream.poll()
        #expect(lines(poll) == ["only"])
        #expect(poll.status.state == .streamEnded)
    }

    /// A writer that stops writing (a quiet server, `docker logs -f` idle): polls return at once, and no line is made
    /// up from the partial one.
    @Test func aSilentWriterNeverBlocksAPoll() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd)
        pipe.write("partial without newline")
        let started = MonotonicClock.now()
        for _ in 0..<50 {
            let poll = stream.poll()
            #expect(poll.lines.isEmpty)
            #expect(poll.status.state == .following)
        }
        #expect(MonotonicClock.now() - started < 1, "50 polls of a silent pipe must not wait for it")
        pipe.write(" now\n")
        #expect(lines(stream.poll()) == ["partial without newline now"])
    }

    @Test func readsAreBoundedPerPollAndTheRestComesNext() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd, maxBytesPerPoll: 1000)
        let line = String(repeating: "x", count: 99) + "\n" // 100 bytes
        pipe.write(String(repeating: line, count: 35))     // 3500 bytes: fits in the pipe
        var polls: [LogPoll] = []
        for _ in 0..<5 { polls.append(stream.poll()) }
        #expect(polls.map(\.status.bytesRead) == [1000, 1000, 1000, 500, 0])
        #expect(polls.map(\.lines.count) == [10, 10, 10, 5, 0])
    }

    /// A line far longer than the cap (and than the pipe) is cut to `maxLineBytes`, the rest dropped up to its
    /// newline; the lines after it are whole.
    @Test func aHugeLineIsCutAndTheNextLinesAreIntact() throws {
        let pipe = try TestPipe()
        let stream = LogStream(fd: pipe.readEnd, maxLineBytes: 1024)
        var got: [String] = []
        // 300 KiB in one line, written in pipe-sized pieces while the stream drains them.
        for _ in 0..<10 {
            pipe.write(String(repeating: "y", count: 30 * 1024))
            got += lines(stream.poll())
        }
        pipe.write("\nafter the huge line\n")
        got += lines(stream.poll())
        #expect(got.count == 2)
        #expect(got.first == String(repeating: "y", count: 1024))
        #expect(got.last == "after the huge line")
    }

    @Test func aReadErrorIsOneLine() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        defer { close(fd) }
        let poll = LogStream(fd: fd, name: "standard input").poll()
        #expect(poll.status.failure == "cannot read standard input: is a directory")
        #expect(poll.lines.isEmpty)
    }

    @Test func theDescriptorsFlagsAreRestored() throws {
        let pipe = try TestPipe()
        #expect(fcntl(pipe.readEnd, F_GETFL) & O_NONBLOCK == 0)
        do {
            let stream = LogStream(fd: pipe.readEnd)
            #expect(fcntl(pipe.readEnd, F_GETFL) & O_NONBLOCK != 0, "non-blocking while it reads")
            _ = stream.poll()
        }
        #expect(fcntl(pipe.readEnd, F_GETFL) & O_NONBLOCK == 0, "standard input is given back as it was")
    }

    @Test func standardInputIsNamedSo() {
        #expect(LogStream(fd: STDIN_FILENO).name == "standard input")
    }

    // MARK: - Through the sampler

    /// The sampler classifies a stream's lines exactly as a file's: the same lines give the same totals and events.
    @Test func aStreamAndAFileWithTheSameLinesGiveTheSameSample() throws {
        let text = try String(contentsOfFile: fixturePath("seed-3x.log"), encoding: .utf8)
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, text)
        let fromFile = try #require(LogSampler(path: path, zone: .fixed(offsetSeconds: 0), referenceTime: Self.reference)
            .collect().value)

        let pipe = try TestPipe()
        pipe.write(text)
        pipe.closeWriter()
        let sampler = LogSampler(stream: LogStream(fd: pipe.readEnd, name: LogSample.standardInput),
                                 zone: .fixed(offsetSeconds: 0), clock: { Self.reference })
        let fromStream = try #require(sampler.collect().value)
        #expect(fromStream.path == "standard input")
        #expect(fromStream.fileState == .streamEnded)
        #expect(fromStream.totals == fromFile.totals)
        #expect(fromStream.events == fromFile.events)
        #expect(fromStream.linesRead == fromFile.linesRead)
        #expect(fromStream.bytesRead == fromFile.bytesRead)
        #expect(fromStream.lastLineTime == fromFile.lastLineTime)
        // Ended: the figures stay, nothing new arrives.
        let later = try #require(sampler.collect().value)
        #expect(later.fileState == .streamEnded && later.totals == fromFile.totals && later.events.isEmpty)
    }

    /// `docker logs -f` replays the container's log first: its last start line starts the since-start count, as a
    /// start line read live from a file does; before any start line every line read is counted, and says so.
    @Test func theHistoryOfAStreamCountsFromItsLastStartLine() throws {
        let pipe = try TestPipe()
        let sampler = LogSampler(stream: LogStream(fd: pipe.readEnd, name: LogSample.standardInput),
                                 zone: LogHistoryTests.zone, history: LogSampler.HistoryRequest(pid: nil),
                                 clock: { Self.reference })
        pipe.write(LogHistoryTests.forkFailure(pid: 1, at: "09:00:00.000"))
        let before = try #require(sampler.collect().value?.history)
        #expect(before.state == .startNotFound)
        #expect(before.reason == "no start line in standard input yet")
        #expect(before.forkFailures == 1)
        #expect(before.files == ["standard input"])

        // An earlier run of the container, then this one (pid 1 both times: a container's namespace).
        pipe.write(LogHistoryTests.start7(pid: 1, at: "10:00:00") + LogHistoryTests.forkFailure(pid: 1, at: "10:00:01.000"))
        pipe.write(LogHistoryTests.start7(pid: 1, at: "11:00:00", raisedTo: 10032))
        for s in 1...3 { pipe.write(LogHistoryTests.forkFailure(pid: 1, at: "11:00:0\(s).000")) }
        let after = try #require(sampler.collect().value)
        let history = try #require(after.history)
        #expect(history.state == .complete)
        #expect(history.processStart == time("2026-12-04T11:00:00Z"))
        #expect(history.forkFailures == 3, "the earlier run's failures are not this run's")
        #expect(history.openFilesRaisedTo == 10032)
        #expect(history.version == "7.0.15")
        #expect(after.totals[.aofForkFailed] == 5, "the totals count every line read")

        pipe.write(LogHistoryTests.forkFailure(pid: 1, at: "11:00:05.000"))
        pipe.closeWriter()
        let ended = try #require(sampler.collect().value)
        #expect(ended.fileState == .streamEnded)
        #expect(ended.history?.forkFailures == 4)
        #expect(ended.history?.state == .complete)
    }
}
