import AoftopModel

/// The few numbers of one snapshot that trends are computed from. Kept small so a 15-minute history is cheap.
public struct HistoryPoint: Sendable, Equatable {
    public var time: Timestamp
    /// `nil` when the `/proc` reading failed for that snapshot.
    public var fds: FdPoint?
    public var cpuTicks: UInt64?
    public var clockTicksPerSecond: Int?
    public var connectedClients: Int?
    /// What Redis compares with `maxclients` (see `ClientLimitAssessment.clients`).
    public var clientsCounted: Int?
    public var rejectedConnections: Int64?
    /// Inbound TCP clients from the socket census (`/proc`), and the largest peers then: what a connection leak is
    /// traced with, also while Redis cannot be asked.
    public var inboundClients: Int?
    public var topPeers: [PeerCount]?
    /// Log totals by kind since the log follower started: fork failures by mechanism, and the other events a pipe
    /// rise can follow.
    public var logTotals: [LogEventKind: Int]?
    public var logLinesRead: Int?
    public var aofRewrites: Int64?
    public var totalForks: Int64?

    /// Peers kept per point: enough to tell which one a rise came from, small enough for 15 minutes of history.
    static let keptPeers = 3

    public init(_ snapshot: Snapshot) {
        time = snapshot.time
        let process = snapshot.process.value
        fds = process.map { FdPoint($0.fds) }
        cpuTicks = process?.cpuTicks
        clockTicksPerSecond = process?.clockTicksPerSecond
        let redis = snapshot.redis.value
        connectedClients = redis?.connectedClients
        clientsCounted = redis.flatMap(ClientLimitAssessment.countedClients)
        rejectedConnections = redis?.rejectedConnections
        let sockets = process?.sockets
        inboundClients = sockets?.inboundTCPClients
        topPeers = sockets.map { Array($0.topPeers.prefix(Self.keptPeers)) }
        aofRewrites = redis?.aofRewrites
        totalForks = redis?.totalForks
        let log = snapshot.log.value
        logTotals = log?.totals
        logLinesRead = log?.linesRead
    }
}

extension HistoryPoint {
    /// Failed AOF rewrite forks since the log follower started.
    public var aofForkFailures: Int? { logTotals.map { $0[.aofForkFailed] ?? 0 } }
    /// Failed forks of every mechanism since the log follower started.
    public var forkFailures: Int? { logTotals.map(ForkMechanism.totalFailures(in:)) }
}

/// The fd census figures a trend needs.
public struct FdPoint: Sendable, Equatable {
    public var total: Int
    public var sockets: Int
    public var clientSockets: Int
    public var pipes: Int
    public var selfHeldPipePairs: Int
    public var lowestFree: Int

    public init(_ census: FdCensus) {
        total = census.total
        sockets = census.sockets
        clientSockets = census.clientSockets
        pipes = census.pipes
        selfHeldPipePairs = census.selfHeldPipePairs
        lowestFree = census.lowestFreeFd
    }
}
