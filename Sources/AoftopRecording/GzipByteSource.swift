import CZlib

/// The inflated bytes of a gzip recording, read from the compressed file in chunks.
///
/// Ends quietly at a cut (a recording killed mid-stream has no gzip trailer), at corrupt data and at trailing
/// garbage, each with a note: everything inflated before the problem is still delivered.
final class GzipByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 256 * 1024)
    private var inputStart = 0
    private var inputEnd = 0
    private var compressedConsumed: UInt64 = 0
    private var fileEnded = false
    private var done = false
    private(set) var notes: [String] = []

    init(fd: Int32, path: String) throws(RecordingError) {
        self.fd = fd
        self.path = path
        // windowBits 15 + 32: accept gzip or zlib framing (auto-detected from the header).
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw RecordingError(path: path, reason: "cannot start gzip decompression: \(ZlibFailure(status: status).description)")
        }
    }

    deinit { inflateEnd(&stream) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RecordingError) -> Int {
        guard !done, buffer.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !fileEnded { try refill() }
            if inputStart == inputEnd && fileEnded {
                // No more compressed bytes but no end of stream seen: the writer was killed (or is still writing).
                notes.append("gzip stream ends without its trailer (recording was interrupted); read up to the cut")
                done = true
                return 0
            }
            let available = inputEnd - inputStart
            let (status, used, produced) = input.withUnsafeMutableBufferPointer { inBuf -> (Int32, Int, Int) in
                stream.next_in = inBuf.baseAddress! + inputStart
                stream.avail_in = uInt(available)
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, available - Int(stream.avail_in), buffer.count - Int(stream.avail_out))
            }
            inputStart += used
            compressedConsumed += UInt64(used)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 { return produced }
            case Z_STREAM_END:
                try startNextMemberIfAny()
                if produced > 0 { return produced }
                if done { return 0 }
            default:
                let reason = status == Z_NEED_DICT ? "needs a preset dictionary" : ZlibFailure(status: status, zlibMessage: stream.msg).description
                notes.append("gzip data corrupt after \(compressedConsumed) compressed bytes (\(reason)); the rest is ignored")
                done = true
                return produced
            }
        }
    }

    /// After a gzip member ends: another member (`cat a.gz b.gz`) continues the text; anything else is ignored.
    private func startNextMemberIfAny() throws(RecordingError) {
        if inputEnd - inputStart < 2 && !fileEnded {
            // Keep the unconsumed byte, then top up so the magic check sees two bytes.
            let leftover = Array(input[inputStart..<inputEnd])
            input.replaceSubrange(0..<leftover.count, with: leftover)
            inputStart = 0
            inputEnd = leftover.count
            try refill(appending: true)
        }
        if inputStart == inputEnd && fileEnded {
            done = true
        } else if inputEnd - inputStart >= 2 && input[inputStart] == 0x1f && input[inputStart + 1] == 0x8b {
            inflateReset(&stream)
        } else {
            notes.append("data after the end of the gzip stream ignored")
            done = true
        }
    }

    private func refill(appending: Bool = false) throws(RecordingError) {
        if !appending {
            inputStart = 0
            inputEnd = 0
        }
        let room = input.count - inputEnd
        let n = input.withUnsafeMutableBytes { FileIO.readSome(fd, into: $0.baseAddress! + inputEnd, count: room) }
        guard n >= 0 else { throw .system(path, "cannot read") }
        if n == 0 { fileEnded = true }
        inputEnd += n
    }
}
