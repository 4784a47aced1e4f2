import AoftopModel

/// Maps the message part of a log line to a `LogEventKind` and pulls out the fields that kind carries.
///
/// Dispatch is a switch on the first byte followed by `memcmp` of known prefixes, so the ~98 % of lines that
/// match nothing cost a byte compare or two. Wording checked against Redis 2.8, 3.0, 3.2, 5, 6, 7 and Valkey
/// sources (`aof.c`, `rdb.c`, `networking.c`, `server.c`):
/// - start: `Server started, Redis version …` (≤ 3.2) and `Redis|Valkey version=…, just started` (≥ 4.0) —
///   each written exactly once per start at warning level, so they count restarts even at `loglevel warning`.
///   `Ready to accept connections` is not used: ≤ 3.2 words it differently and it is notice level.
/// - shutdown: `Received SIGTERM|SIGINT scheduling shutdown...`, `User requested shutdown...`,
///   `Redis|Valkey is now ready to exit, bye bye...` (one shutdown usually logs two of these).
enum MessageClassifier {
    /// Prefixes `kind` matches and `fill` reads a field right after: one literal and its derived end for both, so
    /// rewording a prefix moves the offset with it.
    private static let rewriteStart = LinePrefix("Starting automatic rewriting of AOF on ")
    private static let rewriteStarted = LinePrefix("Background append only file rewriting started by pid ")
    private static let rewriteOutcome = LinePrefix("Background AOF rewrite ")
    private static let pipesFailed = LinePrefix("Error opening /setting AOF rewrite IPC pipes")
    private static let registerFailed = LinePrefix("Error registering fd event for the new client")
    private static let fdLimitRaised = LinePrefix("Increased maximum number of open files to ")
    private static let syncBgsave = LinePrefix("Starting BGSAVE for SYNC")

    static func kind(_ m: ByteLine) -> LogEventKind {
        switch m.at(0) {
        case UInt8(ascii: "A"):
            if m.has("Accepting client connection: ", at: 0) { return .acceptFailed }
        case UInt8(ascii: "B"):
            if m.starts(with: rewriteOutcome) {
                let r = rewriteOutcome.end
                if m.has("terminated with success", at: r) || m.has("finished successfully", at: r) { return .aofRewriteDone }
                if m.has("terminated with error", at: r) || m.has("terminated by signal", at: r)
                    || m.has("killed by signal", at: r) { return .aofRewriteFailed }
                if m.has("has repeatedly failed", at: r) { return .aofRewriteLimited }
            } else if m.starts(with: rewriteStarted) {
                return .aofRewriteStarted
            }
        case UInt8(ascii: "C"):
            if m.has("Can't rewrite append only file in background: fork", at: 0) { return .aofForkFailed }
            if m.has("Can't save in background: fork", at: 0) { return .rdbForkFailed }
            // Redis 7 also creates an incr file at start-up (`… on server start`): only the rewrite one counts.
            if m.has("Creating AOF incr file ", at: 0), m.hasSuffix(" on background rewrite") { return .aofIncrFileCreated }
            if let r = m.offset(after: "Current maximum open files is "), m.index(of: "maxclients has been reduced", from: r) != nil {
                return .maxclientsReduced
            }
        case UInt8(ascii: "E"):
            if m.starts(with: pipesFailed) { return .aofPipesFailed }
            if m.starts(with: registerFailed) { return .clientRegisterFailed }
            if m.has("Error accepting a client connection", at: 0) { return .acceptFailed }
        case UInt8(ascii: "I"):
            if m.starts(with: fdLimitRaised) { return .fdLimitRaised }
        case UInt8(ascii: "K"):
            if m.has("Killing running AOF rewrite child", at: 0) { return .aofRewriteChildKilled }
        case UInt8(ascii: "R"):
            if m.has("Redis version=", at: 0), m.hasSuffix("just started") { return .serverStart }
            if m.has("Redis is now ready to exit", at: 0) { return .serverShutdown }
            if m.has("Redis can't set maximum open files", at: 0) { return .maxclientsReduced }
            if let r = m.offset(after: "Received SIG"), m.index(of: " scheduling shutdown", from: r) != nil { return .serverShutdown }
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            // `%d changes in %d seconds. Saving...` (serverCron, when a `save` point is reached).
            if m.hasSuffix(" seconds. Saving..."), m.index(of: " changes in ", from: 1) != nil { return .rdbSaveScheduled }
        case UInt8(ascii: "S"):
            if m.starts(with: rewriteStart) { return .aofRewriteStart }
            // `… with target: disk`, `… with target: replicas sockets` (`slaves sockets` before 5.0; Valkey 8 adds
            // ` using: normal sync|dual-channel`, Redis 8 ` (rdb-channel)`); 2.8 names no target.
            if m.starts(with: syncBgsave) {
                return m.index(of: " sockets", from: syncBgsave.end) != nil ? .disklessSyncStart : .replicaSyncStart
            }
            if m.has("Server started, Redis version", at: 0) { return .serverStart }
            if m.has("Server can't set maximum open files", at: 0) { return .maxclientsReduced }
        case UInt8(ascii: "U"):
            if m.has("User requested shutdown", at: 0) { return .serverShutdown }
        case UInt8(ascii: "V"):
            if m.has("Valkey version=", at: 0), m.hasSuffix("just started") { return .serverStart }
            if m.has("Valkey is now ready to exit", at: 0) { return .serverShutdown }
            if m.has("Valkey can't set maximum open files", at: 0) { return .maxclientsReduced }
        case UInt8(ascii: "W"):
            if m.has("Warning: no config file specified", at: 0) { return .noConfigFile }
        case UInt8(ascii: "Y"):
            if m.has("You requested maxclients of ", at: 0) { return .maxclientsReduced }
        default:
            break
        }
        return .other
    }

