@testable import AoftopMetrics
import AoftopFleet
import AoftopPipeline
import AoftopTestSupport
import Foundation
import Testing

/// The hand-written HTTP/1.1 server against real sockets: keep-alive, pipelining, HEAD, errors, and the limits
/// that protect aoftop's own fds on a Redis host (idle timeout, connection cap, slow readers, close).
@Suite struct HTTPServerTests {
    private static let loopback = ListenAddress(ip: "127.0.0.1", port: 0, family: .ipv4)

    /// An endpoint over a fleet of no instances (its exposition: `aoftop_instances 0` and a few more lines).
    private final class Served {
        let fleet = FleetMonitor(scope: .targets([]), collection: CollectionTarget(endpoint: nil), interval: 1)
        let endpoint: MetricsEndpoint
        let port: Int

        init(address: ListenAddress = HTTPServerTests.loopback, idleTimeout: Double = 30,
             maxConnections: Int = MetricsEndpoint.maxConnections) throws {
            endpoint = try MetricsEndpoint(address: address, fleet: fleet, host: "cache-07", idleTimeout: idleTimeout,
                                           maxConnections: maxConnections)
            port = try #require(endpoint.port)
        }

        deinit {
            endpoint.close()
            fleet.stop()
        }
    }

    /// A server whose `/big` reply is far larger than the kernel buffers between it and a client that does not read.
    private static func bigReplyServer() throws -> HTTPServer {
        let big = String(repeating: "x", count: 32 << 20)
        return try HTTPServer(address: loopback, limits: .init(idleTimeout: 30)) { request in
            HTTPReply(status: .ok, body: request.path == "/big" ? big : "small\n")
        }
    }

