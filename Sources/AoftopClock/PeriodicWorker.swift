import Glibc

/// A thread that runs a body every `interval` seconds, on deadlines on its `TimeSource` (monotonic), until closed.
///
/// Every control (`wake`, `pause`, `resume`, `setInterval`, `cancel`, `close`) changes the state under the lock
/// the thread decides and waits under, so none is lost to a race, and each takes effect at once: a shorter interval
/// or a close does not wait out the old interval. Runs keep their cadence (due at the last due time plus the
/// interval, without drift); one that is late by a whole interval or more (a long body, a pause) restarts the
/// cadence from now instead of running again to catch up.
public final class PeriodicWorker: Sendable {
    private struct State: Sendable {
        var interval: Double
        /// When the last run was due; the next is due one interval later.
        var anchor: Double
        var paused: Bool
        var woken = false
        var closed = false
        var started = false
        var finished = false
        var thread: pthread_t?
    }

    private let name: String
    private let lock: ConditionLock<State>

    /// A worker not yet running; `start` gives it its body.
    /// - Parameters:
    ///   - runAtStart: the first run at once (else after one interval).
    ///   - paused: nothing runs until `resume()`.
    public init(name: String, interval: Double, clock: TimeSource = .monotonic, runAtStart: Bool = true,
                paused: Bool = false) {
        self.name = name
        let interval = Self.valid(interval)
        let now = clock.now()
        lock = ConditionLock(State(interval: interval, anchor: runAtStart ? now - interval : now, paused: paused),
                             clock: clock)
    }

    /// A worker already running `body`.
    public convenience init(name: String, interval: Double, clock: TimeSource = .monotonic, runAtStart: Bool = true,
                            paused: Bool = false, body: @escaping @Sendable () -> Void) {
        self.init(name: name, interval: interval, clock: clock, runAtStart: runAtStart, paused: paused)
        start { body }
    }

    /// Starts the thread (once). `makeBody` runs on it first, so the body can own state that never crosses threads
    /// (a collector, an analyzer). False when no thread could be created: the worker is then closed.
    @discardableResult
    public func start(_ makeBody: @escaping @Sendable () -> () -> Void) -> Bool {
        let first = lock.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        precondition(first, "PeriodicWorker.start called twice")
        let lock = self.lock
        let started = DetachedThread.start(name: name) {
            lock.update { $0.thread = pthread_self() }
            let body = makeBody()
            while Self.nextRun(lock) { body() }
            lock.update { $0.finished = true }
        }
        if !started { lock.update { $0.closed = true; $0.finished = true } }
        return started
    }

    /// Runs the body now (after the current run, if one is under way), then keeps the cadence from then.
    /// Ignored while paused.
    public func wake() { lock.update { $0.woken = true } }

    /// No run starts until `resume()`; a run under way finishes.
    public func pause() { lock.update { $0.paused = true } }

    /// Runs again, at once if a run fell due meanwhile.
    public func resume() { lock.update { $0.paused = false } }

    /// The next run is due one new interval after the last was; at once if that time has passed.
    public func setInterval(_ seconds: Double) { lock.update { $0.interval = Self.valid(seconds) } }

    /// No run starts after this; returns at once, while a run under way may still be finishing. For callers that
    /// must not wait for a body that can block (a hung Redis, up to its timeout).
    public func cancel() { lock.update { $0.closed = true } }

    /// No run starts after this, and returns once a run under way has finished. Called from the body itself it
    /// cannot wait for itself: it only cancels, and the thread ends when the body returns.
    public func close() {
        cancel()
        lock.wait { state, _ in
            if state.finished || !state.started { return .done(()) }
            if let thread = state.thread, pthread_equal(thread, pthread_self()) != 0 { return .done(()) }
            return .wait(until: nil)
        }
    }

    /// Whether the thread has ended (closed, and no run under way), waiting for it up to `deadline` on the clock.
    public func waitUntilFinished(deadline: Double) -> Bool {
        lock.wait(until: deadline) { $0.finished ? true : nil } ?? false
    }

    /// True when a run is due (and marks it taken); false once closed.
    private static func nextRun(_ lock: ConditionLock<State>) -> Bool {
        lock.wait { state, now in
            if state.closed { return .done(false) }
            if state.paused { return .wait(until: nil) }
            let due = state.anchor + state.interval
            if state.woken || now - due >= state.interval {
                state.woken = false
                state.anchor = now
                return .done(true)
            }
            if now >= due {
                state.anchor = due
                return .done(true)
            }
            return .wait(until: due)
        }
    }

    /// The interval the worker runs at: positive and finite, at most a day.
    private static func valid(_ seconds: Double) -> Double {
        seconds.isFinite ? min(max(seconds, 0.001), 86_400) : 86_400
    }

    deinit { cancel() }
}
