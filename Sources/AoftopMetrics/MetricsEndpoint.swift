import AoftopFleet
import FlyingFox
import FlyingSocks
import Foundation
import RedisCollector
import Synchronization

/// The HTTP endpoint: `GET /metrics` renders the fleet's latest readings; `GET /` says where the metrics are.
///
/// A scrape reads what the sampling threads last stored and never talks to Redis, so it answers at once while a
/// server is out of fds or hung (its `aoftop_sample_age_seconds` grows instead).
public final class MetricsEndpoint: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let server: HTTPServer
    private let fleet: FleetMonitor
    private let scrapes = Atomic<Int>(0)

    /// Throws when `address` is not a valid IP literal.
    public init(address: ListenAddress, fleet: FleetMonitor) throws {
        self.fleet = fleet
        let socketAddress: any SocketAddress = switch address.family {
        case .ipv4: try sockaddr_in.inet(ip4: address.ip, port: address.port)
        case .ipv6: try sockaddr_in6.inet6(ip6: address.ip, port: address.port)
        }
        server = HTTPServer(address: socketAddress, timeout: 15, logger: .disabled)
    }

    /// Serves until the task is cancelled; throws when the address cannot be bound.
    public func run() async throws {
        await server.appendRoute("GET /metrics") { [self] _ in
            let count = scrapes.add(1, ordering: .relaxed).newValue
            let text = MetricsExposition.render(fleet.entries, now: MonotonicClock.now(), scrapes: count)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: Self.contentType], body: Data(text.utf8))
        }
        await server.appendRoute("GET /") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                         body: Data("aoftop: Prometheus metrics at /metrics (docs/metrics.md)\n".utf8))
        }
        do {
            try await server.run()
        } catch let error as SocketError {
            throw MetricsEndpointError(Self.describe(error))
        }
    }

    /// `Address already in use` rather than `failed(type: "Bind", errno: 98, …)`.
    static func describe(_ error: SocketError) -> String {
        if case .failed(let call, _, let message) = error { return "\(call.lowercased()): \(message)" }
        return "\(error)"
    }

    /// Returns once listening; throws what `run` would (e.g. address in use) if it fails first.
    public func waitUntilListening() async throws {
        try await server.waitUntilListening()
    }
}

public struct MetricsEndpointError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
