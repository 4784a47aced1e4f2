import AoftopModel
import Foundation
import Testing

@Suite("IP addresses as values and text")
struct IPAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("::", "::"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("fe80::254:2ff:fe5d:1e2d", "fe80::254:2ff:fe5d:1e2d"),
        // RFC 5952: the longest zero run is compressed, the first of equal ones; a single zero group is not.
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("1::", "1::"),
        // IPv4-mapped addresses are IPv4.
        ("::ffff:10.0.0.7", "10.0.0.7"), ("::FFFF:a00:7", "10.0.0.7"),
    ])
    func parsesAndPrints(text: String, expected: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == expected)
        #expect(IPAddress(address.description) == address)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.+4", "::1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
                      "1:2:3:4:5:6:7", ":::", "1.2.3.4:80"])
    func rejectsWhatIsNotAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ordersIPv4FirstThenNumerically() {
        let sorted = ["2001:db8::1", "10.0.0.10", "::1", "10.0.0.9", "192.168.0.1"].map { IPAddress($0)! }.sorted()
        #expect(sorted.map(\.description) == ["10.0.0.9", "10.0.0.10", "192.168.0.1", "::1", "2001:db8::1"])
    }
}

@Suite("SocketCensus JSON")
struct SocketCensusCodingTests {
    static let census = SocketCensus(
        roles: [.listener: 2, .inboundTCP: 12, .outboundTCP: 1, .unresolved: 3],
        listeners: [SocketListener(endpoint: .tcp(address: IPAddress("127.0.0.1")!, port: 6379), accepted: 12, acceptQueue: 4),
                    SocketListener(endpoint: .unix(path: "/run/redis/redis.sock"), accepted: 0)],
        outbound: [EndpointCount(endpoint: .tcp(address: IPAddress("2001:db8::5")!, port: 6379), count: 1)],
        outboundEndpoints: 1, tcpStates: [.established: 10, .closeWait: 3],
        queues: SocketQueues(sendBytes: 4096, receiveBytes: 17, sendingSockets: 1, receivingSockets: 2),
        topPeers: [PeerCount(address: IPAddress("10.0.0.7")!, count: 9), PeerCount(address: IPAddress("::1")!, count: 3)],
        distinctPeers: 2, tablesAgeMs: 1500)

    @Test func roundTripsWithReadableNames() throws {
        let data = try AoftopJSON.encoder().encode(Self.census)
        let text = String(decoding: data, as: UTF8.self)
        for key in [#""roles":{"inbound_tcp":12,"listener":2,"outbound_tcp":1,"unresolved":3}"#,
                    #""tcp_states":{"close_wait":3,"established":10}"#, #""endpoint":{"tcp":"127.0.0.1:6379"}"#,
                    #""endpoint":{"unix":"/run/redis/redis.sock"}"#, #""endpoint":{"tcp":"[2001:db8::5]:6379"}"#,
                    #""accept_queue":4"#, #""address":"10.0.0.7""#, #""top_peers":"#, #""distinct_peers":2"#,
                    #""tables_age_ms":1500"#, #""send_bytes":4096"#, #""receiving_sockets":2"#, #""outbound_endpoints":1"#] {
            #expect(text.contains(key), "missing \(key) in \(text)")
        }
        #expect(try AoftopJSON.decoder().decode(SocketCensus.self, from: data) == Self.census)
    }

    @Test func aProcSampleWithoutSocketsStillDecodes() throws {
        // A process reading as recordings made before the socket census wrote it.
        let old = #"{"clock_ticks_per_second":100,"command":"redis-server","cpu_ticks":90,"fds":{"anon_inodes":{},"highest_fd":3,"listening_sockets":1,"lowest_free_fd":4,"other":0,"pipes":0,"regular_files":0,"self_held_pipe_pairs":0,"sockets":1,"total":4},"limits":{"hard":null,"soft":1024},"pid":7,"start_ticks":42}"#
        let sample = try AoftopJSON.decoder().decode(ProcSample.self, from: Data(old.utf8))
        #expect(sample.sockets == nil)
        #expect(!String(decoding: try AoftopJSON.encoder().encode(sample), as: UTF8.self).contains("sockets\":{"))

        var with = sample
        with.sockets = Self.census
        let data = try AoftopJSON.encoder().encode(with)
        #expect(String(decoding: data, as: UTF8.self).contains(#""sockets":{"distinct_peers":2"#))
        #expect(try AoftopJSON.decoder().decode(ProcSample.self, from: data) == with)
    }

    @Test func aBadEndpointFailsToDecode() {
        for bad in [#"{"tcp":"127.0.0.1"}"#, #"{"tcp":"localhost:80"}"#, #"{"tcp":"1.2.3.4:70000"}"#, #"{}"#] {
            #expect(throws: DecodingError.self) { try AoftopJSON.decoder().decode(SocketEndpoint.self, from: Data(bad.utf8)) }
        }
    }

    @Test func countsAndSharesDefaultToZero() {
        #expect(Self.census.count(.other) == 0)
        #expect(Self.census.count(.finWait2) == 0)
        #expect(Self.census.total == 18)
        #expect(Self.census.share(of: Self.census.topPeers[0]) == 0.75)
        #expect(SocketCensus().share(of: PeerCount(address: .anyV4, count: 1)) == nil)
    }
}
