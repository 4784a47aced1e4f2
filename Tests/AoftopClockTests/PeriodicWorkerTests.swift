import Glibc
import Testing
@testable import AoftopClock

/// The worker on the real clock: closes and interval changes take effect at once, never after the old interval.
@Suite struct PeriodicWorkerTests {
    @Test func closeDuringABodyReturnsAfterItAndItDoesNotRunAgain() {
        let probe = Probe()
        let worker = PeriodicWorker(name: "test-close-body", interval: 0.01) {
            probe.note("entered")
            usleep(300_000)
            probe.note("finished")
        }
        #expect(probe.eventually { probe.count("entered") == 1 })
        worker.close()
        #expect(probe.count("finished") == 1, "close returned while the body was still running")
        settle()
        #expect(probe.count("entered") == 1, "the body ran again after close")
    }

    /// A worker at 60 s that has made its first run and is asleep on its next deadline.
    private func sleepingWorker(_ probe: Probe) -> PeriodicWorker {
        let worker = PeriodicWorker(name: "test-sleeping", interval: 60) { probe.note("run") }
        #expect(probe.eventually { probe.count("run") == 1 })
        settle()
        return worker
    }

    @Test func closeDuringALongWaitReturnsPromptly() {
        let probe = Probe()
        let worker = sleepingWorker(probe)
        let took = timed { worker.close() }
        #expect(took < 10, "close waited \(took) s of a 60 s interval")
        #expect(worker.waitUntilFinished(deadline: MonotonicClock.now()))
    }

    /// A close that lands between the thread's look at the state and its wait must not be lost: done many times
    /// right after the start, any loss costs a whole 60 s interval.
    @Test func aCloseRightAfterTheStartIsNeverLost() {
        let took = timed {
            for _ in 0..<200 {
                PeriodicWorker(name: "test-close-race", interval: 60, runAtStart: false) {}.close()
            }
        }
        #expect(took < 30, "200 closes took \(took) s")
    }

    @Test func aShorterIntervalTakesEffectWithoutWaitingOutTheOldOne() {
        let probe = Probe()
        let worker = sleepingWorker(probe)
        defer { worker.close() }
        worker.setInterval(0.02)
        #expect(probe.eventually { probe.count("run") >= 3 }, "still waiting out the 60 s interval")
    }

    @Test func wakeRunsTheBodyNow() {
        let probe = Probe()
        let worker = sleepingWorker(probe)
        defer { worker.close() }
        worker.wake()
        #expect(probe.eventually { probe.count("run") == 2 })
        settle()
        #expect(probe.count("run") == 2, "one wake, one run")
    }

    @Test func closeFromInsideTheBodyEndsTheThreadWithoutWaitingForItself() {
        let probe = Probe()
        let worker = PeriodicWorker(name: "test-self-close", interval: 0.01)
        worker.start { [worker] in
            { probe.note("run"); worker.close(); probe.note("returned") }
        }
        #expect(probe.eventually { probe.count("returned") == 1 }, "close from the body waited for itself")
        #expect(worker.waitUntilFinished(deadline: MonotonicClock.now() + 20))
        #expect(probe.count("run") == 1)
    }

    @Test func makeBodyRunsOnceOnTheWorkerThread() {
        let probe = Probe()
        let worker = PeriodicWorker(name: "test-make-body", interval: 0.01)
        worker.start {
            probe.note("made")
            var runs = 0 // owned by the thread: no lock needed
            return {
                runs += 1
                if runs == 3 { probe.note("third") }
            }
        }
        #expect(probe.eventually { probe.count("third") == 1 })
        worker.close()
        #expect(probe.count("made") == 1)
    }
}
