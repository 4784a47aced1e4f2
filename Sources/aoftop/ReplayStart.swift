import AoftopModel
import Glibc

/// `--start` for a replay: an ISO-8601 time, a time of day `HH:MM[:SS]` (local, on the recording's first day, or
/// the next day when that is earlier than the start), or an offset from the start (`90s`, `+5m`, `1h30m`).
enum ReplayStart {
    static func resolve(_ text: String, recordingStart: Timestamp) -> Timestamp? {
        if let time = Timestamp(iso8601: text) { return time }
        let offset = text.hasPrefix("+") ? String(text.dropFirst()) : text
        if !text.contains(":"), let seconds = DurationArgument.parse(offset) {
            return recordingStart.adding(milliseconds: Int64((seconds * 1000).rounded()))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let hour = parts[0]!, minute = parts[1]!, second = parts.count == 3 ? parts[2]! : 0
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<61).contains(second) else { return nil }
        var seconds = time_t(recordingStart.millisecondsSince1970 / 1000)
        var local = tm()
        localtime_r(&seconds, &local)
        local.tm_hour = Int32(hour)
        local.tm_min = Int32(minute)
        local.tm_sec = Int32(second)
        local.tm_isdst = -1
        var result = Int64(mktime(&local)) * 1000
        if result < recordingStart.millisecondsSince1970 - 999 { result += 86_400_000 }
        return Timestamp(millisecondsSince1970: result)
    }
}
