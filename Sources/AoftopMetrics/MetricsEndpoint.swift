import AoftopClock
import AoftopFleet
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The HTTP endpoint: `GET /metrics` renders the fleet's latest readings; `GET /` says where the metrics are.
///
/// A scrape reads what the sampling threads last stored and never talks to Redis, so it answers at once while a
/// server is out of fds or hung (its `aoftop_sample_age_seconds` grows instead). One event-loop thread: a scrape
/// takes well under a millisecond, and Prometheus scrapes one at a time.
public final class MetricsEndpoint: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let closed = Atomic(false)

    /// Seconds a connection may stay silent before it is closed: a client that connects and sends nothing must
    /// not hold one of aoftop's own fds for ever.
    public static let idleTimeout = 30.0

    /// Binds and starts serving; throws `MetricsEndpointError` (e.g. `bind: Address already in use`).
    /// - Parameter host: this machine's name, for the `instance` label of local servers.
    public init(address: ListenAddress, fleet: FleetMonitor, host: String,
                idleTimeout: Double = MetricsEndpoint.idleTimeout) throws {
        let scrapes = Atomic<Int>(0)
        let respond: @Sendable (HTTPMethod, String) -> HTTPReply = { method, uri in
            guard method == .GET || method == .HEAD else {
                return HTTPReply(status: .methodNotAllowed, body: "aoftop: only GET\n")
            }
            switch uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri {
            case "/metrics":
                let count = scrapes.add(1, ordering: .relaxed).newValue
                let text = MetricsExposition.render(fleet.entries, now: MonotonicClock.now(), scrapes: count, host: host)
                return HTTPReply(status: .ok, contentType: Self.contentType, body: text)
            case "/":
                return HTTPReply(status: .ok, body: "aoftop: Prometheus metrics at /metrics (docs/metrics.md)\n")
            default:
                return HTTPReply(status: .notFound, body: "aoftop: not found; the metrics are at /metrics\n")
            }
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        IdleStateHandler(allTimeout: .milliseconds(Int64(idleTimeout * 1000))))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(respond: respond))
                }
            }
        do {
            channel = try bootstrap.bind(host: address.ip, port: Int(address.port)).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw MetricsEndpointError(Self.describe(error))
        }
    }

    /// The bound port (useful with port 0).
    public var port: Int? { channel.localAddress?.port }

    /// Stops listening and ends the event-loop thread. Idempotent.
    public func close() {
        // A second close would schedule on a loop already shut down, and wait for ever.
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// `bind: Address already in use` rather than NIO's `bind(descriptor:ptr:bytes:): … (errno: 98)`.
    static func describe(_ error: any Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        let call = io.description.prefix { $0 != "(" && $0 != ":" }
        return "\(call): \(String(cString: strerror(io.errnoCode)))"
    }
}

public struct MetricsEndpointError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

struct HTTPReply: Sendable {
    var status: HTTPResponseStatus
    var contentType = "text/plain; charset=utf-8"
    var body: String
}

/// One request at a time per connection (HTTP/1.1 keep-alive as Prometheus uses it); closes after the reply
/// when the client asked for `Connection: close`.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (HTTPMethod, String) -> HTTPReply
    private var request: HTTPRequestHead?

    init(respond: @escaping @Sendable (HTTPMethod, String) -> HTTPReply) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break // a GET has none; anything sent is ignored
        case .end:
            guard let head = request else { return }
            request = nil
            let reply = respond(head.method, head.uri)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: reply.contentType)
            headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: reply.status,
                                                                     headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(Self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reply.body)))),
                              promise: nil)
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            if !head.isKeepAlive {
                let loopBoundContext = context.loopBound
                written.futureResult.whenComplete { _ in loopBoundContext.value.close(promise: nil) }
            }
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
