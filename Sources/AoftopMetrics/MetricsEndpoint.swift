import AoftopClock
import AoftopFleet
import Synchronization

/// The HTTP endpoint: `GET /metrics` renders the fleet's latest readings; `GET /` says where the metrics are.
///
/// A scrape reads what the sampling threads last stored and never talks to Redis, so it answers at once while a
/// server is out of fds or hung (its `aoftop_sample_age_seconds` grows instead). One thread serves every
/// connection (`HTTPServer`, plain sockets: no HTTP package, see there why): a scrape takes well under a
/// millisecond, and Prometheus scrapes one at a time.
public final class MetricsEndpoint: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Seconds a connection may stay silent before it is closed: a client that connects and sends nothing must
    /// not hold one of aoftop's own fds for ever.
    public static let idleTimeout = 30.0

    /// Open connections at most; more are accepted and closed at once.
    static let maxConnections = 64

    private let server: HTTPServer

    /// Binds and starts serving; throws `MetricsEndpointError` (e.g. `bind: Address already in use`).
    /// - Parameter host: this machine's name, for the `instance` label of local servers.
    public convenience init(address: ListenAddress, fleet: FleetMonitor, host: String,
                            idleTimeout: Double = MetricsEndpoint.idleTimeout) throws {
        try self.init(address: address, fleet: fleet, host: host, idleTimeout: idleTimeout,
                      maxConnections: Self.maxConnections)
    }

    /// With another cap on connections (tests).
    init(address: ListenAddress, fleet: FleetMonitor, host: String, idleTimeout: Double, maxConnections: Int) throws {
        let scrapes = Atomic<Int>(0)
        server = try HTTPServer(address: address, limits: .init(idleTimeout: idleTimeout, maxConnections: maxConnections)) { request in
            Self.route(request) {
                let count = scrapes.add(1, ordering: .relaxed).newValue
                return MetricsExposition.render(fleet.entries, now: MonotonicClock.now(), scrapes: count, host: host)
            }
        }
    }

    /// The bound port (useful with port 0).
    public var port: Int? { server.port }

    /// Stops listening, closes every connection and ends the thread; returns once it has. Idempotent.
    public func close() { server.close() }

    /// The reply to `request`; `metrics` renders the exposition.
    static func route(_ request: HTTPRequestHead, metrics: () -> String) -> HTTPReply {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPReply(status: .methodNotAllowed, body: "aoftop: only GET\n", headers: [("Allow", "GET, HEAD")])
        }
        switch request.path {
        case "/metrics":
            return HTTPReply(status: .ok, contentType: contentType, body: metrics())
        case "/":
            return HTTPReply(status: .ok, body: "aoftop: Prometheus metrics at /metrics (docs/metrics.md)\n")
        default:
            return HTTPReply(status: .notFound, body: "aoftop: not found; the metrics are at /metrics\n")
        }
    }
}

public struct MetricsEndpointError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
