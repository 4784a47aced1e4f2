import AoftopModel
import AoftopClock
import RESP

/// A read-only Redis client that keeps ONE persistent connection.
///
/// The connection is opened lazily and then kept: during fd exhaustion the server refuses new connections while
/// an established one still works, so aoftop never reconnects needlessly. After a failure it reconnects with
/// `ReconnectBackoff` on the injected clock; while backing off, calls fail at once with the last error and
/// touch no socket. Each (re)connection authenticates first when credentials are given. RESP2 only (no HELLO).
public final class RedisClient {
    public let endpoint: RedisEndpoint
    public let timeout: Double
    private let credentials: RedisCredentials?
    private let clock: @Sendable () -> Double
    private var connection: RedisConnection?
    public private(set) var backoff: ReconnectBackoff
    /// The error of the last failed connection or call, kept for the backoff period.
    public private(set) var lastError: RedisError?
    /// Incremented on every successful (re)connection, so callers can reset per-connection caches.
    public private(set) var connectionGeneration = 0
    /// The local TCP port of the last connection the server accepted but never answered (the call timed out).
    /// Redis ≥ 6 leaves a client it cannot register in its event loop (fd ≥ setsize) open and silent, so that
    /// connection's fd number in the server is evidence of the event loop's limit.
    public private(set) var lastUnanswered: (localPort: Int, generation: Int)?
    private var attempts = 0
    /// Whether `CLIENT LIST` may be sent (the operator's `--client-list`).
    public let allowsClientList: Bool

    public init(endpoint: RedisEndpoint, credentials: RedisCredentials? = nil, timeout: Double = 1.0,
                clock: @escaping @Sendable () -> Double = MonotonicClock.now,
                backoff: ReconnectBackoff = ReconnectBackoff(), allowsClientList: Bool = false) {
        self.allowsClientList = allowsClientList
        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.clock = clock
        self.backoff = backoff
    }

    public var isConnected: Bool { connection?.isOpen ?? false }

    /// Sends `INFO [section…]`, `PING` or `CONFIG GET …` (anything else throws `commandNotAllowed` and is
    /// never sent). Error replies come back as `.error`, except `NOAUTH`, which is thrown as `.noAuth`.
    /// Connection failures are thrown as `RedisError` and start or extend the backoff.
    public func call(_ arguments: [String], timeout callTimeout: Double? = nil) throws -> RESPValue {
        try ReadOnlyCommands.check(arguments, allowAuth: false, allowClientList: allowsClientList)
        let connection = try connected()
        let reply: RESPValue
        do {
            reply = try connection.call(arguments, timeout: callTimeout)
        } catch let error as RedisError {
            noteUnanswered(error, connection)
            fail(error)
            throw error
        }
        // A refusal at maxclients comes as the reply to whatever was sent first, and the server has closed the
        // connection: reusing it would turn the next call into a reset that hides the reason.
        if let message = reply.errorMessage, RedisRefusal.isMaxClientsReached(message) {
            let refusal = RedisError.refusedByServer(endpoint: endpoint.description, message: message)
            fail(refusal)
            throw refusal
        }
        if let message = reply.errorMessage, message.hasPrefix("NOAUTH") {
            throw RedisError.noAuth(credentials == nil ? "\(message) (no password given)" : message)
        }
        return reply
    }

    /// Connects (and authenticates) now unless connected, within the same backoff rules as `call`.
    public func connectIfNeeded() throws {
        _ = try connected()
    }

    /// Closes the connection (the next call reconnects without waiting for a backoff).
    public func disconnect() {
        connection?.close()
        connection = nil
    }

    private func connected() throws -> RedisConnection {
        if let connection, connection.isOpen { return connection }
        connection = nil
        let now = clock()
        if let lastError, !backoff.mayAttempt(at: now) { throw lastError }
        attempts += 1
        do {
            let fresh = try RedisConnection(endpoint: endpoint, timeout: timeout)
            fresh.allowsClientList = allowsClientList
            if let credentials {
                let reply: RESPValue
                do { reply = try fresh.call(credentials.authCommand) } catch let error as RedisError {
                    noteUnanswered(error, fresh)
                    throw error
                }
                if let message = reply.errorMessage {
                    fresh.close()
                    // At maxclients the refusal is what answers AUTH: it is not a wrong password.
                    if RedisRefusal.isMaxClientsReached(message) {
                        throw RedisError.refusedByServer(endpoint: endpoint.description, message: message)
                    }
                    throw RedisError.authenticationFailed(message)
                }
            }
            connection = fresh
            connectionGeneration += 1
            backoff.recordSuccess()
            lastError = nil
            return fresh
        } catch let error as RedisError {
            fail(error)
            throw error
        }
    }

    /// Makes no new connection for `seconds`: each one a full event loop accepts and never answers stays open in
    /// the server, taking one more of the fds it lacks.
    public func holdReconnects(for seconds: Double) {
        backoff.hold(until: clock() + seconds)
    }

    /// Ends a hold (the next call may connect at once, unless a failure's own backoff still runs).
    public func releaseReconnectHold() {
        backoff.releaseHold()
    }

    private func noteUnanswered(_ error: RedisError, _ connection: RedisConnection) {
        guard case .timedOut = error, connection.replies == 0, let port = connection.localPort else { return }
        lastUnanswered = (port, attempts)
    }

    private func fail(_ error: RedisError) {
        connection?.close()
        connection = nil
        lastError = error
        backoff.recordFailure(at: clock())
    }
}
