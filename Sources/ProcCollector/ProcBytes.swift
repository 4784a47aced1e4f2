import Glibc

/// Byte-level parsing helpers shared by the `/proc` readers. Everything works on raw buffers: no `String`
/// is made for data that is only counted.
enum ProcBytes {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A

    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// Value of a hex digit, or nil.
    @inline(__always) static func hexValue(_ c: UInt8) -> UInt64? {
        switch c {
        case 0x30...0x39: return UInt64(c - 0x30)
        case 0x41...0x46: return UInt64(c - 0x41 + 10)
        case 0x61...0x66: return UInt64(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Parses decimal digits in `bytes[start..<end]`; nil if empty, not all digits, or overflowing.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64? {
        guard start < end, end - start <= 20 else { return nil }
        var value: UInt64 = 0
        for i in start..<end {
            let c = bytes[i]
            guard isDigit(c) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c &- 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }

    /// Parses hex digits in `bytes[start..<end]`; nil if empty, not hex, or longer than 16 digits.
    static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64? {
        guard start < end, end - start <= 16 else { return nil }
        var value: UInt64 = 0
        for i in start..<end {
            guard let d = hexValue(bytes[i]) else { return nil }
            value = value << 4 | d
        }
        return value
    }

    /// The whitespace-separated tokens of one line, as ranges; `[lineStart, lineEnd)` excludes the newline.
    /// Stops after `limit` tokens so long lines cost only what is needed.
    static func tokens(_ bytes: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int, limit: Int,
                       into ranges: inout [Range<Int>]) {
        ranges.removeAll(keepingCapacity: true)
        var i = lineStart
        while i < lineEnd && ranges.count < limit {
            while i < lineEnd && isBlank(bytes[i]) { i += 1 }
            if i == lineEnd { break }
            let start = i
            while i < lineEnd && !isBlank(bytes[i]) { i += 1 }
            ranges.append(start..<i)
        }
    }

    /// Index of the next newline at or after `from`, or `bytes.count`. `memchr`: the socket tables are megabytes.
    @inline(__always) static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard from < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + from, Int32(newline), bytes.count - from) else { return max(from, bytes.count) }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for (k, i) in range.enumerated() where bytes[i] != p[k] { return false }
        return true
    }
}
