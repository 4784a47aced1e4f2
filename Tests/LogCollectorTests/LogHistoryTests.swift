import AoftopModel
import Foundation
import Testing
@testable import LogCollector

/// Reading a log back to the current process's start line: what an aoftop started mid-incident learns at once.
@Suite struct LogHistoryTests {
    static let zone = LogTimeZone.fixed(offsetSeconds: 0)

    /// A Redis 7 start banner and the lines it writes about its limits, for `pid` at `clock` (`HH:MM:SS`).
    static func start7(pid: Int, at clock: String, raisedTo: Int? = nil) -> String {
        var text = "\(pid):C 04 Dec 2026 \(clock).000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
        text += "\(pid):C 04 Dec 2026 \(clock).000 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=\(pid), just started\n"
        text += "\(pid):C 04 Dec 2026 \(clock).000 # Configuration loaded\n"
        if let raisedTo {
            text += "\(pid):M 04 Dec 2026 \(clock).001 * Increased maximum number of open files to \(raisedTo) (it was originally set to 1024).\n"
        }
        return text
    }

    static func forkFailure(pid: Int, at clock: String) -> String {
        "\(pid):M 04 Dec 2026 \(clock) # Can't rewrite append only file in background: fork: Cannot allocate memory\n"
    }

    static func refusal(pid: Int, at clock: String, fd: Int) -> String {
        "\(pid):M 04 Dec 2026 \(clock) # Error registering fd event for the new client: Numerical result out of range (fd=\(fd))\n"
    }

    func read(_ path: String, pid: Int32?) throws -> LogHistory {
        LogHistoryReader(zone: Self.zone).read(path: path, pid: pid)
    }

    @Test func countsOnlySinceTheStartLineOfTheProcess() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var text = Self.start7(pid: 100, at: "10:00:00")
        for s in 0..<5 { text += Self.forkFailure(pid: 100, at: "10:00:0\(s).100") }
        text += Self.refusal(pid: 100, at: "10:00:06.000", fd: 50)
        text += Self.start7(pid: 200, at: "11:00:00", raisedTo: 2032)
        for s in 0..<7 { text += Self.forkFailure(pid: 200, at: "11:0\(s):00.000") }
        text += Self.refusal(pid: 200, at: "11:10:00.000", fd: 2130)
        text += Self.refusal(pid: 200, at: "11:10:01.000", fd: 2128)
        text += Self.refusal(pid: 200, at: "11:10:02.000", fd: 2140)
        try append(path, text)

        let history = try read(path, pid: 200)
        #expect(history.state == .complete)
        #expect(history.processStart == time("2026-12-04T11:00:00Z"))
        #expect(history.server == "redis")
        #expect(history.version == "7.0.15")
        #expect(history.forkFailures == 7, "the earlier run's 5 failures are not this process's")
        #expect(history.firstForkFailure == time("2026-12-04T11:00:00Z"))
        #expect(history.lastForkFailure == time("2026-12-04T11:06:00Z"))
        #expect(history.firstRefusal == time("2026-12-04T11:10:00Z"))
        #expect(history.lowestRefusedFd == 2128)
        #expect(history.openFilesRaisedTo == 2032)
        #expect(history.forkFailureBuckets?.counts.reduce(0, +) == 7)
        #expect(history.bytesRead == UInt64(text.utf8.count))

