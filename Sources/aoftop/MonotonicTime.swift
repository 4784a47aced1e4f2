import Glibc
import RedisCollector

/// Pacing on CLOCK_MONOTONIC (`MonotonicClock.now()`): immune to wall-clock steps (NTP, DST).
enum MonotonicTime {
    /// Sleeps until `deadline` (a `MonotonicClock.now()` value); returns at once if it has passed.
    static func sleep(until deadline: Double) {
        let remaining = deadline - MonotonicClock.now()
        guard remaining > 0 else { return }
        var request = timespec(tv_sec: Int(remaining), tv_nsec: Int((remaining - Double(Int(remaining))) * 1e9))
        var left = timespec()
        while nanosleep(&request, &left) == -1 && errno == EINTR { request = left }
    }
}
