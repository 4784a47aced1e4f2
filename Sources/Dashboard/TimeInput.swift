import AoftopModel

/// Parses what the operator types after replay `g`: a time of day (`HH:MM:SS` or `HH:MM`, in the display time
/// zone, on the day of the replay position, or the day before/after when that falls inside the recording) or
/// an offset from the position (`+90s`, `-5m`, `+1h30m`, `+45` meaning seconds).
public enum TimeInput {
    public static let maxLength = 24

    public enum Target: Sendable, Equatable {
        case relative(Double)
        case absolute(Timestamp)
    }

    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
    }

    public static func parse(_ text: String, anchor: Timestamp?, span: (Timestamp, Timestamp)?,
                             timeZoneOffsetSeconds: Int) -> Result<Target, ParseError> {
        let trimmed = text.trimmingSpaces
        let bad = ParseError(message: "bad time \"\(trimmed)\": use HH:MM:SS, +90s or -5m")
        guard let first = trimmed.first else { return .failure(bad) }
        if first == "+" || first == "-" {
            guard let seconds = offset(trimmed.dropFirst()) else { return .failure(bad) }
            return .success(.relative(first == "-" ? -seconds : seconds))
        }
        guard let secondsOfDay = timeOfDay(trimmed) else { return .failure(bad) }
        guard let anchor else { return .failure(ParseError(message: "no replay position yet")) }
        let offsetMs = Int64(timeZoneOffsetSeconds) * 1000
        let localMs = anchor.millisecondsSince1970 + offsetMs
        let dayStart = localMs - floorMod(localMs, 86_400_000)
        let candidates = [0, -1, 1].map { day in
            Timestamp(millisecondsSince1970: dayStart + Int64(day) * 86_400_000 + Int64(secondsOfDay) * 1000 - offsetMs)
        }
        guard let span else { return .success(.absolute(candidates[0])) }
        if let inside = candidates.first(where: { $0 >= span.0 && $0 <= span.1 }) { return .success(.absolute(inside)) }
        let from = Format.timeOfDay(span.0, offsetSeconds: timeZoneOffsetSeconds)
        let to = Format.timeOfDay(span.1, offsetSeconds: timeZoneOffsetSeconds)
        return .failure(ParseError(message: "\(trimmed) is outside the recording (\(from)–\(to))"))
    }

    /// `HH:MM:SS` or `HH:MM` → seconds after midnight.
    static func timeOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        let numbers = parts.map { Int($0)! }
        let (h, m, s) = (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
        guard h < 24, m < 60, s < 60 else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// `90s`, `5m`, `1h30m`, `2d`, `45` (seconds) → seconds.
    static func offset(_ text: Substring) -> Double? {
        var total = 0.0
        var digits = ""
        var sawUnit = false
        for c in text {
            if c.isASCII && c.isNumber {
                digits.append(c)
                guard digits.count <= 9 else { return nil }
                continue
            }
            guard let value = Double(digits) else { return nil }
            switch c {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            default: return nil
            }
            digits = ""
            sawUnit = true
        }
        if !digits.isEmpty {
            guard let value = Double(digits) else { return nil }
            total += value
        } else if !sawUnit {
            return nil
        }
        return total
    }
}

func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return r < 0 ? r + b : r
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
