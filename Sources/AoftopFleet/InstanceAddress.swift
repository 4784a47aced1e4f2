import RedisCollector

/// A target named on the command line: `HOST:PORT`, `[IPv6]:PORT`, `PORT` (on 127.0.0.1) or a unix socket path
/// (anything containing `/`).
public enum InstanceAddress {
    /// The endpoint `text` names, or a one-line reason it cannot be one.
    public static func parse(_ text: String) -> Result<RedisEndpoint, AddressError> {
        if text.contains("/") { return .success(.unix(path: text)) }
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.contains(":") {
            guard let split = HostPort.split(text) else {
                return .failure(AddressError(text.hasPrefix("[") ? "'\(text)' is not [IPv6]:PORT"
                                                                 : "'\(text)': write an IPv6 address as [ADDRESS]:PORT"))
            }
            host = String(split.host)
            portText = split.port
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            return .failure(AddressError("'\(text)' is not HOST:PORT, PORT (1-65535) or a socket path"))
        }
        return .success(.tcp(host: host, port: port))
    }
}

/// `HOST:PORT` or `[IPv6]:PORT` cut in two; `nil` when the text is neither (no colon, or a bare IPv6 address,
/// whose colons make the port ambiguous).
public enum HostPort {
    public static func split(_ text: String) -> (host: Substring, port: Substring)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            return (text[text.index(after: text.startIndex)..<close], text[text.index(close, offsetBy: 2)...])
        }
        guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return nil }
        return (text[..<colon], text[text.index(after: colon)...])
    }
}

public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
