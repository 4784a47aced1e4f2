import RedisCollector
import Glibc
import Synchronization

/// The signal that asked a headless command to stop (0: none yet). Set from the signal handler, which may only
/// touch lock-free state.
private let receivedStopSignal = Atomic<Int32>(0)

/// SIGINT/SIGTERM/SIGHUP set a flag instead of killing the process, so `record` can close its file (gzip
/// trailer, fsync) and exit 0. Installed without SA_RESTART, so a sleep is cut short.
enum StopSignals {
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
            let remaining = deadline - MonotonicClock.now()
            if remaining <= 0 { return true }
            let slice = min(remaining, 0.05)
            var request = timespec(tv_sec: 0, tv_nsec: Int(slice * 1e9))
            nanosleep(&request, nil)
        }
        return false
    }
}
