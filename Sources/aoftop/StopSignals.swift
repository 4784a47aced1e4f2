import AoftopClock
import Glibc
import Synchronization

/// The signal that asked a headless command to stop (0: none yet). Set from the signal handler, which may only
/// touch lock-free state.
private let receivedStopSignal = Atomic<Int32>(0)

/// Nothing changes it: waiting on it is a sleep on the monotonic clock.
private let idle = ConditionLock(())

/// SIGINT/SIGTERM/SIGHUP set a flag instead of killing the process, so `record` can close its file (gzip
/// trailer, fsync) and exit 0.
enum StopSignals {
    /// How often a wait looks at the flag: a handler may not touch a condition variable (not async-signal-safe),
    /// and the signal may land on any thread, so nothing wakes the waiter.
    private static let pollSeconds = 0.05

    static func install() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { receivedStopSignal.store($0, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }

    /// The signal received, or 0.
    static var received: Int32 { receivedStopSignal.load(ordering: .relaxed) }

    /// Sleeps until `deadline` (monotonic seconds) or until a stop signal arrives; returns false on a signal.
    static func sleep(until deadline: Double) -> Bool {
        while received == 0 {
            let now = MonotonicClock.now()
            if now >= deadline { return true }
            _ = idle.wait(until: min(deadline, now + pollSeconds)) { _ in nil as Void? }
        }
        return false
    }

    /// Waits until `worker` has ended by itself or a stop signal arrives; returns false on a signal.
    static func wait(for worker: PeriodicWorker) -> Bool {
        while received == 0 {
            if worker.waitUntilFinished(deadline: MonotonicClock.now() + pollSeconds) { return true }
        }
        return false
    }
}
