/// A replica's master as INFO names it (`master_host`, `master_port`): the host may be a name or an address.
/// JSON: the string `host:port`.
public struct ReplicationMaster: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// Whether a connection to `endpoint` is the link to this master: the same port, and the same address (a host
    /// name other than `localhost` cannot be matched without resolving it, which a census never does).
    public func isReached(at endpoint: SocketEndpoint) -> Bool {
        guard case .tcp(let address, let port) = endpoint, port == self.port else { return false }
        if host == "localhost" { return true }
        return IPAddress(host).map { $0 == address } ?? false
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not host:port: \(text)"))
        }
        self.init(host: String(text[..<colon]), port: port)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension RedisSample {
    /// `master_host` and `master_port` together: a replica's master.
    public var master: ReplicationMaster? {
        masterHost.flatMap { host in masterPort.map { ReplicationMaster(host: host, port: $0) } }
    }
}
