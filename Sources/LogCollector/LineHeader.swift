import AoftopModel

/// The layout facts of one line, found structurally (fixed offsets, `memchr`) without validating the time.
///
/// Layouts, as written by `serverLogRaw` / `serverLogRawFromHandler`:
/// - legacy (3.0+): `PID:R <time> L msg`, R one of `MSCX`
/// - 2.x: `[PID] <time> L msg`
/// - signal handler: `PID:signal-handler (UNIXTIME) msg`
/// - Valkey logfmt: `pid=N role=WORD timestamp="<time>" level=WORD message="msg"`
/// - anything else (ASCII-art banner, garbage): `unprefixed`, the whole line is the message.
///
/// `<time>` is `DD Mon HH:MM:SS.mmm` (≤ 6.x), `DD Mon HH:MM:SS` (old 2.x), `DD Mon YYYY HH:MM:SS.mmm` (7.x,
/// Valkey `legacy`), `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM` (Valkey `iso8601`) or epoch milliseconds (Valkey `milliseconds`).
///
/// The line seen here starts after any envelope a transport added (journald, `docker logs -t`, CRI files: see
/// `LineEnvelope`), so offsets are into Redis's own line.
struct LineHeader {
    enum Layout { case legacy, redis2, signalHandler, logfmt, unprefixed }
    enum TimeStyle { case none, dayMonth, dayMonthYear, iso8601, epochMilliseconds, epochSeconds }

    var layout: Layout = .unprefixed
    var pidStart = 0, pidEnd = 0
    /// `M`/`S`/`C`/`X` for the legacy layouts; 0 otherwise.
    var roleByte: UInt8 = 0
    /// The role word of a logfmt line.
    var roleStart = 0, roleEnd = 0
    var level: LogLevel?
    var timeStyle: TimeStyle = .none
    var timeStart = 0, timeEnd = 0
    var messageStart = 0, messageEnd = 0
    /// A logfmt message containing a backslash must be unescaped before it is classified.
    var messageEscaped = false

    init(unprefixed line: ByteLine) { messageEnd = line.count }

    /// The fast path for the common legacy layout `PID:R <time> L msg`: only the message start, nil for any
    /// other layout (the caller then falls back to `parse`).
    @inline(__always) static func quickMessageStart(_ line: ByteLine) -> Int? {
        var i = 0
        while i < 10 && line.isDigit(i) { i += 1 }
        guard i > 0, line.at(i) == UInt8(ascii: ":"), line.at(i + 2) == UInt8(ascii: " ") else { return nil }
        let role = line.at(i + 1)
        guard role == UInt8(ascii: "M") || role == UInt8(ascii: "S") || role == UInt8(ascii: "C") || role == UInt8(ascii: "X")
        else { return nil }
        let t = i + 3
        guard line.at(t + 2) == UInt8(ascii: " "), line.at(t + 6) == UInt8(ascii: " ") else { return nil }
        let end: Int
        if line.at(t + 9) == UInt8(ascii: ":") {
            end = line.at(t + 15) == UInt8(ascii: ".") ? t + 19 : t + 15
        } else {
            end = line.at(t + 20) == UInt8(ascii: ".") ? t + 24 : t + 20
        }
        guard line.at(end) == UInt8(ascii: " "), level(line.at(end + 1)) != nil,
              line.at(end + 2) == UInt8(ascii: " ") || end + 2 == line.count else { return nil }
        return min(end + 3, line.count)
    }

    static func parse(_ line: ByteLine) -> LineHeader {
        var header = LineHeader(unprefixed: line)
        let first = line.at(0)
        if first >= 0x30 && first <= 0x39 {
            guard let pid = line.number(from: 0), line.at(pid.end) == UInt8(ascii: ":") else { return header }
            header.pidEnd = pid.end
            let r = pid.end + 1
            let role = line.at(r)
            if line.at(r + 1) == UInt8(ascii: " "),
               role == UInt8(ascii: "M") || role == UInt8(ascii: "S") || role == UInt8(ascii: "C") || role == UInt8(ascii: "X") {
                header.roleByte = role
                if header.parseTimeAndLevel(line, at: r + 2) { header.layout = .legacy; return header }
            } else if let secsStart = line.offset(after: "signal-handler (", at: r), let secs = line.number(from: secsStart),
                      line.at(secs.end) == UInt8(ascii: ")"), line.at(secs.end + 1) == UInt8(ascii: " ") {
                header.layout = .signalHandler
                header.timeStyle = .epochSeconds
                header.timeStart = secsStart
                header.timeEnd = secs.end
                header.messageStart = secs.end + 2
                return header
            }
            return LineHeader(unprefixed: line)
        }
        if first == UInt8(ascii: "["), let pid = line.number(from: 1), line.at(pid.end) == UInt8(ascii: "]"),
           line.at(pid.end + 1) == UInt8(ascii: " ") {
            header.pidStart = 1
            header.pidEnd = pid.end
            if header.parseTimeAndLevel(line, at: pid.end + 2) { header.layout = .redis2; return header }
            return LineHeader(unprefixed: line)
        }
        if first == UInt8(ascii: "p"), line.has("pid=", at: 0) {
            if header.parseLogfmt(line) { header.layout = .logfmt; return header }
            return LineHeader(unprefixed: line)
        }
        // `# msg` with the pid and time cut off, as lines are quoted in write-ups and tickets.
        if let level = LineHeader.level(first), line.at(1) == UInt8(ascii: " ") {
            header.level = level
            header.messageStart = 2
        }
        return header
    }

