import Foundation
import Glibc
import RESP

/// A loopback TCP peer for tests that a real redis-server cannot play: a server of another generation
/// (scripted replies), one that stalls, one that speaks HTTP, one whose accept backlog is full.
final class ScriptedServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// Decode commands; answer each with the closure's value (`nil`: never answer).
        case respond(@Sendable ([String]) -> RESPValue?)
        /// Write these bytes on accept, then close.
        case raw([UInt8])
        /// Never accept: the kernel completes handshakes into the backlog and nobody ever reads.
        case neverAccept
    }

    /// Where to listen.
    enum Address: Sendable {
        case loopbackIPv4, loopbackIPv6
        case unix(path: String)
    }

    let port: Int
    private let listener: Int32
    private let acceptsConnections: Bool
    private let lock = NSLock()
    private var commands: [[String]] = []
    private var clientFds: [Int32] = []
    private var accepted = 0
    private var stopped = false

    init(_ behaviour: Behaviour, at address: Address = .loopbackIPv4, backlog: Int32 = 16) throws {
        let (listener, port) = try Self.listen(at: address, backlog: backlog)
        self.listener = listener
        self.port = port
        acceptsConnections = { if case .neverAccept = behaviour { return false } else { return true } }()
        if acceptsConnections { Thread.detachNewThread { [self] in acceptLoop(behaviour) } }
    }

    /// A server answering `PING` with `PONG`, for tests that only need a reachable peer.
    static func pong(at address: Address) throws -> ScriptedServer {
        try ScriptedServer(.respond { _ in .simpleString("PONG") }, at: address)
    }

    private static func listen(at address: Address, backlog: Int32) throws -> (Int32, Int) {
        let family: Int32
        switch address {
        case .loopbackIPv4: family = AF_INET
        case .loopbackIPv6: family = AF_INET6
        case .unix: family = AF_UNIX
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EAFNOSUPPORT) }
        var port = 0
        let bound: Bool
        switch address {
        case .loopbackIPv4:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            bound = withUnsafeMutablePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            port = Int(UInt16(bigEndian: sin.sin_port))
        case .loopbackIPv6:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_addr = in6addr_loopback
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            bound = withUnsafeMutablePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            port = Int(UInt16(bigEndian: sin6.sin6_port))
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes + [0]) }
            bound = withUnsafeMutablePointer(to: &sun) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
            }
        }
        guard bound, Glibc.listen(fd, backlog) == 0 else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return (fd, port)
    }

    deinit { stop() }

    /// Every command received so far, in order.
    var received: [[String]] { lock.withLock { commands } }

    /// Connections accepted so far.
    var acceptedCount: Int { lock.withLock { accepted } }

    func stop() {
        let fds: [Int32] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return clientFds + [listener]
        }
        // shutdown() wakes the helper threads blocked in accept()/recv(); they close their own fds.
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        if !acceptsConnections, !fds.isEmpty { close(listener) }
    }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { break }
            let keep: Bool = lock.withLock {
                if !stopped { clientFds.append(client); accepted += 1 }
                return !stopped
            }
            guard keep else { close(client); break }
            Thread.detachNewThread { [self] in serve(client, behaviour) }
        }
        close(listener)
    }

    private func serve(_ fd: Int32, _ behaviour: Behaviour) {
        defer { close(fd) }
        switch behaviour {
        case .raw(let bytes):
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = recv(fd, &buffer, buffer.count, 0) // let the client's request arrive, like a real HTTP server
            _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
        case .respond(let answer):
            var decoder = RESPDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { return }
                decoder.feed(buffer[..<count])
                while let value = try? decoder.next() {
                    guard case .array(let items?) = value else { return }
                    let command = items.compactMap(\.text)
                    lock.withLock { commands.append(command) }
                    if let reply = answer(command) {
                        let bytes = RESPEncoder.encode(reply)
                        _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                    }
                }
            }
        case .neverAccept:
            return
        }
    }
}

/// A clock the test moves by hand.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double

    init(_ start: Double = 1000) { seconds = start }

    var now: Double { lock.withLock { seconds } }
    func advance(_ delta: Double) { lock.withLock { seconds += delta } }
    var closure: @Sendable () -> Double { { [self] in now } }
}

/// Runs `body` and fails the test if it took longer than `limit` seconds: a hang guard, not a timing assertion.
func withinHangGuard<T>(_ limit: Double = 10, _ body: () throws -> T) rethrows -> (T, Double) {
    let start = Date()
    let result = try body()
    return (result, Date().timeIntervalSince(start))
}

/// A fresh private directory for one test.
func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/aoftop-rc-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    return String(cString: made)
}
