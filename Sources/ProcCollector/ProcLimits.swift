import AoftopModel

/// Reads `Max open files` from `/proc/PID/limits`.
enum ProcLimits {
    /// Parses the `Max open files` row (`Max open files   1024   524288   files`); `unlimited` becomes nil.
    /// Returns nil when the row is missing or a value is neither a number nor `unlimited`.
    static func parseOpenFiles(_ bytes: UnsafeBufferPointer<UInt8>) -> FdLimits? {
        let key: StaticString = "Max open files"
        let keyLength = key.utf8CodeUnitCount
        var lineStart = 0
        var ranges: [Range<Int>] = []
        while lineStart < bytes.count {
            let end = ProcBytes.lineEnd(bytes, from: lineStart)
            if end - lineStart > keyLength, ProcBytes.equals(bytes, lineStart..<(lineStart + keyLength), key),
               ProcBytes.isBlank(bytes[lineStart + keyLength]) {
                ProcBytes.tokens(bytes, lineStart + keyLength, end, limit: 2, into: &ranges)
                guard ranges.count == 2, let soft = limit(bytes, ranges[0]), let hard = limit(bytes, ranges[1]) else {
                    return nil
                }
                return FdLimits(soft: soft.value, hard: hard.value)
            }
            lineStart = end + 1
        }
        return nil
    }

    /// `.some(nil)` for `unlimited`, `.some(n)` for a number, nil for garbage.
    private static func limit(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Limit? {
        if ProcBytes.equals(bytes, range, "unlimited") { return Limit(value: nil) }
        guard let n = ProcBytes.decimal(bytes, range.lowerBound, range.upperBound), n <= UInt64(Int.max) else {
            return nil
        }
        return Limit(value: Int(n))
    }

    private struct Limit { var value: Int? }
}
