@testable import AoftopMetrics
import Testing

/// The request-head parser alone: bytes in, a head or a refusal out.
@Suite struct HTTPRequestParserTests {
    private func parse(_ text: String) -> HTTPHeadParse { HTTPRequestParser.parse(Array(text.utf8)) }

    private func head(_ text: String) throws -> HTTPRequestHead {
        guard case .request(let head, let length) = parse(text) else {
            throw ParseFailure("no request: \(parse(text))")
        }
        #expect(length == text.utf8.count, "the whole text is one head")
        return head
    }

    private func status(_ text: String) -> Int? {
        guard case .rejected(let rejection) = parse(text) else { return nil }
        return rejection.status.code
    }

    @Test func prometheusScrape() throws {
        let request = try head("GET /metrics HTTP/1.1\r\nHost: cache-07:9187\r\nUser-Agent: Prometheus/2.53.0\r\n"
            + "Accept: application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.1\r\n"
            + "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n")
        #expect(request == HTTPRequestHead(method: "GET", target: "/metrics", minorVersion: 1, keepAlive: true, contentLength: 0))
        #expect(request.path == "/metrics")
    }

    @Test(arguments: [
        ("/metrics?name[]=x", "/metrics"),
        ("/", "/"),
        ("http://cache-07:9187/metrics", "/metrics"),
        ("http://cache-07:9187", "/"),
        ("/metrics#top", "/metrics"),
        ("*", "*"),
    ])
    func pathWithoutQuery(target: String, path: String) throws {
        #expect(try head("GET \(target) HTTP/1.1\r\n\r\n").path == path)
    }

    @Test(arguments: [
        // version, Connection header, keep-alive
        ("HTTP/1.1", nil, true),
        ("HTTP/1.1", "close", false),
        ("HTTP/1.1", "Close", false),
        ("HTTP/1.1", "CLOSE", false),
        ("HTTP/1.1", "keep-alive", true),
        ("HTTP/1.1", "TE, close", false),
        ("HTTP/1.1", "Upgrade , Close ", false),
        ("HTTP/1.0", nil, false),
        ("HTTP/1.0", "Keep-Alive", true),
        ("HTTP/1.0", "keep-alive, close", false),
        ("HTTP/1.2", nil, true),
    ] as [(String, String?, Bool)])
    func keepAlive(version: String, connection: String?, keepAlive: Bool) throws {
        let header = connection.map { "Connection: \($0)\r\n" } ?? ""
        let request = try head("GET / \(version)\r\nHost: x\r\n\(header)\r\n")
        #expect(request.keepAlive == keepAlive)
        #expect(request.minorVersion == Int(String(version.last!)))
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        #expect(try head("GET / HTTP/1.1\r\nCONNECTION: close\r\n\r\n").keepAlive == false)
        #expect(try head("GET / HTTP/1.1\r\nconnection:close\r\n\r\n").keepAlive == false)
        #expect(try head("GET / HTTP/1.1\r\ncontent-LENGTH: 12\r\n\r\n").contentLength == 12)
    }

