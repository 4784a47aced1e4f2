import AoftopModel

/// The fd census as the panes show it; every field `nil` when `/proc` could not be read.
public struct FdFigures: Sendable, Equatable, Codable {
    public var total: Int?
    public var socket: Int?
    /// Sockets that are not listeners: clients and replication links.
    public var clientSocket: Int?
    public var pipe: Int?
    /// Pipes of which Redis holds both ends: leaked pipes look like this.
    public var selfPipePairs: Int?
    public var highest: Int?
    /// The fd number the next `accept()`/`pipe()` gets.
    public var lowestFree: Int?
    /// INFO `connected_clients`, to compare with `clientSocket`.
    public var connectedClients: Int?
    /// The fewest pipes seen since the (re)start: the process's normal share of pipes.
    public var baselinePipes: Int?

    public init(total: Int? = nil, socket: Int? = nil, clientSocket: Int? = nil, pipe: Int? = nil,
                selfPipePairs: Int? = nil, highest: Int? = nil, lowestFree: Int? = nil,
                connectedClients: Int? = nil, baselinePipes: Int? = nil) {
        self.total = total
        self.socket = socket
        self.clientSocket = clientSocket
        self.pipe = pipe
        self.selfPipePairs = selfPipePairs
        self.highest = highest
        self.lowestFree = lowestFree
        self.connectedClients = connectedClients
        self.baselinePipes = baselinePipes
    }

    init(census: FdCensus?, connectedClients: Int?, baselinePipes: Int?) {
        self.init(total: census?.total, socket: census?.sockets, clientSocket: census?.clientSockets,
                  pipe: census?.pipes, selfPipePairs: census?.selfHeldPipePairs, highest: census?.highestFd,
                  lowestFree: census?.lowestFreeFd, connectedClients: connectedClients,
                  baselinePipes: census == nil ? nil : baselinePipes)
    }

    enum CodingKeys: String, CodingKey {
        case total, socket, pipe, highest
        case clientSocket = "client_socket"
        case selfPipePairs = "self_pipe_pairs"
        case lowestFree = "lowest_free"
        case connectedClients = "connected_clients"
        case baselinePipes = "baseline_pipes"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(total, forKey: .total)
        try c.encode(socket, forKey: .socket)
        try c.encode(clientSocket, forKey: .clientSocket)
        try c.encode(pipe, forKey: .pipe)
        try c.encode(selfPipePairs, forKey: .selfPipePairs)
        try c.encode(highest, forKey: .highest)
        try c.encode(lowestFree, forKey: .lowestFree)
        try c.encode(connectedClients, forKey: .connectedClients)
        try c.encode(baselinePipes, forKey: .baselinePipes)
    }
}
