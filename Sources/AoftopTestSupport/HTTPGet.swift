import Foundation

/// A minimal blocking HTTP/1.1 GET over loopback, for scraping `aoftop metrics` the way Prometheus does,
/// without depending on curl being installed.
public enum HTTPGet {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// GETs `path` from `127.0.0.1:port`; gives up after `timeout` seconds without data (a hang guard).
    public static func fetch(port: Int, path: String, timeout: Double = 10) throws -> Response {
        let fd = try Loopback.connect(port: port, timeout: timeout)
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw FixtureError("send: \(String(cString: strerror(errno)))")
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FixtureError("recv: \(String(cString: strerror(errno))) after \(data.count) bytes") }
            if n == 0 { break }
            data += chunk[0..<n]
            if let response = parse(data), response.body.utf8.count >= Int(response.headers["content-length"] ?? "") ?? .max {
                return response
            }
        }
        guard let response = parse(data) else { throw FixtureError("no HTTP response: \(String(decoding: data, as: UTF8.self))") }
        return response
    }

    private static func parse(_ data: [UInt8]) -> Response? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let split = data.indices.dropLast(3).first(where: { data[$0..<($0 + 4)].elementsEqual(separator) }) else {
            return nil
        }
        let head = String(decoding: data[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1."),
              let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(split + 4)...])
        // Go's net/http (Prometheus's API) sends a reply over 2 KB chunked; the connection closes after it.
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true { body = dechunked(body) }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// The payload of a `Transfer-Encoding: chunked` body (`SIZE-in-hex CRLF data CRLF … 0 CRLF CRLF`); as much as
    /// has arrived when it is cut short.
    static func dechunked(_ body: [UInt8]) -> [UInt8] {
        var payload: [UInt8] = []
        var index = 0
        while let lineEnd = body[index...].indices.dropLast().first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) {
            let sizeField = String(decoding: body[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            payload += body[start..<min(start + size, body.count)]
            index = start + size + 2
            guard index < body.count else { break }
        }
        return payload
    }
}