    @Test func bareLineFeedsAndLeadingBlankLines() throws {
        #expect(try head("GET /metrics HTTP/1.0\nHost: x\n\n").target == "/metrics")
        guard case .request(let request, let length) = parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n") else {
            Issue.record("blank lines before the request line are skipped")
            return
        }
        #expect(request.target == "/" && length == 22)
    }

    @Test func incompleteUntilTheEmptyLine() {
        for text in ["", "GET", "GET /metrics HTTP/1.1", "GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\nHost: x\r\n",
                     "GET /metrics HTTP/1.1\r\nHost: x\r\n\r"] {
            guard case .incomplete = parse(text) else {
                Issue.record("\(text.debugDescription): \(parse(text))")
                continue
            }
        }
    }

    @Test func onlyTheFirstHeadIsTaken() {
        let text = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"
        guard case .request(let request, let length) = parse(text) else {
            Issue.record("\(parse(text))")
            return
        }
        #expect(request.target == "/a" && length == 19)
    }

    @Test func resumingTheSearchFindsTheSameEnd() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        for split in 0...bytes.count {
            let first = HTTPRequestParser.parse(Array(bytes[..<split]))
            // A head only once the whole of it is there; before that, where to resume.
            var resume = 0
            switch first {
            case .incomplete(let at): resume = at
            case .request(_, let length): #expect(length == bytes.count)
            case .rejected(let rejection): Issue.record("split at \(split): \(rejection)")
            }
            let complete = if case .request = first { true } else { false }
            #expect(complete == (split == bytes.count), "split at \(split)")
            guard case .request(_, let length) = HTTPRequestParser.parse(bytes, resumingAt: resume) else {
                Issue.record("split at \(split): no head after resuming at \(resume)")
                continue
            }
            #expect(length == bytes.count, "split at \(split)")
        }
    }

    @Test func oversizedHead() throws {
        let big = "GET / HTTP/1.1\r\nCookie: " + String(repeating: "a", count: 9000)
        #expect(status(big) == 431, "too large before it even ends")
        #expect(status(big + "\r\n\r\n") == 431)
        #expect(status(String(repeating: "\r\n", count: 5000)) == 431, "blank lines count")
        let fits = "GET / HTTP/1.1\r\nCookie: " + String(repeating: "a", count: 8000) + "\r\n\r\n"
        #expect(try head(fits).keepAlive)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        "GET / HTTP/x.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET /a\u{7F}b HTTP/1.1\r\n\r\n",
        "GET /caf\u{E9} HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\rHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "GET / HTTP/1.1\r\n: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\n\n", // a TLS ClientHello's first bytes
    ])
    func garbageIsABadRequest(text: String) {
        #expect(status(text) == 400, "\(text.debugDescription): \(parse(text))")
    }

    @Test func otherVersionsAndBodies() throws {
        #expect(status("GET / HTTP/2.0\r\n\r\n") == 505)
        #expect(status("GET / HTTP/0.9\r\n\r\n") == 505)
        #expect(status("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == 505, "the HTTP/2 preface")
        #expect(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == 501)
        #expect(try head("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").contentLength == 5)
        #expect(try head("get / HTTP/1.1\r\n\r\n").method == "get", "methods are case-sensitive: routed as unknown")
    }
}

/// The endpoint's routes, without sockets.
@Suite struct MetricsRouteTests {
    private func route(_ method: String, _ target: String) -> HTTPReply {
        MetricsEndpoint.route(HTTPRequestHead(method: method, target: target, minorVersion: 1, keepAlive: true, contentLength: 0)) {
            "aoftop_instances 0\n"
        }
    }

    @Test func routes() {
        #expect(route("GET", "/metrics") == HTTPReply(status: .ok, contentType: MetricsEndpoint.contentType, body: "aoftop_instances 0\n"))
        #expect(route("HEAD", "/metrics?x=1").body == "aoftop_instances 0\n", "HEAD: the length of what GET gets")
        #expect(route("GET", "/").status == .ok)
        #expect(route("GET", "/metrics/").status == .notFound)
        #expect(route("GET", "/favicon.ico").status == .notFound)
        let post = route("POST", "/metrics")
        #expect(post.status == .methodNotAllowed)
        #expect(post.headers.first { $0.name == "Allow" }?.value == "GET, HEAD")
        #expect(route("get", "/metrics").status == .methodNotAllowed)
    }

    @Test func serialized() {
        let reply = HTTPReply(status: .notFound, body: "nö\n")
        #expect(String(decoding: reply.serialized(headOnly: false, persistence: .keepAlive), as: UTF8.self)
            == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\n\r\nnö\n")
        #expect(String(decoding: reply.serialized(headOnly: true, persistence: .close), as: UTF8.self)
            == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: reply.serialized(headOnly: true, persistence: .keepAliveSaid), as: UTF8.self)
            .hasSuffix("Connection: keep-alive\r\n\r\n"))
    }
}

private struct ParseFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
