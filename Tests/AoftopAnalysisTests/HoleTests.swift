import AoftopModel
import AoftopTestSupport
import Testing
@testable import AoftopAnalysis

/// Redis refuses fd numbers ≥ setsize and the kernel hands out the lowest free number, so the room left is the
/// free numbers below setsize, not setsize − total.
@Suite("Free fd numbers below the event-loop limit")
struct HoleTests {
    /// fds `0..<highest+1` open except `holes`; the census keeps at most `FdCensus.maxHoles` of them.
    static func census(highest: Int, holes: [Int], pipes: Int? = nil) -> FdCensus {
        let total = highest + 1 - holes.count
        let pipeFds = pipes ?? total - 80
        return FdCensus(total: total, sockets: 60, listeningSockets: 2, pipes: pipeFds, selfHeldPipePairs: pipeFds / 2,
                        anonInodes: ["eventpoll": 1], regularFiles: 12, other: total - 60 - pipeFds - 13,
                        highestFd: highest, lowestFreeFd: holes.first ?? highest + 1,
                        holes: Array(holes.prefix(FdCensus.maxHoles)), holeCount: holes.count)
    }

    /// Redis 7.0.15 with the leak shim, maxclients 64 (setsize 192), RLIMIT 10032.
    static func snapshot(_ census: FdCensus, at ms: Int64 = 0, aofFailures: Int = 700) -> Snapshot {
        Build.snapshot(at: ms, redis: .ok(Build.redis(version: "7.0.15", maxclients: 64)),
                       process: .ok(Build.process(census, soft: 10_032)),
                       log: .ok(Build.log(aofFailures: aofFailures)))
    }

