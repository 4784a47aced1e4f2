import AoftopModel
import RESP

/// Reads `RedisConfig` through a `RedisClient`, coping with every server generation and with CONFIG being
/// unavailable.
///
/// - Redis ≥ 7 answers one `CONFIG GET` with many patterns; older servers reject that with a wrong-arity
///   error, so the reader falls back to one `CONFIG GET` per parameter and remembers, per connection, which
///   mode works.
/// - CONFIG renamed away (`ERR unknown command`) or denied by ACL (`NOPERM`) yields
///   `.failed("CONFIG unavailable: …")`; the verdict is cached and retried only after `retryInterval` seconds
///   or on a new connection, so each sample costs one INFO and nothing else.
final class ConfigReader {
    private enum Mode { case unknown, multiplePatterns, onePatternPerCall }

    let retryInterval: Double
    private var mode = Mode.unknown
    private var generation = -1
    private var unavailable: (reason: String, retryAt: Double)?

    init(retryInterval: Double = 60) { self.retryInterval = retryInterval }

    func read(using client: RedisClient, now: Double) -> Reading<RedisConfig> {
        if client.connectionGeneration != generation {
            generation = client.connectionGeneration
            mode = .unknown
            unavailable = nil
        }
        if let unavailable, now < unavailable.retryAt { return .failed(unavailable.reason) }
        unavailable = nil
        do {
            return .ok(ConfigParser.config(from: try fetch(using: client)))
        } catch let refusal as Refusal {
            let reason = "CONFIG unavailable: \(refusal.message)"
            unavailable = (reason, now + retryInterval)
            return .failed(reason)
        } catch {
            return .failed("CONFIG GET failed: \(error)")
        }
    }

    /// The server refused CONFIG as such (renamed or denied), as opposed to disliking our arguments.
    private struct Refusal: Error { let message: String }

    private func fetch(using client: RedisClient) throws -> [String: String] {
        if mode != .onePatternPerCall {
            let reply = try client.call(["CONFIG", "GET"] + ConfigParser.parameters)
            switch reply {
            case .array(let items?):
                mode = .multiplePatterns
                return ConfigParser.pairs(from: items.map(\.text))
            case .error(let message):
                if Self.isRefusal(message) { throw Refusal(message: Self.shorten(message)) }
                // `ERR Wrong number of arguments for CONFIG get` (≤ 6.0) or `ERR Unknown subcommand or wrong
                // number of arguments for 'get'` (6.2): this server takes one pattern per call.
                mode = .onePatternPerCall
            default:
                throw RedisError.protocolViolation("unexpected CONFIG GET reply: \(reply)")
            }
        }
        var values: [String: String] = [:]
        for parameter in ConfigParser.parameters {
            let reply = try client.call(["CONFIG", "GET", parameter])
            switch reply {
            case .array(let items?):
                values.merge(ConfigParser.pairs(from: items.map(\.text))) { first, _ in first }
            case .error(let message) where Self.isRefusal(message):
                throw Refusal(message: Self.shorten(message))
            default:
                continue // an error about one parameter leaves just that parameter nil
            }
        }
        return values
    }

    /// `NOPERM …` (ACL) or `ERR unknown command 'CONFIG'…` (renamed away); "unknown subcommand" is not one.
    static func isRefusal(_ message: String) -> Bool {
        message.hasPrefix("NOPERM") || message.lowercased().contains("unknown command")
    }

    private static func shorten(_ message: String) -> String {
        message.count <= 120 ? message : String(message.prefix(119)) + "…"
    }
}
