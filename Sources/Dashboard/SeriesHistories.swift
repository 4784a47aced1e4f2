import AoftopModel

/// A bounded series of samples for one sparkline, oldest first; `nil` marks a sample without a reading.
public struct BoundedSeries: Sendable, Equatable {
    public let capacity: Int
    public private(set) var values: [Int?] = []

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public mutating func append(_ value: Int?) {
        values.append(value)
        if values.count > capacity { values.removeFirst(values.count - capacity) }
    }

    public var latest: Int? { values.last ?? nil }
}

/// The sparkline series of pane 1 and the fd chart of pane 4, one point per snapshot.
public struct SeriesHistories: Sendable, Equatable {
    /// When each point was sampled (its snapshot's time), oldest first: the chart's time axis.
    public private(set) var times: [Timestamp] = []
    public var clientSockets: BoundedSeries
    public var connectedClients: BoundedSeries
    public var pipes: BoundedSeries
    public var selfHeldPairs: BoundedSeries
    /// Fds that are neither sockets nor pipes (files, anon inodes, ttys).
    public var otherFds: BoundedSeries
    public var totalFds: BoundedSeries

    public init(capacity: Int) {
        clientSockets = BoundedSeries(capacity: capacity)
        connectedClients = BoundedSeries(capacity: capacity)
        pipes = BoundedSeries(capacity: capacity)
        selfHeldPairs = BoundedSeries(capacity: capacity)
        otherFds = BoundedSeries(capacity: capacity)
        totalFds = BoundedSeries(capacity: capacity)
    }

    mutating func append(_ snapshot: Snapshot) {
        times.append(snapshot.time)
        if times.count > totalFds.capacity { times.removeFirst(times.count - totalFds.capacity) }
        let fds = snapshot.process.value?.fds
        clientSockets.append(fds?.clientSockets)
        connectedClients.append(snapshot.redis.value?.connectedClients)
        pipes.append(fds?.pipes)
        selfHeldPairs.append(fds?.selfHeldPipePairs)
        otherFds.append(fds.map { $0.total - $0.sockets - $0.pipes })
        totalFds.append(fds?.total)
    }
}
