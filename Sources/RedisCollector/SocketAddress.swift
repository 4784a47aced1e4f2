import AoftopClock
import Glibc

/// A resolved address to `connect()` to: the raw `sockaddr` bytes plus how to show it.
struct SocketAddress: Sendable {
    let family: Int32
    let bytes: [UInt8]
    let display: String

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        bytes.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
    }

    static func unix(path: String) throws -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            throw RedisError.system("unix socket path must be 1 to \(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let length = MemoryLayout<sa_family_t>.size + pathBytes.count + 1
        let bytes = withUnsafeBytes(of: &address) { Array($0.prefix(length)) }
        return SocketAddress(family: AF_UNIX, bytes: bytes, display: path)
    }
}

/// Host name resolution with a deadline.
///
/// `getaddrinfo` cannot be interrupted, and a broken resolver can block it for many seconds. Numeric
/// addresses are converted synchronously (no DNS); names are looked up on a helper thread that the caller
/// abandons at the deadline, so the caller is never blocked longer than the timeout.
enum AddressResolver {
    static func resolve(host: String, port: Int, timeout: Double) throws -> [SocketAddress] {
        guard (1...65535).contains(port) else { throw RedisError.system("invalid port \(port)") }
        if case .success(let numeric) = lookup(host: host, port: port, numericOnly: true) { return numeric }
        let pending = ConditionLock<Result<[SocketAddress], RedisError>?>(nil)
        let deadline = pending.clock.now() + timeout
        let started = DetachedThread.start(name: "aoftop-resolve") {
            let result = lookup(host: host, port: port, numericOnly: false)
            pending.update { $0 = result }
        }
        guard started else { throw RedisError.cannotResolve(host: host, reason: "cannot start a thread to resolve it") }
        guard let result = pending.wait(until: deadline, for: { $0 }) else {
            throw RedisError.timedOut(seconds: timeout, doing: "resolving host \"\(host)\"")
        }
        return try result.get()
    }

    private static func lookup(host: String, port: Int, numericOnly: Bool) -> Result<[SocketAddress], RedisError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (numericOnly ? AI_NUMERICHOST : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            let reason = status == EAI_SYSTEM ? errorText(errno) : String(cString: gai_strerror(status))
            return .failure(.cannotResolve(host: host, reason: reason))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let raw = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: raw, count: Int(info.ai_addrlen)))
            addresses.append(SocketAddress(family: info.ai_family, bytes: bytes, display: numericName(raw, info.ai_addrlen)))
        }
        guard !addresses.isEmpty else { return .failure(.cannotResolve(host: host, reason: "no IPv4 or IPv6 address")) }
        return .success(addresses)
    }

    private static func numericName(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                          NI_NUMERICHOST | NI_NUMERICSERV) == 0 else { return "?" }
        let hostText = cText(host), serviceText = cText(service)
        return hostText.contains(":") ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
    }
}

/// A NUL-terminated C buffer as a String.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `strerror(code)` as a String.
func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
