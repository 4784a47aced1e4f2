import CZlib

/// A gzip (RFC 1952) compressor that can be flushed to a byte boundary after every line.
///
/// `Z_SYNC_FLUSH` after each line means everything written so far inflates without the stream's end, so a
/// recording killed with `kill -9` loses at most the line being written. Not thread-safe: the writer serialises.
final class GzipDeflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 64 * 1024)
    private var finished = false

    init(level: Int32) throws(ZlibFailure) {
        // windowBits 15 + 16 asks for gzip framing; deflateInit2 is a macro Swift cannot call.
        // Z_FILTERED: recordings are mostly long matches against the previous line plus changed digits, which code
        // better as literals than as short matches (measured 5–12 % smaller than the default, docs/benchmarks.md).
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_FILTERED,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw ZlibFailure(status: status) }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `bytes` and flushes (`Z_SYNC_FLUSH`, or `Z_FINISH` to end the stream); returns the output.
    func compress(_ bytes: UnsafeRawBufferPointer, finish: Bool) throws(ZlibFailure) -> [UInt8] {
        precondition(!finished, "deflate stream already finished")
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count / 4 + 64)
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        let flush = finish ? Z_FINISH : Z_SYNC_FLUSH
        while true {
            let (status, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = deflate(&stream, flush)
                return (status, out.count - Int(stream.avail_out))
            }
            result.append(contentsOf: output[0..<produced])
            if finish {
                if status == Z_STREAM_END { finished = true; break }
                guard status == Z_OK || status == Z_BUF_ERROR else { throw ZlibFailure(status: status, zlibMessage: stream.msg) }
            } else {
                guard status == Z_OK || status == Z_BUF_ERROR else { throw ZlibFailure(status: status, zlibMessage: stream.msg) }
                // A sync flush is complete when deflate left room in the output buffer.
                if stream.avail_out != 0 { break }
            }
        }
        stream.next_in = nil
        return result
    }
}

/// A zlib error code with zlib's own message when it gave one.
struct ZlibFailure: Error, CustomStringConvertible {
    let status: Int32
    let message: String?

    init(status: Int32, message: String? = nil) {
        self.status = status
        self.message = message
    }

    init(status: Int32, zlibMessage: UnsafePointer<CChar>?) {
        self.init(status: status, message: zlibMessage.map { String(cString: $0) })
    }

    var description: String {
        if let message { return message }
        switch status {
        case Z_DATA_ERROR: return "corrupt compressed data"
        case Z_MEM_ERROR: return "out of memory"
        case Z_STREAM_ERROR: return "zlib stream error"
        case Z_VERSION_ERROR: return "incompatible zlib version"
        default: return "zlib error \(status)"
        }
    }
}
