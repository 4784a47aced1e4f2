import Testing
@testable import AoftopClock

/// The worker on a `SimulatedClock`: cadence, pause and wall-clock steps, exactly, without real waiting.
@Suite struct SimulatedTimeTests {
    /// Runs `scenario` against a worker at 10 s on a simulated clock (its first run made, with `runAtStart`).
    private func withWorker(runAtStart: Bool = true,
                            _ scenario: (SimulatedClock, Probe, PeriodicWorker) -> Void) {
        let clock = SimulatedClock()
        let probe = Probe()
        let worker = PeriodicWorker(name: "test-simulated", interval: 10, clock: .simulated(clock),
                                    runAtStart: runAtStart) { probe.note("run") }
        defer { worker.close() }
        if runAtStart { expectReaches(1, probe) }
        scenario(clock, probe, worker)
    }

    /// The body has run `runs` times and, given the chance, no more.
    private func expectStill(_ runs: Int, _ probe: Probe, _ why: Comment) {
        settle()
        #expect(probe.count("run") == runs, why)
    }

    private func expectReaches(_ runs: Int, _ probe: Probe, _ why: Comment = "") {
        #expect(probe.eventually { probe.count("run") == runs }, why)
    }

    @Test func aWallClockStepNeitherStallsNorHurriesTheCadence() {
        withWorker { clock, probe, worker in
            clock.advance(by: 5)
            clock.stepWall(by: -3600) // the date set an hour back, mid-wait
            expectStill(1, probe, "ran early")
            clock.advance(by: 5)
            expectReaches(2, probe, "the backward step stalled the worker")
            clock.stepWall(by: 86_400) // and a day forward
            expectStill(2, probe, "the forward step hurried the worker")
            clock.advance(by: 10)
            expectReaches(3, probe)
        }
    }

    @Test func runsKeepTheirCadenceAndDoNotCatchUp() {
        withWorker(runAtStart: false) { clock, probe, worker in
            clock.advance(by: 9.9)
            expectStill(0, probe, "ran before its first interval")
            clock.advance(by: 0.1)
            expectReaches(1, probe)
            clock.advance(by: 95) // nine runs missed while the machine was suspended: one run, not nine
            expectReaches(2, probe)
            expectStill(2, probe, "ran early")
        }
    }

    @Test func pausedRunsNothingAndResumeRunsWhatFellDue() {
        withWorker { clock, probe, worker in
            worker.pause()
            clock.advance(by: 30)
            expectStill(1, probe, "ran while paused")
            worker.wake()
            expectStill(1, probe, "a wake ran the body while paused")
            worker.resume()
            expectReaches(2, probe)
            clock.advance(by: 9)
            expectStill(2, probe, "the cadence did not restart at the resume")
            clock.advance(by: 1)
            expectReaches(3, probe)
        }
    }

    @Test func aLongerIntervalCountsFromTheLastRun() {
        withWorker { clock, probe, worker in
            clock.advance(by: 5)
            worker.setInterval(30)
            clock.advance(by: 20)
            expectStill(1, probe, "ran early")
            clock.advance(by: 5)
            expectReaches(2, probe)
        }
    }
}
