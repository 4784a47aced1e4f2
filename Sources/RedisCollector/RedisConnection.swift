import AoftopClock
import Glibc
import RESP

/// One socket to Redis with guaranteed time bounds.
///
/// The socket is non-blocking from birth and every wait goes through `poll()` against a deadline, so connect,
/// send and receive each return within `timeout` seconds whatever the peer does (dead host, full accept
/// backlog, a server that accepts and never answers). Writes use `MSG_NOSIGNAL`, so a vanished peer is an
/// error, not a SIGPIPE. Any failure closes the socket: a timed-out reply could still arrive later and would
/// desynchronise request and reply, so the connection is never reused after an error.
///
/// Only read-only commands pass (`INFO`, `PING`, `CONFIG GET`, `CLIENT LIST` when the operator asked for it, plus
/// `AUTH` for the set-up path).
public final class RedisConnection {
    public let endpoint: RedisEndpoint
    /// Seconds allowed for connecting (resolution included) and for each command's full round trip.
    public let timeout: Double
    private var fd: Int32
    private var decoder: RESPDecoder
    /// This side's TCP port (`nil` for a unix socket): how the server's end of the connection is found in its
    /// `/proc/PID/net/tcp` when the server accepts it and never answers.
    public private(set) var localPort: Int?
    /// Replies received on this connection: a connection the server never answered once is one it accepted and
    /// could not serve.
    public private(set) var replies = 0
    /// Whether `CLIENT LIST` may be sent (the operator's `--client-list`); nothing else is ever added.
    public var allowsClientList = false

