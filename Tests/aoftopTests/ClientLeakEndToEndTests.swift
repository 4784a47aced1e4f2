import AoftopModel
import AoftopTestSupport
import Foundation
import Testing

/// `aoftop check` against a real Redis while one client leaks connections: the finding names that client's address,
/// the top peer is the one `ss` counts, and the client limit is in the JSON.
@Suite struct ClientLeakEndToEndTests {
    /// Connections that stay open until `close()`: steady ones at once, then one from `leaker` every `every` seconds.
    final class Clients: @unchecked Sendable {
        private let lock = NSLock()
        private var fds: [Int32] = []
        private var stopped = false

        /// Holds `fd` until `close()`; one opened after `close()` (the leaker was mid-connect) is closed at once.
        func add(_ fd: Int32) {
            let late = lock.withLock { () -> Bool in
                if !stopped { fds.append(fd) }
                return stopped
            }
            if late { _ = Glibc.close(fd) }
        }
        var isStopped: Bool { lock.withLock { stopped } }

        /// Closes every connection, once: a second close of a number another thread has reused since (a
        /// subprocess's pipe, say) would close that thread's file.
        func close() {
            let all = lock.withLock { () -> [Int32] in
                stopped = true
                defer { fds = [] }
                return fds
            }
            all.forEach { _ = Glibc.close($0) }
        }
    }

    @Test func aLeakingClientIsNamedAndTheTopPeerIsTheOneSSCounts() throws {
        var options = RedisServerOptions()
        options.maxclients = 1000
        options.appendonly = false
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let clients = Clients()
        defer { clients.close() }
        for (source, count) in [("127.0.0.2", 3), ("127.0.0.3", 5), ("127.0.0.4", 2)] {
            for _ in 0..<count { clients.add(try Loopback.connect(port: server.port, from: source)) }
        }
        let leaker = "127.0.0.9"
        let port = server.port
        let leaking = Thread {
            while !clients.isStopped {
                if let fd = try? Loopback.connect(port: port, from: leaker) { clients.add(fd) }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        leaking.start()

        // The leak needs a minute of history to be called one.
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", "70s", "--interval", "1s", "--json"],
                                            timeout: 100)
        let ss = try SocketStatistics.tcp(pid: server.pid)
        clients.close()
        // A warning: the leak is named after a minute; the forecast against maxclients wants two (a deploy's ramp
        // is shorter), and the count is far from the limit.
        #expect(result.status == 1, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let leak = try #require(findings.first { $0["code"] as? String == "client-leak" }, "\(findings)")
        let headline = try #require(leak["headline"] as? String)
        #expect(headline.hasPrefix("client connections rising: +"), "\(headline)")
        #expect(headline.contains("of it from \(leaker) ("), "\(headline)")
        #expect((leak["remedy"] as? String)?.contains("timeout 0 (never), tcp-keepalive 300 s") == true, "\(leak)")

        let sockets = try #require(object["sockets"] as? [String: Any])
        let peers = try #require(sockets["top_peers"] as? [[String: Any]])
        #expect(peers.first?["address"] as? String == leaker)
        #expect(ss.peers.first?.address == IPAddress(leaker), "ss: \(ss.peers.prefix(3))")
        // The leak went on after the last sample: ss, read later, counts at least as many.
        let counted = try #require(peers.first?["count"] as? Int)
        #expect(counted >= 200 && counted <= (ss.peers.first?.count ?? 0), "aoftop \(counted), ss \(ss.peers.first?.count ?? 0)")
        #expect(sockets["distinct_peers"] as? Int == 5, "4 client addresses and aoftop's own 127.0.0.1")

        let limit = try #require(object["clients"] as? [String: Any])
        #expect(limit["maxclients"] as? Int == 1000)
        #expect((limit["forecast"] as? [String: Any])?["status"] as? String == "warming-up", "\(limit)")
        #expect(limit["state"] as? String == "ok", "\(limit)")
    }
}
