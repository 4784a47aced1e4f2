/// How Redis turns a config file's bytes into lines.
enum ConfigText {
    struct Line {
        var bytes: [UInt8]
        /// The file line it starts on (1-based).
        var number: Int
        var hadNUL: Bool
    }

    /// `CONFIG_READ_LEN`: Redis reads with `fgets` into a buffer this long.
    static let chunkLength = 1024

    /// Redis appends each `fgets` chunk with `sdscat`, which stops at a NUL: the rest of that chunk is lost, and
    /// when the chunk held the newline, the next line joins this one. Reproduced so line numbers stay the file's.
    static func lines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var current: [UInt8] = []
        var start: Int?
        var sawNUL = false
        var fileLine = 1
        var index = 0
        while index < bytes.count {
            var end = index
            var newline = false
            while end < bytes.count, end - index < chunkLength {
                end += 1
                if bytes[end - 1] == UInt8(ascii: "\n") { newline = true; break }
            }
            let kept = bytes[index..<end].firstIndex(of: 0) ?? end
            if kept < end { sawNUL = true; if start == nil { start = fileLine } }
            for byte in bytes[index..<kept] {
                if start == nil { start = fileLine }
                if byte == UInt8(ascii: "\n") {
                    lines.append(Line(bytes: current, number: start ?? fileLine, hadNUL: sawNUL))
                    current = []
                    start = nil
                    sawNUL = false
                } else {
                    current.append(byte)
                }
            }
            if newline { fileLine += 1 }
            index = end
        }
        if start != nil || !current.isEmpty {
            lines.append(Line(bytes: current, number: start ?? fileLine, hadNUL: sawNUL))
        }
        return lines
    }

    /// `sdstrim(line, " \t\r\n")`.
    static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func trim(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        var result = line
        while let first = result.first, trim(first) { result.removeFirst() }
        while let last = result.last, trim(last) { result.removeLast() }
        return result
    }
}
