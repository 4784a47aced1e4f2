import AoftopModel

/// The rows of `/proc/PID/net/{tcp,tcp6,unix}` on raw bytes. These tables list every socket of the network
/// namespace, so each row is cut into fields once, its inode handed to the caller to decide, and nothing else is
/// decoded (no `String`, no address) unless the caller asks for that row.
enum SocketRows {
    /// One `net/tcp` or `net/tcp6` row: `sl local_address rem_address st tx_queue:rx_queue … uid timeout inode`.
    struct TCP {
        let bytes: UnsafeBufferPointer<UInt8>
        let ipv6: Bool
        let local: Range<Int>
        let remote: Range<Int>
        let st: Range<Int>
        let txrx: Range<Int>

        /// `st`: the kernel's state code (`0A` is LISTEN); nil if not two hex digits.
        var stateCode: UInt8? {
            guard st.count == 2, let value = ProcBytes.hex(bytes, st.lowerBound, st.upperBound) else { return nil }
            return UInt8(value)
        }

        /// `tx_queue:rx_queue` in bytes; for a LISTEN row 0 and the accept queue's length.
        var queues: (send: UInt32, receive: UInt32)? {
            guard let colon = ProcBytes.index(of: 0x3A, in: bytes, txrx),
                  let tx = ProcBytes.hex(bytes, txrx.lowerBound, colon), tx <= UInt32.max,
                  let rx = ProcBytes.hex(bytes, colon + 1, txrx.upperBound), rx <= UInt32.max else { return nil }
            return (UInt32(tx), UInt32(rx))
        }

        var localEndpoint: (address: IPAddress, port: UInt16)? { SocketRows.endpoint(bytes, local, ipv6: ipv6) }
        var remoteEndpoint: (address: IPAddress, port: UInt16)? { SocketRows.endpoint(bytes, remote, ipv6: ipv6) }
    }

    /// One `net/unix` row: `Num RefCount Protocol Flags Type St Inode [Path]`.
    struct Unix {
        let bytes: UnsafeBufferPointer<UInt8>
        let flags: Range<Int>
        let st: Range<Int>
        /// The rest of the line after the inode (a path may contain spaces); empty for an unnamed socket.
        let path: Range<Int>

        /// Listening: unconnected (`St 01`) with `__SO_ACCEPTCON` (`0x10000`) in the flags.
        var isListening: Bool {
            guard let flags = ProcBytes.hex(bytes, flags.lowerBound, flags.upperBound) else { return false }
            return flags & 0x10000 != 0 && ProcBytes.equals(bytes, st, "01")
        }

        var pathString: String { ProcBytes.string(bytes, path) }
    }

    private static let tcpFields = 10
    private static let unixFields = 7

    /// Calls `body` with the inode and the row for every row of a TCP table with a non-zero inode (0: time-wait and
    /// request sockets, and orphans, which no fd holds) that `wanted` takes. Most rows are other processes'
    /// sockets: one pass over a row notes where the fields start, and only a wanted row has any of them decoded.
    static func forEachTCP(_ bytes: UnsafeBufferPointer<UInt8>, ipv6: Bool, wanted: (UInt64) -> Bool,
                           _ body: (UInt64, TCP) -> Void) {
        var lineStart = ProcBytes.lineEnd(bytes, from: 0) + 1  // header
        while lineStart < bytes.count {
            let end = ProcBytes.lineEnd(bytes, from: lineStart)
            defer { lineStart = end + 1 }
            guard let row = tcpFields(bytes, lineStart, end, ipv6: ipv6),
                  let inode = ProcBytes.decimal(bytes, row.inode.lowerBound, row.inode.upperBound), inode != 0,
                  wanted(inode) else { continue }
            body(inode, row.fields)
        }
    }

    /// The fields of one TCP row the census uses, found in one pass without recording the others.
    @inline(__always)
    private static func tcpFields(_ bytes: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int,
                                  ipv6: Bool) -> (fields: TCP, inode: Range<Int>)? {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        var local = 0..<0, remote = 0..<0, st = 0..<0, txrx = 0..<0
        var i = lineStart
        var k = 0
        while i < lineEnd {
            while i < lineEnd && ProcBytes.isBlank(bytes[i]) { i += 1 }
            if i == lineEnd { break }
            let start = i
            while i < lineEnd && !ProcBytes.isBlank(bytes[i]) { i += 1 }
            switch k {
            case 1: local = start..<i
            case 2: remote = start..<i
            case 3: st = start..<i
            case 4: txrx = start..<i
            case tcpFields - 1:
                return (TCP(bytes: bytes, ipv6: ipv6, local: local, remote: remote, st: st, txrx: txrx), start..<i)
            default: break
            }
            k += 1
        }
        return nil
    }

    /// Calls `body` with the inode and the row for every row of `net/unix`.
    static func forEachUnix(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64, Unix) -> Void) {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(unixFields)
        var lineStart = ProcBytes.lineEnd(bytes, from: 0) + 1  // header
        while lineStart < bytes.count {
            let end = ProcBytes.lineEnd(bytes, from: lineStart)
            defer { lineStart = end + 1 }
            ProcBytes.tokens(bytes, lineStart, end, limit: unixFields, into: &ranges)
            guard ranges.count == unixFields,
                  let inode = ProcBytes.decimal(bytes, ranges[6].lowerBound, ranges[6].upperBound), inode != 0 else {
                continue
            }
            var pathStart = ranges[6].upperBound
            while pathStart < end && ProcBytes.isBlank(bytes[pathStart]) { pathStart += 1 }
            body(inode, Unix(bytes: bytes, flags: ranges[3], st: ranges[5], path: pathStart..<end))
        }
    }

    /// `HEXADDR:HEXPORT`. The kernel prints an address as 32-bit words loaded from memory in host order
    /// (`%08X` of `__be32`, four of them for IPv6), so on a little-endian host 127.0.0.1 reads `0100007F`: each word
    /// is byte-swapped back to network order. The port is printed in host order already.
    static func endpoint(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Range<Int>,
                         ipv6: Bool) -> (address: IPAddress, port: UInt16)? {
        guard let colon = ProcBytes.index(of: 0x3A, in: bytes, field),
              let port = ProcBytes.hex(bytes, colon + 1, field.upperBound), port <= UInt64(UInt16.max) else { return nil }
        let wordDigits = 2 * MemoryLayout<UInt32>.size
        let words = ipv6 ? 4 : 1
        guard colon - field.lowerBound == words * wordDigits else { return nil }
        // Words 0 and 1 fill the high half, 2 and 3 the low one, most significant first.
        var halves: (high: UInt64, low: UInt64) = (0, 0)
        for w in 0..<words {
            let start = field.lowerBound + w * wordDigits
            guard let raw = ProcBytes.hex(bytes, start, start + wordDigits) else { return nil }
            let word = UInt64(UInt32(bigEndian: UInt32(truncatingIfNeeded: raw))) << (w % 2 == 0 ? 32 : 0)
            if w < 2 { halves.high |= word } else { halves.low |= word }
        }
        let address = ipv6 ? IPAddress(v6High: halves.high, v6Low: halves.low)
                           : .v4(UInt32(truncatingIfNeeded: halves.high >> 32))
        return (address, UInt16(port))
    }
}

extension ProcBytes {
    /// The first index of `byte` in `bytes[range]`, or nil.
    static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }
}