    @Test func keepAliveAnswersTwoRequestsOnOneConnection() throws {
        let served = try Served()
        let client = try RawHTTPClient(port: served.port)
        for _ in 0..<2 {
            try client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Prometheus/2.53.0\r\n\r\n")
            let reply = try client.reply()
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == MetricsEndpoint.contentType)
            #expect(reply.headers["connection"] == nil, "kept alive")
            #expect(reply.body.contains("aoftop_instances 0"), "\(reply.body)")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let served = try Served()
        let client = try RawHTTPClient(port: served.port)
        try client.send("GET /metrics HTTP/1.1\r\n\r\nGET /nothing HTTP/1.1\r\n\r\nDELETE /metrics HTTP/1.1\r\n\r\n"
                        + "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n")
        #expect(try client.reply().status == 200)
        #expect(try client.reply().status == 404)
        #expect(try client.reply().status == 405)
        let last = try client.reply()
        #expect(last.status == 200 && last.body.contains("/metrics") && last.headers["connection"] == "close")
        #expect(client.closedByServer(), "nothing after the request that asked to close is answered")

        // Many at once: the replies (hundreds of kilobytes) pile up while the client is still sending.
        let many = try RawHTTPClient(port: served.port)
        try many.send(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: 300))
        for index in 0..<300 {
            let reply = try many.reply()
            #expect(reply.status == 200 && reply.body.contains("aoftop_instances 0"), "reply \(index)")
        }
    }

    @Test func headGetsTheHeadersOnly() throws {
        let served = try Served()
        let client = try RawHTTPClient(port: served.port)
        try client.send("HEAD /metrics HTTP/1.1\r\n\r\n")
        let head = try client.reply(toHead: true)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 100, "the length a GET would get")
        // Had a body followed, it would be read here as the next reply's status line.
        try client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try client.reply().body.contains("/metrics"))
    }

    @Test func errorsAndBodies() throws {
        let served = try Served()
        let client = try RawHTTPClient(port: served.port)
        try client.send("GET /nothing HTTP/1.1\r\n\r\n")
        #expect(try client.reply().status == 404)
        try client.send("DELETE / HTTP/1.1\r\n\r\n")
        let delete = try client.reply()
        #expect(delete.status == 405 && delete.headers["allow"] == "GET, HEAD" && delete.headers["connection"] == nil)
        try client.send("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(try client.reply().status == 200)
        // A body is never read as a request: the connection closes after the reply.
        let body = "GET /nothing HTTP/1.1\r\n\r\n" // were it read as a request, a 404 would follow
        try client.send("POST /metrics HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let post = try client.reply()
        #expect(post.status == 405 && post.headers["connection"] == "close")
        #expect(throws: (any Error).self, "no second reply") { try client.reply() }
        #expect(client.closedByServer())

        for (garbage, status) in [("GARBAGE\r\n\r\n", 400), ("GET / HTTP/2.0\r\n\r\n", 505),
                                  ("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
                                  ("GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: 20_000), 431)] {
            let bad = try RawHTTPClient(port: served.port)
            try bad.send(garbage)
            let reply = try bad.reply()
            #expect(reply.status == status && reply.headers["connection"] == "close", "\(garbage.prefix(40).debugDescription)")
            #expect(bad.closedByServer())
        }
        let binary = try RawHTTPClient(port: served.port)
        try binary.send((1...10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }) // never an empty line
        #expect(try binary.reply().status == 431)
        #expect(binary.closedByServer())

        #expect(try HTTPGet.fetch(port: served.port, path: "/metrics").status == 200, "still serving")
    }

    @Test func silentAndTricklingClientsAreClosed() throws {
        let served = try Served(idleTimeout: 0.3)
        let started = Date()
        let half = try RawHTTPClient(port: served.port)
        try half.send("GET /metrics HTTP/1.1\r\nHo")
        #expect(half.closedByServer())

        let kept = try RawHTTPClient(port: served.port)
        try kept.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try kept.reply().status == 200)
        #expect(kept.closedByServer(), "idle after its reply")

        // One byte every 50 ms: each is data, but the head never completes within the timeout.
        let trickle = try RawHTTPClient(port: served.port)
        var refused = false
        for byte in Array(("GET /metrics HTTP/1.1\r\nX-Long: " + String(repeating: "z", count: 200)).utf8) {
            do { try trickle.send([byte]) } catch {
                refused = true
                break
            }
            usleep(50_000)
        }
        #expect(refused || trickle.closedByServer(), "a head that trickles in for 10 s is cut off")
        #expect(Date().timeIntervalSince(started) < 60, "hang guard")
        #expect(try HTTPGet.fetch(port: served.port, path: "/metrics").status == 200)
    }

    @Test func aClientThatDoesNotReadDoesNotHoldUpOthers() throws {
        let server = try Self.bigReplyServer()
        defer { server.close() }
        let stalled = try RawHTTPClient(port: server.port)
        try stalled.send("GET /big HTTP/1.1\r\n\r\n")
        usleep(200_000) // the server has filled the socket buffers and waits for them to drain
        for _ in 0..<3 {
            let other = try HTTPGet.fetch(port: server.port, path: "/small") // fails after 10 s if the loop is stuck
            #expect(other.status == 200 && other.body == "small\n")
        }
        // The stalled reply was kept, not dropped: it arrives whole once read.
        let big = try stalled.reply()
        #expect(big.status == 200 && big.body.utf8.count == 32 << 20)
    }

    @Test func connectionsBeyondTheCapAreClosedAtOnce() throws {
        let served = try Served(maxConnections: 3)
        var held = try (0..<3).map { _ in try RawHTTPClient(port: served.port) }
        for client in held { // answered: accepted and counted
            try client.send("GET / HTTP/1.1\r\n\r\n")
            #expect(try client.reply().status == 200)
        }
        let extra = try RawHTTPClient(port: served.port)
        #expect(extra.closedByServer(), "the fourth is closed, not left waiting")
        try held[0].send("GET /metrics HTTP/1.1\r\n\r\n")
        #expect(try held[0].reply().status == 200, "the three held ones are served on")

        held.removeLast() // closes it: a place frees up
        #expect(RedisServer.waitUntil(timeout: 10) { (try? HTTPGet.fetch(port: served.port, path: "/metrics"))?.status == 200 })
    }

    @Test func closeEndsEveryConnection() throws {
        let server = try Self.bigReplyServer()
        let port = server.port
        let idle = try RawHTTPClient(port: port)
        try idle.send("GET /small HTTP/1.1\r\n\r\n")
        #expect(try idle.reply().status == 200)
        let half = try RawHTTPClient(port: port)
        try half.send("GET /sm")
        let stalled = try RawHTTPClient(port: port)
        try stalled.send("GET /big HTTP/1.1\r\n\r\n")
        let silent = try RawHTTPClient(port: port)
        usleep(100_000)

        server.close()
        #expect(idle.closedByServer())
        #expect(half.closedByServer())
        #expect(silent.closedByServer())
        #expect(stalled.closedByServer())
        #expect(throws: (any Error).self, "no longer listening") { try Loopback.connect(port: port, timeout: 2) }
        server.close() // idempotent: returns at once
    }

    @Test func bindErrorsReadLikeTheSystemCall() throws {
        let served = try Served()
        let address = ListenAddress(ip: "127.0.0.1", port: UInt16(served.port), family: .ipv4)
        let error = #expect(throws: MetricsEndpointError.self) { _ = try Served(address: address) }
        #expect(error?.description == "bind: Address already in use")
    }

    @Test func servesOnIPv6() throws {
        let served = try Served(address: ListenAddress(ip: "::1", port: 0, family: .ipv6))
        let client = try RawHTTPClient(ipv6Port: served.port)
        try client.send("GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let reply = try client.reply()
        #expect(reply.status == 200 && reply.headers["connection"] == "keep-alive")
        try client.send("GET / HTTP/1.0\r\n\r\n")
        #expect(try client.reply().headers["connection"] == "close", "HTTP/1.0 closes by default")
        #expect(client.closedByServer())
    }
}
