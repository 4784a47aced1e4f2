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

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var commands: [[String]] = []
    private var clientFds: [Int32] = []
    private var stopped = false

    init(_ behaviour: Behaviour, backlog: Int32 = 16) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok, listen(listener, backlog) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        if case .neverAccept = behaviour { return }
        Thread.detachNewThread { [self] in acceptLoop(behaviour) }
    }

    deinit { stop() }

    /// Every command received so far, in order.
    var received: [[String]] { lock.withLock { commands } }

    func stop() {
        let fds: [Int32] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return clientFds + [listener]
        }
        // shutdown() wakes the blocked accept()/recv() of the helper thread; it closes nothing it does not own.
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { break }
            let keep: Bool = lock.withLock {
                if !stopped { clientFds.append(client) }
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
