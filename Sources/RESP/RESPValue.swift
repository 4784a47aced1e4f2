/// One RESP2 value as a Redis server sends it.
public enum RESPValue: Sendable, Hashable {
    /// `+OK\r\n`
    case simpleString(String)
    /// `-ERR message\r\n`: the whole line after `-`, including the error code (`ERR`, `WRONGPASS`, `NOPERM`…).
    case error(String)
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`; `nil` for the null bulk string `$-1\r\n`. Binary safe.
    case bulkString([UInt8]?)
    /// `*2\r\n…`; `nil` for the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The text of a simple or bulk string (bulk bytes decoded as UTF-8, invalid sequences repaired), else `nil`.
    public var text: String? {
        switch self {
        case .simpleString(let s): return s
        case .bulkString(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The message of an error reply, else `nil`.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
