import AoftopModel

/// Finds a snapshot line's top-level time without decoding the line.
///
/// Snapshots are written with sorted keys and `time` sorts after every other top-level key
/// (`aof_directory`, `log`, `process`, `redis`, `source`), so a line ends with `,"time":"2026-…Z"}`.
/// The match is exact: inside a JSON string a quote is always escaped, so `,"time":"` followed by a quote-free
/// value and `"}` at the very end can only be the last top-level member. Anything else returns nil and the
/// caller decodes the line instead.
enum SnapshotTimeScanner {
    private static let key = Array(#""time":""#.utf8)

    static func time(inLine line: UnsafeRawBufferPointer) -> Timestamp? {
        var end = line.count
        while end > 0 && (line[end - 1] == 0x0D || line[end - 1] == 0x20) { end -= 1 }   // tolerate CRLF
        guard end >= 4, line[0] == 0x7B, line[end - 1] == 0x7D, line[end - 2] == 0x22 else { return nil }
        let valueEnd = end - 2
        var valueStart = valueEnd
        // ISO-8601 characters only: digits, - : . + T Z. At most 40 of them.
        while valueStart > 0 && valueEnd - valueStart < 40 {
            let c = line[valueStart - 1]
            guard (c >= 0x30 && c <= 0x3A) || c == 0x2D || c == 0x2E || c == 0x2B || c == 0x54 || c == 0x5A else { break }
            valueStart -= 1
        }
        let keyStart = valueStart - key.count
        guard keyStart >= 1, valueEnd > valueStart else { return nil }
        for i in 0..<key.count where line[keyStart + i] != key[i] { return nil }
        guard line[keyStart - 1] == 0x2C || line[keyStart - 1] == 0x7B else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self)
        return Timestamp(iso8601: text)
    }
}
