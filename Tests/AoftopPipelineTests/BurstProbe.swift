import AoftopTestSupport
import Foundation
import Glibc

/// The client's-eye truth for "Redis refuses new clients": a burst of simultaneous new connections that must
/// all answer PING.
///
/// One connection is no proof of health: Redis 7 closes and reopens its AOF incr file on every rewrite attempt,
/// leaving a hole at a low fd that a single new client reuses long after the fd count passed `setsize`. A burst
/// needs as many free numbers below `setsize`, as a reconnect storm after a failover does. Raw non-blocking
/// sockets with `poll`: no helper process may add its own start-up time to the measurement.
struct BurstProbe {
    var port: Int
    var connections = 5
    /// How long the whole burst may take; Redis 7 leaves refused connections open and silent, so a missing
    /// reply is the only signal.
    var timeoutMs: Int32 = 1000

    /// How many of the burst's connections answered `+PONG` in time.
    func run() -> Int {
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for _ in 0..<connections {
            if let fd = connect() { fds.append(fd) }
        }
        var pending: [Int32: [UInt8]] = Dictionary(uniqueKeysWithValues: fds.map { ($0, []) })
        var unsent = Set(fds)
        var answered = 0
        let deadline = Self.nowMs() + Int64(timeoutMs)
        while !pending.isEmpty {
            let left = deadline - Self.nowMs()
            if left <= 0 { break }
            var polls = pending.keys.map { pollfd(fd: $0, events: Int16(unsent.contains($0) ? POLLOUT : POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            for entry in polls where entry.revents != 0 {
                let fd = entry.fd
                if entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && entry.revents & Int16(POLLIN) == 0 {
                    pending[fd] = nil
                    continue
                }
                if unsent.contains(fd) {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    let ping = Array("PING\r\n".utf8)
                    if error != 0 || send(fd, ping, ping.count, Int32(MSG_NOSIGNAL)) != ping.count {
                        pending[fd] = nil
                    } else {
                        unsent.remove(fd)
                    }
                    continue
                }
                var buffer = [UInt8](repeating: 0, count: 64)
                let received = recv(fd, &buffer, buffer.count, 0)
                if received <= 0 {
                    pending[fd] = nil
                    continue
                }
                let reply = (pending[fd] ?? []) + buffer[0..<received]
                if reply.count >= 7 {
                    if reply.starts(with: Array("+PONG\r\n".utf8)) { answered += 1 }
                    pending[fd] = nil
                } else {
                    pending[fd] = reply
                }
            }
        }
        return answered
    }

    private func connect() -> Int32? { try? Loopback.connect(port: port, nonBlocking: true) }

    static func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
