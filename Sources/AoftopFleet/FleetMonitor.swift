import AoftopClock
import AoftopPipeline
import FoundationEssentials
import Glibc
import Synchronization

/// One `InstanceMonitor` per instance: the targets named on the command line, or every local server (`--all`),
/// discovered again every `rediscoverySeconds` so servers started later are picked up. A server that disappears
/// is still sampled for `goneRetentionSeconds` (it reports `redis` and `proc` failing, so a crash raises an alert
/// instead of silently dropping its series; a restart on the same port continues under the same name), then dropped.
public final class FleetMonitor: Sendable {
    public enum Scope: Sendable {
        case targets([FleetTarget])
        /// Every local redis-server/valkey-server under this proc root.
        case discovered(procRoot: String)
    }

    /// A target and its latest reading (`nil` until its first snapshot is in).
    public struct Entry: Sendable {
        public var target: FleetTarget
        public var reading: InstanceReading?

        public init(target: FleetTarget, reading: InstanceReading?) {
            self.target = target
            self.reading = reading
        }
    }

    public static let rediscoverySeconds = 10.0
    public static let goneRetentionSeconds = 600.0

    private let rediscoveryInterval: Double
    private let goneRetention: Double
    private let collection: CollectionTarget
    private let interval: Double
    private let monitors = Mutex<[String: InstanceMonitor]>([:])
    /// Monotonic time each discovered instance was last found.
    private let lastSeen = Mutex<[String: Double]>([:])
    private let stopped = Mutex(false)
    private let rediscovery = Mutex<Rediscovery?>(nil)

    /// - Parameters:
    ///   - rediscovery: seconds between discovery scans (`.discovered` only).
    ///   - goneRetention: how long a server that disappeared is still sampled.
    public init(scope: Scope, collection: CollectionTarget, interval: Double,
                rediscovery: Double = FleetMonitor.rediscoverySeconds,
                goneRetention: Double = FleetMonitor.goneRetentionSeconds) {
        self.rediscoveryInterval = rediscovery
        self.goneRetention = goneRetention
        self.collection = collection
        self.interval = interval
        switch scope {
        case .targets(let targets):
            apply(targets)
        case .discovered(let procRoot):
            apply(discovered: FleetDiscovery.targets(procRoot: procRoot), now: MonotonicClock.now())
            let loop = Rediscovery(procRoot: procRoot, every: rediscoveryInterval) { [weak self] found in
                self?.apply(discovered: found, now: MonotonicClock.now())
            }
            self.rediscovery.withLock { $0 = loop }
        }
    }

    deinit { stop() }

    /// Every instance, sorted by name; callers sort by urgency as they need.
    public var entries: [Entry] {
        monitors.withLock { $0.values.map { Entry(target: $0.target, reading: $0.latest) } }
            .sorted { $0.target.name < $1.target.name }
    }

    public func stop() {
        stopped.withLock { $0 = true }
        rediscovery.withLock { $0?.stop() }
        monitors.withLock { monitors in
            for monitor in monitors.values { monitor.stop() }
            monitors.removeAll()
        }
    }

    /// Starts monitors for new targets and stops those no longer listed.
    private func apply(_ targets: [FleetTarget]) {
        let wanted = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        monitors.withLock { monitors in
            if stopped.withLock({ $0 }) { return }
            for (name, monitor) in monitors where wanted[name] == nil {
                monitor.stop()
                monitors[name] = nil
            }
            for (name, target) in wanted where monitors[name] == nil {
                monitors[name] = InstanceMonitor(target: target, collection: collection, interval: interval)
            }
        }
    }

    /// Keeps the instances found now and those gone for less than `goneRetentionSeconds`.
    private func apply(discovered: [FleetTarget], now: Double) {
        let keep = lastSeen.withLock { lastSeen -> Set<String> in
            for target in discovered { lastSeen[target.name] = now }
            lastSeen = lastSeen.filter { now - $0.value < goneRetention }
            return Set(lastSeen.keys)
        }
        let current = monitors.withLock { $0.mapValues(\.target) }
        var targets = discovered
        let found = Set(discovered.map(\.name))
        targets += current.values.filter { keep.contains($0.name) && !found.contains($0.name) }
        apply(targets)
    }
}
