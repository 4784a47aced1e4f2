import AoftopModel

/// Turns a ledger's current sample into a `SocketCensus`: roles, listeners with their accepted clients, outbound
/// groups, TCP states and queues, top peers. Pure: two passes over the sample's fds, no I/O.
enum SocketCensusBuilder {
    /// One counter per role: a dictionary update per fd would hash in the hot loop.
    private struct RoleCounts {
        var listener = 0, inboundTCP = 0, inboundUnix = 0, outboundTCP = 0, unixClient = 0, other = 0, unresolved = 0

        var dictionary: [SocketRole: Int] {
            let all: [(SocketRole, Int)] = [(.listener, listener), (.inboundTCP, inboundTCP), (.inboundUnix, inboundUnix),
                                            (.outboundTCP, outboundTCP), (.unixClient, unixClient), (.other, other),
                                            (.unresolved, unresolved)]
            return Dictionary(uniqueKeysWithValues: all.filter { $0.1 > 0 })
        }
    }

    private struct Listener {
        var entry: SocketLedger.Entry
        var accepted = 0
    }

    static func census(of ledger: SocketLedger, tablesAgeMs: Int) -> SocketCensus {
        let entries = ledger.entries
        let slots = ledger.slots

        // Pass 1: the listeners (once per socket, however many fds hold one).
        var listeners: [Listener] = []
        var listenerInodes: Set<UInt64> = []
        for slot in slots {
            let entry = entries[Int(slot)]
            let listed = entry.table != .unread && entry.table != .none
            if entry.listening && listed && listenerInodes.insert(entry.inode).inserted {
                listeners.append(Listener(entry: entry))
            }
        }

        // Pass 2: every fd by role.
        var roles = RoleCounts()
        var states: [Int] = Array(repeating: 0, count: 256)
        var queues = SocketQueues()
        var peers: [IPAddress: Int] = [:]
        var outbound: [SocketEndpoint: Int] = [:]
        for slot in slots {
            let entry = entries[Int(slot)]
            switch entry.table {
            case .unread:
                roles.unresolved += 1
            case .none:
                roles.other += 1
            case .unix:
                if entry.listening {
                    roles.listener += 1
                } else if entry.unixPath >= 0, let l = listeners.firstIndex(where: {
                    $0.entry.table == .unix && $0.entry.unixPath == entry.unixPath
                }) {
                    roles.inboundUnix += 1
                    listeners[l].accepted += 1
                } else {
                    roles.unixClient += 1
                }
            case .tcp, .tcp6:
                if entry.listening {
                    roles.listener += 1
                    continue
                }
                states[Int(entry.state)] += 1
                if entry.sendQueue > 0 {
                    queues.sendBytes += Int(entry.sendQueue)
                    queues.sendingSockets += 1
                }
                if entry.receiveQueue > 0 {
                    queues.receiveBytes += Int(entry.receiveQueue)
                    queues.receivingSockets += 1
                }
                if let l = acceptingListener(of: entry, in: listeners) {
                    roles.inboundTCP += 1
                    listeners[l].accepted += 1
                    peers[entry.remote, default: 0] += 1
                } else {
                    roles.outboundTCP += 1
                    outbound[.tcp(address: entry.remote, port: Int(entry.remotePort)), default: 0] += 1
                }
            }
        }

        var stateCounts: [TCPState: Int] = [:]
        for code in states.indices where states[code] > 0 {
            stateCounts[TCPState(kernelCode: UInt8(code)), default: 0] += states[code]
        }
        let topPeers = peers.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(SocketCensus.maxListed).map { PeerCount(address: $0.key, count: $0.value) }
        let topOutbound = outbound.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(SocketCensus.maxListed).map { EndpointCount(endpoint: $0.key, count: $0.value) }
        let listening = listeners.map { summary($0, paths: ledger.paths) }.sorted { $0.endpoint < $1.endpoint }
        return SocketCensus(roles: roles.dictionary, listeners: listening, outbound: topOutbound,
                            outboundEndpoints: outbound.count, tcpStates: stateCounts, queues: queues,
                            topPeers: topPeers, distinctPeers: peers.count, tablesAgeMs: tablesAgeMs)
    }

    /// The listener that accepted `entry`: one on its local port, preferring the same table and a matching or
    /// wildcard address (a process may listen on one port at several addresses), else any on that port. Nil for
    /// an outbound connection.
    private static func acceptingListener(of entry: SocketLedger.Entry, in listeners: [Listener]) -> Int? {
        var fallback: Int?
        for (l, listener) in listeners.enumerated() {
            let candidate = listener.entry
            guard candidate.table != .unix, candidate.localPort == entry.localPort else { continue }
            if candidate.table == entry.table && (candidate.local == entry.local || candidate.local.isUnspecified) {
                return l
            }
            fallback = fallback ?? l
        }
        return fallback
    }

    private static func summary(_ listener: Listener, paths: [String]) -> SocketListener {
        let entry = listener.entry
        switch entry.table {
        case .unix:
            return SocketListener(endpoint: .unix(path: entry.unixPath >= 0 ? paths[Int(entry.unixPath)] : ""),
                                  accepted: listener.accepted)
        default:
            return SocketListener(endpoint: .tcp(address: entry.local, port: Int(entry.localPort)),
                                  accepted: listener.accepted, acceptQueue: Int(entry.receiveQueue))
        }
    }
}
