/// Redis's value parsers for the settings aoftop reads.
enum ConfigValues {
    /// `memtoll`: digits with an optional `b`/`k`/`kb`/`m`/`mb`/`g`/`gb` unit (any case); `k` is 1000, `kb` 1024.
    static func bytes(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        var index = 0
        if utf8.first == UInt8(ascii: "-") { index = 1 }
        while index < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[index]) { index += 1 }
        let multiplier: Int64
        switch String(decoding: utf8[index...], as: UTF8.self).lowercased() {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1_000_000
        case "mb": multiplier = 1 << 20
        case "g": multiplier = 1_000_000_000
        case "gb": multiplier = 1 << 30
        default: return nil
        }
        let digits = utf8[..<index]
        // strtoll of nothing is 0 without an error, so a bare unit ("mb") is 0 bytes to Redis.
        guard digits.count < 128, digits != [UInt8(ascii: "-")] else { return nil }
        guard let value = digits.isEmpty ? 0 : Int64(String(decoding: digits, as: UTF8.self)) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `string2ll`: an optional `-` and digits, no sign `+`, no spaces, no leading zeros.
    static func integer(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        let digits = utf8.first == UInt8(ascii: "-") ? utf8.dropFirst() : utf8[...]
        guard let first = digits.first, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        return Int64(text)
    }

    /// `yesnotoi`.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes": true
        case "no": false
        default: nil
        }
    }
}
