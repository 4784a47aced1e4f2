/// What a Redis server says when it refuses a new client at `maxclients` (before any command, then it closes the
/// connection). Kept in one place: the collector's failure reason carries it and the analysis recognises it.
public enum RedisRefusal {
    /// The error text of every Redis from 2.6 to 7.x and Valkey 8.
    public static let maxClientsReached = "max number of clients reached"

    /// Whether a failure reason is that refusal.
    public static func isMaxClientsReached(_ reason: String) -> Bool {
        reason.utf8.count >= maxClientsReached.utf8.count && reason.lowercased().contains(maxClientsReached)
    }
}
