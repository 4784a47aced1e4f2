
/// Everything that can go wrong talking to Redis. `description` is the one line an operator sees.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host name could not be resolved (`reason` from `gai_strerror`).
    case cannotResolve(host: String, reason: String)
    case connectionRefused(endpoint: String)
    /// `doing` completes "timed out after 1.0 s …", e.g. `connecting to 127.0.0.1:6390`.
    case timedOut(seconds: Double, doing: String)
    case connectionReset(endpoint: String)
    /// The server closed the connection (EOF) before replying.
    case connectionClosed(endpoint: String)
    /// The server greeted a new connection with an error and closed it before any command, e.g.
    /// `ERR max number of clients reached` (see `RedisRefusal`).
    case refusedByServer(endpoint: String, message: String)
    /// The peer answered with something that is not RESP; `preview` is the start of its reply.
    case notRedis(preview: String)
    /// The reply was RESP but broken or over a decoder limit.
    case protocolViolation(String)
    /// AUTH was refused (`WRONGPASS …`, `ERR invalid password`, …).
    case authenticationFailed(String)
    /// The server wants a password and none (or AUTH was not accepted for this command) was given.
    case noAuth(String)
    /// Any other system call failure, already phrased (`connect to /tmp/x.sock: No such file or directory`).
    case system(String)
    /// The password file or environment could not be used.
    case credentials(String)
    /// A command outside the read-only allow-list: a programming error in aoftop, never sent.
    case commandNotAllowed(String)

    public var description: String {
        switch self {
        case .cannotResolve(let host, let reason): return "cannot resolve host \"\(host)\": \(reason)"
        case .connectionRefused(let endpoint): return "connection refused by \(endpoint)"
        case .timedOut(let seconds, let doing): return "timed out after \(formatSeconds(seconds)) s \(doing)"
        case .connectionReset(let endpoint): return "connection reset by peer (\(endpoint))"
        case .connectionClosed(let endpoint): return "connection closed by \(endpoint)"
        case .refusedByServer(let endpoint, let message): return "\(endpoint) refused new clients: \(message)"
        case .notRedis(let preview): return "not a Redis server (got \"\(preview)\")"
        case .protocolViolation(let text): return text
        case .authenticationFailed(let message): return "authentication failed: \(message)"
        case .noAuth(let message): return message
        case .system(let text): return text
        case .credentials(let text): return text
        case .commandNotAllowed(let command): return "command not allowed (aoftop sends only INFO, PING, CONFIG GET, and CLIENT LIST with --client-list): \(command)"
        }
    }
}

/// `1.0`, `0.25`, `30.0`: at least one decimal, no float noise.
func formatSeconds(_ seconds: Double) -> String {
    // Integer arithmetic on the rounded hundredths instead of `String(format:)` (full Foundation only): the same
    // text as "%.1f" when the last digit is 0, else "%.2f".
    let hundredths = (seconds * 100).rounded()
    guard hundredths.isFinite, abs(hundredths) < 1e15 else { return "\(seconds)" }
    let value = Int64(hundredths)
    let sign = value < 0 ? "-" : ""
    let magnitude = value.magnitude
    let whole = magnitude / 100, fraction = magnitude % 100
    if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
    return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
}
