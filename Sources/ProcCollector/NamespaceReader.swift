import AoftopModel
import Glibc

/// Reads a process's pid namespaces (`NSpid`) and whether its mount namespace is aoftop's own.
///
/// Both are fixed for a process's life, so `ProcSampler` reads them once per pid and start time.
enum NamespaceReader {
    /// aoftop's own mount namespace, from the real `/proc` whatever the proc root: the question is which files
    /// *aoftop* opens for a path.
    static let ownMountNamespace: String? = ProcFiles.readLink("/proc/self/ns/mnt")

    static func read(relativeTo pidDir: Int32, buffer: ByteBuffer) -> ProcessNamespaces? {
        guard buffer.load("status", relativeTo: pidDir) == nil, let pids = nsPids(buffer.bytes) else { return nil }
        let mount = readLink("ns/mnt", relativeTo: pidDir)
        let own: Bool? = mount.flatMap { mount in ownMountNamespace.map { mount != $0 } }
        return ProcessNamespaces(pids: pids, ownMountNamespace: own)
    }

    /// The `NSpid:` row of `/proc/PID/status` (Linux ≥ 4.1); without it, the `Pid:` row alone.
    static func nsPids(_ status: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        var fallback: [Int32]?
        var start = 0
        while start < status.count {
            let end = ProcBytes.lineEnd(status, from: start)
            if let values = values(status, start, end, key: "NSpid:") { return values }
            if fallback == nil, let values = values(status, start, end, key: "Pid:") { fallback = values }
            start = end + 1
        }
        return fallback
    }

    private static func values(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, key: StaticString) -> [Int32]? {
        let keyLength = key.utf8CodeUnitCount
        guard end - start > keyLength, (0..<keyLength).allSatisfy({ bytes[start + $0] == key.utf8Start[$0] }) else { return nil }
        var ranges: [Range<Int>] = []
        ProcBytes.tokens(bytes, start + keyLength, end, limit: 32, into: &ranges)
        let pids = ranges.compactMap { ProcBytes.decimal(bytes, $0.lowerBound, $0.upperBound) }
            .filter { $0 > 0 && $0 <= UInt64(Int32.max) }.map { Int32($0) }
        return pids.isEmpty || pids.count != ranges.count ? nil : pids
    }

    private static func readLink(_ name: String, relativeTo directory: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
