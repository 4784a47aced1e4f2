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

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var limit = timeval(tv_sec: 10, tv_usec: 0) // hang guard only
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        var byte: UInt8 = 0
        let received = recv(fd, &byte, 1, 0)
        #expect(received == 0, "the server closed the silent connection (recv \(received), errno \(errno))")

        let scrape = try HTTPGet.fetch(port: port, path: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.body.contains("aoftop_instances 0"), "\(scrape.body)")
    }
}
