import Glibc

enum HostName {
    /// `gethostname`, without the resolver lookups `ProcessInfo.hostName` may do (a slow DNS must not stall a
    /// recording's first line or the overview's title).
    static func current() -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let ok = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count - 1) == 0 }
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }
}
