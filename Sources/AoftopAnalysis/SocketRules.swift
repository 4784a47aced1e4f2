import AoftopModel

/// The rules that name who holds the sockets: a client connection leak (rising, and from which peer), and dead
/// peers (connections in CLOSE_WAIT, or clients idle for hours) with the `timeout` and `tcp-keepalive` in force.
enum SocketRules {
    /// A leak is judged over up to this much history (the analysis keeps 15 minutes).
    static let leakWindowMs: Int64 = 10 * 60_000
    static let leakMinSpanMs: Int64 = 60_000
    static let leakMinRise = 20
    /// 36 connections an hour: slower than that is left to the forecast against maxclients.
    static let leakMinSlope = 0.01
    /// A peer carrying at least this share of the rise is named as the culprit.
    static let culpritShare = 0.5
    static let deadMinimum = 10
    static let idleHours = 1

    static func findings(_ f: Facts) -> [Finding] {
        var out: [Finding] = []
        if let leak = clientLeak(f) { out.append(leak) }
        if let dead = closeWait(f) { out.append(dead) }
        if let idle = idleClients(f) { out.append(idle) }
        return out
    }

    /// `timeout 0, tcp-keepalive 300` as CONFIG says, or what is unknown.
    static func settingsInForce(_ f: Facts) -> String {
        let config = f.snapshot.redis.value?.config.value
        let timeout = config?.timeout.map { $0 == 0 ? "timeout 0 (never)" : "timeout \($0) s" } ?? "timeout unknown"
        let keepalive = config?.tcpKeepalive.map { $0 == 0 ? "tcp-keepalive 0 (off)" : "tcp-keepalive \($0) s" }
            ?? "tcp-keepalive unknown"
        return "\(timeout), \(keepalive)"
    }

    private static func clientLeak(_ f: Facts) -> Finding? {
        let points = f.history.window(milliseconds: leakWindowMs).filter { $0.inboundClients != nil }
        let samples = points.map { (ms: $0.time.millisecondsSince1970, value: Double($0.inboundClients!)) }
        guard let first = points.first, let trend = SustainedRise(samples, minSpanMs: leakMinSpanMs),
              trend.isRising(minRise: Double(leakMinRise), minSlope: leakMinSlope) else { return nil }
        let rise = Int(trend.rise), slope = trend.slope, spanMs = trend.spanMs
        var headline = "client connections rising: +\(rise) in \(Rules.duration(Double(spanMs) / 1000)) "
            + "(+\(Rules.format(rounded(slope * 60, 1)))/min)"
        var remedy = "fix the client's connection handling (a pool that never closes, a reconnect without close)"
        if let census = f.snapshot.process.value?.sockets, let top = census.topPeers.first {
            // A peer not among the kept ones then had at most the smallest kept count: its rise is at least this.
            let kept = first.topPeers ?? []
            let before = kept.first { $0.address == top.address }?.count
                ?? (kept.count >= HistoryPoint.keptPeers ? kept.map(\.count).min() ?? 0 : 0)
            let peerRise = max(0, top.count - before)
            if Double(peerRise) >= culpritShare * Double(rise) {
                let share = census.share(of: top).map { ", \(Int(($0 * 100).rounded())) % of clients" } ?? ""
                let ofRise = min(100, Int((Double(peerRise) * 100 / Double(rise)).rounded()))
                headline += ", \(ofRise) % of it from \(top.address) "
                    + "(\(top.count) connections\(share))"
                remedy = "fix the connection handling of the client on \(top.address) (`ss -tnp` there names the "
                    + "process)"
            } else {
                headline += ", spread over \(census.distinctPeers) peers"
            }
        }
        remedy += "; \(settingsInForce(f)): a `timeout` closes idle ones meanwhile"
        return Finding(code: .clientLeak, severity: .warning, headline: headline, remedy: remedy)
    }

    /// Connections the peer closed and Redis has not: Redis closes a client as soon as it reads its EOF, so these
    /// are fds it does not serve: accepted past the event loop's limit, or an event loop that is stuck.
    private static func closeWait(_ f: Facts) -> Finding? {
        guard let census = f.snapshot.process.value?.sockets else { return nil }
        let waiting = census.count(.closeWait)
        guard waiting >= max(deadMinimum, census.inboundTCPClients / 20) else { return nil }
        let headline = "\(waiting) connections in CLOSE_WAIT: the peers hung up and Redis has not closed them"
        let remedy = f.limit.isExhausted
            ? "they were accepted past the event loop's limit and are never served: only a restart closes them"
            : "Redis is not reading them: its event loop is stuck (a slow command, a fork, a full disk); \(settingsInForce(f))"
        return Finding(code: .deadPeers, severity: .warning, headline: headline, remedy: remedy)
    }

    /// Clients idle for hours (`--client-list`): with `timeout 0` Redis keeps them forever, and a peer that vanished
    /// without a FIN stays ESTABLISHED until `tcp-keepalive` notices.
    private static func idleClients(_ f: Facts) -> Finding? {
        guard let list = f.clients.clientList else { return nil }
        let idle = list.idle.overOneHour
        guard idle >= max(deadMinimum, list.idle.counted / 10) else { return nil }
        let timeout = f.snapshot.redis.value?.config.value?.timeout
        // A timeout under an hour would have closed them: they are replicas, blocked or pub/sub clients.
        if let timeout, timeout > 0, timeout < idleHours * 3600 { return nil }
        return Finding(code: .deadPeers, severity: .warning,
            headline: "\(idle) of \(list.idle.counted) clients idle over \(idleHours) h (longest \(Rules.duration(Double(list.idle.longestSeconds))))",
            remedy: "\(settingsInForce(f)): `CONFIG SET timeout 3600` closes idle clients (not replicas, blocked or "
                + "pub/sub ones); `CONFIG SET tcp-keepalive 60` finds peers that vanished")
    }
}
