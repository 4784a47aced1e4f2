import AoftopModel
import Foundation

/// What `ss` (iproute2, which asks the kernel over netlink `sock_diag`, not `/proc/net/tcp`) says about the TCP
/// sockets of one process: the independent check for the socket census.
public struct SocketStatistics: Sendable {
    public struct Row: Sendable, Equatable {
        public var state: TCPState
        /// For a listener: the accept queue's length; otherwise bytes received and not read.
        public var receiveQueue: Int
        /// For a listener: its backlog; otherwise bytes not yet acknowledged by the peer.
        public var sendQueue: Int
        public var local: SocketEndpoint
        /// nil for a listener (`*`).
        public var peer: SocketEndpoint?
    }

    public var rows: [Row]

    public static let binary = "/usr/bin/ss"

    /// `ss -Htanp`, the rows whose process list names `pid`.
    public static func tcp(pid: Int32) throws -> SocketStatistics {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw FixtureError("ss not found at \(binary): run `apt-get install -y iproute2`")
        }
        let result = try Subprocess.run(binary, ["-Htanp"], timeout: 20)
        guard result.status == 0 else { throw FixtureError("ss -Htanp failed: \(result.standardError)") }
        let mark = "pid=\(pid),"
        var rows: [Row] = []
        for line in result.standardOutput.split(separator: "\n") where line.contains(mark) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 5, let state = Self.state(fields[0]), let receive = Int(fields[1]), let send = Int(fields[2]),
                  let local = Self.endpoint(fields[3]) else {
                throw FixtureError("cannot parse ss line: \(line)")
            }
            rows.append(Row(state: state, receiveQueue: receive, sendQueue: send, local: local, peer: Self.endpoint(fields[4])))
        }
        return SocketStatistics(rows: rows)
    }

    /// The ports of the listeners.
    public var listeningPorts: Set<Int> { Set(rows.filter { $0.state == .listen }.compactMap(\.local.tcpPort)) }
    /// Rows that are not listeners.
    public var connections: [Row] { rows.filter { $0.state != .listen } }
    /// Connections whose local port is a listening port: accepted clients.
    public var inbound: [Row] { connections.filter { listeningPorts.contains($0.local.tcpPort ?? -1) } }
    public var outbound: [Row] { connections.filter { !listeningPorts.contains($0.local.tcpPort ?? -1) } }

    /// Connections by state.
    public var states: [TCPState: Int] { connections.reduce(into: [:]) { $0[$1.state, default: 0] += 1 } }

    public var queues: SocketQueues {
        let c = connections
        return SocketQueues(sendBytes: c.map(\.sendQueue).reduce(0, +), receiveBytes: c.map(\.receiveQueue).reduce(0, +),
                            sendingSockets: c.filter { $0.sendQueue > 0 }.count,
                            receivingSockets: c.filter { $0.receiveQueue > 0 }.count)
    }

    /// Inbound clients by peer address, most first, ties by address.
    public var peers: [PeerCount] {
        inbound.reduce(into: [IPAddress: Int]()) { counts, row in
            if case .tcp(let address, _)? = row.peer { counts[address, default: 0] += 1 }
        }.map { PeerCount(address: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.address < $1.address }
    }

    /// Outbound connections by remote endpoint, most first, ties by endpoint.
    public var outboundGroups: [EndpointCount] {
        outbound.reduce(into: [SocketEndpoint: Int]()) { counts, row in
            if let peer = row.peer { counts[peer, default: 0] += 1 }
        }.map { EndpointCount(endpoint: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.endpoint < $1.endpoint }
    }

    static func state(_ name: String) -> TCPState? {
        let names: [String: TCPState] = [
            "ESTAB": .established, "SYN-SENT": .synSent, "SYN-RECV": .synRecv, "FIN-WAIT-1": .finWait1,
            "FIN-WAIT-2": .finWait2, "TIME-WAIT": .timeWait, "UNCONN": .close, "CLOSE-WAIT": .closeWait,
            "LAST-ACK": .lastAck, "LISTEN": .listen, "CLOSING": .closing,
        ]
        return names[name]
    }

    /// `127.0.0.1:6379`, `[::1]:6379`, `[::ffff:127.0.0.1]:6379`, `*:6379`; nil for `0.0.0.0:*` and the like.
    static func endpoint(_ text: String) -> SocketEndpoint? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }  // fe80::1%lo
        let address = host == "*" ? IPAddress.anyV6 : IPAddress(host)
        return address.map { .tcp(address: $0, port: port) }
    }
}
