import Synchronization

/// The clock a `ConditionLock` or `PeriodicWorker` sets its deadlines on: the real monotonic clock, or a
/// `SimulatedClock` that a test moves by hand.
public struct TimeSource: Sendable {
    enum Kind: Sendable {
        case monotonic
        case simulated(SimulatedClock)
    }

    let kind: Kind

    public static let monotonic = TimeSource(kind: .monotonic)

    public static func simulated(_ clock: SimulatedClock) -> TimeSource { TimeSource(kind: .simulated(clock)) }

    /// Seconds; only differences mean anything.
    public func now() -> Double {
        switch kind {
        case .monotonic: MonotonicClock.now()
        case .simulated(let clock): clock.now
        }
    }
}

/// A machine's two clocks, moved only by the test: `advance(by:)` is time passing (both move), `stepWall(by:)`
/// is someone setting the date (only the wall clock moves, either way). Waits on it end when `advance` reaches
/// their deadline. Nothing in this module reads `wall`: it is there so a test can step it and show that no
/// deadline follows it.
public final class SimulatedClock: Sendable {
    private struct Readings {
        var monotonic: Double
        var wall: Double
        /// Wakes one `ConditionLock` waiting on this clock, so it looks at the new time.
        var waiters: [ObjectIdentifier: @Sendable () -> Void] = [:]
    }

    private let readings: Mutex<Readings>

    public init(monotonic: Double = 1_000, wall: Double = 1_700_000_000) {
        readings = Mutex(Readings(monotonic: monotonic, wall: wall))
    }

    public var now: Double { readings.withLock { $0.monotonic } }
    public var wall: Double { readings.withLock { $0.wall } }

    public func advance(by seconds: Double) {
        precondition(seconds >= 0, "monotonic time does not go back")
        let waiters = readings.withLock { readings in
            readings.monotonic += seconds
            readings.wall += seconds
            return Array(readings.waiters.values)
        }
        // Called outside `readings`: a waiter takes its own lock and then this clock's, never the other way.
        waiters.forEach { $0() }
    }

    public func stepWall(by seconds: Double) {
        let waiters = readings.withLock { readings in
            readings.wall += seconds
            return Array(readings.waiters.values)
        }
        waiters.forEach { $0() }
    }

    /// Registers `wake` before the waiter reads the time, so an `advance` in between still reaches it.
    func register(_ owner: ObjectIdentifier, wake: @escaping @Sendable () -> Void) {
        readings.withLock { $0.waiters[owner] = wake }
    }

    func unregister(_ owner: ObjectIdentifier) {
        _ = readings.withLock { $0.waiters.removeValue(forKey: owner) }
    }
}
