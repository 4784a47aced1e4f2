import AoftopModel

/// Parses and classifies Redis/Valkey log lines from raw bytes: every layout in `LineHeader`, bare or after the
/// envelope journald or a container runtime adds (`LineEnvelope`), which gives the time and pid when Redis's own
/// line has none.
///
/// Not thread-safe: it caches the local zone's UTC offset, so give each task its own parser (they are cheap).
/// No input can crash it: malformed lines, truncated timestamps, invalid UTF-8 and NUL bytes yield `other`.
public struct LogLineParser: Sendable {
    /// Messages (and error texts) in events are cut to this many bytes.
    public static let maxMessageBytes = 1024

    public var yearInference: YearInference {
        didSet {
            converter = LocalTimeConverter(zone: yearInference.zone)
            cachedHourKey = -1
        }
    }
    private var converter: LocalTimeConverter
    /// The last civil hour resolved (packed year/month/day/hour) and its UTC start: lines come in bursts from
    /// the same hour, so most skip the calendar arithmetic and the year inference entirely.
    private var cachedHourKey = -1
    private var cachedHourStart: Int64 = 0
    /// The trigger a BGSAVE's failure line is read against (see `ForkTriggerContext`): `classify` and `kindAndTime`,
    /// which see every line in order, keep it; `parse` reads one line alone and gives the failure as
    /// `rdb-fork-failed`, so a caller that classified the line first keeps the kind it got then.
    private var forkContext = ForkTriggerContext()
    /// CRI lines split into fragments (see `CRIFragments`); followed by `classify` and `kindAndTime` like `forkContext`.
    private var fragments = CRIFragments()

    public init(yearInference: YearInference) {
        self.yearInference = yearInference
        self.converter = LocalTimeConverter(zone: yearInference.zone)
    }

    /// A parser whose year-less lines resolve relative to `reference` in `zone`.
    public init(reference: Timestamp, zone: LogTimeZone = .system) {
        self.init(yearInference: YearInference(reference: reference, zone: zone))
    }

