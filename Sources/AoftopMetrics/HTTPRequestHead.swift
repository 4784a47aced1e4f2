/// A request's head as the metrics endpoint reads it: the request line and the three headers it acts on.
/// Everything else in the head (Host, Accept, User-Agent…) is checked for shape and ignored.
struct HTTPRequestHead: Equatable, Sendable {
    /// Case-sensitive, as HTTP defines it: `get` is not `GET`.
    var method: String
    /// As sent: origin form (`/metrics?x=1`), absolute form (`http://host:9187/metrics`) or `*`.
    var target: String
    /// The `y` of `HTTP/1.y` (HTTP/2 and later are refused: a TCP client that speaks them starts with a preface).
    var minorVersion: Int
    /// Whether the connection stays open after the reply: HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
    /// `Connection: keep-alive`.
    var keepAlive: Bool
    /// Bytes of body after the head (`Content-Length`): such a request is answered, then the connection closed.
    var contentLength: Int

    /// The target's path without query: `/metrics` for `/metrics?x=1` and for `http://host:9187/metrics`.
    var path: Substring {
        var rest = target[...]
        if let scheme = rest.firstRange(of: "://"), rest[..<scheme.lowerBound].allSatisfy(\.isLetter) {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return rest.prefix { $0 != "?" && $0 != "#" }
    }
}

/// Why a head is refused: answered with `status` and the connection closed (what follows cannot be trusted to
/// start a request).
struct HTTPRejection: Error, Equatable, Sendable {
    var status: HTTPStatus
    var reason: String
}

/// The result of looking at the bytes received so far.
enum HTTPHeadParse: Equatable {
    /// No complete head yet (and not too large): read more, then search again from `resume`.
    case incomplete(resume: Int)
    /// A head, and the bytes it took (leading blank lines, the head and its empty line).
    case request(HTTPRequestHead, length: Int)
    case rejected(HTTPRejection)
}

/// HTTP/1.1 request heads (RFC 9112), pure: bytes in, a value out. Strict where leniency would let a confused peer
/// desynchronise a kept-alive connection (bare CR, folded lines, spaces before the colon, a Transfer-Encoding,
/// conflicting lengths); lenient where every server is (bare LF line ends, blank lines before a request).
enum HTTPRequestParser {
    /// Larger heads get 431: Prometheus sends about 300 bytes.
    static let maxHeadBytes = 8192

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    /// Parses the head at the start of `bytes`, if complete. The connection's one parsing path: with `resume` from
    /// the last `.incomplete`, a head that trickles in is not scanned from its start each time.
    static func parse(_ bytes: [UInt8], resumingAt resume: Int = 0) -> HTTPHeadParse {
        let start = leadingBlankBytes(bytes)
        let search = endOfHead(bytes, from: max(start, resume))
        guard let end = search.end else {
            return bytes.count >= maxHeadBytes ? .rejected(tooLarge) : .incomplete(resume: search.resume)
        }
        guard end <= maxHeadBytes else { return .rejected(tooLarge) }
        switch parseHead(bytes[start..<end]) {
        case .success(let head): return .request(head, length: end)
        case .failure(let rejection): return .rejected(rejection)
        }
    }

    static let tooLarge = HTTPRejection(status: .headerFieldsTooLarge,
                                        reason: "request head over \(maxHeadBytes) bytes")

    /// CR and LF bytes before a request line (RFC 9112 §2.2: a server should ignore blank lines there).
    private static func leadingBlankBytes(_ bytes: [UInt8]) -> Int {
        bytes.prefix { $0 == cr || $0 == lf }.count
    }

    /// Where the head ends (the index after its empty line), searching from `from`; else nil and where the next
    /// search, with more bytes, should resume.
    private static func endOfHead(_ bytes: [UInt8], from: Int) -> (end: Int?, resume: Int) {
        var index = from
        while index < bytes.count {
            if bytes[index] == lf {
                // LF LF, or LF CR LF: a line end followed by an empty line.
                guard index + 1 < bytes.count else { return (nil, index) }
                if bytes[index + 1] == lf { return (index + 2, index) }
                if bytes[index + 1] == cr {
                    guard index + 2 < bytes.count else { return (nil, index) }
                    if bytes[index + 2] == lf { return (index + 3, index) }
                }
            }
            index += 1
        }
        return (nil, index)
    }