    /// Resolves and connects within `timeout` seconds. For a name with several addresses each is tried in turn
    /// within the same deadline.
    public init(endpoint: RedisEndpoint, timeout: Double = 1.0, limits: RESPDecoder.Limits = .init()) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        self.decoder = RESPDecoder(limits: limits)
        let deadline = MonotonicClock.now() + timeout
        let addresses: [SocketAddress]
        switch endpoint {
        case .tcp(let host, let port): addresses = try AddressResolver.resolve(host: host, port: port, timeout: timeout)
        case .unix(let path): addresses = [try SocketAddress.unix(path: path)]
        }
        var lastError = RedisError.system("no address to connect to for \(endpoint)")
        for address in addresses {
            do {
                self.fd = try Self.connect(to: address, deadline: deadline, timeout: timeout, endpoint: endpoint)
                localPort = Self.localPort(of: fd)
                return
            } catch let error as RedisError {
                lastError = error
                if case .timedOut = error { break }
            }
        }
        throw lastError
    }

    deinit { close() }

    public var isOpen: Bool { fd >= 0 }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends one command and waits for its reply. Error replies (`-ERR …`) are returned as `.error`, not thrown;
    /// thrown `RedisError`s mean the connection is gone (it is closed before the throw).
    /// - Parameter timeout: this call's round trip, when it may take longer than the connection's `timeout`
    ///   (`CLIENT LIST` at 10,000 clients is MBs).
    public func call(_ arguments: [String], timeout callTimeout: Double? = nil) throws -> RESPValue {
        try ReadOnlyCommands.check(arguments, allowAuth: true, allowClientList: allowsClientList)
        guard fd >= 0 else { throw RedisError.connectionClosed(endpoint: endpoint.description) }
        let deadline = MonotonicClock.now() + (callTimeout ?? timeout)
        do {
            try send(RESPEncoder.encodeCommand(arguments), deadline: deadline)
            let reply = try receive(deadline: deadline, command: arguments[0].uppercased())
            replies += 1
            return reply
        } catch let error as RedisError {
            close()
            // Redis refuses a client at maxclients by writing an error and closing before reading anything; a
            // command sent meanwhile makes the kernel reset the connection and drop that error unread.
            if replies == 0, error == .connectionReset(endpoint: endpoint.description)
                || error == .connectionClosed(endpoint: endpoint.description),
               let greeting = Self.greeting(of: endpoint, timeout: timeout) {
                throw RedisError.refusedByServer(endpoint: endpoint.description, message: greeting)
            }
            throw error
        } catch {
            close()
            throw error
        }
    }

    /// What the server says to a new connection before being asked anything: an error line (a refusal) or `nil`
    /// (it waits for a command, or cannot be reached now). One more connection, only after a fresh one failed.
    /// Bounded by `probeSeconds` in all (connect and greeting), so a failed call costs at most that much more.
    private static func greeting(of endpoint: RedisEndpoint, timeout: Double) -> String? {
        let started = MonotonicClock.now()
        let bound = min(timeout, probeSeconds)
        guard let probe = try? RedisConnection(endpoint: endpoint, timeout: bound) else { return nil }
        defer { probe.close() }
        let deadline = started + bound
        guard case .error(let message)? = try? probe.receive(deadline: deadline, command: "(none)") else { return nil }
        return message
    }

    /// What the greeting probe may take: Redis writes its refusal as soon as it accepts.
    static let probeSeconds = 0.5

    // MARK: - Socket plumbing

    private static func localPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }

    private static func connect(to address: SocketAddress, deadline: Double, timeout: Double,
                                endpoint: RedisEndpoint) throws -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw RedisError.system("socket: \(errorText(errno))") }
        var success = false
        defer { if !success { Glibc.close(fd) } }
        if address.family != AF_UNIX {
            // Small request/reply exchanges: never wait for Nagle.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let status = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if status != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                throw connectError(code, address: address, endpoint: endpoint)
            }
            guard try wait(fd, for: Int16(POLLOUT), until: deadline) else {
                throw RedisError.timedOut(seconds: timeout, doing: "connecting to \(endpoint)")
            }
            var pending: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length)
            if pending != 0 { throw connectError(pending, address: address, endpoint: endpoint) }
        }
        success = true
        return fd
    }

    private static func connectError(_ code: Int32, address: SocketAddress, endpoint: RedisEndpoint) -> RedisError {
        switch code {
        case ECONNREFUSED: return .connectionRefused(endpoint: endpoint.description)
        case ECONNRESET: return .connectionReset(endpoint: endpoint.description)
        // A unix socket whose accept backlog is full refuses non-blocking connects with EAGAIN.
        case EAGAIN where address.family == AF_UNIX:
            return .system("connect to \(endpoint): accept backlog full (server not accepting connections)")
        default: return .system("connect to \(endpoint): \(errorText(code))")
        }
    }

    /// Waits until `fd` is ready for `events`; `false` when the deadline passed first.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Double) throws -> Bool {
        while true {
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let status = poll(&entry, 1, Int32(min((remaining * 1000).rounded(.up), 1e9)))
            if status > 0 { return true }
            if status < 0 && errno != EINTR { throw RedisError.system("poll: \(errorText(errno))") }
        }
    }

    private func send(_ bytes: [UInt8], deadline: Double) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try Self.wait(fd, for: Int16(POLLOUT), until: deadline) else {
                    throw RedisError.timedOut(seconds: timeout, doing: "sending to \(endpoint)")
                }
            default: throw ioError(code)
            }
        }
    }

    private func receive(deadline: Double, command: String) throws -> RESPValue {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            do {
                if let value = try decoder.next() { return value }
            } catch let error as RESPError {
                if case .unknownType(_, let preview) = error { throw RedisError.notRedis(preview: preview) }
                throw RedisError.protocolViolation(error.description)
            }
            let received = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, 0) }
            if received > 0 {
                decoder.feed(chunk[..<received])
                continue
            }
            if received == 0 { throw RedisError.connectionClosed(endpoint: endpoint.description) }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try Self.wait(fd, for: Int16(POLLIN), until: deadline) else {
                    throw RedisError.timedOut(seconds: timeout, doing: "waiting for the reply to \(command) from \(endpoint)")
                }
            default: throw ioError(code)
            }
        }
    }

    private func ioError(_ code: Int32) -> RedisError {
        switch code {
        case ECONNRESET: return .connectionReset(endpoint: endpoint.description)
        case EPIPE: return .connectionClosed(endpoint: endpoint.description)
        default: return .system("\(endpoint): \(errorText(code))")
        }
    }
}