        let anyProcess = try read(path, pid: nil)
        #expect(anyProcess.forkFailures == 7, "without a pid, the last start line of any process")
    }

    @Test func redis3WritesItsLimitLinesBeforeTheBanner() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let text = """
            1838:M 15 Aug 13:51:00.000 # You requested maxclients of 10000 requiring at least 10032 max file descriptors.
            1838:M 15 Aug 13:51:00.000 # Server can't set maximum open files to 10032 because of OS error: Operation not permitted.
            1838:M 15 Aug 13:51:00.000 # Current maximum open files is 4096. maxclients has been reduced to 4064 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.
            1838:M 15 Aug 13:51:00.001 # Server started, Redis version 3.2.8
            1838:M 15 Aug 13:52:01.101 # Can't rewrite append only file in background: fork: Cannot allocate memory

            """
        try append(path, text)
        let history = try read(path, pid: 1838)
        #expect(history.state == .complete)
        #expect(history.version == "3.2.8")
        #expect(history.maxclientsReducedTo == 4064)
        #expect(history.forkFailures == 1)
    }

    @Test func theStartInARotatedFileIsFoundAndBothFilesCount() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var older = Self.start7(pid: 300, at: "09:00:00")
        for s in 0..<4 { older += Self.forkFailure(pid: 300, at: "09:00:0\(s).000") }
        try append(path + ".1", older)
        try append(path + ".2.gz", "not read: compressed")
        var current = ""
        for s in 0..<3 { current += Self.forkFailure(pid: 300, at: "09:30:0\(s).000") }
        try append(path, current)

        let history = try read(path, pid: 300)
        #expect(history.state == .complete)
        #expect(history.files == [path + ".1", path])
        #expect(history.forkFailures == 7)
        #expect(history.processStart == time("2026-12-04T09:00:00Z"))
        #expect(history.lastForkFailure == time("2026-12-04T09:30:02Z"))
    }

    @Test func noStartLineCountsEverythingAndSaysSo() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, Self.forkFailure(pid: 5, at: "09:30:00.000") + "garbage \u{1} line\n" + Self.forkFailure(pid: 5, at: "09:30:01.000"))
        let history = try read(path, pid: 5)
        #expect(history.state == .startNotFound)
        #expect(history.forkFailures == 2)
        #expect(history.reason?.contains("no start line of pid 5") ?? false)
    }

    @Test func aLimitCutsAtTheLastCompleteLine() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let first = Self.forkFailure(pid: 1, at: "09:30:00.000")
        try append(path, first + Self.forkFailure(pid: 1, at: "09:30:01.000"))
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        let reader = try LogFileReader(descriptor: fd, path: path, limit: Int64(first.utf8.count + 10))
        var count = 0
        try reader.forEachLine { _, _ in count += 1 }
        #expect(count == 1, "the line cut by the limit is left to the follower")
    }

    /// The sampler's history continues with the lines read live, and the backlog the follower re-reads is not
    /// counted twice.
    @Test(arguments: [1024, 1 << 20])
    func samplerCountsEachLineOnceAcrossBacklogAndLiveLines(backlog: Int) throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var text = Self.start7(pid: 400, at: "12:00:00")
        for i in 0..<300 { text += Self.forkFailure(pid: 400, at: String(format: "12:%02d:%02d.000", i / 60, i % 60)) }
        try append(path, text)
        let reference = time("2026-12-04T13:00:00Z")
        let sampler = LogSampler(path: path, backlogBytes: backlog, zone: Self.zone,
                                 history: LogSampler.HistoryRequest(pid: 400), clock: { reference })
        var sample = try #require(sampler.collect().value)
        let settled = try #require(waitForHistory(sampler, &sample))
        #expect(settled.forkFailures == 300)
        if backlog < text.utf8.count {
            #expect((sample.totals[.aofForkFailed] ?? 0) < 300, "the follower re-read only its backlog")
        } else {
            #expect(sample.totals[.aofForkFailed] == 300, "the follower read the whole file as backlog, the history too")
        }
        try append(path, Self.forkFailure(pid: 400, at: "12:10:00.000") + Self.forkFailure(pid: 400, at: "12:10:01.000"))
        let next = try #require(sampler.collect().value)
        #expect(next.history?.forkFailures == 302)
        #expect(next.history?.lastForkFailure == time("2026-12-04T12:10:01Z"))
    }

    @Test func aStartLineReadLiveStartsTheCountAgain() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, Self.start7(pid: 500, at: "12:00:00") + Self.forkFailure(pid: 500, at: "12:00:01.000"))
        let reference = time("2026-12-04T13:00:00Z")
        let sampler = LogSampler(path: path, zone: Self.zone, history: LogSampler.HistoryRequest(pid: nil), clock: { reference })
        var sample = try #require(sampler.collect().value)
        #expect(try #require(waitForHistory(sampler, &sample)).forkFailures == 1)
        try append(path, Self.start7(pid: 501, at: "12:30:00") + Self.forkFailure(pid: 501, at: "12:30:01.000")
                   + Self.forkFailure(pid: 501, at: "12:30:02.000"))
        let next = try #require(sampler.collect().value?.history)
        #expect(next.state == .complete)
        #expect(next.processStart == time("2026-12-04T12:30:00Z"))
        #expect(next.forkFailures == 2)
    }

    /// Redis ≥ 4.0 logs its banner before `daemonize()`: the banner carries the parent's pid, the server's lines
    /// the child's.
    @Test func aDaemonizedServersStartIsItsParentsBanner() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var text = Self.start7(pid: 100, at: "10:00:00") + Self.forkFailure(pid: 100, at: "10:00:01.000")
        text += Self.start7(pid: 600, at: "11:00:00")
        text += "601:M 04 Dec 2026 11:00:00.100 # Server initialized\n"
        for s in 0..<4 { text += Self.forkFailure(pid: 601, at: "11:00:0\(s + 1).000") }
        try append(path, text)
        let history = try read(path, pid: 601)
        #expect(history.state == .complete)
        #expect(history.processStart == time("2026-12-04T11:00:00Z"))
        #expect(history.forkFailures == 4, "the earlier run's failure is not counted")
    }

    /// A start line of another process after this one's: the counts since it are not this process's.
    @Test func anotherProcesssStartEndsThisOnesSegment() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path + ".1", Self.start7(pid: 700, at: "09:00:00"))
        try append(path, Self.forkFailure(pid: 700, at: "09:30:00.000") + Self.start7(pid: 800, at: "10:00:00")
                   + Self.forkFailure(pid: 800, at: "10:00:01.000"))
        let history = try read(path, pid: 700)
        #expect(history.state == .startNotFound, "and the rotated file is not read: this file has a start line")
        #expect(history.files == [path])
    }

    /// Renamed away while followed: the history and the live lines still count each line once.
    @Test func aRotationWhileFollowingCountsEachLineOnce() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var text = Self.start7(pid: 900, at: "12:00:00")
        for i in 0..<100 { text += Self.forkFailure(pid: 900, at: String(format: "12:00:%02d.%03d", i / 10, i % 10 * 100)) }
        try append(path, text)
        let reference = time("2026-12-04T13:00:00Z")
        let sampler = LogSampler(path: path, backlogBytes: 512, zone: Self.zone,
                                 history: LogSampler.HistoryRequest(pid: 900), clock: { reference })
        var sample = try #require(sampler.collect().value)
        #expect(try #require(waitForHistory(sampler, &sample)).forkFailures == 100)
        try append(path, Self.forkFailure(pid: 900, at: "12:01:00.000"))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append(path + ".1", Self.forkFailure(pid: 900, at: "12:01:01.000")) // written before Redis reopened it
        try append(path, Self.forkFailure(pid: 900, at: "12:01:02.000") + Self.forkFailure(pid: 900, at: "12:01:03.000"))
        var latest = sample.history
        for _ in 0..<5 { latest = sampler.collect().value?.history ?? latest }
        #expect(latest?.forkFailures == 104)
    }

    /// Started just after a rotation, before Redis wrote again: the history is the rotated file, and the file that
    /// appears at the path is read live from its start.
    @Test func startedOnAMissingFileReadsTheRotatedOne() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path + ".1", Self.start7(pid: 950, at: "12:00:00") + Self.forkFailure(pid: 950, at: "12:00:01.000"))
        let reference = time("2026-12-04T13:00:00Z")
        let sampler = LogSampler(path: path, zone: Self.zone, history: LogSampler.HistoryRequest(pid: 950), clock: { reference })
        var sample = try #require(sampler.collect().value)
        let settled = try #require(waitForHistory(sampler, &sample))
        #expect(settled.state == .complete)
        #expect(settled.files == [path + ".1"])
        #expect(settled.forkFailures == 1)
        try append(path, Self.forkFailure(pid: 950, at: "12:30:00.000"))
        #expect(sampler.collect().value?.history?.forkFailures == 2)
    }

    @Test func refusalsForOtherReasonsAreNoEvidence() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, Self.start7(pid: 1000, at: "12:00:00")
                   + "1000:M 04 Dec 2026 12:00:01.000 # Error registering fd event for the new client: Cannot allocate memory (fd=57)\n"
                   + "1000:M 04 Dec 2026 12:00:02.000 # Accepting client connection: accept: Connection reset by peer\n")
        let history = try read(path, pid: 1000)
        #expect(history.lowestRefusedFd == nil)
        #expect(history.firstRefusal == nil)
        #expect(history.totals?[.clientRegisterFailed] == 1, "still counted as a line of its kind")
    }

    @Test func bucketsWidenToStayBounded() {
        var buckets = TimeBuckets(start: time("2026-12-04T00:00:00Z"))
        for minute in 0..<(24 * 60) { buckets.add(time("2026-12-04T00:00:00Z").adding(milliseconds: Int64(minute) * 60_000)) }
        #expect(buckets.counts.count <= TimeBuckets.maxBuckets)
        #expect(buckets.counts.reduce(0, +) == 24 * 60)
        #expect(buckets.widthMs == 32 * 60_000)
        let rate = buckets.ratePerHour(lastMs: 3_600_000, end: time("2026-12-05T00:00:00Z"))
        #expect(rate.map { abs($0 - 60) < 1 } ?? false, "one per minute: \(String(describing: rate))")
    }

    @Test func bannersOfEveryGeneration() {
        #expect(LogHistoryTally.banner("Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started") == ("redis", "7.0.15"))
        #expect(LogHistoryTally.banner("Valkey version=8.1.1, bits=64, commit=00000000, modified=0, pid=1, just started") == ("valkey", "8.1.1"))
        #expect(LogHistoryTally.banner("Server started, Redis version 3.2.8") == ("redis", "3.2.8"))
        #expect(LogHistoryTally.banner("Server started") == (nil, nil))
    }

    /// Polls until the background read-back has settled (generously: the machine is shared; success returns early).
    func waitForHistory(_ sampler: LogSampler, _ sample: inout LogSample) -> LogHistory? {
        for _ in 0..<3000 {
            if let history = sample.history, history.isSettled { return history }
            usleep(10_000)
            guard let next = sampler.collect().value else { return nil }
            sample = next
        }
        return nil
    }
}
