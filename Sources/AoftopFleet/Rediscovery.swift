import AoftopClock
import Synchronization

/// Looks for local servers every `seconds` on its own thread (a `/proc` walk must not stall a UI or a scrape).
/// Each result is passed to `onFound` and kept with a generation number, for owners that poll instead.
/// The first look is one interval after the start: the owner has just made its own.
public final class Rediscovery: Sendable {
    private let found = Mutex<(generation: Int, targets: [FleetTarget])?>(nil)
    private let worker: PeriodicWorker

    public init(procRoot: String, every seconds: Double, onFound: (@Sendable ([FleetTarget]) -> Void)? = nil) {
        worker = PeriodicWorker(name: "aoftop-rediscovery", interval: seconds, runAtStart: false)
        worker.start { [self] in
            var generation = 0
            return {
                let targets = FleetDiscovery.targets(procRoot: procRoot)
                generation += 1
                self.found.withLock { [generation] in $0 = (generation, targets) }
                onFound?(targets)
            }
        }
    }

    /// The latest discovery and its generation (1, 2, …), or nil before the first.
    public var latest: (Int, [FleetTarget])? { found.withLock { $0.map { ($0.generation, $0.targets) } } }

    /// Returns after a discovery under way has been passed on, so `onFound` is not called after this (except
    /// when called from `onFound` itself).
    public func stop() { worker.close() }
}
