import AoftopModel
import Glibc

/// Where the pipeline gets "now". The only wall-clock read in aoftop: everything below takes the snapshot's time,
/// so replay and tests are deterministic.
public struct SnapshotClock: Sendable {
    public let now: @Sendable () -> Timestamp

    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }

    /// CLOCK_REALTIME, in milliseconds.
    public static let system = SnapshotClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
