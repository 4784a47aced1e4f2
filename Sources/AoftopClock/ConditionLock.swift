import Glibc

/// What a waiter decided after looking at the state.
public enum WaitStep<Result> {
    case done(Result)
    /// Sleep until the state changes (`update`) or until this time on the lock's clock; nil: no deadline.
    case wait(until: Double?)
}

/// A value behind a mutex, with a condition variable to wait for changes to it: the one waiting primitive.
///
/// Timed waits run on CLOCK_MONOTONIC (`pthread_condattr_setclock`), so a wall-clock step neither stalls nor
/// hurries them (`NSCondition.wait(until: Date)` is on the wall clock). A waiter decides and goes to sleep
/// without letting go of the lock that every change takes, so a change made in between cannot be missed.
public final class ConditionLock<State>: @unchecked Sendable {
    // @unchecked: `state` is only touched with `mutex` held; the pointers never change.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State
    public let clock: TimeSource

    public init(_ state: State, clock: TimeSource = .monotonic) {
        self.state = state
        self.clock = clock
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        if case .simulated(let clock) = clock.kind { clock.unregister(ObjectIdentifier(self)) }
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Reads or changes the state without waking waiters (for changes no waiter is waiting for).
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Changes the state and wakes every waiter to look at it again.
    public func update<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Looks at the state, and the time on `clock`, until `step` is done, sleeping in between as it says.
    public func wait<R>(_ step: (inout State, _ now: Double) -> WaitStep<R>) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if case .simulated(let simulated) = clock.kind {
                simulated.register(ObjectIdentifier(self)) { [weak self] in self?.update { _ in } }
            }
            switch step(&state, clock.now()) {
            case .done(let result):
                return result
            case .wait(until: nil):
                pthread_cond_wait(condition, mutex)
            case .wait(until: let deadline?):
                sleep(until: deadline)
            }
        }
    }

    /// The value `ready` finds, or nil once `deadline` (on `clock`) has passed.
    public func wait<R>(until deadline: Double, for ready: (inout State) -> R?) -> R? {
        wait { state, now in
            if let value = ready(&state) { return .done(value) }
            return now >= deadline ? .done(nil) : .wait(until: deadline)
        }
    }

    /// With `mutex` held.
    private func sleep(until deadline: Double) {
        guard case .monotonic = clock.kind else {
            // Simulated time moves only by `advance`, which wakes this condition.
            pthread_cond_wait(condition, mutex)
            return
        }
        // Beyond a day the step function looks again anyway; keeps the conversion far from overflow.
        let target = min(deadline, MonotonicClock.now() + 86_400)
        let seconds = target.rounded(.down)
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int((target - seconds) * 1e9))
        pthread_cond_timedwait(condition, mutex, &spec)
    }
}
