import Glibc

/// Seconds on a clock that never jumps (`CLOCK_MONOTONIC`): every deadline, timeout and sample age in aoftop is
/// measured on it, so a wall-clock step (NTP, `date -s`, a resumed VM) neither stalls nor hurries anything.
/// Code that must be testable takes a `TimeSource` (or a `() -> Double`) instead of reading this directly.
public enum MonotonicClock {
    public static func now() -> Double {
        let spec = timespecNow()
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public static func milliseconds() -> Int {
        let spec = timespecNow()
        return spec.tv_sec * 1000 + spec.tv_nsec / 1_000_000
    }

    public static func nanoseconds() -> UInt64 {
        let spec = timespecNow()
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func timespecNow() -> timespec {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return spec
    }
}
