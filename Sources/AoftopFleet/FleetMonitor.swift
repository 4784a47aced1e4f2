import AoftopPipeline
import Foundation
import Synchronization

/// One `InstanceMonitor` per instance: the targets named on the command line, or every local server (`--all`),
/// discovered again every `rediscoverySeconds` so servers started later are picked up and stopped ones dropped.
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

    private let scope: Scope
    private let collection: CollectionTarget
    private let interval: Double
    private let monitors = Mutex<[String: InstanceMonitor]>([:])
    private let stopped = Mutex(false)
    private let wake = NSCondition()

    public init(scope: Scope, collection: CollectionTarget, interval: Double) {
        self.scope = scope
        self.collection = collection
        self.interval = interval
        switch scope {
        case .targets(let targets):
            apply(targets)
        case .discovered(let procRoot):
            apply(FleetDiscovery.targets(procRoot: procRoot))
            let thread = Thread { [self] in self.rediscover(procRoot: procRoot) }
            thread.name = "aoftop-discovery"
            thread.start()
        }
    }

    /// Every instance, in urgency-independent name order; callers sort as they need.
    public var entries: [Entry] {
        monitors.withLock { $0.values.map { Entry(target: $0.target, reading: $0.latest) } }
            .sorted { $0.target.name < $1.target.name }
    }

    public func stop() {
        stopped.withLock { $0 = true }
        wake.lock()
        wake.signal()
        wake.unlock()
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

    private func rediscover(procRoot: String) {
        while true {
            wake.lock()
            if !stopped.withLock({ $0 }) {
                _ = wake.wait(until: Date(timeIntervalSinceNow: Self.rediscoverySeconds))
            }
            wake.unlock()
            if stopped.withLock({ $0 }) { return }
            apply(FleetDiscovery.targets(procRoot: procRoot))
        }
    }
}
