import Glibc

/// The few socket calls the HTTP server makes, each fd non-blocking and close-on-exec from the start.
enum HTTPSockets {
    /// A listening socket on `address` (SO_REUSEADDR, backlog `backlog`) and the port it got (for port 0).
    /// Errors read like `bind: Address already in use`.
    static func listen(on address: ListenAddress, backlog: Int32) throws(MetricsEndpointError) -> (fd: Int32, port: Int) {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        let parsed = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            switch address.family {
            case .ipv4:
                let ip = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                ip.pointee.sin_family = sa_family_t(AF_INET)
                ip.pointee.sin_port = address.port.bigEndian
                return inet_pton(AF_INET, address.ip, &ip.pointee.sin_addr) == 1
            case .ipv6:
                let ip = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                ip.pointee.sin6_family = sa_family_t(AF_INET6)
                ip.pointee.sin6_port = address.port.bigEndian
                return inet_pton(AF_INET6, address.ip, &ip.pointee.sin6_addr) == 1
            }
        }
        switch address.family {
        case .ipv4: (family, length) = (AF_INET, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .ipv6: (family, length) = (AF_INET6, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
        guard parsed else { throw MetricsEndpointError("\(address.ip) is not an IP address") }

        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var on: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw failure("setsockopt", closing: fd)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw failure("bind", closing: fd) }
        guard Glibc.listen(fd, backlog) == 0 else { throw failure("listen", closing: fd) }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) }
        }
        guard named == 0 else { throw failure("getsockname", closing: fd) }
        let port = withUnsafeBytes(of: &local) { raw in
            family == AF_INET ? raw.load(as: sockaddr_in.self).sin_port : raw.load(as: sockaddr_in6.self).sin6_port
        }
        return (fd, Int(UInt16(bigEndian: port)))
    }

    /// A connected pair of local sockets: writing a byte to the second wakes a `poll` on the first.
    static func wakePair() throws(MetricsEndpointError) -> (reader: Int32, writer: Int32) {
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else { throw failure("socketpair") }
        return (pair[0], pair[1])
    }

    /// The next pending connection, non-blocking, close-on-exec and with Nagle off (pipelined replies are small
    /// writes that must not wait for an ACK); -1 and `errno` when none.
    static func accept(_ listener: Int32) -> Int32 {
        let fd: Int32
        if let accept4 = accept4Function {
            fd = accept4(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        } else {
            // Without accept4 (never on glibc ≥ 2.10) another thread's fork could inherit the fd for a moment.
            fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        }
        if fd >= 0 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// `accept4(2)`, looked up at run time: Swift's Glibc module hides `_GNU_SOURCE` declarations.
    private static let accept4Function: (@convention(c) (Int32, UnsafeMutablePointer<sockaddr>?,
                                                           UnsafeMutablePointer<socklen_t>?, Int32) -> Int32)? = {
        typealias Function = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), "accept4").map { unsafeBitCast($0, to: Function.self) }
    }()

    private static func failure(_ call: String, closing fd: Int32 = -1) -> MetricsEndpointError {
        let reason = String(cString: strerror(errno))
        if fd >= 0 { close(fd) }
        return MetricsEndpointError("\(call): \(reason)")
    }
}
