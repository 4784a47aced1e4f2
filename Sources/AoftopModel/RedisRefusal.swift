/// What a Redis server says when it refuses a new client at `maxclients` (before any command, then it closes the
/// connection). Kept in one place: the collector's failure reason carries it and the analysis recognises it.
public enum RedisRefusal {
    /// `-ERR max number of clients reached` (Redis 2.6 to 7.x, Valkey), or in cluster mode `-ERR max number of clients
    /// + cluster connections reached` (Redis 7, Valkey 8): both start with this and end with `reached`.
    public static let maxClientsReached = "max number of clients"

    /// Whether a failure reason is that refusal.
    public static func isMaxClientsReached(_ reason: String) -> Bool {
        let lower = reason.lowercased()
        guard let start = lower.firstRange(of: maxClientsReached) else { return false }
        return lower[start.upperBound...].contains("reached")
    }
}
