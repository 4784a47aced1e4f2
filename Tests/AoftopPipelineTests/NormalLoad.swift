import AoftopTestSupport
import Foundation
import Glibc
import Synchronization

/// Healthy traffic for the no-false-alarm test: clients connecting and disconnecting (5 to 30 at a time, in
/// waves) and a writer that grows the AOF so automatic rewrites keep succeeding.
final class NormalLoad: Sendable {
    struct Statistics {
        var connections = 0
        var writes = 0
    }

    let port: Int
    private let stopped = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    private let counters = Mutex(Statistics())

    init(port: Int) { self.port = port }

    var statistics: Statistics { counters.withLock { $0 } }

    func start() {
        running.store(2, ordering: .sequentiallyConsistent)
        Thread { [self] in churn(); running.subtract(1, ordering: .sequentiallyConsistent) }.start()
        Thread { [self] in write(); running.subtract(1, ordering: .sequentiallyConsistent) }.start()
    }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        let deadline = Date().addingTimeInterval(10)
        while running.load(ordering: .sequentiallyConsistent) > 0 && Date() < deadline { usleep(10_000) }
    }

    private var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }

    /// Waves between 5 and 30 open clients; every step opens or closes a few, each new one says PING.
    private func churn() {
        var open: [Int32] = []
        var target = 30
        var rng = SystemRandomNumberGenerator()
        while !isStopped {
            if open.count >= 30 { target = 5 } else if open.count <= 5 { target = 30 }
            let step = Int.random(in: 1...3, using: &rng)
            if open.count < target {
                for _ in 0..<step {
                    guard let fd = Self.connect(port: port) else { continue }
                    _ = Self.command(fd, "PING\r\n")
                    open.append(fd)
                    counters.withLock { $0.connections += 1 }
                }
            } else {
                for _ in 0..<min(step, open.count) {
                    close(open.remove(at: Int.random(in: 0..<open.count, using: &rng)))
                }
            }
            // Replace one long-lived client now and then as well: reconnects are part of normal life.
            if !open.isEmpty, Int.random(in: 0..<4, using: &rng) == 0 {
                close(open.removeFirst())
                if let fd = Self.connect(port: port) {
                    open.append(fd)
                    counters.withLock { $0.connections += 1 }
                }
            }
            usleep(useconds_t(Int.random(in: 30_000...120_000, using: &rng)))
        }
        open.forEach { close($0) }
    }

    /// Overwrites 64 keys of 4 KiB: the data set stays small while the AOF grows ~400 KB/s, so a rewrite is due
    /// every second or two and always succeeds.
    private func write() {
        guard let fd = Self.connect(port: port) else { return }
        defer { close(fd) }
        let value = String(repeating: "v", count: 4096)
        var key = 0
        while !isStopped {
            var batch = ""
            for _ in 0..<10 {
                batch += "*3\r\n$3\r\nSET\r\n$\(String(key).utf8.count + 5)\r\nload:\(key)\r\n$\(value.utf8.count)\r\n\(value)\r\n"
                key = (key + 1) % 64
            }
            guard Self.command(fd, batch, replies: 10) else { return }
            counters.withLock { $0.writes += 10 }
            usleep(100_000)
        }
    }

    static func connect(port: Int) -> Int32? { try? Loopback.connect(port: port, timeout: 2) }

    /// Sends `text` and reads until `replies` CRLF-terminated simple replies arrived (`+OK`/`+PONG`).
    static func command(_ fd: Int32, _ text: String, replies: Int = 1) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        var lines = 0
        var buffer = [UInt8](repeating: 0, count: 1024)
        while lines < replies {
            let received = recv(fd, &buffer, buffer.count, 0)
            if received <= 0 { return false }
            lines += buffer[0..<received].filter { $0 == 0x0A }.count
        }
        return true
    }
}
