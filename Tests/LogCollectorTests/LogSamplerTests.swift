import AoftopModel
import Foundation
import Testing
@testable import LogCollector

@Suite struct LogCollectorTests {
    static let reference = time("2017-08-20T00:00:00Z")

    @Test func collectsEventsTotalsAndCounters() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, try String(contentsOfFile: fixturePath("seed-3x.log"), encoding: .utf8))
        try append(path, "                _._\n")
        let collector = LogSampler(path: path, zone: .fixed(offsetSeconds: 0), referenceTime: Self.reference)
        let sample = try #require(collector.collect().value)
        #expect(sample.fileState == .following)
        #expect(sample.linesRead == 19)
        #expect(sample.events.count == 18)
        #expect(sample.totals[.aofPipesFailed] == 4)
        #expect(sample.totals[.clientRegisterFailed] == 6)
        #expect(sample.totals[.aofForkFailed] == 3)
        #expect(sample.totals[.aofRewriteStart] == 5)
        #expect(sample.totals[.other] == 1)
        #expect(sample.lastLineTime == time("2017-08-16T01:07:39.462Z"))
        #expect(sample.bytesRead == UInt64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int))

        try append(path, "1838:M 16 Aug 01:08:00.000 # Can't save in background: fork: Cannot allocate memory\n")
        let next = try #require(collector.collect().value)
        #expect(next.events.map(\.kind) == [.rdbForkFailed])
        #expect(next.totals[.aofPipesFailed] == 4)
        #expect(next.linesRead == 20)
        #expect(next.lastLineTime == time("2017-08-16T01:08:00Z"))
    }

    @Test func eventsAreCappedPerCollectAndCounted() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let line = "1838:M 15 Aug 13:52:01.101 # Can't rewrite append only file in background: fork: Cannot allocate memory\n"
        try append(path, String(repeating: line, count: 10))
        let collector = LogSampler(path: path, maxEventsPerCollect: 4, zone: .fixed(offsetSeconds: 0),
                                     referenceTime: Self.reference)
        let sample = try #require(collector.collect().value)
        #expect(sample.events.count == 4)
        #expect(sample.droppedEvents == 6)
        #expect(sample.totals[.aofForkFailed] == 10)
        let quiet = try #require(collector.collect().value)
        #expect(quiet.events.isEmpty && quiet.droppedEvents == 0)
    }

    @Test func missingFileIsWaitingAndUnreadableIsFailed() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let waiting = LogSampler(path: dir + "/none.log", referenceTime: Self.reference).collect()
        #expect(waiting.value?.fileState == .waitingForFile)
        let failed = LogSampler(path: dir, referenceTime: Self.reference).collect()
        #expect(failed.failureReason == "cannot read \(dir): is a directory")
    }

    @Test func yearComesFromTheClockAtEachCollect() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "1838:M 31 Dec 23:59:59.000 # Can't save in background: fork: x\n")
        let collector = LogSampler(path: path, zone: .fixed(offsetSeconds: 0), clock: { time("2025-01-01T00:00:30Z") })
        #expect(collector.collect().value?.events.first?.time == time("2024-12-31T23:59:59Z"))
    }
}
