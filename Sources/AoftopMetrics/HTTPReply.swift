/// The statuses the metrics endpoint answers with.
struct HTTPStatus: Equatable, Sendable {
    var code: Int
    var reason: String

    static let ok = HTTPStatus(code: 200, reason: "OK")
    static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    static let headerFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    static let versionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}

/// A whole response, body included (the largest, a fleet's exposition, is tens of kilobytes).
struct HTTPReply: Sendable, Equatable {
    var status: HTTPStatus
    var contentType = "text/plain; charset=utf-8"
    var body: String
    /// Beyond Content-Type, Content-Length and Connection (e.g. `Allow` for a 405).
    var headers: [(name: String, value: String)] = []

    init(status: HTTPStatus, contentType: String = "text/plain; charset=utf-8", body: String,
         headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    static func == (left: HTTPReply, right: HTTPReply) -> Bool {
        left.status == right.status && left.contentType == right.contentType && left.body == right.body
            && left.headers.elementsEqual(right.headers) { $0 == $1 }
    }

    /// What the connection does after this reply, as its `Connection` header says.
    enum Persistence: Equatable {
        /// HTTP/1.1: open, no header needed.
        case keepAlive
        /// HTTP/1.0 that asked for keep-alive: open, and said so (a 1.0 client assumes close otherwise).
        case keepAliveSaid
        case close
    }

    /// The bytes on the wire: status line, headers, and the body unless `headOnly` (HEAD: the length of the
    /// body a GET would get, no body).
    func serialized(headOnly: Bool, persistence: Persistence) -> [UInt8] {
        var head = "HTTP/1.1 \(status.code) \(status.reason)\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        switch persistence {
        case .keepAlive: break
        case .keepAliveSaid: head += "Connection: keep-alive\r\n"
        case .close: head += "Connection: close\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !headOnly { bytes += body.utf8 }
        return bytes
    }
}
