import Glibc

/// Cuts chunks of a log, as they are read, into lines: the one place that decides what a line is, for the file
/// follower and the stream alike.
///
/// A partial last line is kept until its newline arrives (or `flush` gives it up at a rotation or end of stream).
/// A line longer than `maxLineBytes` is emitted cut to that length and the rest skipped up to its newline, so memory
/// stays bounded whatever the input. A trailing `\r` is dropped (CRLF logs copied from elsewhere).
struct LineSplitter {
    let maxLineBytes: Int
    /// Started inside a line (a file follower's backlog start): drop bytes up to the first newline, emit nothing.
    var skipToNewline = false
    private var pending: [UInt8] = []
    /// The current line passed `maxLineBytes`: drop bytes until its newline.
    private var overflow = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = max(1, maxLineBytes)
        pending.reserveCapacity(min(self.maxLineBytes, 4096))
    }

    /// Calls `onLine` for each line `chunk` completes, with the index of its newline in `chunk` (the bytes are only
    /// valid during the call); keeps the unterminated rest for the next chunk.
    mutating func split(_ chunk: UnsafeRawBufferPointer, _ onLine: (UnsafeRawBufferPointer, Int) -> Void) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            guard let hit = memchr(base + start, 0x0A, chunk.count - start) else {
                if !skipToNewline { append(UnsafeRawBufferPointer(start: base + start, count: chunk.count - start)) }
                return
            }
            let end = UnsafeRawPointer(hit) - base
            if skipToNewline {
                skipToNewline = false
            } else if pending.isEmpty && !overflow {
                Self.emit(UnsafeRawBufferPointer(start: base + start, count: min(end - start, maxLineBytes))) { onLine($0, end) }
            } else {
                append(UnsafeRawBufferPointer(start: base + start, count: end - start))
                pending.withUnsafeBytes { line in Self.emit(line) { onLine($0, end) } }
                pending.removeAll(keepingCapacity: true)
            }
            overflow = false
            start = end + 1
        }
    }

    /// Emits the unterminated line kept so far, if any: it will never be completed (rotation, end of stream).
    mutating func flush(_ onLine: (UnsafeRawBufferPointer) -> Void) {
        if !pending.isEmpty && !skipToNewline { pending.withUnsafeBytes { Self.emit($0, onLine) } }
        reset()
    }

    /// Forgets any partial line.
    mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        overflow = false
        skipToNewline = false
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let room = maxLineBytes - pending.count
        if bytes.count > room {
            pending.append(contentsOf: bytes.prefix(room))
            overflow = true
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    /// A line without its trailing `\r`.
    private static func emit(_ line: UnsafeRawBufferPointer, _ onLine: (UnsafeRawBufferPointer) -> Void) {
        if line.count > 0, line[line.count - 1] == 0x0D {
            onLine(UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)]))
        } else {
            onLine(line)
        }
    }
}
