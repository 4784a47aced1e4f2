/// The sockets of one process by role, read from `/proc` alone (`/proc/PID/fd` joined with the namespace's
/// `net/tcp`, `net/tcp6` and `net/unix`), so it stays readable while Redis refuses connections.
///
/// Counts are of fds, like `FdCensus.sockets` (a socket held at two fds counts twice). `roles` describes the fds of
/// the sample; states and queues are as the tables were `tablesAgeMs` ago, which is 0 when they were read for this
/// sample (the sampler re-reads the big tables less often than it scans fds; `ProcSampler` says when).
public struct SocketCensus: Sendable, Codable, Equatable {
    /// How many peers and outbound endpoints are listed at most; `distinctPeers`/`outboundEndpoints` count all.
    public static let maxListed = 10

    /// Socket fds by role; roles with none are absent. The values sum to the sample's socket fds.
    public var roles: [SocketRole: Int]
    /// The process's listening sockets in endpoint order, each with the clients accepted on it.
    public var listeners: [SocketListener]
    /// Outbound TCP connections grouped by remote address and port, largest groups first (ties in endpoint order),
    /// at most `maxListed`: a replica's master, cluster-bus peers, anything else the process dialled.
    public var outbound: [EndpointCount]
    /// Distinct remote endpoints of outbound TCP connections.
    public var outboundEndpoints: Int
    /// Non-listening TCP sockets (inbound and outbound) by state; states with none are absent.
    public var tcpStates: [TCPState: Int]
    /// Bytes queued on the non-listening TCP sockets.
    public var queues: SocketQueues
    /// Inbound TCP clients by peer address (no port), most connections first (ties in address order), at most
    /// `maxListed`.
    public var topPeers: [PeerCount]
    /// Distinct peer addresses of inbound TCP clients.
    public var distinctPeers: Int
    /// Milliseconds since the socket tables were read: the age of states, queues, accept queues and of the roles
    /// of sockets opened since (`unresolved` until the next read). 0 when read for this sample.
    public var tablesAgeMs: Int

    public init(roles: [SocketRole: Int] = [:], listeners: [SocketListener] = [], outbound: [EndpointCount] = [],
                outboundEndpoints: Int = 0, tcpStates: [TCPState: Int] = [:], queues: SocketQueues = SocketQueues(),
                topPeers: [PeerCount] = [], distinctPeers: Int = 0, tablesAgeMs: Int = 0) {
        self.roles = roles
        self.listeners = listeners
        self.outbound = outbound
        self.outboundEndpoints = outboundEndpoints
        self.tcpStates = tcpStates
        self.queues = queues
        self.topPeers = topPeers
        self.distinctPeers = distinctPeers
        self.tablesAgeMs = tablesAgeMs
    }

    /// Socket fds with `role` (0 when absent).
    public func count(_ role: SocketRole) -> Int { roles[role] ?? 0 }

    /// Non-listening TCP sockets in `state` (0 when absent).
    public func count(_ state: TCPState) -> Int { tcpStates[state] ?? 0 }

    /// All socket fds of the sample.
    public var total: Int { roles.values.reduce(0, +) }

    /// Inbound TCP clients, the denominator of a peer's share.
    public var inboundTCPClients: Int { count(.inboundTCP) }

    /// The fraction of inbound TCP clients that come from `peer` (0…1); nil with no inbound clients.
    public func share(of peer: PeerCount) -> Double? {
        inboundTCPClients > 0 ? Double(peer.count) / Double(inboundTCPClients) : nil
    }

    private enum CodingKeys: String, CodingKey {
        case roles, listeners, outbound, queues
        case outboundEndpoints = "outbound_endpoints"
        case tcpStates = "tcp_states"
        case topPeers = "top_peers"
        case distinctPeers = "distinct_peers"
        case tablesAgeMs = "tables_age_ms"
    }
}

/// What a socket fd is to its process.
public enum SocketRole: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
    /// A listening TCP or unix socket.
    case listener
    /// A TCP connection whose local port is one of the process's listening ports: a client it accepted.
    case inboundTCP = "inbound_tcp"
    /// A unix connection bearing the path of one of the process's unix listeners: a client it accepted.
    case inboundUnix = "inbound_unix"
    /// A TCP connection from any other local port: one the process made (to a master, a cluster bus, …).
    case outboundTCP = "outbound_tcp"
    /// A unix socket neither listening nor accepted on a listener: a connection the process made, a socketpair.
    case unixClient = "unix_client"
    /// In none of the tables: UDP, netlink, a TCP socket never connected, or one closed while the tables were read.
    case other
    /// Opened since the tables were last read: its role is not known yet.
    case unresolved

    /// In declaration order.
    public static func < (a: SocketRole, b: SocketRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A listening socket and the clients accepted on it.
public struct SocketListener: Sendable, Codable, Equatable {
    public var endpoint: SocketEndpoint
    /// Client fds the process holds that were accepted on this listener.
    public var accepted: Int
    /// TCP only: connections completed by the kernel and waiting for `accept()` (`rx_queue` of the LISTEN row). A
    /// queue that grows while `accepted` stays flat is a server that stopped accepting (out of fds). Its capacity
    /// (the backlog) is not in `/proc/net/tcp`: `tx_queue` of a LISTEN row is 0.
    public var acceptQueue: Int?

    public init(endpoint: SocketEndpoint, accepted: Int, acceptQueue: Int? = nil) {
        self.endpoint = endpoint
        self.accepted = accepted
        self.acceptQueue = acceptQueue
    }

    private enum CodingKeys: String, CodingKey {
        case endpoint, accepted
        case acceptQueue = "accept_queue"
    }
}

/// Connections from one peer address.
public struct PeerCount: Sendable, Codable, Equatable {
    public var address: IPAddress
    public var count: Int

    public init(address: IPAddress, count: Int) {
        self.address = address
        self.count = count
    }
}

/// Connections to one remote endpoint.
public struct EndpointCount: Sendable, Codable, Equatable {
    public var endpoint: SocketEndpoint
    public var count: Int

    public init(endpoint: SocketEndpoint, count: Int) {
        self.endpoint = endpoint
        self.count = count
    }
}

/// Bytes queued on TCP sockets (`tx_queue:rx_queue` in `/proc/net/tcp`): unacknowledged or unsent output, and
/// received input the process has not read yet.
public struct SocketQueues: Sendable, Codable, Equatable {
    public var sendBytes: Int
    public var receiveBytes: Int
    /// Sockets with a non-empty send queue: clients that do not read (or a slow network).
    public var sendingSockets: Int
    /// Sockets with a non-empty receive queue: input the process is not reading (a stalled event loop).
    public var receivingSockets: Int

    public init(sendBytes: Int = 0, receiveBytes: Int = 0, sendingSockets: Int = 0, receivingSockets: Int = 0) {
        self.sendBytes = sendBytes
        self.receiveBytes = receiveBytes
        self.sendingSockets = sendingSockets
        self.receivingSockets = receivingSockets
    }

    private enum CodingKeys: String, CodingKey {
        case sendBytes = "send_bytes"
        case receiveBytes = "receive_bytes"
        case sendingSockets = "sending_sockets"
        case receivingSockets = "receiving_sockets"
    }
}
