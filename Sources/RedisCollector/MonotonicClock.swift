import Glibc

/// Seconds on a clock that never jumps (`CLOCK_MONOTONIC`). The default clock of `RedisClient` and
/// `RedisSampler`; tests inject their own closure instead.
public enum MonotonicClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
