/// A listening socket from `/proc/PID/net/{tcp,tcp6,unix}`, identified by its inode (what `socket:[inode]` in
/// `/proc/PID/fd` names).
public struct ListeningSocket: Sendable, Hashable {
    public enum Endpoint: Sendable, Hashable {
        case tcp(port: Int)
        case tcp6(port: Int)
        /// A filesystem path, or `@name` for an abstract socket, or "" for an unnamed one.
        case unix(path: String)
    }

    public var inode: UInt64
    public var endpoint: Endpoint

    public init(inode: UInt64, endpoint: Endpoint) {
        self.inode = inode
        self.endpoint = endpoint
    }

    public var tcpPort: Int? {
        switch endpoint {
        case .tcp(let port), .tcp6(let port): return port
        case .unix: return nil
        }
    }

    public var unixPath: String? {
        if case .unix(let path) = endpoint { return path }
        return nil
    }
}

/// Parses the socket tables of `/proc/PID/net`. These files list every socket of the network namespace (one line
/// per client connection), so lines are rejected on the state field before anything else is decoded.
enum SocketTableParser {
    /// TCP LISTEN (`st == 0A`) rows of `net/tcp` or `net/tcp6`.
    static func tcpListeners(_ bytes: UnsafeBufferPointer<UInt8>, ipv6: Bool, into result: inout [ListeningSocket]) {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(10)
        var lineStart = ProcBytes.lineEnd(bytes, from: 0) + 1  // header
        while lineStart < bytes.count {
            let end = ProcBytes.lineEnd(bytes, from: lineStart)
            defer { lineStart = end + 1 }
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            ProcBytes.tokens(bytes, lineStart, end, limit: 4, into: &ranges)
            guard ranges.count == 4, ProcBytes.equals(bytes, ranges[3], "0A") else { continue }
            ProcBytes.tokens(bytes, lineStart, end, limit: 10, into: &ranges)
            guard ranges.count == 10,
                  let inode = ProcBytes.decimal(bytes, ranges[9].lowerBound, ranges[9].upperBound), inode != 0 else {
                continue
            }
            let local = ranges[1]
            guard let colon = UnsafeBufferPointer(rebasing: bytes[local]).lastIndex(of: 0x3A),
                  let port = ProcBytes.hex(bytes, local.lowerBound + colon + 1, local.upperBound), port <= 65535 else {
                continue
            }
            result.append(ListeningSocket(inode: inode, endpoint: ipv6 ? .tcp6(port: Int(port)) : .tcp(port: Int(port))))
        }
    }

    /// Listening rows of `net/unix`: state `01` (unconnected) with the `__SO_ACCEPTCON` flag (`00010000`).
    static func unixListeners(_ bytes: UnsafeBufferPointer<UInt8>, into result: inout [ListeningSocket]) {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(7)
        var lineStart = ProcBytes.lineEnd(bytes, from: 0) + 1  // header
        while lineStart < bytes.count {
            let end = ProcBytes.lineEnd(bytes, from: lineStart)
            defer { lineStart = end + 1 }
            // Num RefCount Protocol Flags Type St Inode [Path]
            ProcBytes.tokens(bytes, lineStart, end, limit: 7, into: &ranges)
            guard ranges.count == 7, ProcBytes.equals(bytes, ranges[5], "01"),
                  let flags = ProcBytes.hex(bytes, ranges[3].lowerBound, ranges[3].upperBound),
                  flags & 0x10000 != 0,
                  let inode = ProcBytes.decimal(bytes, ranges[6].lowerBound, ranges[6].upperBound) else { continue }
            // The path is the rest of the line: it may contain spaces.
            var pathStart = ranges[6].upperBound
            while pathStart < end && ProcBytes.isBlank(bytes[pathStart]) { pathStart += 1 }
            result.append(ListeningSocket(inode: inode, endpoint: .unix(path: ProcBytes.string(bytes, pathStart..<end))))
        }
    }
}
