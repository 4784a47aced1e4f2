import AoftopMetrics
import Testing

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9187", "127.0.0.1", UInt16(9187), ListenAddress.Family.ipv4),
        (":9187", "0.0.0.0", 9187, .ipv4),
        ("localhost:0", "127.0.0.1", 0, .ipv4),
        ("[::1]:9187", "::1", 9187, .ipv6),
        ("[::]:80", "::", 80, .ipv6),
    ])
    func parses(text: String, ip: String, port: UInt16, family: ListenAddress.Family) throws {
        let address = try ListenAddress.parse(text).get()
        #expect(address == ListenAddress(ip: ip, port: port, family: family))
    }

    @Test(arguments: ["9187", "127.0.0.1", "prometheus.local:9187", "127.0.0.1:65536", "127.0.0.1:-1", "::1:9187",
                      "300.1.1.1:80", "1.2.3:80", "[::1]", ""])
    func refuses(text: String) {
        guard case .failure(let error) = ListenAddress.parse(text) else {
            Issue.record("'\(text)' parsed")
            return
        }
        #expect(error.description.hasPrefix("--listen '\(text)'"), "\(error)")
    }
}
