import AoftopModel
import Glibc

/// How wall-clock times written without a zone (every legacy Redis format) map to UTC.
///
/// Redis writes its log in the server's local time zone (`localtime`, or its own fork-safe copy of it), so
/// `.system` converts with this process's local zone (`TZ`, `/etc/localtime`) — right when aoftop runs on the
/// Redis host, which it must anyway to read the log. `.fixed` is for tests and for logs copied from elsewhere.
public enum LogTimeZone: Sendable, Equatable {
    case system
    /// A constant offset east of UTC, in seconds (`+3600` for UTC+1).
    case fixed(offsetSeconds: Int)
}

/// A civil date and time as written in a log line (no zone).
struct CivilTime: Equatable {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    /// Whether the fields are in range (a truncated or garbage timestamp must become `other`, not a bogus time).
    var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CivilTime.daysIn(month: month, year: year) && hour < 24
            && minute < 60 && second <= 60 && millisecond < 1000 && year > 1900 && year < 10000
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds since the epoch if this civil time were UTC.
    var naiveSeconds: Int64 {
        Int64(daysFromCivil(year: year, month: month, day: day)) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }
}

/// Converts local civil times to UTC, caching the zone's offset per local hour so a scan of millions of lines
/// makes one `mktime` call per distinct hour, not one per line.
struct LocalTimeConverter: Sendable {
    let zone: LogTimeZone
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int64 = 0

    init(zone: LogTimeZone) { self.zone = zone }

    mutating func timestamp(_ civil: CivilTime) -> Timestamp {
        let naive = civil.naiveSeconds
        let seconds = naive - offset(naiveSeconds: naive, civil: civil)
        return Timestamp(millisecondsSince1970: seconds * 1000 + Int64(civil.millisecond))
    }

    /// The zone's UTC offset at a local time. In a DST fold (an hour that occurs twice) `mktime`'s choice wins.
    private mutating func offset(naiveSeconds: Int64, civil: CivilTime) -> Int64 {
        switch zone {
        case .fixed(let offsetSeconds): return Int64(offsetSeconds)
        case .system:
            let hour = naiveSeconds / 3600
            if hour == cachedHour { return cachedOffset }
            var parts = tm()
            parts.tm_year = Int32(civil.year - 1900)
            parts.tm_mon = Int32(civil.month - 1)
            parts.tm_mday = Int32(civil.day)
            parts.tm_hour = Int32(civil.hour)
            parts.tm_min = 30 // the middle of the hour, away from a DST edge at :00
            parts.tm_sec = 0
            parts.tm_isdst = -1
            let epoch = mktime(&parts)
            let offset: Int64 = epoch == -1 ? 0 : (hour * 3600 + 1800) - Int64(epoch)
            cachedHour = hour
            cachedOffset = offset
            return offset
        }
    }

    /// The local calendar year at an instant.
    func localYear(of time: Timestamp) -> Int {
        var seconds = time_t(time.millisecondsSince1970 / 1000)
        switch zone {
        case .fixed(let offsetSeconds):
            seconds += time_t(offsetSeconds)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            return Int(parts.tm_year) + 1900
        case .system:
            var parts = tm()
            localtime_r(&seconds, &parts)
            return Int(parts.tm_year) + 1900
        }
    }
}

/// Picks the year for log lines that carry none (Redis 2.x–6.x write `16 Aug 01:07:39.319`).
///
/// Given a reference instant — now when tailing live, the file's mtime for a post-mortem scan — each line gets
/// the latest of (reference year + 1, reference year, reference year − 1) that puts it no later than
/// reference + 1 day (the day of slack absorbs clock skew and zone mistakes). So `31 Dec 23:59` read on
/// 1 January is last year's, and `1 Jan 00:00` read at 23:59 on 31 December is next year's.
public struct YearInference: Sendable {
    /// The instant no line may be later than (minus one day of slack).
    public let reference: Timestamp
    public let zone: LogTimeZone
    let referenceYear: Int
    private let latest: Int64

    public init(reference: Timestamp, zone: LogTimeZone = .system) {
        self.reference = reference
        self.zone = zone
        self.referenceYear = LocalTimeConverter(zone: zone).localYear(of: reference)
        self.latest = reference.millisecondsSince1970 + 86_400_000
    }

    /// The instant of a year-less civil time (the `year` of `civil` is ignored), or nil when no candidate fits.
    func resolve(_ civil: CivilTime, converter: inout LocalTimeConverter) -> Timestamp? {
        for step in 0..<3 {
            var candidate = civil
            candidate.year = referenceYear + 1 - step
            // 29 Feb only exists in leap years; daysFromCivil would silently roll it over to 1 March.
            guard candidate.isValid else { continue }
            // No zone is more than 14 h from UTC: a candidate that late in any zone needs no exact conversion,
            // which keeps the per-hour offset cache from thrashing between candidate years.
            if (candidate.naiveSeconds - 14 * 3600) * 1000 > latest { continue }
            let time = converter.timestamp(candidate)
            if time.millisecondsSince1970 <= latest { return time }
        }
        return nil
    }

    /// Convenience for callers outside the parser: resolves a year-less local time to an instant.
    public func resolve(month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0) -> Timestamp? {
        var converter = LocalTimeConverter(zone: zone)
        let civil = CivilTime(year: referenceYear, month: month, day: day, hour: hour, minute: minute,
                              second: second, millisecond: millisecond)
        return resolve(civil, converter: &converter)
    }
}
