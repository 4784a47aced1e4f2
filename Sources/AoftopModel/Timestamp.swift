import FoundationEssentials
import Glibc

/// A wall-clock instant in whole milliseconds since the Unix epoch.
///
/// Integer milliseconds keep snapshots exactly `Equatable` across a JSON round trip (a `Date` would not),
/// and JSON shows them as ISO-8601 UTC so a recording can be read by eye.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }
    public init(secondsSince1970: Double) { self.millisecondsSince1970 = Int64((secondsSince1970 * 1000).rounded()) }

    public var secondsSince1970: Double { Double(millisecondsSince1970) / 1000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSince1970 < b.millisecondsSince1970 }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    public func seconds(since earlier: Timestamp) -> Double {
        Double(millisecondsSince1970 - earlier.millisecondsSince1970) / 1000
    }

    public func adding(milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: millisecondsSince1970 + milliseconds) }

    /// `2026-11-21T17:39:52.123Z`
    public var iso8601: String {
        let seconds = floorDiv(millisecondsSince1970, 1000)
        let millis = Int(millisecondsSince1970 - seconds * 1000)
        let (year, month, day) = civilFromDays(floorDiv(seconds, 86400))
        let second = Int(seconds - floorDiv(seconds, 86400) * 86400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(month))-\(two(day))T\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60)).\(ms)Z"
    }

    public var description: String { iso8601 }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]`; a missing zone means UTC.
    public init?(iso8601 text: String) {
        guard let value = ISO8601Parser.parse(Array(text.utf8)[...]) else { return nil }
        self = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let millis = try? container.decode(Int64.self) {
            self.millisecondsSince1970 = millis
            return
        }
        let text = try container.decode(String.self)
        guard let value = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 time: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

@inline(__always) public func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`), the inverse
/// of `daysFromCivil`.
public func civilFromDays(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = Int(doy - (153 * mp + 2) / 5 + 1)
    let month = Int(mp < 10 ? mp + 3 : mp - 9)
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm): time zone free, no libc state.
public func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

enum ISO8601Parser {
    static func parse(_ b: ArraySlice<UInt8>) -> Timestamp? {
        var i = b.startIndex
        func number(_ count: Int) -> Int? {
            guard b.endIndex - i >= count else { return nil }
            var value = 0
            for _ in 0..<count {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.endIndex, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
              i < b.endIndex, b[i] == 0x54 || b[i] == 0x20 else { return nil }
        i += 1
        guard let hour = number(2), expect(0x3A), let minute = number(2), expect(0x3A), let second = number(2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var millis = 0
        if i < b.endIndex, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var digits = 0
            while i < b.endIndex, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetSeconds = 0
        if i < b.endIndex {
            switch b[i] {
            case 0x5A: i += 1
            case 0x2B, 0x2D:
                let sign = b[i] == 0x2D ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(0x3A)
                let om = number(2) ?? 0
                offsetSeconds = sign * (oh * 3600 + om * 60)
            default: return nil
            }
        }
        guard i == b.endIndex else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return Timestamp(millisecondsSince1970: seconds * 1000 + Int64(millis))
    }
}
