/// Incremental RESP2 decoder: feed it bytes as they arrive, take values out as they complete.
///
/// Input may be split at any byte. Each `next()` re-parses the pending value from its first byte; that costs
/// one pass over the headers only (bulk payloads are skipped by length, never scanned), which is cheap for the
/// small replies aoftop reads and keeps the decoder free of a resumable state machine.
///
/// Limits are checked as soon as a header line is complete, before anything is allocated, so a hostile or
/// confused peer (`$9999999999\r\n`, `*-5\r\n`, an HTTP server) yields a thrown `RESPError`, never a huge
/// allocation or a hang. After a thrown error the stream is unusable; discard the decoder with the connection.
public struct RESPDecoder: Sendable {
    /// Limits on what the decoder accepts.
    public struct Limits: Sendable, Equatable {
        /// Longest bulk string accepted (default 64 MiB; INFO replies are a few KiB).
        public var maxBulkLength: Int
        /// Most elements in one array.
        public var maxArrayCount: Int
        /// Deepest array nesting (a top-level array is depth 1).
        public var maxDepth: Int
        /// Longest header or simple-string/error line without its CRLF.
        public var maxLineLength: Int

        public init(maxBulkLength: Int = 64 << 20, maxArrayCount: Int = 1 << 20, maxDepth: Int = 32,
                    maxLineLength: Int = 64 << 10) {
            self.maxBulkLength = maxBulkLength
            self.maxArrayCount = maxArrayCount
            self.maxDepth = maxDepth
            self.maxLineLength = maxLineLength
        }
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Bytes fed but not yet returned as values.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Compact lazily so a long session does not keep every byte it ever received.
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or `nil` when more bytes are needed. Throws on malformed or over-limit input.
    public mutating func next() throws -> RESPValue? {
        guard start < buffer.count else { return nil }
        let (start, limits) = (self.start, self.limits)
        guard let (value, end) = try buffer.withUnsafeBufferPointer({ pointer -> (RESPValue, Int)? in
            try Parser(bytes: pointer, limits: limits).value(at: start, depth: 0)
        }) else { return nil }
        self.start = end
        if self.start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 << 10)
            self.start = 0
        }
        return value
    }
}

/// One parse attempt over the buffered bytes. `nil` results mean "incomplete".
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: RESPDecoder.Limits

    func value(at index: Int, depth: Int) throws -> (RESPValue, Int)? {
        guard index < bytes.count else { return nil }
        let type = bytes[index]
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"): break
        default: throw RESPError.unknownType(byte: type, preview: preview(from: index))
        }
        guard let (lineEnd, next) = try line(from: index + 1) else { return nil }
        let line = bytes[(index + 1)..<lineEnd]
        switch type {
        case UInt8(ascii: "+"): return (.simpleString(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: "-"): return (.error(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: ":"): return (.integer(try integer(line)), next)
        case UInt8(ascii: "$"):
            let length = try length(line)
            if length == -1 { return (.bulkString(nil), next) }
            guard length <= Int64(limits.maxBulkLength) else {
                throw RESPError.bulkTooLong(length: length, limit: limits.maxBulkLength)
            }
            let end = next + Int(length)
            guard bytes.count >= end + 2 else {
                // Reject a wrong terminator as soon as it is visible rather than waiting for more input.
                if bytes.count > end, bytes[end] != 13 { throw RESPError.missingCRLF }
                return nil
            }
            guard bytes[end] == 13, bytes[end + 1] == 10 else { throw RESPError.missingCRLF }
            return (.bulkString(Array(bytes[next..<end])), end + 2)
        default:
            let count = try length(line)
            if count == -1 { return (.array(nil), next) }
            guard count <= Int64(limits.maxArrayCount) else {
                throw RESPError.arrayTooLong(count: count, limit: limits.maxArrayCount)
            }
            guard depth + 1 <= limits.maxDepth else { throw RESPError.nestingTooDeep(limit: limits.maxDepth) }
            // No reserveCapacity(count): elements are only stored once they have actually arrived.
            var items: [RESPValue] = []
            var position = next
            for _ in 0..<count {
                guard let (item, after) = try value(at: position, depth: depth + 1) else { return nil }
                items.append(item)
                position = after
            }
            return (.array(items), position)
        }
    }

    /// The end of the line starting at `from` (index of its CR) and the index after its LF.
    private func line(from: Int) throws -> (Int, Int)? {
        var i = from
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 13 {
                guard i + 1 < bytes.count else { return nil }
                guard bytes[i + 1] == 10 else { throw RESPError.missingCRLF }
                return (i, i + 2)
            }
            if byte == 10 { throw RESPError.missingCRLF }
            i += 1
            if i - from > limits.maxLineLength { throw RESPError.lineTooLong(limit: limits.maxLineLength) }
        }
        return nil
    }

    private func integer(_ line: Slice<UnsafeBufferPointer<UInt8>>) throws -> Int64 {
        var i = line.startIndex
        let negative = i < line.endIndex && line[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < line.endIndex else { throw RESPError.invalidNumber(text(line)) }
        var value: Int64 = 0
        while i < line.endIndex {
            let c = line[i]
            guard c >= 48 && c <= 57 else { throw RESPError.invalidNumber(text(line)) }
            let digit = Int64(c - 48)
            // Accumulate negatively so Int64.min parses; overflow is a malformed number, not a trap.
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            guard !o1 && !o2 else { throw RESPError.invalidNumber(text(line)) }
            value = next
            i += 1
        }
        if negative { return value }
        guard value != .min else { throw RESPError.invalidNumber(text(line)) }
        return -value
    }

    /// A bulk or array length: -1 (null) or non-negative. Absurdly large values clamp to `Int64.max` so the caller
    /// reports them as over the limit rather than as unparsable.
    private func length(_ line: Slice<UnsafeBufferPointer<UInt8>>) throws -> Int64 {
        let allDigits = !line.isEmpty && line.allSatisfy { $0 >= 48 && $0 <= 57 }
        if allDigits, line.count > 18 { return .max }
        let value = try integer(line)
        guard value >= -1 else { throw RESPError.invalidNumber(text(line)) }
        return value
    }

    private func text(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        printable(line.prefix(40))
    }

    /// The start of the offending line, for "not a Redis server?" diagnostics.
    private func preview(from index: Int) -> String {
        var end = index
        while end < bytes.count, end - index < 60, bytes[end] != 13, bytes[end] != 10 { end += 1 }
        return printable(bytes[index..<end])
    }
}

/// Bytes as one printable line: ASCII kept, everything else as `\xNN`.
func printable<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var out = ""
    for byte in bytes {
        if byte >= 0x20 && byte < 0x7F {
            out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return out
}
