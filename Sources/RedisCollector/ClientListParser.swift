import AoftopModel

/// Summarises a `CLIENT LIST` reply: one line per client of `key=value` fields separated by spaces (no value holds
/// a space: Redis refuses names with spaces), e.g. `id=7 addr=10.0.0.7:51234 laddr=… fd=9 name=orders age=3600
/// idle=3599 flags=N db=0 … cmd=get user=default lib-name=jedis lib-ver=5.1.0`. Unknown fields are ignored and
/// missing ones count as empty, so Redis 2.8 through 7.x and Valkey all parse.
public enum ClientListParser {
    public static func summary(_ text: String) -> ClientListSummary {
        var addresses: [String: Int] = [:], names: [String: Int] = [:], libraries: [String: Int] = [:]
        var databases: [String: Int] = [:], commands: [String: Int] = [:]
        var idle = IdleBuckets()
        var clients = 0
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var fields: [Substring: Substring] = [:]
            for pair in line.split(separator: " ") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                fields[pair[..<equals]] = pair[pair.index(after: equals)...]
            }
            guard let addr = fields["addr"] else { continue }
            clients += 1
            addresses[host(ofAddress: addr), default: 0] += 1
            names[String(fields["name"] ?? ""), default: 0] += 1
            libraries[String(fields["lib-name"] ?? ""), default: 0] += 1
            databases[String(fields["db"] ?? "0"), default: 0] += 1
            commands[String(fields["cmd"] ?? ""), default: 0] += 1
            if let seconds = fields["idle"].flatMap({ Int($0) }), !isIdleByDesign(fields) { idle.add(idleSeconds: seconds) }
        }
        return ClientListSummary(clients: clients, byAddress: top(addresses), distinctAddresses: addresses.count,
                                 byName: top(names), byLibrary: top(libraries), byDatabase: top(databases),
                                 byCommand: top(commands), idle: idle)
    }

    /// Replicas (`S`), the master link (`M`), pub/sub subscribers (`P`, or `sub`/`psub` > 0) and blocked clients
    /// (`b`) wait without commands: their `idle` says nothing about a dead peer.
    static func isIdleByDesign(_ fields: [Substring: Substring]) -> Bool {
        let flags = fields["flags"] ?? ""
        if flags.contains(where: { "SMPb".contains($0) }) { return true }
        return (fields["sub"].flatMap { Int($0) } ?? 0) > 0 || (fields["psub"].flatMap { Int($0) } ?? 0) > 0
    }

    /// `10.0.0.7:51234` → `10.0.0.7`; `[::1]:51234` → `::1`; `/run/redis.sock:0` (a unix socket) → `unix`.
    static func host(ofAddress addr: Substring) -> String {
        if addr.hasPrefix("/") { return "unix" }
        guard let colon = addr.lastIndex(of: ":") else { return String(addr) }
        var host = addr[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return String(host)
    }

    /// The largest `ClientListSummary.topCount`, ties by name so the order is stable from one read to the next.
    static func top(_ counts: [String: Int]) -> [NamedCount] {
        counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(ClientListSummary.topCount)
            .map { NamedCount($0.key, $0.value) }
    }
}
