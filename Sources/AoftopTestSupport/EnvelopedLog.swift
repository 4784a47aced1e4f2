import Foundation

/// A plain Redis log rewritten as a transport delivers it (journald through the real `journalctl`, `docker logs -t`,
/// a CRI log file), for tests that a log reads the same either way.
///
/// Each line's instant is its Redis time (`05 Dec 2026 08:03:18.123`, 7.x) read as UTC; a line without one keeps
/// the previous line's. Tests therefore read the plain log in UTC too.
public enum EnvelopedLog {
    public enum Style: Sendable, CustomStringConvertible {
        /// `journalctl -o OUTPUT` of a journal whose entries are the lines, as with `logfile ""` under systemd.
        case journald(output: String)
        /// `journalctl -o OUTPUT` of a journal whose entries are the bare messages, as `syslog-enabled yes` sends them.
        case journaldBare(output: String)
        /// `docker logs -t` (`Z`), or with a fixed offset east of UTC in minutes.
        case runtime(offsetMinutes: Int?)
        /// A CRI log file of the container's stdout.
        case cri

        public var description: String {
            switch self {
            case .journald(let output): "journalctl -o \(output)"
            case .journaldBare(let output): "journalctl -o \(output), syslog-enabled"
            case .runtime(let offset): offset.map { "runtime, offset \($0) min" } ?? "docker logs -t"
            case .cri: "CRI"
            }
        }
    }

    public static let journalRemote = "/lib/systemd/systemd-journal-remote"
    public static let journalctl = "/usr/bin/journalctl"

    /// One line of the plain log: Redis's pid, instant and message, when it has Redis's prefix.
    struct Line {
        var text: String
        var pid: Int32?
        var microseconds: Int64
        var message: String
    }

    /// Writes `plain` (the text of a Redis 7 log) to `path` in `style`.
    public static func write(plain: String, to path: String, style: Style) throws {
        let lines = parse(plain)
        let text: String
        switch style {
        case .journald(let output):
            text = try journalctl(lines, bare: false, output: output, directory: (path as NSString).deletingLastPathComponent)
        case .journaldBare(let output):
            text = try journalctl(lines, bare: true, output: output, directory: (path as NSString).deletingLastPathComponent)
        case .runtime(let offset):
            text = lines.map { rfc3339($0.microseconds, offsetMinutes: offset) + " " + $0.text + "\n" }.joined()
        case .cri:
            text = lines.map { rfc3339($0.microseconds, offsetMinutes: nil) + " stdout F " + $0.text + "\n" }.joined()
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw FixtureError("cannot write \(path)")
        }
    }

    static func parse(_ plain: String) -> [Line] {
        let pattern = /^(\d+):[MSCX] (\d\d) (\w\w\w) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d\d\d) [.*#-] (.*)$/
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var previous: Int64 = 0
        return plain.split(separator: "\n", omittingEmptySubsequences: false).dropLast(plain.hasSuffix("\n") ? 1 : 0).map { text in
            guard let m = try? pattern.wholeMatch(in: text), let month = months.firstIndex(of: String(m.3)) else {
                return Line(text: String(text), pid: nil, microseconds: previous, message: String(text))
            }
            let date = calendar.date(from: DateComponents(year: Int(m.4), month: month + 1, day: Int(m.2), hour: Int(m.5),
                                                          minute: Int(m.6), second: Int(m.7)))!
            previous = Int64(date.timeIntervalSince1970) * 1_000_000 + Int64(m.8)! * 1000
            return Line(text: String(text), pid: Int32(m.1), microseconds: previous, message: String(m.9))
        }
    }

    /// `2026-12-05T08:03:18.123000000Z` (nanoseconds, as Go's `RFC3339Nano` writes them unless they end in zeros).
    static func rfc3339(_ microseconds: Int64, offsetMinutes: Int?) -> String {
        let shifted = microseconds + Int64(offsetMinutes ?? 0) * 60_000_000
        let seconds = shifted / 1_000_000
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let fraction = String(format: "%06d", Int(shifted % 1_000_000)) + "123" // sub-microsecond digits, as runtimes have
        let zone: String
        if let offset = offsetMinutes {
            zone = (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(offset) / 60, abs(offset) % 60)
        } else {
            zone = "Z"
        }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            + fraction + zone
    }

    /// Builds a journal file from the lines (journald's export format through `systemd-journal-remote`) and returns
    /// what `journalctl --file` prints of it in UTC.
    static func journalctl(_ lines: [Line], bare: Bool, output: String, directory: String) throws -> String {
        for tool in [journalRemote, journalctl] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw FixtureError("\(tool) not found: run `apt-get install -y systemd-journal-remote`")
        }
        var export = ""
        for (i, line) in lines.enumerated() {
            export += "__REALTIME_TIMESTAMP=\(line.microseconds)\n__MONOTONIC_TIMESTAMP=\(i + 1)\n"
            export += "_BOOT_ID=8d0f2c5e4b6a49d1a1c3e5f7091b2d4f\n_HOSTNAME=cache-01\n"
            if bare {
                // openlog("redis", LOG_PID, …): Redis's `syslog-ident` and its pid.
                export += "SYSLOG_IDENTIFIER=redis\n_TRANSPORT=syslog\n"
                if let pid = line.pid { export += "_PID=\(pid)\nSYSLOG_PID=\(pid)\n" }
                export += "MESSAGE=\(line.message)\n\n"
            } else {
                export += "SYSLOG_IDENTIFIER=redis-server\n_TRANSPORT=stdout\n_PID=\(lines.first { $0.pid != nil }?.pid ?? 1)\n"
                export += "MESSAGE=\(line.text)\n\n"
            }
        }
        let journal = directory + "/export-\(UUID().uuidString).journal"
        defer { try? FileManager.default.removeItem(atPath: journal) }
        let remote = try Subprocess.run(journalRemote, ["--output=" + journal, "-"], standardInput: Data(export.utf8), timeout: 60)
        guard remote.status == 0 else { throw FixtureError("systemd-journal-remote failed: \(remote.standardError)") }
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        let printed = try Subprocess.run(journalctl, ["--file=" + journal, "-o", output, "-q", "--no-pager"],
                                         environment: environment, timeout: 60)
        guard printed.status == 0 else { throw FixtureError("journalctl failed: \(printed.standardError)") }
        return printed.standardOutput
    }
}
