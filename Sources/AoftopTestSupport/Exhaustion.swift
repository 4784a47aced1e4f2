import Foundation

/// Drives a real server (with the leak shim) to its fd limit before aoftop is started, the way the incident
/// looks when an operator reaches for aoftop: pipes leaked by failed AOF rewrite forks, then clients filling the
/// rest, until every new client is refused.
public final class Exhaustion: @unchecked Sendable {
    // @unchecked: the sockets are only touched by the test that owns this value.
    /// A connection opened before the limit was reached: Redis still serves it (-1 once closed).
    public private(set) var control: Int32
    /// Client connections that were served; held open so the limit stays reached.
    public private(set) var clients: [Int32] = []

    private init(control: Int32) { self.control = control }

    deinit { close() }

    /// Closes every connection, once: a second `close` of a number another thread has reused since would close
    /// that thread's file.
    public func close() {
        (clients + (control >= 0 ? [control] : [])).forEach { Glibc.close($0) }
        clients = []
        control = -1
    }

    /// Leaks pipes until `pipeFds` pipe fds are open (forks failing, shim leaking), stops the retries over a
    /// connection opened before (`CONFIG SET auto-aof-rewrite-percentage 0`), then opens clients until the server's
    /// lowest free fd number is `maxclients + 128` (the event loop's setsize: every new client is refused from then
    /// on), read from `/proc`, not guessed from replies, so a loaded machine's slow answers cannot end it early.
    /// With `stopRetries: false` forks keep failing (the EMFILE regime, where the leak itself reaches the limit).
    public static func drive(_ server: RedisServer, pipeFds: Int, stopRetries: Bool = true, fillClients: Bool = true,
                             timeout: Double = 60) throws -> Exhaustion {
        let control = try Loopback.connect(port: server.port, timeout: 5)
        let exhaustion = Exhaustion(control: control)
        guard command(control, ["PING"]).hasPrefix("+PONG") else { throw FixtureError("control connection got no PONG") }
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        guard RedisServer.waitUntil(timeout: timeout, { server.countFds(withTargetPrefix: "pipe:") >= pipeFds }) else {
            throw FixtureError("only \(server.countFds(withTargetPrefix: "pipe:")) pipe fds after \(timeout) s (wanted \(pipeFds))")
        }
        if stopRetries {
            guard command(control, ["CONFIG", "SET", "auto-aof-rewrite-percentage", "0"]).hasPrefix("+OK") else {
                throw FixtureError("CONFIG SET over the control connection failed")
            }
            try server.setForkFailure(false)
            // Let a tick that was already under way log its line before anyone counts them.
            usleep(300_000)
        }
        guard fillClients else { return exhaustion }
        let setsize = server.options.maxclients + 128
        let deadline = Date().addingTimeInterval(timeout)
        // Twice, half a second apart: Redis opens its log for every line it writes, so one look can find a hole taken
        // for a moment.
        func limitReached() -> Bool {
            guard server.lowestFreeFd() >= setsize else { return false }
            usleep(500_000)
            return server.lowestFreeFd() >= setsize
        }
        while !limitReached() {
            guard Date() < deadline else {
                throw FixtureError("lowest free fd \(server.lowestFreeFd()) < setsize \(setsize) after \(timeout) s")
            }
            let before = server.lowestFreeFd()
            let fd = try Loopback.connect(port: server.port, timeout: 5)
            exhaustion.clients.append(fd)
            // The server takes the connection's fd when its event loop accepts it.
            _ = RedisServer.waitUntil(timeout: 5, interval: 0.005) { server.lowestFreeFd() != before }
        }
        return exhaustion
    }

    /// Sends one command as RESP and returns the first line of the reply ("" on timeout or EOF).
    @discardableResult
    public static func command(_ fd: Int32, _ arguments: [String]) -> String {
        var request = "*\(arguments.count)\r\n"
        for argument in arguments { request += "$\(argument.utf8.count)\r\n\(argument)\r\n" }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return "" }
        var buffer = [UInt8](repeating: 0, count: 512)
        let received = recv(fd, &buffer, buffer.count, 0)
        guard received > 0 else { return "" }
        return String(decoding: buffer[0..<received], as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
    }

    /// Lines of `text` containing `needle`: the operator's `grep -c`.
    public static func count(_ needle: String, in text: String) -> Int {
        text.split(separator: "\n").filter { $0.contains(needle) }.count
    }
}
