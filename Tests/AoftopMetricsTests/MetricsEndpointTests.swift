import AoftopFleet
import AoftopMetrics
import AoftopPipeline
import AoftopTestSupport
import Foundation
import Testing

/// The endpoint's own fds: a client that connects and says nothing is closed, so aoftop cannot be exhausted the
/// way the Redis it watches is.
@Suite struct MetricsEndpointTests {
    @Test func aSilentConnectionIsClosedAndScrapesGoOn() throws {
        let fleet = FleetMonitor(scope: .targets([]), collection: CollectionTarget(endpoint: nil), interval: 1)
        defer { fleet.stop() }
        let endpoint = try MetricsEndpoint(address: ListenAddress(ip: "127.0.0.1", port: 0, family: .ipv4), fleet: fleet,
                                           host: "cache-07", idleTimeout: 0.5)
        defer { endpoint.close() }
        let port = try #require(endpoint.port)

        let fd = try Loopback.connect(port: port, timeout: 10) // the timeout is a hang guard only
        defer { close(fd) }
        var byte: UInt8 = 0
        let received = recv(fd, &byte, 1, 0)
        #expect(received == 0, "the server closed the silent connection (recv \(received), errno \(errno))")

        let scrape = try HTTPGet.fetch(port: port, path: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.body.contains("aoftop_instances 0"), "\(scrape.body)")
    }
}
