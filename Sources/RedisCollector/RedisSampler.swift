import AoftopClock
import AoftopModel
import RESP

/// The Redis source of a `Snapshot`: one `INFO` (and, when allowed, `CONFIG GET`) per `collect()`.
///
/// Never throws and never blocks longer than its timeouts: every failure becomes `.failed(reason)` with a
/// one-line reason. Keeps one persistent connection (see `RedisClient`). Not thread-safe, but holds no global
/// state, so one owner may drive it from any single background thread.
public final class RedisSampler {
    public let endpoint: RedisEndpoint
    private let client: RedisClient
    private let configReader: ConfigReader
    private let clientListReader: ClientListReader?
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - timeout: seconds allowed for connecting and for each command round trip (default 1 s).
    ///   - clock: monotonic seconds driving reconnect backoff and the CONFIG retry interval.
    ///   - configRetryInterval: after CONFIG was found renamed or denied, seconds before asking again.
    ///   - clientListInterval: read `CLIENT LIST` at most this often (seconds); `nil`, the default, never sends it.
    public init(endpoint: RedisEndpoint, credentials: RedisCredentials? = nil, timeout: Double = 1.0,
                clock: @escaping @Sendable () -> Double = MonotonicClock.now,
                backoff: ReconnectBackoff = ReconnectBackoff(), configRetryInterval: Double = 60,
                clientListInterval: Double? = nil) {
        self.endpoint = endpoint
        self.clock = clock
        self.client = RedisClient(endpoint: endpoint, credentials: credentials, timeout: timeout, clock: clock,
                                  backoff: backoff, allowsClientList: clientListInterval != nil)
        self.configReader = ConfigReader(retryInterval: configRetryInterval)
        self.clientListReader = clientListInterval.map { ClientListReader(interval: $0, retryInterval: configRetryInterval) }
    }

    /// The connection state, for panes that want to show backoff or reconnects.
    public var isConnected: Bool { client.isConnected }
    public var backoff: ReconnectBackoff { client.backoff }
    /// The local port of the last connection the server accepted and never answered, with a number that changes
    /// for each new such connection.
    public var lastUnanswered: (localPort: Int, generation: Int)? { client.lastUnanswered }

    /// See `RedisClient.holdReconnects(for:)`.
    public func holdReconnects(for seconds: Double) { client.holdReconnects(for: seconds) }

    /// See `RedisClient.releaseReconnectHold()`.
    public func releaseReconnectHold() { client.releaseReconnectHold() }

    public func collect() -> Reading<RedisSample> {
        let reply: RESPValue
        let started: Double
        do {
            // Connect first so a reconnect's handshake does not count as INFO latency.
            try client.connectIfNeeded()
            started = MonotonicClock.now()
            reply = try client.call(["INFO"])
        } catch {
            return .failed(String(describing: error))
        }
        // Latency is a real-time measurement, so it uses the real monotonic clock, not the injected one.
        let latency = Int64(((MonotonicClock.now() - started) * 1e6).rounded())
        guard case .bulkString(let bytes?) = reply else {
            if let message = reply.errorMessage { return .failed("INFO failed: \(message)") }
            return .failed("INFO returned an unexpected reply: \(reply)")
        }
        var sample = InfoParser.parse(String(decoding: bytes, as: UTF8.self))
        sample.infoLatencyMicros = latency
        sample.config = configReader.read(using: client, now: clock())
        if let clientListReader { sample.clientList = clientListReader.read(using: client, now: clock()) }
        return .ok(sample)
    }
}
