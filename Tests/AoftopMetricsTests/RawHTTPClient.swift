import AoftopTestSupport
import Foundation

/// A test client that sends raw bytes and reads replies one at a time, to do what `HTTPGet` will not: keep a
/// connection open, pipeline, send garbage or half a head, or not read at all. Reads give up after `timeout`
/// seconds (a hang guard, not a timing goal).
final class RawHTTPClient {
    struct Reply {
        var status: Int
        /// Names lowercased.
        var headers: [String: String]
        var body: String
    }

    let fd: Int32
    private var received: [UInt8] = []

    init(port: Int, timeout: Double = 10) throws {
        fd = try Loopback.connect(port: port, timeout: timeout)
    }

    /// Connected to `[::1]:port`.
    init(ipv6Port port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(port).bigEndian
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard status == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw FixtureError("connect [::1]:\(port): \(reason)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FixtureError("send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// The next reply. `toHead`: it answers a HEAD, so no body follows whatever Content-Length says.
    func reply(toHead: Bool = false) throws -> Reply {
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let lines = String(decoding: received[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
                guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
                      let status = Int(statusLine.dropFirst(9).prefix(3)) else {
                    throw FixtureError("not a status line: \(lines.first ?? "")")
                }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { throw FixtureError("not a header: \(line)") }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                guard let length = headers["content-length"].flatMap({ Int($0) }) else {
                    throw FixtureError("no Content-Length: \(lines)")
                }
                let bodyLength = toHead ? 0 : length
                while received.count < end + bodyLength { try receiveMore() }
                let body = String(decoding: received[end..<(end + bodyLength)], as: UTF8.self)
                received.removeFirst(end + bodyLength)
                return Reply(status: status, headers: headers, body: body)
            }
            try receiveMore()
        }
    }

    /// True once the server has closed the connection (end of input or a reset), reading and dropping anything
    /// before; false if the hang guard expired first.
    func closedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 && errno != EINTR { return errno == ECONNRESET }
        }
    }

    private func receiveMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 && errno == EINTR { return }
        guard count > 0 else {
            throw FixtureError(count == 0 ? "closed by the server after \(received.count) bytes"
                                          : "recv: \(String(cString: strerror(errno))) after \(received.count) bytes")
        }
        received += chunk[0..<count]
    }
}
