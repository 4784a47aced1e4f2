/// Redis's own tokenizer for config lines (`sdssplitargs`) and its inverse (`sdscatrepr`), on bytes: a config
/// value is binary-safe in Redis, so it is decoded to text only at the end.
enum ConfigArguments {
    /// The arguments of one line, or `nil` when Redis would reject it ("Unbalanced quotes in configuration line"):
    /// an unterminated quote, or a closing quote followed by anything but whitespace.
    static func split(_ line: ArraySlice<UInt8>) -> [[UInt8]]? {
        var arguments: [[UInt8]] = []
        var index = line.startIndex
        let end = line.endIndex
        func at(_ i: Int) -> UInt8 { i < end ? line[i] : 0 }

        while true {
            while index < end, isSpace(line[index]) { index += 1 }
            guard index < end else { return arguments }
            var current: [UInt8] = []
            var inDouble = false, inSingle = false, done = false
            while !done {
                let byte = at(index)
                if inDouble {
                    if byte == UInt8(ascii: "\\"), at(index + 1) == UInt8(ascii: "x"),
                       let high = hexValue(at(index + 2)), let low = hexValue(at(index + 3)) {
                        current.append(high << 4 | low)
                        index += 3
                    } else if byte == UInt8(ascii: "\\"), index + 1 < end {
                        index += 1
                        current.append(unescaped(line[index]))
                    } else if byte == UInt8(ascii: "\"") {
                        if index + 1 < end, !isSpace(line[index + 1]) { return nil }
                        done = true
                    } else if index >= end {
                        return nil
                    } else {
                        current.append(byte)
                    }
                } else if inSingle {
                    if byte == UInt8(ascii: "\\"), at(index + 1) == UInt8(ascii: "'") {
                        index += 1
                        current.append(UInt8(ascii: "'"))
                    } else if byte == UInt8(ascii: "'") {
                        if index + 1 < end, !isSpace(line[index + 1]) { return nil }
                        done = true
                    } else if index >= end {
                        return nil
                    } else {
                        current.append(byte)
                    }
                } else {
                    switch byte {
                    // A NUL ends the token as the end of the C string would (Redis never sees past it).
                    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), 0:
                        done = true
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    default: current.append(byte)
                    }
                }
                if index < end { index += 1 }
            }
            arguments.append(current)
        }
    }

    /// `sdscatrepr`: how Redis quotes a command-line value before parsing it as a config line.
    static func quoted(_ value: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
            case 0x0a: out += Array("\\n".utf8)
            case 0x0d: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x07: out += Array("\\a".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x20...0x7e: out.append(byte)
            default:
                let digits = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0xf)]]
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// C `isspace` in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0d).contains(byte) }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 0x0a
        case UInt8(ascii: "r"): 0x0d
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "a"): 0x07
        default: byte
        }
    }
}