    /// The kind-specific fields of an event; `event.kind` and `event.message` are already set.
    static func fill(_ event: inout LogEvent, message m: ByteLine) {
        switch event.kind {
        case .aofRewriteStart:
            event.growthPercent = m.number(from: rewriteStart.end)?.value
        case .aofForkFailed, .rdbForkFailed, .replicaSyncForkFailed, .disklessSyncForkFailed:
            if let error = m.offset(afterFirst: "fork: ", from: 0) { event.error = m.string(error, m.count) }
        case .aofPipesFailed:
            if let error = m.offset(afterFirst: ": ", from: pipesFailed.end) { event.error = m.string(error, m.count) }
        case .clientRegisterFailed:
            if let error = m.offset(afterFirst: ": ", from: registerFailed.end) {
                event.error = m.string(error, errorEnd(m, from: error))
            }
            // `(fd=1129)` (≤ 5.x) or `(conn: fd=329)` (6.x, when a client cannot be set up); 7.x words it
            // `… (addr=… laddr=…)`, without the fd. From 6.0 an fd ≥ setsize is not logged at all: the client hangs.
            if let at = m.offset(afterFirst: "fd=", from: registerFailed.end), let fd = m.number(from: at) {
                event.fd = Int(fd.value)
            }
        case .acceptFailed:
            if let error = m.offset(afterFirst: ": ", from: 0) { event.error = m.string(error, errorEnd(m, from: error)) }
        case .aofRewriteStarted:
            if let pid = m.number(from: rewriteStarted.end), pid.value <= Int64(Int32.max) { event.childPid = Int32(pid.value) }
        case .aofRewriteLimited:
            if let at = m.offset(afterFirst: "retry in ", from: rewriteOutcome.end) { event.value = m.number(from: at)?.value }
        case .fdLimitRaised:
            event.value = m.number(from: fdLimitRaised.end)?.value
        case .maxclientsReduced:
            if let at = m.offset(afterFirst: "reduced to ", from: 0) { event.value = m.number(from: at)?.value }
        default:
            break
        }
    }

    /// Where an error text ends: before a trailing ` (fd=…)`, ` (addr=… laddr=…)` or ` (conn: …)` detail.
    private static func errorEnd(_ m: ByteLine, from: Int) -> Int {
        guard m.at(m.count - 1) == UInt8(ascii: ")") else { return m.count }
        let detail: StaticString = " ("
        var end = m.count
        var i = from
        while let open = m.index(of: detail, from: i) {
            end = open
            i = open + detail.utf8CodeUnitCount
        }
        return end
    }
}
