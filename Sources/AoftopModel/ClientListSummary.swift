/// What `CLIENT LIST` said, summarised: who holds the connections. Read only with `--client-list` (it needs
/// `+client|list` in the ACL, and lists every client: a few MB at 10,000 clients), at most every few seconds.
public struct ClientListSummary: Sendable, Codable, Equatable {
    /// At most this many entries per `by…` list, largest first.
    public static let topCount = 8

    public var clients: Int
    /// Client addresses without the port (`10.0.0.7`, `::1`, `unix` for a unix socket), most clients first.
    public var byAddress: [NamedCount]
    public var distinctAddresses: Int
    /// `CLIENT SETNAME` names; `""` for the clients that set none.
    public var byName: [NamedCount]
    /// `lib-name` (Redis ≥ 7.2, Valkey): the client library; `""` when not sent.
    public var byLibrary: [NamedCount]
    /// The selected database, `"0"`…
    public var byDatabase: [NamedCount]
    /// The last command of each client (`get`, `blpop`, `client|list`…).
    public var byCommand: [NamedCount]
    public var idle: IdleBuckets

    public init(clients: Int = 0, byAddress: [NamedCount] = [], distinctAddresses: Int = 0, byName: [NamedCount] = [],
                byLibrary: [NamedCount] = [], byDatabase: [NamedCount] = [], byCommand: [NamedCount] = [],
                idle: IdleBuckets = IdleBuckets()) {
        self.clients = clients
        self.byAddress = byAddress
        self.distinctAddresses = distinctAddresses
        self.byName = byName
        self.byLibrary = byLibrary
        self.byDatabase = byDatabase
        self.byCommand = byCommand
        self.idle = idle
    }

    private enum CodingKeys: String, CodingKey {
        case clients, idle
        case byAddress = "by_address"
        case distinctAddresses = "distinct_addresses"
        case byName = "by_name"
        case byLibrary = "by_library"
        case byDatabase = "by_database"
        case byCommand = "by_command"
    }
}

/// One value and how many clients have it.
public struct NamedCount: Sendable, Codable, Equatable {
    public var name: String
    public var count: Int

    public init(_ name: String, _ count: Int) {
        self.name = name
        self.count = count
    }
}

/// Clients by how long they have been idle (`idle=` seconds): connections idle for hours from a peer that is gone
/// are what `timeout` and `tcp-keepalive` clean up. Clients idle by design are left out: replicas, the master link,
/// pub/sub subscribers and clients blocked in a command (`timeout` does not close them either).
public struct IdleBuckets: Sendable, Codable, Equatable {
    public var underOneMinute: Int
    public var underTenMinutes: Int
    public var underOneHour: Int
    public var overOneHour: Int
    /// The longest idle time, in seconds.
    public var longestSeconds: Int

    /// The clients in the buckets.
    public var counted: Int { underOneMinute + underTenMinutes + underOneHour + overOneHour }

    public init(underOneMinute: Int = 0, underTenMinutes: Int = 0, underOneHour: Int = 0, overOneHour: Int = 0,
                longestSeconds: Int = 0) {
        self.underOneMinute = underOneMinute
        self.underTenMinutes = underTenMinutes
        self.underOneHour = underOneHour
        self.overOneHour = overOneHour
        self.longestSeconds = longestSeconds
    }

    /// Counts one client idle for `seconds`.
    public mutating func add(idleSeconds seconds: Int) {
        switch seconds {
        case ..<60: underOneMinute += 1
        case ..<600: underTenMinutes += 1
        case ..<3600: underOneHour += 1
        default: overOneHour += 1
        }
        longestSeconds = max(longestSeconds, seconds)
    }

    private enum CodingKeys: String, CodingKey {
        case underOneMinute = "under_1m"
        case underTenMinutes = "under_10m"
        case underOneHour = "under_1h"
        case overOneHour = "over_1h"
        case longestSeconds = "longest_seconds"
    }
}
