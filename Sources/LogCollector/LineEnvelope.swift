/// What a log transport wrote in front of the writer's own line; `split` hands the parser the line after it.
///
/// Redis in a container or under systemd logs to stdout (`logfile ""`), and operators read it back through a
/// transport that prefixes every line:
/// - journald `short` / `short-precise` (and syslog files, same layout): `Dec 05 08:03:18[.123456] host ident[pid]: line`
/// - journald `short-iso` / `short-iso-precise`: `2026-12-05T08:03:18[.123456]+0000 host ident[pid]: line`
///   (newer systemd writes `+00:00`); no host with `--no-hostname`, no `[pid]` when the entry has none
/// - `docker logs -t`, `kubectl logs --timestamps`: `2026-12-05T08:03:18.123456789Z line` (or an offset)
/// - CRI log files (`/var/log/containers/*.log`): `2026-12-05T08:03:18.123456789Z stdout F line`
///
/// The line after the envelope is parsed as in a plain log, so it keeps its own time and pid; the envelope's
/// stand in only when it has none, as when Redis runs with `syslog-enabled yes` (`serverLogRaw` passes syslog the
/// bare message).
///
/// A plain log's hot path never gets here (`LogLineParser.classify` settles a legacy line of no interest first);
/// elsewhere a line without an envelope costs a byte or two: Redis's own lines begin with a pid (`1838:M`,
/// `[1838]`, `pid=`), an envelope with a month name or with four digits and `-`, which no pid prefix has.
struct LineEnvelope {
    enum Time {
        /// `Mmm DD HH:MM:SS[.ffffff]`, local time of the host that formatted it, without a year.
        case syslog(ByteLine)
        /// RFC 3339 with its offset: an instant.
        case rfc3339(ByteLine)
    }

    enum Stream { case stdout, stderr }

    enum Transport {
        /// journald's text output, or a syslog file.
        case journald
        /// `docker logs -t` / `kubectl logs --timestamps`.
        case runtime
        /// A CRI log file line; `complete` is false for a `P` fragment, which the next one of its stream continues.
        case cri(Stream, complete: Bool)
    }

    let transport: Transport
    let time: Time
    /// journald's `ident[pid]`.
    let identifier: ByteLine?

    /// journald's `[pid]`: the writer's, or a container runtime's when Redis's own line carries the real one. Read
    /// only when asked: the parser needs it for lines of interest that lack Redis's prefix.
    var pid: Int32? {
        guard let identifier, identifier.hasSuffix("]"), let open = identifier.index(of: UInt8(ascii: "["), from: 0),
              let number = identifier.number(from: open + 1), number.end == identifier.count - 1,
              number.value <= Int64(Int32.max) else { return nil }
        return Int32(number.value)
    }

