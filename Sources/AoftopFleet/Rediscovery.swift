import Foundation
import Synchronization

/// Looks for local servers every `seconds` on its own thread (a `/proc` walk must not stall a UI or a scrape).
/// Each result is passed to `onFound` and kept with a generation number, for owners that poll instead.
public final class Rediscovery: Sendable {
    private let found = Mutex<(generation: Int, targets: [FleetTarget])?>(nil)
    private let stopped = Mutex(false)
    private let wake = NSCondition()

    public init(procRoot: String, every seconds: Double, onFound: (@Sendable ([FleetTarget]) -> Void)? = nil) {
        let thread = Thread { [self] in
            var generation = 0
            while true {
                wake.lock()
                if !stopped.withLock({ $0 }) { _ = wake.wait(until: Date(timeIntervalSinceNow: seconds)) }
                wake.unlock()
                if stopped.withLock({ $0 }) { return }
                let targets = FleetDiscovery.targets(procRoot: procRoot)
                generation += 1
                found.withLock { [generation] in $0 = (generation, targets) }
                onFound?(targets)
            }
        }
        thread.name = "aoftop-rediscovery"
        thread.start()
    }

    /// The latest discovery and its generation (1, 2, …), or nil before the first.
    public var latest: (Int, [FleetTarget])? { found.withLock { $0.map { ($0.generation, $0.targets) } } }

    public func stop() {
        stopped.withLock { $0 = true }
        wake.lock()
        wake.signal()
        wake.unlock()
    }
}
