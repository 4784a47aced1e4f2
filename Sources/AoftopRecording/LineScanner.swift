#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of the text stream, without its `\n`. `bytes` is only valid during the callback.
struct ScannedLine {
    var bytes: UnsafeRawBufferPointer
    /// Byte offset of the line's first byte in the text stream (the inflated stream for gzip).
    var offset: UInt64
    /// Length in the stream, excluding the newline (may exceed `bytes.count` when `tooLong`).
    var length: UInt64
    /// 1-based, as an editor shows it: the header is line 1.
    var number: Int
    /// False for a last line with no `\n` after it: the writer was interrupted in the middle of it.
    var terminated: Bool
    /// The line was longer than the scanner keeps; `bytes` is empty.
    var tooLong: Bool
}

/// Splits a `ByteSource` into lines in one forward pass with bounded memory: lines are handed out straight from
/// the read buffer and only a line that straddles two reads is copied.
struct LineScanner {
    /// No snapshot comes near this (log events are capped per snapshot); past it a line is skipped, not buffered.
    static let maxLineLength = 64 << 20
    /// The header is small; a first line longer than this is not a recording and is not read to its end.
    static let maxHeaderLength = 64 << 10

    var chunkSize = 1 << 20

    /// Calls `onChunk` with every block of text as it arrives (to copy an inflated stream), then `onLine` for each
    /// line; `onLine` returns false to stop early. Returns the number of text bytes read.
    @discardableResult
    func scan(_ source: any ByteSource,
              onChunk: (UnsafeRawBufferPointer, UInt64) throws -> Void = { _, _ in },
              onLine: (ScannedLine) throws -> Bool) throws -> UInt64 {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []
        var pendingTooLong = false
        var lineStart: UInt64 = 0
        var streamOffset: UInt64 = 0
        var lineNumber = 1
        var stopped = false

        func limit(_ number: Int) -> Int { number == 1 ? Self.maxHeaderLength : Self.maxLineLength }

        func deliverPending(end: UInt64, terminated: Bool) throws {
            try pending.withUnsafeBytes { raw in
                let line = ScannedLine(bytes: pendingTooLong ? UnsafeRawBufferPointer(start: nil, count: 0) : raw,
                                       offset: lineStart, length: end - lineStart, number: lineNumber,
                                       terminated: terminated, tooLong: pendingTooLong)
                if try !onLine(line) { stopped = true }
            }
            pending.removeAll(keepingCapacity: pending.count <= chunkSize)
            pendingTooLong = false
        }

        func keep(_ part: UnsafeRawBufferPointer) throws {
            guard !pendingTooLong else { return }
            if pending.count + part.count > limit(lineNumber) {
                pendingTooLong = true
                pending.removeAll()
                // A header that is too long is decided at once: no reason to read a big non-recording to its end.
                if lineNumber == 1 { try deliverPending(end: streamOffset, terminated: false) }
            } else {
                pending.append(contentsOf: part)
            }
        }

        while !stopped {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { whole in
                let chunk = UnsafeRawBufferPointer(rebasing: whole[0..<n])
                try onChunk(chunk, streamOffset)
                let base = chunk.baseAddress!
                var position = 0
                while position < n && !stopped {
                    guard let found = memchr(base + position, 0x0A, n - position) else {
                        try keep(UnsafeRawBufferPointer(rebasing: chunk[position..<n]))
                        break
                    }
                    let newline = UnsafeRawPointer(found) - base
                    let end = streamOffset + UInt64(newline)
                    if pending.isEmpty && !pendingTooLong {
                        let line = ScannedLine(bytes: UnsafeRawBufferPointer(rebasing: chunk[position..<newline]),
                                               offset: lineStart, length: end - lineStart, number: lineNumber,
                                               terminated: true, tooLong: newline - position > limit(lineNumber))
                        if try !onLine(line) { stopped = true }
                    } else {
                        try keep(UnsafeRawBufferPointer(rebasing: chunk[position..<newline]))
                        try deliverPending(end: end, terminated: true)
                    }
                    lineNumber += 1
                    lineStart = end + 1
                    position = newline + 1
                }
            }
            streamOffset += UInt64(n)
        }
        if !stopped && (!pending.isEmpty || pendingTooLong) {
            try deliverPending(end: streamOffset, terminated: false)
        }
        return streamOffset
    }
}
