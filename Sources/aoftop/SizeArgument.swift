import ArgumentParser

/// A size on the command line: `20K`, `64M`, `1.5G`, `2T`, or a plain number of bytes. Units are 1024-based
/// (as journald's `SystemMaxUse=` and logrotate's `size`); `K`/`k`, an optional `B` or `iB` (`64MiB`, `64MB`).
struct SizeArgument: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    var bytes: UInt64

    init(bytes: UInt64) { self.bytes = bytes }

    init?(argument: String) {
        guard let bytes = Self.parse(argument) else { return nil }
        self.bytes = bytes
    }

    static func parse(_ text: String) -> UInt64? {
        var rest = Substring(text)
        let binary = rest.hasSuffix("iB")
        if binary { rest = rest.dropLast(2) } else if rest.hasSuffix("B") { rest = rest.dropLast() }
        let scales: [String: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
        var scale = 1.0
        if let last = rest.last, let unit = scales[last.uppercased()] {
            scale = unit
            rest = rest.dropLast()
        } else if binary {
            return nil
        }
        guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(rest),
              value.isFinite else { return nil }
        let bytes = (value * scale).rounded()
        guard bytes < 0x1p62 else { return nil }
        return UInt64(bytes)
    }

    /// `64M`, `1.5G`, `512` (bytes): the shortest exact form.
    var description: String {
        for (unit, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] {
            let scale = UInt64(1) << UInt64(shift)
            if bytes >= scale, bytes % scale == 0 { return "\(bytes / scale)\(unit)" }
        }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }

    static var defaultCompletionKind: CompletionKind { .default }
}
