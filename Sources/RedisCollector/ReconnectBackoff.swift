/// When the next connection attempt may be made: capped exponential backoff on an injected clock.
///
/// Pure value logic, so tests drive it with a fake clock. After a failure at time `t` the next attempt is allowed
/// at `t + delay`; each further failure doubles `delay` up to `maxDelay`; a success resets it.
public struct ReconnectBackoff: Sendable, Equatable {
    public let initialDelay: Double
    public let maxDelay: Double
    /// The delay the next failure will impose.
    public private(set) var currentDelay: Double
    /// The earliest time another attempt is allowed; `nil` when one may be made now.
    public private(set) var nextAttemptAt: Double?

    public init(initialDelay: Double = 0.5, maxDelay: Double = 30) {
        self.initialDelay = initialDelay
        self.maxDelay = max(maxDelay, initialDelay)
        self.currentDelay = initialDelay
    }

    public func mayAttempt(at now: Double) -> Bool { nextAttemptAt.map { now >= $0 } ?? true }

    /// Seconds until an attempt is allowed (0 when allowed now).
    public func remaining(at now: Double) -> Double { max(0, (nextAttemptAt ?? now) - now) }

    /// When the last failure's own delay ends (kept apart from a hold, which may end earlier).
    private var lastFailureRetryAt: Double?

    public mutating func recordFailure(at now: Double) {
        lastFailureRetryAt = now + currentDelay
        nextAttemptAt = max(now + currentDelay, heldUntil ?? -.infinity)
        currentDelay = min(currentDelay * 2, maxDelay)
    }

    /// When a hold ends; `nil` without one.
    public private(set) var heldUntil: Double?

    /// No attempt before `time` (later failures continue from the current delay).
    public mutating func hold(until time: Double) {
        heldUntil = max(heldUntil ?? time, time)
        nextAttemptAt = max(nextAttemptAt ?? time, time)
    }

    /// Ends a hold: attempts wait only for the last failure's own delay again.
    public mutating func releaseHold() {
        guard let held = heldUntil else { return }
        heldUntil = nil
        if nextAttemptAt == held { nextAttemptAt = lastFailureRetryAt }
    }

    public mutating func recordSuccess() {
        currentDelay = initialDelay
        nextAttemptAt = nil
        heldUntil = nil
        lastFailureRetryAt = nil
    }
}
