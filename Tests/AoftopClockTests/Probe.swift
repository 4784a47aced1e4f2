import Glibc
import Synchronization

/// Counts what a body did, and waits for it on real time with generous limits (the machine is shared).
final class Probe: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func note(_ event: String) { counts.withLock { $0[event, default: 0] += 1 } }

    func count(_ event: String) -> Int { counts.withLock { $0[event, default: 0] } }

    /// Whether `condition` became true within `seconds`.
    func eventually(within seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = realNow() + seconds
        while realNow() < deadline {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }
}

/// Real monotonic seconds, read without the module under test.
func realNow() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Seconds `body` took.
func timed(_ body: () -> Void) -> Double {
    let start = realNow()
    body()
    return realNow() - start
}

/// Lets a thread that should not run get the chance to run anyway, so its not running means something.
func settle() { usleep(150_000) }
