/// Where the Redis server listens.
public enum RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `host` may be a name, an IPv4 literal or an IPv6 literal (without brackets).
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// `127.0.0.1:6379`, `[::1]:6379` or `/run/redis.sock`, as in error messages.
    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}
