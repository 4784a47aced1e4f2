/// Small number formats shared by the text outputs.
enum Format {
    static func optional<T: BinaryInteger>(_ value: T?) -> String { value.map { String($0) } ?? "?" }

    static func yesNo(_ value: Bool?) -> String { value.map { $0 ? "yes" : "no" } ?? "?" }

    static func optionalBytes(_ value: Int64?) -> String { value.map(bytes) ?? "?" }

    /// `512 B`, `1.5 KiB`, `2.0 MiB`, `3.1 GiB`.
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(value)
        var unit = 0
        while abs(scaled) >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(oneDecimal(scaled)) \(units[unit])"
    }

    static func micros(_ value: Int64) -> String {
        value < 1000 ? "\(value) µs" : value < 1_000_000 ? "\(oneDecimal(Double(value) / 1000)) ms" : "\(oneDecimal(Double(value) / 1_000_000)) s"
    }

    /// `45 s`, `12 min 3 s`, `5 h 2 min`, `3 d 4 h`.
    static func duration(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min \(seconds % 60) s"
        case ..<86400: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86400) d \(seconds % 86400 / 3600) h"
        }
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
