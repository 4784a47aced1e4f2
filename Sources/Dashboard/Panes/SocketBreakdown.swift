import AoftopAnalysis
import AoftopModel
import TextGrid

/// The rows under pane 1's series: who holds the sockets. Pure text, most important first, so a short pane keeps
/// the top of the list: the client limit, roles, TCP states and queues, top peers, outbound links, and (with
/// `--client-list`) client names and idle times. A row with nothing to say is left out.
enum SocketBreakdown {
    struct Row: Equatable {
        var label: String
        var text: String
        var role: CellRole
    }

    static func rows(_ assessment: Assessment?) -> [Row] {
        guard let a = assessment else { return [] }
        var rows: [Row] = []
        if let row = clients(a.clients) { rows.append(row) }
        if let census = a.sockets {
            rows.append(Row(label: "roles", text: roles(census), role: .normal))
            if let states = states(census) { rows.append(states) }
            if !census.topPeers.isEmpty { rows.append(Row(label: "peers", text: peers(census), role: .normal)) }
            if !census.outbound.isEmpty {
                // A replica's link to its master is named as such: it is not a client.
                let groups = census.outbound.map { group in
                    let role = a.master?.isReached(at: group.endpoint) == true ? "master "
                        : Self.isClusterBus(group.endpoint, census) ? "bus " : ""
                    return role + "\(group.endpoint) \(group.count)"
                }
                rows.append(Row(label: "out", text: list(groups, more: census.outboundEndpoints - census.outbound.count),
                                role: .normal))
            }
        }
        if let failure = a.clients.clientListFailure {
            rows.append(Row(label: "names", text: failure, role: .warn))
        } else if let summary = a.clients.clientList {
            let names = summary.byName.map { "\($0.name.isEmpty ? "(no name)" : $0.name) \($0.count)" }
            rows.append(Row(label: "names", text: list(names), role: .normal))
            let idle = summary.idle
            rows.append(Row(label: "idle", text: "<1m \(idle.underOneMinute) · <10m \(idle.underTenMinutes) · "
                + "<1h \(idle.underOneHour) · >1h \(idle.overOneHour)", role: idle.overOneHour > 0 ? .warn : .normal))
        }
        return rows
    }

    /// `812/1,000 maxclients 81 % · rejected 3/min · blocked 2`.
    /// Without INFO the count is unknown, and the row says so rather than vanish: Redis refusing aoftop itself at
    /// maxclients is exactly when this row matters.
    static func clients(_ c: ClientLimitAssessment) -> Row? {
        guard let count = c.clients else {
            if c.refusal == .maxclients {
                return Row(label: "clients", text: "refused at maxclients\(c.maxclients.map { " \(Format.count($0))" } ?? ""): "
                    + "Redis refused aoftop too, no count", role: .critical)
            }
            return c.maxclients.map { Row(label: "clients", text: "?/\(Format.count($0)) maxclients (no INFO)", role: .dim) }
        }
        var parts = ["\(Format.count(count))/\(Format.count(c.maxclients)) maxclients"
            + (c.percent.map { " \(Format.decimal($0, digits: 0)) %" } ?? "")]
        if let rate = c.rejectedPerMinute, rate > 0 { parts.append("rejected \(Format.decimal(rate, digits: 1))/min") }
        if let blocked = c.blockedClients, blocked > 0 { parts.append("blocked \(Format.count(blocked))") }
        let role: CellRole = switch c.state {
        case .reached: .critical
        case .near: .warn
        case .ok, .unknown: .normal
        }
        return Row(label: "clients", text: parts.joined(separator: " · "), role: role)
    }

    /// `in 812 · out 1 · unix 3 · listen 2`: the roles present, in `SocketRole` order.
    static func roles(_ census: SocketCensus) -> String {
        let names: [SocketRole: String] = [.listener: "listen", .inboundTCP: "in", .inboundUnix: "unix in",
                                           .outboundTCP: "out", .unixClient: "unix", .other: "other", .unresolved: "new"]
        let present = SocketRole.allCases.filter { census.count($0) > 0 }
            .map { "\(names[$0] ?? $0.rawValue) \(Format.count(census.count($0)))" }
        return present.isEmpty ? "no sockets" : present.joined(separator: " · ")
    }

    /// `established 790 · close_wait 20 · recv-q 3 (1.2 KiB)`; warn on CLOSE_WAIT or unread input.
    static func states(_ census: SocketCensus) -> Row? {
        var parts = TCPState.allCases.filter { census.count($0) > 0 }
            .map { "\($0.rawValue) \(Format.count(census.count($0)))" }
        let q = census.queues
        if q.receivingSockets > 0 { parts.append("recv-q \(q.receivingSockets) (\(Format.bytes(Int64(q.receiveBytes))))") }
        if q.sendingSockets > 0 { parts.append("send-q \(q.sendingSockets) (\(Format.bytes(Int64(q.sendBytes))))") }
        guard !parts.isEmpty else { return nil }
        if census.tablesAgeMs >= 1000 { parts.append("\(Format.age(Double(census.tablesAgeMs) / 1000)) ago") }
        let role: CellRole = census.count(.closeWait) > 0 || q.receivingSockets > 0 ? .warn : .normal
        return Row(label: "states", text: parts.joined(separator: " · "), role: role)
    }

    /// `10.0.0.7 612 75% · 10.0.0.8 100 12% · (+3 more)`.
    static func peers(_ census: SocketCensus) -> String {
        let listed = census.topPeers.map { peer in
            "\(peer.address) \(Format.count(peer.count))" + (census.share(of: peer).map { " \(Int(($0 * 100).rounded()))%" } ?? "")
        }
        return list(listed, more: census.distinctPeers - census.topPeers.count)
    }

    /// Cluster nodes dial each other's bus port, client port + 10000 (`cluster-port` aside): a link to that port
    /// number, when this process listens on both it and the port 10000 below, is the cluster bus.
    static func isClusterBus(_ endpoint: SocketEndpoint, _ census: SocketCensus) -> Bool {
        guard let port = endpoint.tcpPort else { return false }
        let listening = Set(census.listeners.compactMap(\.endpoint.tcpPort))
        return listening.contains(port) && listening.contains(port - 10000)
    }

    private static func list(_ items: [String], more: Int = 0) -> String {
        items.joined(separator: " · ") + (more > 0 ? " · +\(more) more" : "")
    }
}
