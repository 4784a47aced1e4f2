import AoftopAnalysis
import AoftopModel
import TextGrid

/// Number, size, duration and time formatting. Unknown values are `?`, never 0. No locale: output is the same
/// on every machine (golden tests, ssh sessions with odd `LANG`).
public enum Format {
    public static let unknown = "?"

    /// `9,823`; `?` for `nil`.
    /// `4242`, or `4242 (ns 1)` for a server in a pid namespace of its own: the host's pid reads `/proc`, the
    /// namespace's is the one in INFO and in every log line.
    public static func pid(_ pid: Int32?, namespacePid: Int32? = nil) -> String {
        guard let pid else { return unknown }
        guard let namespacePid, namespacePid != pid else { return String(pid) }
        return "\(pid) (ns \(namespacePid))"
    }

    public static func count<T: BinaryInteger>(_ value: T?) -> String {
        guard let value else { return unknown }
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// `+1,060` / `-3` / `0`.
    static func signed(_ value: Int?) -> String {
        guard let value else { return unknown }
        return value > 0 ? "+" + count(value) : count(value)
    }

    /// `0 B`, `512 B`, `67.8 KiB`, `1.2 GiB`.
    public static func bytes(_ value: Int64?) -> String {
        value.map { ByteText.text($0) } ?? unknown
    }

    /// Fixed decimals without `String(format:)` (which needs Foundation and the C locale).
    public static func decimal(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return unknown }
        if digits == 0 { return count(Int64(value.rounded())) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return "\(sign)\(count(whole)).\(fraction)"
    }

    /// `0.25 s`, `2 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(decimal(value, digits: value * 10 == (value * 10).rounded() ? 1 : 2)) s"
    }

    /// An age or countdown: `4.2 s` (under 10 s), `42 s`, `3m05s`, `2h03m`, `4d02h`.
    public static func duration(_ value: Double?) -> String {
        guard let value, value.isFinite else { return unknown }
        let v = max(0, value)
        if v < 10 { return "\(decimal(v, digits: 1)) s" }
        let s = Int(v.rounded(.down))
        if s < 120 { return "\(s) s" }
        if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(pad2(s % 3600 / 60))m" }
        return "\(s / 86_400)d\(pad2(s % 86_400 / 3600))h"
    }

    /// Like `duration` but whole seconds only: ages that should not change every tick by tenths.
    static func age(_ value: Double?) -> String {
        guard let value, value.isFinite else { return unknown }
        return value < 10 ? "\(Int(max(0, value).rounded(.down))) s" : duration(value)
    }

    /// `×8`, `×0.5`.
    static func speed(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))×" : "\(decimal(value, digits: 1))×"
    }

    static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `22:13:20` in the display zone.
    static func timeOfDay(_ time: Timestamp, offsetSeconds: Int) -> String {
        let local = floorDiv(time.millisecondsSince1970, 1000) + Int64(offsetSeconds)
        let s = Int(floorMod(local, 86_400))
        return "\(pad2(s / 3600)):\(pad2(s % 3600 / 60)):\(pad2(s % 60))"
    }

    /// `22:13:20.123`.
    public static func timeOfDayMillis(_ time: Timestamp, offsetSeconds: Int) -> String {
        let ms = Int(floorMod(time.millisecondsSince1970, 1000))
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return timeOfDay(time, offsetSeconds: offsetSeconds) + "." + msText
    }

    /// `2023-11-14 22:13:20`.
    static func dateTime(_ time: Timestamp, offsetSeconds: Int) -> String {
        let local = floorDiv(time.millisecondsSince1970, 1000) + Int64(offsetSeconds)
        let days = floorDiv(local, 86_400)
        let (y, m, d) = civilFromDays(days)
        return "\(y)-\(pad2(m))-\(pad2(d)) " + timeOfDay(time, offsetSeconds: offsetSeconds)
    }

    /// Where a setting came from, when not from Redis itself (now or earlier): `conf file`, `cmdline`, `default`,
    /// `proven`; `nil` for CONFIG, INFO and last-known values, which need no label.
    static func origin(_ origin: SettingOrigin?) -> String? {
        switch origin {
        case .configFile?: "conf file"
        case .commandLine?: "cmdline"
        case .defaultValue?: "default"
        case .evidence?: "proven"
        case .config?, .info?, .lastKnown?, nil: nil
        }
    }

    /// `text` followed by `suffix` when both fit in `width` columns, else `text` alone: a label is worth showing
    /// only whole.
    static func withSuffix(_ text: String, _ suffix: String?, width: Int) -> String {
        guard let suffix, CharacterWidth.of(text + suffix) <= width else { return text }
        return text + suffix
    }

    /// Pads or cuts `text` to exactly `width` columns, right-aligned: fixed-width numeric fields keep rows stable.
    static func right(_ text: String, _ width: Int) -> String {
        let w = text.count
        return w >= width ? text : String(repeating: " ", count: width - w) + text
    }

    static func left(_ text: String, _ width: Int) -> String {
        let w = text.count
        return w >= width ? text : text + String(repeating: " ", count: width - w)
    }
}
