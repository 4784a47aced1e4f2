import Foundation
import Synchronization

/// Runs `BurstProbe` every `intervalMs` on its own thread until a burst fails or `stop()` is called, and keeps
/// the wall-clock time (CLOCK_REALTIME ms, the clock snapshots use) of the first failed burst.
final class ProbeLoop: Sendable {
    struct State {
        var probes = 0
        var lastSuccessMs: Int64?
        /// When the first failing burst started, and how many of its connections answered.
        var firstFailure: (startMs: Int64, answered: Int)?
        var stopped = false
        var finished = false
    }

    let probe: BurstProbe
    let intervalMs: Int64
    private let state = Mutex(State())

    init(probe: BurstProbe, intervalMs: Int64 = 250) {
        self.probe = probe
        self.intervalMs = intervalMs
    }

    func start() {
        Thread { [self] in
            var next = BurstProbe.nowMs()
            while !state.withLock({ $0.stopped }) {
                let start = BurstProbe.nowMs()
                let answered = probe.run()
                let failed = state.withLock { state -> Bool in
                    state.probes += 1
                    if answered == probe.connections {
                        state.lastSuccessMs = start
                        return false
                    }
                    state.firstFailure = (start, answered)
                    return true
                }
                if failed { break }
                next += intervalMs
                let wait = next - BurstProbe.nowMs()
                if wait > 0 { usleep(useconds_t(wait * 1000)) }
            }
            state.withLock { $0.finished = true }
        }.start()
    }

    var snapshot: State { state.withLock { $0 } }

    /// Asks the thread to stop and waits for it (at most `timeout` seconds: a probe is bounded by its own timeout).
    func stop(timeout: Double = 5) {
        state.withLock { $0.stopped = true }
        let deadline = Date().addingTimeInterval(timeout)
        while !state.withLock({ $0.finished }) && Date() < deadline { usleep(10_000) }
    }
}