    /// Full parse: kind, fields, header facts and the lossily decoded message (cut to 1 KiB).
    /// A line whose kind would be known but whose timestamp is malformed is `other`.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> LogEvent {
        let (envelope, line) = LineEnvelope.split(ByteLine(bytes))
        let header = LineHeader.parse(line)
        let time = self.time(line, header, envelope)
        let hasValidTime = !Self.claimsTime(header, envelope) || time != nil
        return withMessage(line, header) { message in
            var event = LogEvent(time: time, kind: hasValidTime ? MessageClassifier.kind(message) : .other,
                                 level: header.level, message: message.string)
            event.pid = Self.pid(line, header, envelope)
            if header.roleByte != 0 {
                event.role = String(UnicodeScalar(header.roleByte))
            } else if header.roleEnd > header.roleStart {
                event.role = line.string(header.roleStart, header.roleEnd, limit: 64)
            }
            MessageClassifier.fill(&event, message: message)
            return event
        }
    }

    /// Kind and time of any line, `.other` included (the sampler tracks when the log last spoke), without building
    /// the event's strings: what `parse` would say of `kind` and `time`, at the cost of the header alone.
    mutating func kindAndTime(_ bytes: UnsafeRawBufferPointer) -> (kind: LogEventKind, time: Timestamp?) {
        let (envelope, line) = LineEnvelope.split(ByteLine(bytes))
        let header = LineHeader.parse(line)
        let time = self.time(line, header, envelope)
        if let envelope, fragments.continues(envelope) { return (.other, time) }
        guard !Self.claimsTime(header, envelope) || time != nil else { return (.other, nil) }
        let kind = withMessage(line, header) { MessageClassifier.kind($0) }
        guard kind != .other else {
            forkContext.noteOther()
            return (kind, time)
        }
        return (forkContext.refine(kind, pid: Self.pid(line, header, envelope), time: time), time)
    }

    /// Convenience for tests and small callers.
    public mutating func parse(_ line: String) -> LogEvent {
        var copy = line
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The hot path: the kind, and the time only for kinds other than `other` (lines of no interest skip the
    /// timestamp entirely). Agrees with `parse(_:)` on kind and time.
    public mutating func classify(_ bytes: UnsafeRawBufferPointer) -> (kind: LogEventKind, time: Timestamp?) {
        let line = ByteLine(bytes)
        return classify(line)
    }

    mutating func classify(_ whole: ByteLine) -> (kind: LogEventKind, time: Timestamp?) {
        // Nearly every line of a plain log is a legacy line of no interest: decided as it is, before looking for an
        // envelope (which a line that starts with Redis's prefix never has).
        if Self.isQuicklyOther(whole) {
            forkContext.noteOther()
            return (.other, nil)
        }
        return classifyInFull(whole)
    }

    /// Out of line, so the shortcut above stays small enough to inline into every reader's loop.
    @inline(never) private mutating func classifyInFull(_ whole: ByteLine) -> (kind: LogEventKind, time: Timestamp?) {
        let (envelope, line) = LineEnvelope.split(whole)
        if let envelope {
            if fragments.continues(envelope) { return (.other, nil) }
            // Nearly every line of an enveloped log: the same shortcut after the envelope.
            if Self.isQuicklyOther(line) {
                forkContext.noteOther()
                return (.other, nil)
            }
        }
        let header = LineHeader.parse(line)
        let kind = withMessage(line, header) { MessageClassifier.kind($0) }
        guard kind != .other else {
            forkContext.noteOther()
            return (kind, nil)
        }
        let pid = Self.pid(line, header, envelope)
        guard Self.claimsTime(header, envelope) else { return (forkContext.refine(kind, pid: pid, time: nil), nil) }
        guard let time = time(line, header, envelope) else { return (.other, nil) }
        return (forkContext.refine(kind, pid: pid, time: time), time)
    }

    /// A legacy line (`PID:R <time> L msg`) whose message is of no interest, decided before building the full header.
    @inline(__always) private static func isQuicklyOther(_ line: ByteLine) -> Bool {
        guard let start = LineHeader.quickMessageStart(line) else { return false }
        return MessageClassifier.kind(line.slice(start, line.count)) == .other
    }

    /// The writer's pid from the header when the format has one, else the envelope's.
    private static func pid(_ line: ByteLine, _ header: LineHeader, _ envelope: LineEnvelope?) -> Int32? {
        guard header.pidEnd > header.pidStart, let pid = line.slice(header.pidStart, header.pidEnd).number(from: 0),
              pid.end == header.pidEnd - header.pidStart, pid.value <= Int64(Int32.max) else { return envelope?.pid }
        return Int32(pid.value)
    }

    /// Whether the line has a time, its own or its envelope's: then a malformed one makes the line `other`.
    private static func claimsTime(_ header: LineHeader, _ envelope: LineEnvelope?) -> Bool {
        header.timeStyle != .none || envelope != nil
    }

    /// Runs `body` on the message bytes, unescaped first if it is a logfmt value with backslashes.
    private func withMessage<R>(_ line: ByteLine, _ header: LineHeader, _ body: (ByteLine) -> R) -> R {
        let raw = line.slice(header.messageStart, header.messageEnd)
        guard header.messageEscaped else { return body(raw) }
        var unescaped = [UInt8]()
        unescaped.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let c = raw.base[i]
            if c == UInt8(ascii: "\\"), i + 1 < raw.count {
                let next = raw.base[i + 1]
                switch next {
                case UInt8(ascii: "n"): unescaped.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): unescaped.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): unescaped.append(UInt8(ascii: "\r"))
                default: unescaped.append(next) // \" and \\ and anything else: the escaped byte itself
                }
                i += 2
            } else {
                unescaped.append(c)
                i += 1
            }
        }
        return unescaped.withUnsafeBytes { body(ByteLine($0)) }
    }

    /// The line's instant: Redis's own when it wrote one (it has the year, and it is what a plain log of the same
    /// server says), else the envelope's; nil when neither has one or the one that counts is malformed.
    private mutating func time(_ line: ByteLine, _ header: LineHeader, _ envelope: LineEnvelope?) -> Timestamp? {
        guard header.timeStyle == .none, let envelope else { return time(line, header) }
        switch envelope.time {
        case .rfc3339(let t):
            return Timestamp(iso8601: t.string(0, t.count, limit: 64))
        case .syslog(let t):
            guard let civil = LineEnvelope.civil(syslog: t, year: yearInference.referenceYear) else { return nil }
            return resolve(civil, .dayMonth)
        }
    }

    /// The instant of Redis's own time in `header`, or nil when it has none or it is malformed.
    private mutating func time(_ line: ByteLine, _ header: LineHeader) -> Timestamp? {
        let t = line.slice(header.timeStart, header.timeEnd)
        switch header.timeStyle {
        case .none:
            return nil
        case .epochSeconds:
            guard let seconds = t.number(from: 0), seconds.end == t.count else { return nil }
            return Timestamp(millisecondsSince1970: seconds.value * 1000)
        case .epochMilliseconds:
            guard let millis = t.number(from: 0), millis.end == t.count else { return nil }
            return Timestamp(millisecondsSince1970: millis.value)
        case .iso8601:
            // Only kinds of interest reach here on the hot path, so a String is affordable.
            return Timestamp(iso8601: t.string(0, t.count, limit: 64))
        case .dayMonth, .dayMonthYear:
            guard let day = t.fixedNumber(from: 0, width: 2), t.at(2) == UInt8(ascii: " "),
                  let month = LogLineParser.month(t, at: 3), t.at(6) == UInt8(ascii: " ") else { return nil }
            var civil = CivilTime(year: yearInference.referenceYear, month: month, day: day, hour: 0, minute: 0,
                                  second: 0, millisecond: 0)
            var c = 7
            if header.timeStyle == .dayMonthYear {
                guard let year = t.fixedNumber(from: 7, width: 4), t.at(11) == UInt8(ascii: " ") else { return nil }
                civil.year = year
                c = 12
            }
            guard let hour = t.fixedNumber(from: c, width: 2), t.at(c + 2) == UInt8(ascii: ":"),
                  let minute = t.fixedNumber(from: c + 3, width: 2), t.at(c + 5) == UInt8(ascii: ":"),
                  let second = t.fixedNumber(from: c + 6, width: 2) else { return nil }
            civil.hour = hour
            civil.minute = minute
            civil.second = second
            if t.count == c + 12 {
                guard t.at(c + 8) == UInt8(ascii: "."), let millis = t.fixedNumber(from: c + 9, width: 3) else { return nil }
                civil.millisecond = millis
            } else if t.count != c + 8 {
                return nil
            }
            guard civil.isValid || header.timeStyle == .dayMonth else { return nil }
            guard civil.second < 60 else { return resolve(civil, header.timeStyle) } // leap second: no caching
            let within = Int64(civil.minute * 60_000 + civil.second * 1000 + civil.millisecond)
            let key = ((header.timeStyle == .dayMonthYear ? civil.year : 0) << 20) | (month << 16) | (day << 8) | hour
            if key == cachedHourKey { return Timestamp(millisecondsSince1970: cachedHourStart + within) }
            var first = civil, last = civil
            (first.minute, first.second, first.millisecond) = (0, 0, 0)
            (last.minute, last.second, last.millisecond) = (59, 59, 999)
            guard let start = resolve(first, header.timeStyle), let end = resolve(last, header.timeStyle),
                  end.millisecondsSince1970 - start.millisecondsSince1970 == 3_599_999 else {
                return resolve(civil, header.timeStyle) // an hour split by the year rule or a DST change
            }
            cachedHourKey = key
            cachedHourStart = start.millisecondsSince1970
            return Timestamp(millisecondsSince1970: cachedHourStart + within)
        }
    }

    private mutating func resolve(_ civil: CivilTime, _ style: LineHeader.TimeStyle) -> Timestamp? {
        if style == .dayMonthYear { return civil.isValid ? converter.timestamp(civil) : nil }
        return yearInference.resolve(civil, converter: &converter)
    }

    /// `Jan`…`Dec` (English, as `strftime("%b")` writes in the C locale Redis runs in).
    static func month(_ t: ByteLine, at i: Int) -> Int? {
        let key = UInt32(t.at(i)) << 16 | UInt32(t.at(i + 1)) << 8 | UInt32(t.at(i + 2))
        switch key {
        case 0x4A616E: return 1   // Jan
        case 0x466562: return 2   // Feb
        case 0x4D6172: return 3   // Mar
        case 0x417072: return 4   // Apr
        case 0x4D6179: return 5   // May
        case 0x4A756E: return 6   // Jun
        case 0x4A756C: return 7   // Jul
        case 0x417567: return 8   // Aug
        case 0x536570: return 9   // Sep
        case 0x4F6374: return 10  // Oct
        case 0x4E6F76: return 11  // Nov
        case 0x446563: return 12  // Dec
        default: return nil
        }
    }
}
