import AoftopModel
import RESP

/// Reads `CLIENT LIST` at most every `interval` seconds and repeats the last summary in between: the reply lists
/// every client (about 250 bytes each: 2.5 MB at 10,000 clients, and Redis builds it in its one thread), so it must
/// not come with every INFO. A denial (`NOPERM`, renamed away) is kept like CONFIG's, and asked again only after
/// `retryInterval`.
final class ClientListReader {
    let interval: Double
    let retryInterval: Double
    private var last: (reading: Reading<ClientListSummary>, at: Double)?

    init(interval: Double, retryInterval: Double = 60) {
        self.interval = interval
        self.retryInterval = retryInterval
    }

    func read(using client: RedisClient, now: Double) -> Reading<ClientListSummary> {
        if let last {
            let age = now - last.at
            if case .ok = last.reading, age < interval { return last.reading }
            if case .failed = last.reading, age < retryInterval { return last.reading }
        }
        let reading: Reading<ClientListSummary>
        do {
            // A longer round trip than INFO's: a failure here would also cost the INFO connection.
            switch try client.call(["CLIENT", "LIST"], timeout: max(client.timeout, Self.minimumTimeout)) {
            case .bulkString(let bytes?):
                reading = .ok(ClientListParser.summary(String(decoding: bytes, as: UTF8.self)))
            case .error(let message) where message.hasPrefix("NOPERM"):
                // Short: it is shown in a pane row of about 50 columns.
                reading = .failed("CLIENT LIST denied: the ACL needs +client|list")
            case .error(let message):
                reading = .failed("CLIENT LIST unavailable: \(message)")
            case let other:
                reading = .failed("CLIENT LIST returned an unexpected reply: \(other)")
            }
        } catch {
            // Kept like a refusal: asking again at once would cost the INFO connection again.
            reading = .failed("CLIENT LIST failed: \(error); asked again in \(Int(retryInterval)) s")
        }
        last = (reading, now)
        return reading
    }

    /// Seconds a `CLIENT LIST` reply may take at least, whatever `--timeout` says for INFO.
    static let minimumTimeout = 3.0
}