    @Test("Redis 7 hole case: 1,568 fds, setsize 192, one hole at fd 7 → exhausted with 1 spare")
    func oneHole() throws {
        let census = Self.census(highest: 1_568, holes: [7])
        #expect(census.total == 1_568)
        let a = assess(Self.snapshot(census), history: AnalysisHistory())
        #expect(a.limit.setsize == 192)
        #expect(a.limit.binding == .eventLoop)
        #expect(a.limit.effective == 192)
        #expect(a.limit.spare == 1)
        #expect(a.eta.status == .exhausted)
        #expect(a.eta.seconds == 0)
        #expect(a.severity == .critical)
        let finding = try #require(a.findings.first { $0.code == .fdExhausted })
        #expect(finding.headline == "1568 fds open, event-loop limit 192: only 1 free fd number below it — "
            + "new clients hang or are refused whenever it is taken")
        #expect(finding.remedy == "1 spare fd below the event-loop limit: single connections may work, "
            + "reconnect bursts fail until Redis restarts")
        #expect(!a.findings.contains { $0.code == .fewSpareFds })
        #expect(a.checkLine.hasPrefix("CRITICAL - 1568 fds open, event-loop limit 192: only 1 free fd number below it"))
    }

    @Test("Spare at or below the event-loop margin is exhausted; just above it warns", arguments: [
        ([7, 8], true), ([7, 8, 100], false), ([7], true), ([Int](), true), (Array(100..<116), false),
        (Array(100..<117), false),
    ])
    func margin(holes: [Int], exhausted: Bool) throws {
        let a = assess(Self.snapshot(Self.census(highest: 1_568, holes: holes)), history: AnalysisHistory())
        #expect(a.limit.spare == holes.count)
        #expect(a.limit.isExhausted == exhausted)
        #expect((a.eta.status == .exhausted) == exhausted)
        #expect(a.severity >= .warning)
        let fewSpare = a.findings.first { $0.code == .fewSpareFds }
        if exhausted || holes.count > Rules.fewSpareFds {
            #expect(fewSpare == nil)
        } else {
            #expect(fewSpare?.headline == "\(holes.count) spare fds below the event loop limit 192")
            #expect(fewSpare?.severity == .warning)
        }
        if holes.isEmpty {
            // No hole at all: the next fd number is ≥ setsize, said the ERANGE way.
            #expect(a.findings.contains { $0.headline.hasPrefix("fd limit reached: next fd 1569 ≥ event-loop setsize 192") })
        }
    }

    @Test("Holes above setsize do not count: only numbers below it are spare")
    func holesAboveSetsizeDoNotCount() {
        // 40 holes, all between 500 and 540: the count is 40 short of the highest fd, but nothing is free below 192.
        let a = assess(Self.snapshot(Self.census(highest: 1_568, holes: Array(500..<540))), history: AnalysisHistory())
        #expect(a.limit.spare == 0)
        #expect(a.eta.status == .exhausted)
        #expect(a.findings.contains { $0.headline.hasPrefix("fd limit reached: next fd 500 ≥ event-loop setsize 192") })
    }

    @Test("With more holes than the census keeps, spare is a lower bound")
    func manyHoles() {
        // 100 free numbers below 192 (20..<120), only the lowest 64 kept: at least 64 spare, far from exhausted.
        let a = assess(Self.snapshot(Self.census(highest: 1_568, holes: Array(20..<120))), history: AnalysisHistory())
        #expect(a.limit.spare == 64)
        #expect(!a.limit.isExhausted)
        #expect(!a.findings.contains { $0.code == .fewSpareFds || $0.code == .fdExhausted })
    }

    @Test("ETA counts down the free numbers below setsize as the leak fills them (lowest first)")
    func etaFillsHoles() throws {
        // Clients that left made 100 holes in 20..<120; the leak (20 fds/s) takes the lowest free numbers first.
        var analyzer = Analyzer()
        var series: [Int64: Assessment] = [:]
        for ms in stride(from: Int64(0), through: 6_000, by: 500) {
            let filled = Int(ms / 1000 * 20 + (ms % 1000 >= 500 ? 10 : 0))
            // Once the holes are gone, leaked fds go above the highest one.
            let census = Self.census(highest: 1_568 + max(0, filled - 100), holes: Array(min(20 + filled, 120)..<120),
                                     pipes: 1_390 + filled)
            series[ms] = analyzer.ingest(Self.snapshot(census, at: ms, aofFailures: 700 + filled / 2))
        }
        let at3 = try #require(series[3_000])
        #expect(at3.limit.spare == 40)
        #expect(at3.eta.status == .rising)
        let eta = try #require(at3.eta.seconds)
        // (spare − margin) / slope = (40 − 2) / 20 = 1.9 s; counting against setsize − total would be negative.
        #expect(abs(eta - 1.9) <= 0.2, "eta \(eta)")
        #expect(abs((at3.eta.slopePerS ?? 0) - 20) < 1)
        #expect(at3.findings.contains { $0.headline.contains("40 free fd numbers below event-loop limit 192, 1529 open") })

        let end = try #require(series[6_000])
        #expect(end.limit.spare == 0)
        #expect(end.eta.status == .exhausted)
        let nearEnd = try #require(series[5_000])
        #expect(nearEnd.limit.spare == 0)
        let beforeEnd = try #require(series[4_500])
        #expect(beforeEnd.limit.spare == 10)
        #expect(beforeEnd.eta.status == .rising)
        #expect(abs((beforeEnd.eta.seconds ?? 0) - 0.4) <= 0.1)
    }

    @Test("Contiguous fds: ETA is (setsize − margin − total) / slope, as before within a tick")
    func contiguousUnchanged() throws {
        let series = LeakScenario().run(through: 40_000)
        let sample = try #require(series.first { $0.ms == 30_000 }?.assessment)
        let total = try #require(sample.fds.total)
        #expect(sample.limit.spare == 1128 - total)
        let slope = try #require(sample.eta.slopePerS)
        let eta = try #require(sample.eta.seconds)
        #expect(abs(eta - Double(1128 - 2 - total) / slope) <= 0.1)
    }
}
