import AoftopAnalysis
import AoftopClock
import AoftopModel
import AoftopPipeline
import Synchronization

/// What one instance looked like at its latest sample.
public struct InstanceReading: Sendable {
    public var snapshot: Snapshot
    public var assessment: Assessment
    /// Monotonic time (`MonotonicClock`) the sample was taken, for `aoftop_sample_age_seconds`.
    public var sampledAt: Double
    /// Snapshots taken so far.
    public var sampleCount: Int
    /// AOF and RDB fork-failure lines appended to the log since this monitor started following it; `nil` without
    /// a log reading. The log's backlog is left out: counted, it would look like new failures after every restart
    /// of aoftop (a counter reset followed by a jump).
    public var newForkFailures: ForkFailureCounts?
    /// Seconds between samples.
    public var interval: Double

    public init(snapshot: Snapshot, assessment: Assessment, sampledAt: Double, sampleCount: Int,
                newForkFailures: ForkFailureCounts? = nil, interval: Double = 1) {
        self.snapshot = snapshot
        self.assessment = assessment
        self.sampledAt = sampledAt
        self.sampleCount = sampleCount
        self.newForkFailures = newForkFailures
        self.interval = interval
    }
}

/// Fork-failure line counts by mechanism (every mechanism present, 0 where none failed).
public struct ForkFailureCounts: Sendable, Equatable {
    public var byMechanism: [ForkMechanism: Int]

    public init(_ byMechanism: [ForkMechanism: Int] = [:]) {
        self.byMechanism = Dictionary(uniqueKeysWithValues: ForkMechanism.allCases.map { ($0, byMechanism[$0] ?? 0) })
    }

    init(_ log: LogSample) { self.init(ForkMechanism.failures(in: log.totals)) }

    public subscript(mechanism: ForkMechanism) -> Int { byMechanism[mechanism] ?? 0 }
}

/// Turns the log follower's totals into a Prometheus counter: only lines appended while aoftop watches count.
/// The first totals (the backlog read at start) are history. A follower on another path (logfile changed) starts
/// with its own backlog, which is history too; totals that fall on the same path mean the same. So the counter
/// never goes backwards and never jumps for old lines.
public struct ForkFailureCounter: Sendable {
    public private(set) var counts = ForkFailureCounts()
    private var previous: (path: String, totals: ForkFailureCounts)?

    public init() {}

    /// The counts after the follower of `path` reported `totals`.
    public mutating func observe(_ totals: ForkFailureCounts, path: String) -> ForkFailureCounts {
        if let previous, previous.path == path, ForkMechanism.allCases.allSatisfy({ totals[$0] >= previous.totals[$0] }) {
            for mechanism in ForkMechanism.allCases {
                counts.byMechanism[mechanism, default: 0] += totals[mechanism] - previous.totals[mechanism]
            }
        }
        previous = (path, totals)
        return counts
    }
}

/// Samples one instance on its own `PeriodicWorker` and assesses every snapshot, so a hung or dead server (each
/// Redis call waits up to its timeout) never delays the others or a reader. Readers take the latest reading, never block.
public final class InstanceMonitor: Sendable {
    public let target: FleetTarget
    private let interval: Double
    private let latestReading = Mutex<InstanceReading?>(nil)
    private let worker: PeriodicWorker

    /// Starts sampling at once: the first reading is there after one snapshot (up to the Redis timeout).
    public init(target: FleetTarget, collection: CollectionTarget, interval: Double) {
        self.target = target
        self.interval = interval
        let settings = target.collectionTarget(collection)
        worker = PeriodicWorker(name: "aoftop-monitor \(target.name)", interval: interval)
        worker.start { [self] in
            let collector = SnapshotCollector(target: settings)
            var analyzer = Analyzer()
            var count = 0
            var forkFailures = ForkFailureCounter()
            return {
                let snapshot = collector.snapshot()
                let assessment = analyzer.ingest(snapshot)
                count += 1
                let newForkFailures = snapshot.log.value.map { forkFailures.observe(ForkFailureCounts($0), path: $0.path) }
                let reading = InstanceReading(snapshot: snapshot, assessment: assessment,
                                              sampledAt: MonotonicClock.now(), sampleCount: count,
                                              newForkFailures: newForkFailures, interval: self.interval)
                self.latestReading.withLock { $0 = reading }
            }
        }
    }

    public var latest: InstanceReading? { latestReading.withLock { $0 } }

    /// Ends the sampling after its current snapshot. Returns at once (the fleet stops monitors under its lock,
    /// and a hung server's snapshot may take its whole timeout). Idempotent.
    public func stop() { worker.cancel() }
}