    /// `<time> L ` at `t`: finds the end of the time by its shape, then the level character.
    private mutating func parseTimeAndLevel(_ line: ByteLine, at t: Int) -> Bool {
        let space = UInt8(ascii: " ")
        var end: Int
        if line.at(t + 2) == space && line.at(t + 6) == space {
            if line.at(t + 9) == UInt8(ascii: ":") {               // DD Mon HH:MM:SS[.mmm]
                timeStyle = .dayMonth
                end = line.at(t + 15) == UInt8(ascii: ".") ? t + 19 : t + 15
            } else {                                              // DD Mon YYYY HH:MM:SS[.mmm]
                timeStyle = .dayMonthYear
                end = line.at(t + 20) == UInt8(ascii: ".") ? t + 24 : t + 20
            }
        } else if line.at(t + 4) == UInt8(ascii: "-") {            // ISO-8601, up to the next space
            timeStyle = .iso8601
            guard let e = line.index(of: space, from: t) else { return false }
            end = e
        } else if let ms = line.number(from: t), ms.end - t >= 10 { // epoch milliseconds
            timeStyle = .epochMilliseconds
            end = ms.end
        } else {
            return false
        }
        guard line.at(end) == space, let level = LineHeader.level(line.at(end + 1)) else { return false }
        let after = line.at(end + 2)
        guard after == space || end + 2 == line.count else { return false }
        self.level = level
        timeStart = t
        timeEnd = end
        messageStart = min(end + 3, line.count)
        return true
    }

    @inline(__always) static func level(_ c: UInt8) -> LogLevel? {
        switch c {
        case UInt8(ascii: "*"): return .notice
        case UInt8(ascii: "#"): return .warning
        case UInt8(ascii: "-"): return .verbose
        case UInt8(ascii: "."): return .debug
        default: return nil
        }
    }

    /// `key=value` / `key="value"` pairs. The message is the last field and runs to the line's last quote, so an
    /// unescaped quote inside it (which Valkey never writes, it turns `"` into `'`) cannot cut it short.
    private mutating func parseLogfmt(_ line: ByteLine) -> Bool {
        var i = 0
        var sawMessage = false
        while i < line.count {
            while line.at(i) == UInt8(ascii: " ") { i += 1 }
            guard i < line.count, let eq = line.index(of: UInt8(ascii: "="), from: i) else { break }
            let keyStart = i
            var valueStart = eq + 1, valueEnd: Int
            // Matching `message="` at the key makes its `=` the first one, so `eq` needs no check here.
            if let quotedValue = line.offset(after: "message=\"", at: keyStart) {
                valueStart = quotedValue
                valueEnd = line.at(line.count - 1) == UInt8(ascii: "\"") && line.count - 1 >= valueStart
                    ? line.count - 1 : line.count
                messageStart = valueStart
                messageEnd = valueEnd
                messageEscaped = line.slice(valueStart, valueEnd).index(of: UInt8(ascii: "\\"), from: 0) != nil
                sawMessage = true
                break
            }
            if line.at(valueStart) == UInt8(ascii: "\"") {
                valueStart += 1
                var j = valueStart
                while j < line.count, line.at(j) != UInt8(ascii: "\"") { j += line.at(j) == UInt8(ascii: "\\") ? 2 : 1 }
                valueEnd = min(j, line.count)
                i = valueEnd + 1
            } else {
                valueEnd = line.index(of: UInt8(ascii: " "), from: valueStart) ?? line.count
                i = valueEnd
            }
            let key = line.slice(keyStart, eq)
            if key.equals("pid") {
                pidStart = valueStart
                pidEnd = valueEnd
            } else if key.equals("role") {
                roleStart = valueStart
                roleEnd = valueEnd
            } else if key.equals("level") {
                let value = line.slice(valueStart, valueEnd)
                if value.equals("debug") {
                    level = .debug
                } else if value.equals("info") || value.equals("verbose") {
                    level = .verbose
                } else if value.equals("notice") {
                    level = .notice
                } else if value.equals("warning") {
                    level = .warning
                }
            } else if key.equals("timestamp") {
                timeStart = valueStart
                timeEnd = valueEnd
                let value = line.slice(valueStart, valueEnd)
                if value.at(2) == UInt8(ascii: " ") && value.at(6) == UInt8(ascii: " ") {
                    timeStyle = value.at(9) == UInt8(ascii: ":") ? .dayMonth : .dayMonthYear
                } else if value.at(4) == UInt8(ascii: "-") {
                    timeStyle = .iso8601
                } else if value.number(from: 0)?.end == value.count {
                    timeStyle = .epochMilliseconds
                }
            }
        }
        return sawMessage && pidEnd > pidStart
    }
}
