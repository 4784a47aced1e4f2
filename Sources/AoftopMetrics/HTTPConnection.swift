import Glibc

/// One client connection of the HTTP server, driven by its poll loop (one thread: no locking).
///
/// It reads only while it has nothing left to write and no complete request waiting, so its buffers stay bounded
/// (a head of at most 8 KiB plus one read, one reply) however the client behaves; pipelined requests are answered
/// one after the other, in order. Its deadline moves on at each complete request and each write that makes
/// progress, not on a partial head: a client sending one byte at a time is closed like a silent one.
final class HTTPConnection {
    enum Phase: Equatable {
        /// Reading requests and writing replies.
        case open
        /// The last reply is sent and our side shut down; what the client still sends is read and dropped until it
        /// closes or the deadline passes, so the kernel does not answer it with a reset that could destroy the
        /// reply before the client has read it.
        case lingering
        case closed
    }

    struct Settings: Sendable {
        var idleTimeout: Double
        /// How long a lingering connection is kept for the client to close it.
        var lingerTimeout: Double { min(idleTimeout, 2) }
    }

    let fd: Int32
    private(set) var phase = Phase.open
    /// When the connection is closed unless something happens first (monotonic seconds).
    private(set) var deadline: Double
    private let settings: Settings
    private let respond: @Sendable (HTTPRequestHead) -> HTTPReply

    private var input: [UInt8] = []
    /// Where the search for the end of the head resumes in `input`.
    private var scanned = 0
    private var output: [UInt8] = []
    private var written = 0
    private var closeWhenWritten = false

    init(fd: Int32, now: Double, settings: Settings, respond: @escaping @Sendable (HTTPRequestHead) -> HTTPReply) {
        self.fd = fd
        self.settings = settings
        self.respond = respond
        deadline = now + settings.idleTimeout
    }

    /// The events to poll for: output first; nothing else is read until it is out.
    var events: Int16 {
        switch phase {
        case .open: Int16(written < output.count ? POLLOUT : POLLIN)
        case .lingering: Int16(POLLIN)
        case .closed: 0
        }
    }

    /// Acts on what `poll` reported; `scratch` is the loop's read buffer.
    func handle(_ revents: Int16, now: Double, scratch: UnsafeMutableRawBufferPointer) {
        guard revents & Int16(POLLNVAL) == 0 else { return close() }
        switch phase {
        case .open where written < output.count:
            flush(now: now)
            if phase == .open && written == output.count { afterReply(now: now) }
        case .open, .lingering:
            receive(now: now, scratch: scratch)
        case .closed:
            break
        }
    }

    /// Closes the connection if its deadline has passed.
    func expire(now: Double) {
        if phase != .closed && now >= deadline { close() }
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        Glibc.close(fd)
        input = []
        output = []
    }

    private func receive(now: Double, scratch: UnsafeMutableRawBufferPointer) {
        let count = recv(fd, scratch.baseAddress, scratch.count, 0)
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            return close()
        }
        // End of input: nothing is waiting to be answered (this is read only then), so the client is done.
        guard count > 0 else { return close() }
        guard phase == .open else { return } // lingering: dropped
        input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        answerWaitingRequests(now: now)
    }

    /// Answers the requests in `input`, one at a time, as long as each reply goes out at once.
    private func answerWaitingRequests(now: Double) {
        while phase == .open && written == output.count && !closeWhenWritten {
            guard !input.isEmpty else { return }
            let parsed: Result<HTTPRequestHead, HTTPRejection>
            switch HTTPRequestParser.parse(input, resumingAt: scanned) {
            case .incomplete(let resume):
                scanned = resume
                return
            case .rejected(let rejection):
                return reject(rejection, now: now)
            case .request(let head, let length):
                parsed = .success(head)
                consume(length)
            }
            deadline = now + settings.idleTimeout
            switch parsed {
            case .success(let head):
                // A request with a body (no GET has one) is answered and the connection closed, the body dropped
                // unread while lingering: skipping it to read on could take a client's body for its next request
                // (one that sent `Expect: 100-continue` may send no body after a 405).
                let persistence: HTTPReply.Persistence = !head.keepAlive || head.contentLength > 0 ? .close
                    : head.minorVersion == 0 ? .keepAliveSaid : .keepAlive
                send(respond(head), headOnly: head.method == "HEAD", persistence: persistence, now: now)
            case .failure(let rejection):
                reject(rejection, now: now)
            }
        }
    }

    private func reject(_ rejection: HTTPRejection, now: Double) {
        input = []
        let reply = HTTPReply(status: rejection.status, body: "aoftop: \(rejection.reason)\n")
        send(reply, headOnly: false, persistence: .close, now: now)
    }

    private func send(_ reply: HTTPReply, headOnly: Bool, persistence: HTTPReply.Persistence, now: Double) {
        output = reply.serialized(headOnly: headOnly, persistence: persistence)
        written = 0
        closeWhenWritten = persistence == .close
        flush(now: now)
        if phase == .open && written == output.count && closeWhenWritten { afterReply(now: now) }
    }

    /// A reply is out: linger if it was the last, else answer what was pipelined behind it.
    private func afterReply(now: Double) {
        output = []
        written = 0
        if closeWhenWritten {
            shutdown(fd, Int32(SHUT_WR))
            phase = .lingering
            input = []
            deadline = now + settings.lingerTimeout
        } else {
            answerWaitingRequests(now: now)
        }
    }

    /// Writes what the socket takes now; the rest waits for POLLOUT.
    private func flush(now: Double) {
        while written < output.count {
            let count = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
                deadline = now + settings.idleTimeout
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                return close()
            }
        }
        if written == output.count && !closeWhenWritten {
            output = []
            written = 0
        }
    }

    private func consume(_ count: Int) {
        guard count > 0 else { return }
        input.removeFirst(count)
        scanned = 0
    }
}
