import Glibc

extension ProcSampler {
    /// The fd number at which `pid` holds the server end of a TCP connection whose peer (client) port is
    /// `peerPort` and whose local (server) port is `serverPort`; `nil` when it holds none or cannot be read.
    ///
    /// Why: a Redis whose event loop is full accepts a connection, fails to register it (fd ≥ setsize) and never
    /// answers or closes it (≥ 6.0; ≤ 5 log the refused fd instead). aoftop's own unanswered connection, found here,
    /// is then proof of the limit without any setting. One `/proc/PID/fd` scan: called only after such a probe.
    public func fdOfConnection(pid: Int32, serverPort: Int, peerPort: Int) -> Int? {
        let pidDir = open("\(procRoot)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if pidDir < 0 { return nil }
        defer { close(pidDir) }
        var inode: UInt64?
        for table in ["net/tcp", "net/tcp6"] where inode == nil {
            guard let text = Self.readSmallFile(table, relativeTo: pidDir) else { continue }
            inode = TcpTable.inode(in: text, localPort: serverPort, remotePort: peerPort)
        }
        guard let inode else { return nil }
        return Self.fd(holding: "socket:[\(inode)]", relativeTo: pidDir)
    }

    /// Up to 64 MiB of a `/proc` file: a socket table of 100,000 connections is ~15 MiB.
    static func readSmallFile(_ name: String, relativeTo base: Int32) -> [UInt8]? {
        let fd = openat(base, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < 64 << 20 {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            bytes += chunk[0..<got]
        }
        return bytes
    }

    /// The lowest fd of the process at `base` whose link reads `target` exactly.
    static func fd(holding target: String, relativeTo base: Int32) -> Int? {
        let fdDir = openat(base, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fdDir >= 0, let dir = fdopendir(fdDir) else {
            if fdDir >= 0 { close(fdDir) }
            return nil
        }
        defer { closedir(dir) }
        let wanted = Array(target.utf8)
        var link = [UInt8](repeating: 0, count: 64)
        var found: Int?
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            guard let number = Int(name) else { continue }
            let n = link.withUnsafeMutableBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { readlinkat(dirfd(dir), name, $0, b.count) }
            }
            if n == wanted.count, link[0..<n].elementsEqual(wanted) { found = min(found ?? number, number) }
        }
        return found
    }
}

/// `/proc/PID/net/tcp{,6}` rows: `sl local_address rem_address st … uid timeout inode`, addresses as `HEX:PORT`.
enum TcpTable {
    static func inode(in text: [UInt8], localPort: Int, remotePort: Int) -> UInt64? {
        for line in text.split(separator: UInt8(ascii: "\n")).dropFirst() {
            let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard fields.count > 9, port(fields[1]) == localPort, port(fields[2]) == remotePort,
                  let inode = UInt64(String(decoding: fields[9], as: UTF8.self)), inode != 0 else { continue }
            // Inode 0: still in the accept queue or in TIME_WAIT, no process holds it.
            return inode
        }
        return nil
    }

    /// The port of `HEXADDR:HEXPORT`.
    static func port(_ field: ArraySlice<UInt8>) -> Int? {
        guard let colon = field.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        return Int(String(decoding: field[(colon + 1)...], as: UTF8.self), radix: 16)
    }
}
