import RedisCollector

/// A target named on the command line: `HOST:PORT`, `[IPv6]:PORT`, `PORT` (on 127.0.0.1) or a unix socket path
/// (anything containing `/`).
public enum InstanceAddress {
    /// The endpoint `text` names, or a one-line reason it cannot be one.
    public static func parse(_ text: String) -> Result<RedisEndpoint, AddressError> {
        if text.contains("/") { return .success(.unix(path: text)) }
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(AddressError("'\(text)' is not [IPv6]:PORT"))
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else {
                return .failure(AddressError("'\(text)': write an IPv6 address as [ADDRESS]:PORT"))
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            return .failure(AddressError("'\(text)' is not HOST:PORT, PORT (1-65535) or a socket path"))
        }
        return .success(.tcp(host: host, port: port))
    }
}

public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
