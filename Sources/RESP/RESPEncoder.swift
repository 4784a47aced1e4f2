/// Encodes commands the way every Redis client does: an array of bulk strings.
public enum RESPEncoder {
    /// `["INFO"]` → `*1\r\n$4\r\nINFO\r\n`.
    public static func encodeCommand(_ arguments: [String]) -> [UInt8] {
        encodeCommand(arguments.map { Array($0.utf8) })
    }

    /// Binary-safe variant of `encodeCommand(_:)`.
    public static func encodeCommand(_ arguments: [[UInt8]]) -> [UInt8] {
        encode(.array(arguments.map { .bulkString($0) }))
    }

    /// Encodes any value (used for commands and by tests to build server replies).
    public static func encode(_ value: RESPValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private static func append(_ value: RESPValue, to out: inout [UInt8]) {
        switch value {
        case .simpleString(let s): line(UInt8(ascii: "+"), s, &out)
        case .error(let s): line(UInt8(ascii: "-"), s, &out)
        case .integer(let n): line(UInt8(ascii: ":"), String(n), &out)
        case .bulkString(nil): line(UInt8(ascii: "$"), "-1", &out)
        case .bulkString(let bytes?):
            line(UInt8(ascii: "$"), String(bytes.count), &out)
            out.append(contentsOf: bytes)
            out.append(contentsOf: [13, 10])
        case .array(nil): line(UInt8(ascii: "*"), "-1", &out)
        case .array(let items?):
            line(UInt8(ascii: "*"), String(items.count), &out)
            for item in items { append(item, to: &out) }
        }
    }

    private static func line(_ type: UInt8, _ text: String, _ out: inout [UInt8]) {
        out.append(type)
        out.append(contentsOf: text.utf8)
        out.append(contentsOf: [13, 10])
    }
}
