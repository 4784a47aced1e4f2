import AoftopAnalysis
import AoftopModel
import AoftopPipeline
import Foundation
import RedisCollector
import Synchronization

/// What one instance looked like at its latest sample.
public struct InstanceReading: Sendable {
    public var target: FleetTarget
    public var snapshot: Snapshot
    public var assessment: Assessment
    /// Monotonic time (`MonotonicClock`) the sample was taken, for `aoftop_sample_age_seconds`.
    public var sampledAt: Double
    /// Snapshots taken so far.
    public var sampleCount: Int

    public init(target: FleetTarget, snapshot: Snapshot, assessment: Assessment, sampledAt: Double, sampleCount: Int) {
        self.target = target
        self.snapshot = snapshot
        self.assessment = assessment
        self.sampledAt = sampledAt
        self.sampleCount = sampleCount
    }
}

/// Samples one instance on its own thread and assesses every snapshot, so a hung or dead server (each Redis call
/// waits up to its timeout) never delays the others or a reader. Readers take the latest reading, never block.
public final class InstanceMonitor: Sendable {
    public let target: FleetTarget
    private let interval: Double
    private let latestReading = Mutex<InstanceReading?>(nil)
    private let stopped = Mutex(false)
    private let wake = NSCondition()

    /// Starts sampling at once: the first reading is there after one snapshot (up to the Redis timeout).
    public init(target: FleetTarget, collection: CollectionTarget, interval: Double) {
        self.target = target
        self.interval = interval
        let settings = target.collectionTarget(collection)
        let thread = Thread { [self] in self.run(collector: SnapshotCollector(target: settings)) }
        thread.name = "aoftop-monitor \(target.name)"
        thread.start()
    }

    public var latest: InstanceReading? { latestReading.withLock { $0 } }

    /// Ends the sampling thread after its current snapshot. Idempotent.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    private func run(collector: SnapshotCollector) {
        var analyzer = Analyzer()
        var count = 0
        var next = MonotonicClock.now()
        while !stopped.withLock({ $0 }) {
            let snapshot = collector.snapshot()
            let assessment = analyzer.ingest(snapshot)
            count += 1
            let reading = InstanceReading(target: target, snapshot: snapshot, assessment: assessment,
                                          sampledAt: MonotonicClock.now(), sampleCount: count)
            latestReading.withLock { $0 = reading }
            next = max(next + interval, MonotonicClock.now())
            wake.lock()
            if !stopped.withLock({ $0 }) {
                _ = wake.wait(until: Date(timeIntervalSinceNow: max(0, next - MonotonicClock.now())))
            }
            wake.unlock()
        }
    }
}
