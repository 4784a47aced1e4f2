import AoftopModel
import Foundation
import Testing
@testable import AoftopPipeline

@Suite struct ReplaySourceTests {
    private func source(_ snapshots: [Snapshot], speed: Double = 1, start: Timestamp? = nil) throws -> ReplaySource {
        let source = ReplaySource(frames: SnapshotFrames(snapshots), start: start, speed: speed,
                                  probe: { ThresholdProbe(limit: 1000) })
        #expect(source.waitUntilIndexed(timeout: 30))
        return source
    }

    @Test func pacesInRecordedTimeAtSpeedOne() throws {
        let all = ReplayFixture.snapshots(count: 20)
        let replay = try source(all)
        // First poll shows the first snapshot and where it is.
        let first = replay.poll(now: 100)
        #expect(ReplayFixture.snapshots(in: first) == [all[0]])
        #expect(ReplayFixture.positions(in: first).last?.index == 0)
        #expect(ReplayFixture.positions(in: first).last?.playing == true)
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 100.5)).isEmpty)
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 101.0)) == [all[1]])
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 103.5)) == [all[2], all[3]])
    }

    @Test func paceScalesWithSpeedEight() throws {
        let all = ReplayFixture.snapshots(count: 40)
        let replay = try source(all, speed: 8)
        _ = replay.poll(now: 0)
        // One second of wall time = eight recorded seconds.
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 1)) == Array(all[1...8]))
        replay.control(.speed(1), now: 1)
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 2)) == [all[9]])
        #expect(ReplayFixture.positions(in: replay.poll(now: 2)).isEmpty)
    }

    @Test func pauseStopsTheClockAndPlayResumesWhereItWas() throws {
        let all = ReplayFixture.snapshots(count: 20)
        let replay = try source(all)
        _ = replay.poll(now: 0)
        replay.control(.setPaused(true), now: 0.5)
        let paused = replay.poll(now: 10)
        #expect(ReplayFixture.snapshots(in: paused).isEmpty)
        #expect(ReplayFixture.positions(in: paused).last?.playing == false)
        replay.control(.setPaused(false), now: 10)
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 11)) == [all[1]])
    }

    @Test func endsOnceKeepsTheLastFrameAndSteppingBackWorks() throws {
        let all = ReplayFixture.snapshots(count: 5)
        let replay = try source(all)
        _ = replay.poll(now: 0)
        let updates = replay.poll(now: 100)
        #expect(ReplayFixture.snapshots(in: updates) == Array(all[1...4]))
        #expect(updates.filter { $0 == .ended(nil) }.count == 1)
        #expect(ReplayFixture.positions(in: updates).last?.playing == false)
        #expect(replay.poll(now: 200).filter { $0 == .ended(nil) }.isEmpty)
        replay.control(.step(-1), now: 200)
        let back = replay.poll(now: 200)
        #expect(ReplayFixture.snapshots(in: back).last == all[3])
        #expect(ReplayFixture.positions(in: back).last?.index == 3)
    }

    @Test func stepHomeEndAndSeek() throws {
        let all = ReplayFixture.snapshots(count: 400)
        let replay = try source(all)
        _ = replay.poll(now: 0)
        replay.control(.step(3), now: 0)
        var updates = replay.poll(now: 0)
        // A short step forward plays the snapshots in between, in order, and pauses.
        #expect(ReplayFixture.snapshots(in: updates) == Array(all[1...3]))
        #expect(ReplayFixture.positions(in: updates).last?.playing == false)
        replay.control(.end, now: 0)
        updates = replay.poll(now: 0)
        #expect(ReplayFixture.snapshots(in: updates).last == all[399])
        #expect(ReplayFixture.positions(in: updates).last?.index == 399)
        replay.control(.home, now: 0)
        updates = replay.poll(now: 0)
        #expect(ReplayFixture.snapshots(in: updates) == [all[0]])
        replay.control(.seek(by: 250), now: 0)
        updates = replay.poll(now: 0)
        #expect(ReplayFixture.snapshots(in: updates).last == all[250])
        replay.control(.seek(by: -60), now: 0)
        #expect(ReplayFixture.snapshots(in: replay.poll(now: 0)).last == all[190])
        replay.control(.seekTo(ReplayFixture.time(42.5)), now: 0)
        #expect(ReplayFixture.positions(in: replay.poll(now: 0)).last?.index == 42)
    }

    @Test func markersAreFoundAndJumpedTo() throws {
        let all = ReplayFixture.snapshots(count: 300, onset: 100)
        let replay = try source(all)
        let markers = replay.markers
        // Fork failures every second from 100 s: one burst, one marker; growth crosses at 100 s; fds ≥ 1000 at 146 s.
        #expect(markers == [ReplayMarker(time: ReplayFixture.time(100), kind: .forkFailure),
                            ReplayMarker(time: ReplayFixture.time(100), kind: .thresholdCrossing),
                            ReplayMarker(time: ReplayFixture.time(146), kind: .exhaustion)])
        _ = replay.poll(now: 0)
        replay.control(.jumpToMarker(forward: true), now: 0)
        var updates = replay.poll(now: 0)
        #expect(ReplayFixture.positions(in: updates).last?.index == 100)
        #expect(ReplayFixture.positions(in: updates).last?.markers == markers)
        replay.control(.jumpToMarker(forward: true), now: 0)
        updates = replay.poll(now: 0)
        #expect(ReplayFixture.positions(in: updates).last?.index == 146)
        replay.control(.jumpToMarker(forward: true), now: 0)
        #expect(replay.poll(now: 0).contains(.note("no later marker")))
        replay.control(.jumpToMarker(forward: false), now: 0)
        #expect(ReplayFixture.positions(in: replay.poll(now: 0)).last?.index == 100)
    }

    @Test func aJumpReEmitsTheHistoryWindowAndAnchorsInOrder() throws {
        let all = ReplayFixture.snapshots(count: 400, onset: 100)
        let replay = try source(all)
        _ = replay.poll(now: 0)
        replay.control(.seekTo(ReplayFixture.time(350)), now: 0)
        let emitted = ReplayFixture.snapshots(in: replay.poll(now: 0))
        // Anchors: the segment's first snapshot (log totals, pipe baseline) and the last fork failure before the
        // window; then the 120 s window ending at the target.
        #expect(emitted == [all[0], all[229]] + Array(all[230...350]))
        #expect(zip(emitted, emitted.dropFirst()).allSatisfy { $0.time < $1.time })
    }

    @Test func startsAtTheRequestedTime() throws {
        let all = ReplayFixture.snapshots(count: 300)
        let replay = try source(all, start: ReplayFixture.time(200))
        let updates = replay.poll(now: 0)
        #expect(ReplayFixture.snapshots(in: updates).last == all[200])
        #expect(ReplayFixture.positions(in: updates).last?.index == 200)
    }

    @Test func emptyFramesEndWithAReason() throws {
        let replay = try source([])
        #expect(replay.poll(now: 0) == [.ended("the recording holds no snapshots")])
        #expect(replay.poll(now: 1).isEmpty)
    }
}
