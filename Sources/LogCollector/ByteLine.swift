import Glibc

/// A borrowed view of one log line (no trailing newline): a base pointer and a length.
///
/// The hot path works on these with `memchr`/`memcmp` only; callers guarantee the bytes outlive the view.
/// Every accessor checks its bounds against `count`, so a short or garbage line can never read past its end.
struct ByteLine {
    let base: UnsafePointer<UInt8>
    let count: Int

    /// Backing for empty lines, whose buffers may have no base address.
    private nonisolated(unsafe) static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    init(_ buffer: UnsafeRawBufferPointer) {
        if let address = buffer.baseAddress, buffer.count > 0 {
            base = address.assumingMemoryBound(to: UInt8.self)
            count = buffer.count
        } else {
            base = UnsafePointer(ByteLine.emptyByte)
            count = 0
        }
    }

    /// The byte at `i`, or 0 when `i` is out of range (0 never matches a structural byte we look for).
    @inline(__always) func at(_ i: Int) -> UInt8 { i >= 0 && i < count ? base[i] : 0 }

    @inline(__always) func isDigit(_ i: Int) -> Bool { let c = at(i); return c >= 0x30 && c <= 0x39 }

    /// Whether `literal` occurs at `offset`.
    @inline(__always) func has(_ literal: StaticString, at offset: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard offset >= 0, n <= count - offset else { return false }
        // Most compares fail in the first 8 bytes: decide those with one unaligned load, no libc call.
        if n >= 8 {
            let mine = UnsafeRawPointer(base + offset), theirs = UnsafeRawPointer(literal.utf8Start)
            guard mine.loadUnaligned(as: UInt64.self) == theirs.loadUnaligned(as: UInt64.self) else { return false }
            if n < 16 { return memcmp(mine + 8, theirs + 8, n - 8) == 0 }
            // Many messages share their first word ("Background saving…" vs "Background AOF…"): test a second one.
            guard mine.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == theirs.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            else { return false }
            return n == 16 || memcmp(mine + 16, theirs + 16, n - 16) == 0
        }
        return memcmp(base + offset, literal.utf8Start, n) == 0
    }

    /// The offset just past `literal` when it occurs at `offset`: where the field it introduces starts, derived
    /// from the literal instead of counted by hand.
    @inline(__always) func offset(after literal: StaticString, at offset: Int = 0) -> Int? {
        has(literal, at: offset) ? offset + literal.utf8CodeUnitCount : nil
    }

    /// The offset just past the first `literal` at or after `from`.
    @inline(__always) func offset(afterFirst literal: StaticString, from: Int) -> Int? {
        index(of: literal, from: from).map { $0 + literal.utf8CodeUnitCount }
    }

    /// Whether the whole line is `literal`.
    @inline(__always) func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && has(literal, at: 0)
    }

    /// Whether the line ends with `literal`.
    @inline(__always) func hasSuffix(_ literal: StaticString) -> Bool {
        has(literal, at: count - literal.utf8CodeUnitCount)
    }

    /// Index of the first `byte` at or after `from`.
    @inline(__always) func index(of byte: UInt8, from: Int) -> Int? {
        guard from >= 0, from < count, let hit = memchr(base + from, Int32(byte), count - from) else { return nil }
        return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// Index of the first occurrence of `literal` at or after `from` (memchr on its first byte, then memcmp).
    func index(of literal: StaticString, from: Int) -> Int? {
        let first = literal.utf8Start.pointee
        var i = from
        while let hit = index(of: first, from: i) {
            if has(literal, at: hit) { return hit }
            i = hit + 1
        }
        return nil
    }

    /// An unsigned decimal number of 1...18 digits starting at `from`; `end` is the first byte after it.
    func number(from: Int) -> (value: Int64, end: Int)? {
        guard from >= 0 else { return nil }
        var i = from
        var value: Int64 = 0
        while i < count, i - from < 18 {
            let c = base[i]
            guard c >= 0x30 && c <= 0x39 else { break }
            value = value * 10 + Int64(c - 0x30)
            i += 1
        }
        return i > from ? (value, i) : nil
    }

    /// Exactly `width` digits at `from`.
    @inline(__always) func fixedNumber(from: Int, width: Int) -> Int? {
        guard from >= 0, width <= count - from else { return nil }
        var value = 0
        for i in from..<(from + width) {
            let c = base[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }

    /// Bytes `[from, to)` as a sub-line (clamped to the line).
    func slice(_ from: Int, _ to: Int) -> ByteLine {
        let lo = max(0, min(from, count)), hi = max(lo, min(to, count))
        return ByteLine(base: base + lo, count: hi - lo)
    }

    /// Lossy UTF-8 decoding of bytes `[from, to)`, cut to at most `limit` bytes on a character boundary.
    /// Invalid sequences become U+FFFD; NUL bytes are kept as they are.
    func string(_ from: Int, _ to: Int, limit: Int = LogLineParser.maxMessageBytes) -> String {
        let lo = max(0, min(from, count))
        var hi = max(lo, min(to, count))
        if hi - lo > limit {
            hi = lo + limit
            // Back off over UTF-8 continuation bytes so the cut does not split a character.
            var steps = 0
            while hi > lo, steps < 3, (base[hi] & 0xC0) == 0x80 { hi -= 1; steps += 1 }
        }
        return String(decoding: UnsafeBufferPointer(start: base + lo, count: hi - lo), as: UTF8.self)
    }

    var string: String { string(0, count) }
}
