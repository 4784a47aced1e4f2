/// Why a byte stream is not valid RESP2. Every case is fatal for the connection: the stream cannot be resynchronised.
public enum RESPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The first byte of a value is not one of `+ - : $ *`. `preview` is the start of the offending line,
    /// printable, e.g. `HTTP/1.1 400 Bad Request` when the peer is a web server.
    case unknownType(byte: UInt8, preview: String)
    /// A length or integer line that is not a decimal number (or a negative length other than -1).
    case invalidNumber(String)
    /// A bulk string longer than the decoder's limit (`length` may be a clamp of an even larger value).
    case bulkTooLong(length: Int64, limit: Int)
    /// An array with more elements than the decoder's limit.
    case arrayTooLong(count: Int64, limit: Int)
    /// Arrays nested deeper than the decoder's limit.
    case nestingTooDeep(limit: Int)
    /// A line not terminated by CRLF (a CR followed by something else, or bulk data not followed by CRLF).
    case missingCRLF
    /// A header or simple line without CRLF longer than the decoder's limit.
    case lineTooLong(limit: Int)

    public var description: String {
        switch self {
        case .unknownType(let byte, let preview):
            let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16))"
            return "protocol error: unknown RESP type byte \(shown) (not a Redis server? got \"\(preview)\")"
        case .invalidNumber(let text): return "protocol error: invalid number \"\(text)\""
        case .bulkTooLong(let length, let limit): return "protocol error: bulk string of \(length) bytes exceeds the limit of \(limit)"
        case .arrayTooLong(let count, let limit): return "protocol error: array of \(count) elements exceeds the limit of \(limit)"
        case .nestingTooDeep(let limit): return "protocol error: arrays nested deeper than \(limit) levels"
        case .missingCRLF: return "protocol error: expected CRLF"
        case .lineTooLong(let limit): return "protocol error: line longer than \(limit) bytes without CRLF"
        }
    }
}