    /// Parses a complete head (request line, header lines, empty line), without leading blank lines.
    private static func parseHead(_ head: ArraySlice<UInt8>) -> Result<HTTPRequestHead, HTTPRejection> {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        for index in head.indices where head[index] == lf {
            var line = head[lineStart..<index]
            if line.last == cr { line = line.dropLast() }
            lines.append(line)
            lineStart = index + 1
        }
        // The last line is the empty one that ends the head.
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return .failure(bad("no request line")) }
        if let line = lines.first(where: { $0.contains(cr) }) {
            return .failure(bad("a bare CR in \"\(printable(line))\""))
        }
        return parseRequestLine(requestLine).flatMap { method, target, minor in
            parseHeaders(lines.dropFirst()).map { headers in
                let keepAlive = minor >= 1 ? !headers.close : headers.keepAlive && !headers.close
                return HTTPRequestHead(method: method, target: target, minorVersion: minor, keepAlive: keepAlive,
                                       contentLength: headers.contentLength ?? 0)
            }
        }
    }

    /// `method SP target SP HTTP/1.y`, one space each.
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) -> Result<(String, String, Int), HTTPRejection> {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(bad("request line \"\(printable(line))\" is not METHOD TARGET VERSION")) }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else {
            return .failure(bad("method \"\(printable(method))\" is not a token"))
        }
        // Visible ASCII only: no spaces, controls or raw UTF-8 (clients percent-encode).
        guard !target.isEmpty, target.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return .failure(bad("target \"\(printable(target))\" has characters outside visible ASCII"))
        }
        let digit: ClosedRange<UInt8> = 0x30...0x39
        guard version.count == 8, version.starts(with: "HTTP/".utf8), digit.contains(version[version.startIndex + 5]),
              version[version.startIndex + 6] == UInt8(ascii: "."), digit.contains(version[version.startIndex + 7]) else {
            return .failure(bad("version \"\(printable(version))\" is not HTTP/x.y"))
        }
        let major = Int(version[version.startIndex + 5] - 0x30)
        guard major == 1 else {
            return .failure(HTTPRejection(status: .versionNotSupported, reason: "HTTP/\(major) is not served, only HTTP/1.x"))
        }
        return .success((String(decoding: method, as: UTF8.self), String(decoding: target, as: UTF8.self),
                         Int(version[version.startIndex + 7] - 0x30)))
    }

    private struct Headers {
        var close = false
        var keepAlive = false
        var contentLength: Int?
    }

    private static func parseHeaders(_ lines: ArraySlice<ArraySlice<UInt8>>) -> Result<Headers, HTTPRejection> {
        var headers = Headers()
        for line in lines {
            // Obsolete line folding (a line starting with whitespace) is refused, as RFC 9112 §5.2 allows.
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[..<colon].allSatisfy(isTokenByte) else {
                return .failure(bad("header line \"\(printable(line))\" is not NAME: VALUE"))
            }
            let value = trimmed(line[(colon + 1)...])
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(bad("a control character in header \(printable(line[..<colon]))"))
            }
            switch String(decoding: line[..<colon], as: UTF8.self).lowercased() {
            case "connection":
                for option in value.split(separator: UInt8(ascii: ",")) {
                    switch String(decoding: trimmed(option), as: UTF8.self).lowercased() {
                    case "close": headers.close = true
                    case "keep-alive": headers.keepAlive = true
                    default: break
                    }
                }
            case "content-length":
                // Digits only (no sign, no list); 15 digits is far beyond any body and far from overflow.
                guard !value.isEmpty, value.count <= 15, value.allSatisfy({ (0x30...0x39).contains($0) }),
                      let length = Int(String(decoding: value, as: UTF8.self)) else {
                    return .failure(bad("Content-Length \"\(printable(value))\" is not a number of bytes"))
                }
                guard headers.contentLength == nil || headers.contentLength == length else {
                    return .failure(bad("two different Content-Length headers"))
                }
                headers.contentLength = length
            case "transfer-encoding":
                // A chunked body would have to be decoded to find the next request; no GET needs one.
                return .failure(HTTPRejection(status: .notImplemented, reason: "Transfer-Encoding is not supported"))
            default:
                break
            }
        }
        return .success(headers)
    }

    /// tchar (RFC 9110 §5.6.2): what a method or header name is made of.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    private static func bad(_ reason: String) -> HTTPRejection {
        HTTPRejection(status: .badRequest, reason: reason)
    }

    /// At most 60 bytes, anything but printable ASCII as `?`: for the reason a 400 gives back, never raw input.
    private static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(60).map { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") ? $0 : UInt8(ascii: "?") },
               as: UTF8.self)
    }
}
