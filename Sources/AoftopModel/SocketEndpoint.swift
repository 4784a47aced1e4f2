/// Where a socket is bound or connected: a TCP address and port, or a unix socket path.
///
/// JSON: `{"tcp":"127.0.0.1:6379"}`, `{"tcp":"[::1]:6379"}`, `{"unix":"/run/redis/redis.sock"}`.
public enum SocketEndpoint: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case tcp(address: IPAddress, port: Int)
    /// A filesystem path, `@name` for an abstract socket, or "" for an unnamed one (as `/proc/net/unix` shows it).
    case unix(path: String)

    public var tcpPort: Int? {
        if case .tcp(_, let port) = self { return port }
        return nil
    }

    public var unixPath: String? {
        if case .unix(let path) = self { return path }
        return nil
    }

    /// `127.0.0.1:6379`, `[::]:6379`, or the unix path.
    public var description: String {
        switch self {
        case .tcp(let address, let port): address.isV6 ? "[\(address)]:\(port)" : "\(address):\(port)"
        case .unix(let path): path
        }
    }

    /// TCP first (by address, then port), then unix paths.
    public static func < (a: SocketEndpoint, b: SocketEndpoint) -> Bool {
        switch (a, b) {
        case (.tcp(let x, let p), .tcp(let y, let q)): x < y || (x == y && p < q)
        case (.tcp, .unix): true
        case (.unix, .tcp): false
        case (.unix(let x), .unix(let y)): x < y
        }
    }

    private enum CodingKeys: String, CodingKey { case tcp, unix }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let path = try c.decodeIfPresent(String.self, forKey: .unix) {
            self = .unix(path: path)
            return
        }
        let text = try c.decode(String.self, forKey: .tcp)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw DecodingError.dataCorruptedError(forKey: .tcp, in: c, debugDescription: "not ADDRESS:PORT: \(text)")
        }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard let address = IPAddress(String(host)) else {
            throw DecodingError.dataCorruptedError(forKey: .tcp, in: c, debugDescription: "not an IP address: \(host)")
        }
        self = .tcp(address: address, port: port)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .tcp: try c.encode(description, forKey: .tcp)
        case .unix(let path): try c.encode(path, forKey: .unix)
        }
    }
}
