import AoftopModel

/// The rules about the client limit (`maxclients`), apart from the fd rules: a client count at `maxclients` is
/// refused with `-ERR max number of clients reached` while the fds are fine, and needs another remedy.
enum ClientRules {
    /// `CONFIG SET maxclients` raises the soft fd limit itself (`adjustOpenFilesLimit`), up to the hard one.
    static let remedyMaxclients = "find who holds the connections (top peers, `CLIENT LIST`) and fix its pool; "
        + "`CONFIG SET maxclients N` raises the limit at once if Redis can raise its fd limit to N + 32 (the hard "
        + "limit, `grep 'open files' /proc/PID/limits`); otherwise it answers how far it can go"

    /// Measured on Redis 7.0.15: a client from 127.0.0.2 with no password set gets `-DENIED … protected mode` and
    /// `rejected_connections` counts it.
    static let remedyBelowLimit = "protected-mode is on and Redis counts its denials there too (a client from "
        + "another address while the default user has no password); give those clients a password or an ACL user"

    static func findings(_ f: Facts) -> [Finding] {
        let c = f.clients
        let limit = c.maxclients.map { " \($0)" } ?? ""
        let count = c.clients.flatMap { n in c.maxclients.map { "\(n)/\($0) clients" } }
        let rejected = c.rejectedPerMinute.flatMap { $0 > 0 ? "\(Rules.format($0)) rejected/min" : nil }
        if c.refusal == .maxclients, c.state == .reached {
            // With no INFO (Redis refused aoftop too), the refusal itself is the evidence.
            let detail = [count, rejected].compactMap { $0 }.joined(separator: ", ")
            return [Finding(code: .maxclientsReached, severity: .critical,
                headline: "clients refused at maxclients\(limit)"
                    + (detail.isEmpty ? " (Redis refused aoftop's connection)" : " (\(detail))") + fdsFine(f),
                remedy: remedyMaxclients)]
        }
        var out: [Finding] = []
        if let rejected, c.refusal == .belowLimit {
            out.append(Finding(code: .connectionsRejected, severity: .warning,
                headline: "connections rejected while the clients stayed below \(Int(ClientLimitAssessment.rejectedNearPercent)) % "
                    + "of maxclients\(limit): \(rejected)" + (count.map { ", \($0)" } ?? ""),
                remedy: remedyBelowLimit))
        } else if let rejected, c.refusal == .maxclients {
            // Out of fds, rejections are the fd limit's business (its own finding); only at maxclients are they this.
            return [Finding(code: .connectionsRejected, severity: .critical,
                headline: "connections rejected at maxclients\(limit): \(rejected)" + (count.map { ", \($0) now" } ?? "")
                    + fdsFine(f),
                remedy: remedyMaxclients)]
        }
        guard c.state == .near || c.forecast.status == .rising else { return out }
        var headline = "clients at \(Rules.format(c.percent ?? 0)) % of maxclients" + (count.map { " (\($0))" } ?? "")
        var severity = Severity.warning
        if c.forecast.status == .rising, let seconds = c.forecast.seconds, let slope = c.forecast.slopePerS {
            headline += ", maxclients in \(Rules.duration(seconds)) (+\(Rules.format(slope)) clients/s)"
            // A forecast alone (the count still low) warns; near the limit and soon, it is critical.
            if seconds <= Rules.criticalEtaSeconds, c.state == .near { severity = .critical }
        }
        out.append(Finding(code: .maxclientsNear, severity: severity, headline: headline, remedy: remedyMaxclients))
        return out
    }

    /// "the fds are fine" with their figures, when they are: what tells this state from the fd limits.
    private static func fdsFine(_ f: Facts) -> String {
        guard !f.limit.isExhausted, let total = f.snapshot.process.value?.fds.total, let effective = f.limit.effective
        else { return "" }
        return "; fds fine: \(total)/\(effective) \(Rules.limitName(f.limit))"
    }
}
