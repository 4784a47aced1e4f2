import AoftopFleet
import Glibc

/// Where `aoftop metrics` listens: `127.0.0.1:9187`, `0.0.0.0:9187`, `:9187` (every IPv4 interface),
/// `[::1]:9187`, `localhost:9187`. IP literals only otherwise: a name that resolves to several addresses would
/// make the bound one a guess.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }

    public var ip: String
    public var port: UInt16
    public var family: Family

    public init(ip: String, port: UInt16, family: Family) {
        self.ip = ip
        self.port = port
        self.family = family
    }

    /// Parses `text`, or returns a one-line reason.
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        guard let split = HostPort.split(text) else {
            return .failure(ListenAddressError("--listen '\(text)' is not IP:PORT (e.g. 127.0.0.1:9187, [::1]:9187, :9187)"))
        }
        var host = split.host
        guard let port = UInt16(split.port) else {
            return .failure(ListenAddressError("--listen '\(text)': the port must be 0-65535"))
        }
        if host.isEmpty { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        // inet_pton: strict literals only (no `010.0.0.1`, read as octal by other parsers; no `1:2`).
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, String(host), &buffer) == 1 {
            return .success(ListenAddress(ip: String(host), port: port, family: .ipv4))
        }
        if inet_pton(AF_INET6, String(host), &buffer) == 1 {
            return .success(ListenAddress(ip: String(host), port: port, family: .ipv6))
        }
        return .failure(ListenAddressError("--listen '\(text)': use an IP address, not a host name"))
    }

    public var description: String { family == .ipv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}

public struct ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