    /// The envelope, if the line has one, and the line after it (the whole line otherwise).
    @inline(__always) static func split(_ line: ByteLine) -> (envelope: LineEnvelope?, line: ByteLine) {
        let first = line.at(0)
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") {
            // `2026-` here; a pid prefix has a digit or `:` at 4.
            guard line.at(4) == UInt8(ascii: "-") else { return (nil, line) }
            return splitRFC3339(line)
        }
        // The months' initials are J F M A S O N D, all in A...S.
        guard first >= UInt8(ascii: "A") && first <= UInt8(ascii: "S"), line.at(3) == UInt8(ascii: " ") else { return (nil, line) }
        return splitSyslog(line)
    }

    /// `Mmm DD HH:MM:SS[.ffffff] ` (`DD` may be ` 5`) and the journald tail.
    @inline(never) private static func splitSyslog(_ line: ByteLine) -> (envelope: LineEnvelope?, line: ByteLine) {
        let dayDigit = line.at(4) == UInt8(ascii: " ") || line.isDigit(4)
        guard LogLineParser.month(line, at: 0) != nil, dayDigit, line.isDigit(5), line.at(6) == UInt8(ascii: " "),
              clock(line, at: 7) else { return (nil, line) }
        let end = fractionEnd(line, at: 15)
        guard line.at(end) == UInt8(ascii: " "), let tail = journaldTail(line, from: end + 1) else { return (nil, line) }
        let envelope = LineEnvelope(transport: .journald, time: .syslog(line.slice(0, end)), identifier: tail.identifier)
        return (envelope, line.slice(tail.message, line.count))
    }

    private static let criTags: [(prefix: LinePrefix, transport: Transport)] = [
        (LinePrefix(" stdout F "), .cri(.stdout, complete: true)), (LinePrefix(" stdout P "), .cri(.stdout, complete: false)),
        (LinePrefix(" stderr F "), .cri(.stderr, complete: true)), (LinePrefix(" stderr P "), .cri(.stderr, complete: false)),
    ]

    /// `YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM|±HHMM)`, then CRI's stream and tag, a journald tail, or the runtime's line.
    @inline(never) private static func splitRFC3339(_ line: ByteLine) -> (envelope: LineEnvelope?, line: ByteLine) {
        guard line.fixedNumber(from: 0, width: 4) != nil, line.fixedNumber(from: 5, width: 2) != nil,
              line.at(7) == UInt8(ascii: "-"), line.fixedNumber(from: 8, width: 2) != nil, line.at(10) == UInt8(ascii: "T"),
              clock(line, at: 11) else { return (nil, line) }
        var end = fractionEnd(line, at: 19)
        let utc = line.at(end) == UInt8(ascii: "Z")
        switch line.at(end) {
        case UInt8(ascii: "Z"):
            end += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard line.fixedNumber(from: end + 1, width: 2) != nil else { return (nil, line) }
            end += line.at(end + 3) == UInt8(ascii: ":") ? 4 : 3
            guard line.fixedNumber(from: end, width: 2) != nil else { return (nil, line) }
            end += 2
        default:
            return (nil, line)
        }
        let time = Time.rfc3339(line.slice(0, end))
        let rest = line.slice(end, line.count)
        guard rest.count > 0 else { return (LineEnvelope(transport: .runtime, time: time, identifier: nil), rest) }
        guard rest.at(0) == UInt8(ascii: " ") else { return (nil, line) }
        for tag in criTags where rest.starts(with: tag.prefix) {
            return (LineEnvelope(transport: tag.transport, time: time, identifier: nil), rest.slice(tag.prefix.end, rest.count))
        }
        // journald writes an offset, never `Z`; docker and kubectl write `Z`, so only an offset leaves a doubt, and
        // Redis's own lines (a pid first) never read as `host ident:`.
        if !utc, let tail = journaldTail(rest, from: 1) {
            return (LineEnvelope(transport: .journald, time: time, identifier: tail.identifier), rest.slice(tail.message, rest.count))
        }
        return (LineEnvelope(transport: .runtime, time: time, identifier: nil), rest.slice(1, rest.count))
    }

    /// `HH:MM:SS` at `i`.
    @inline(__always) private static func clock(_ line: ByteLine, at i: Int) -> Bool {
        line.fixedNumber(from: i, width: 2) != nil && line.at(i + 2) == UInt8(ascii: ":")
            && line.fixedNumber(from: i + 3, width: 2) != nil && line.at(i + 5) == UInt8(ascii: ":")
            && line.fixedNumber(from: i + 6, width: 2) != nil
    }

    /// Past an optional `.digits` at `i`.
    private static func fractionEnd(_ line: ByteLine, at i: Int) -> Int {
        guard line.at(i) == UInt8(ascii: "."), line.isDigit(i + 1) else { return i }
        var end = i + 1
        while line.isDigit(end) { end += 1 }
        return end
    }

    /// journald's `host ident[pid]: ` from `from`, or `ident[pid]: ` (`--no-hostname`): the identifier and where the
    /// message starts. Host and identifier are single words, so the words of a runtime's line (`1:M 05 Dec …`, a
    /// banner) are never taken for them.
    private static func journaldTail(_ line: ByteLine, from: Int) -> (identifier: ByteLine, message: Int)? {
        let colon = UInt8(ascii: ":")
        guard let first = wordEnd(line, from: from) else { return nil }
        var tag = (start: from, end: first)
        if line.at(first - 1) != colon {
            guard let second = wordEnd(line, from: first + 1), line.at(second - 1) == colon else { return nil }
            tag = (first + 1, second)
        }
        // The word ends in `:` before a space or the end of the line.
        return (line.slice(tag.start, tag.end - 1), min(tag.end + 1, line.count))
    }

    /// The end of the non-empty word at `from` (at a space or the end of the line).
    private static func wordEnd(_ line: ByteLine, from: Int) -> Int? {
        guard from < line.count, line.at(from) != UInt8(ascii: " ") else { return nil }
        return line.index(of: UInt8(ascii: " "), from: from) ?? line.count
    }

    /// The civil time of a `syslog` time, in `year`; nil if a field is out of range.
    static func civil(syslog t: ByteLine, year: Int) -> CivilTime? {
        guard let month = LogLineParser.month(t, at: 0),
              let day = t.at(4) == UInt8(ascii: " ") ? t.fixedNumber(from: 5, width: 1) : t.fixedNumber(from: 4, width: 2),
              let hour = t.fixedNumber(from: 7, width: 2), let minute = t.fixedNumber(from: 10, width: 2),
              let second = t.fixedNumber(from: 13, width: 2) else { return nil }
        var millisecond = 0
        for i in 16..<19 { millisecond = millisecond * 10 + (t.isDigit(i) ? Int(t.at(i) - 0x30) : 0) }
        return CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    }
}

/// Which CRI streams are in the middle of a split line.
///
/// A runtime splits a line longer than its limit (16 KiB in containerd and CRI-O) into `P` fragments and a last
/// `F`. The first fragment holds Redis's prefix and the start of the message, all that classification reads, so it
/// stands for the line; the fragments after it are the same line again and count as `other`, never as a second event.
struct CRIFragments: Sendable {
    private var openStdout = false, openStderr = false

    /// Whether the line in `envelope` continues one already seen; notes whether it is continued itself.
    mutating func continues(_ envelope: LineEnvelope) -> Bool {
        guard case .cri(let stream, let complete) = envelope.transport else { return false }
        switch stream {
        case .stdout:
            defer { openStdout = !complete }
            return openStdout
        case .stderr:
            defer { openStderr = !complete }
            return openStderr
        }
    }
}
