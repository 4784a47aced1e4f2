import AoftopClock
import Glibc

/// A small HTTP/1.1 server: one thread running `poll(2)` over the listening socket and every connection, all
/// non-blocking. Written here rather than taken from a package because it serves one GET route, and SwiftNIO,
/// which did, was ~2 MB of a static binary that must stay under 20 MB (issue 14); the other HTTP servers on the
/// package mirror are built on NIO (Hummingbird, Vapor) or need FoundationNetworking, which a static build links
/// only with libcurl (FlyingFox).
///
/// It runs on production Redis hosts next to a server that may be out of fds, so it defends its own: at most
/// `maxConnections` clients (more are accepted and closed at once), each closed after `idleTimeout` seconds
/// without a complete request or a write that progresses, with a bounded head (8 KiB) and one reply buffered
/// at a time; a slow reader's reply waits in its own buffer without holding up the loop.
final class HTTPServer: Sendable {
    struct Limits: Sendable {
        var idleTimeout: Double
        var maxConnections = 64
        var backlog: Int32 = 64
    }

    private struct State: Sendable {
        var closing = false
        var finished = false
    }

    /// The bound port (the real one when port 0 was asked for).
    let port: Int
    private let lock = ConditionLock(State())
    private let wakeWriter: Int32

    /// Binds and starts the thread; throws `MetricsEndpointError` (e.g. `bind: Address already in use`).
    init(address: ListenAddress, limits: Limits,
         respond: @escaping @Sendable (HTTPRequestHead) -> HTTPReply) throws(MetricsEndpointError) {
        let listener = try HTTPSockets.listen(on: address, backlog: limits.backlog)
        let wake: (reader: Int32, writer: Int32)
        do { wake = try HTTPSockets.wakePair() } catch {
            Glibc.close(listener.fd)
            throw error
        }
        port = listener.port
        wakeWriter = wake.writer
        let lock = self.lock
        let started = DetachedThread.start(name: "aoftop-http") {
            let loop = HTTPServerLoop(listener: listener.fd, wake: wake.reader, limits: limits, respond: respond)
            loop.run { lock.withLock { $0.closing } }
            loop.closeAll()
            lock.update { $0.finished = true }
        }
        guard started else {
            // Marked ended first: `deinit` then neither writes to the closed fd nor waits for a thread.
            lock.update { $0 = State(closing: true, finished: true) }
            [listener.fd, wake.reader, wake.writer].forEach { _ = Glibc.close($0) }
            throw MetricsEndpointError("cannot start a thread to serve HTTP")
        }
    }

    /// Stops serving and returns once the thread has ended and every fd is closed. Idempotent.
    func close() {
        let first = lock.update { state -> Bool in
            defer { state.closing = true }
            return !state.closing
        }
        if first {
            var byte: UInt8 = 1
            _ = Glibc.send(wakeWriter, &byte, 1, Int32(MSG_NOSIGNAL))
        }
        lock.wait { state, _ in state.finished ? .done(()) : .wait(until: nil) }
        if first { Glibc.close(wakeWriter) }
    }

    deinit { close() }
}

/// The poll loop's state, owned by its thread.
private final class HTTPServerLoop {
    private let listener: Int32
    private let wake: Int32
    private let limits: HTTPServer.Limits
    private let respond: @Sendable (HTTPRequestHead) -> HTTPReply
    private var connections: [HTTPConnection] = []
    /// After accept failed for lack of fds or memory, the listener rests until then, rather than spinning on a
    /// socket that stays readable.
    private var acceptResumes = 0.0
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 8)

    init(listener: Int32, wake: Int32, limits: HTTPServer.Limits, respond: @escaping @Sendable (HTTPRequestHead) -> HTTPReply) {
        self.listener = listener
        self.wake = wake
        self.limits = limits
        self.respond = respond
    }

    deinit { scratch.deallocate() }

    func run(until closing: () -> Bool) {
        var polled: [pollfd] = []
        while !closing() {
            var now = MonotonicClock.now()
            connections.forEach { $0.expire(now: now) }
            connections.removeAll { $0.phase == .closed }

            polled.removeAll(keepingCapacity: true)
            polled.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
            // A negative fd is skipped by poll: the listener while it rests.
            polled.append(pollfd(fd: now >= acceptResumes ? listener : -1, events: Int16(POLLIN), revents: 0))
            for connection in connections {
                polled.append(pollfd(fd: connection.fd, events: connection.events, revents: 0))
            }
            let ready = poll(&polled, nfds_t(polled.count), timeout(now: now))
            if ready < 0 {
                if errno != EINTR { usleep(10_000) } // ENOMEM: try again shortly
                continue
            }
            now = MonotonicClock.now()
            if polled[0].revents != 0 { drainWake() }
            for (index, connection) in connections.enumerated() where polled[index + 2].revents != 0 {
                connection.handle(polled[index + 2].revents, now: now, scratch: scratch)
            }
            connections.removeAll { $0.phase == .closed } // before accepting: they no longer count
            if polled[1].revents != 0 { acceptPending(now: now) }
        }
    }

    func closeAll() {
        connections.forEach { $0.close() }
        connections = []
        Glibc.close(listener)
        Glibc.close(wake)
    }

    /// Milliseconds until the next deadline (a connection's, or the listener's rest), -1 for none.
    private func timeout(now: Double) -> Int32 {
        var next = connections.lazy.map(\.deadline).min()
        if now < acceptResumes { next = min(next ?? acceptResumes, acceptResumes) }
        guard let next else { return -1 }
        // Rounded up, so the deadline has passed when poll returns; an hour at most keeps the conversion safe.
        return Int32(min(max((next - now) * 1000, 0), 3_600_000).rounded(.up))
    }

    private func drainWake() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ recv(wake, $0.baseAddress, $0.count, 0) }) > 0 {}
    }

    /// Accepts what is pending, at most one cap's worth per turn so open connections are served in between.
    private func acceptPending(now: Double) {
        for _ in 0..<limits.maxConnections {
            let fd = HTTPSockets.accept(listener)
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue // that client gave up; others may be waiting
                default: // EMFILE, ENFILE, ENOBUFS, ENOMEM: rest, and let connections close meanwhile
                    acceptResumes = now + 0.1
                    return
                }
            }
            // Over the cap: closed at once, so a flood of clients cannot take the fds aoftop needs itself.
            guard connections.count < limits.maxConnections else {
                Glibc.close(fd)
                continue
            }
            connections.append(HTTPConnection(fd: fd, now: now, settings: .init(idleTimeout: limits.idleTimeout),
                                              respond: respond))
        }
    }
}
