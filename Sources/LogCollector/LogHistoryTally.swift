import AoftopModel

/// Counts a log's lines since the last start line, front to back, for `LogHistory`.
///
/// Every start line resets every count, so whatever came before it (an earlier run of the server with the same
/// log) is not counted. The start is this process's when the banner carries its pid, or when its pid writes next:
/// Redis ≥ 4.0 logs the banner before `daemonize()`, so a daemonized server's banner carries its parent's pid.
/// The lines a server writes about its limits and its config just before or after its start banner (3.x writes
/// them before, 7.x after) are kept per pid and carried into the segment they belong to.
struct LogHistoryTally {
    /// What has been counted since the last start line: the facts in a `LogHistory` (whose state, files and bytes
    /// the reader sets), the counts in an array indexed like `LogScanTally` (no hashing per line).
    struct Segment {
        var counts = [Int](repeating: 0, count: LogEventKind.allCases.count)
        var facts = LogHistory(state: .complete)

        init() {}

        /// A finished read-back, to be continued by the lines read live after it.
        init(_ history: LogHistory) {
            facts = history
            for (kind, count) in history.totals ?? [:] { counts[LogScanTally.index(kind)] = count }
        }

        /// `later` continues this segment (the same process, read from a newer file).
        mutating func append(_ later: Segment) {
            for i in counts.indices { counts[i] += later.counts[i] }
            let next = later.facts
            facts.processStart = facts.processStart ?? next.processStart
            facts.server = facts.server ?? next.server
            facts.version = facts.version ?? next.version
            facts.firstForkFailure = facts.firstForkFailure ?? next.firstForkFailure
            facts.lastForkFailure = next.lastForkFailure ?? facts.lastForkFailure
            facts.firstRefusal = facts.firstRefusal ?? next.firstRefusal
            facts.lastRefusal = next.lastRefusal ?? facts.lastRefusal
            facts.lowestRefusedFd = [facts.lowestRefusedFd, next.lowestRefusedFd].compactMap { $0 }.min()
            facts.openFilesRaisedTo = facts.openFilesRaisedTo ?? next.openFilesRaisedTo
            facts.maxclientsReducedTo = facts.maxclientsReducedTo ?? next.maxclientsReducedTo
            facts.startedWithoutConfigFile = facts.startedWithoutConfigFile || next.startedWithoutConfigFile
            if facts.forkFailureBuckets == nil {
                facts.forkFailureBuckets = next.forkFailureBuckets
            } else if let buckets = next.forkFailureBuckets {
                for (i, count) in buckets.counts.enumerated() where count > 0 {
                    facts.forkFailureBuckets?.add(buckets.start.adding(milliseconds: Int64(i) * buckets.widthMs), count: count)
                }
            }
        }

        /// These facts and counts, with `base`'s state, reason, pid, files and bytes.
        func applied(to base: LogHistory) -> LogHistory {
            var out = facts
            (out.state, out.reason, out.pid, out.files, out.bytesRead) = (base.state, base.reason, base.pid, base.files, base.bytesRead)
            var totals: [LogEventKind: Int] = [:]
            for kind in LogEventKind.allCases where counts[LogScanTally.index(kind)] > 0 {
                totals[kind] = counts[LogScanTally.index(kind)]
            }
            out.totals = totals
            return out
        }
    }

    /// The process whose start line resets the counts; `nil`: any start line.
    let pid: Int32?
    var parser: LogLineParser
    private(set) var segment = Segment()
    /// The last start line is this process's.
    private(set) var startFound = false
    /// Any start line was read (this process's or another's): then an older file cannot hold this process's start.
    private(set) var sawAnyStart = false
    /// The pid of a start line that is not the process's: it becomes the process's start if the process's pid is
    /// the next other than it to write (a daemonized server: the parent writes a few more lines, then the child).
    private var pendingBannerPid: Int32?
    /// Start-time lines of the last pid that wrote any, carried into its segment when its banner follows them
    /// (3.x order).
    private var preamble: (pid: Int32?, facts: StartFacts)?

    /// What a server logs about its limits and its config around its start banner.
    struct StartFacts {
        var openFilesRaisedTo: Int?
        var maxclientsReducedTo: Int?
        var withoutConfigFile = false

        mutating func note(_ kind: LogEventKind, value: Int64?) {
            switch kind {
            case .fdLimitRaised: openFilesRaisedTo = value.map(Int.init) ?? openFilesRaisedTo
            case .maxclientsReduced: maxclientsReducedTo = value.map(Int.init) ?? maxclientsReducedTo
            case .noConfigFile: withoutConfigFile = true
            default: break
            }
        }

        func apply(to facts: inout LogHistory) {
            facts.openFilesRaisedTo = openFilesRaisedTo ?? facts.openFilesRaisedTo
            facts.maxclientsReducedTo = maxclientsReducedTo ?? facts.maxclientsReducedTo
            facts.startedWithoutConfigFile = facts.startedWithoutConfigFile || withoutConfigFile
        }
    }

    init(pid: Int32?, parser: LogLineParser) {
        self.pid = pid
        self.parser = parser
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        let (kind, time) = parser.classify(bytes)
        add(bytes, kind: kind, time: time)
    }

    /// A line its caller already classified (the live sampler does, for its own totals): each line is classified
    /// once on the hot path.
    mutating func add(_ bytes: UnsafeRawBufferPointer, kind: LogEventKind, time: Timestamp?) {
        // Right after a banner with another pid: who writes next, other than the banner's pid, decides whose start it
        // was (a few lines only).
        if let banner = pendingBannerPid, let pid, kind != .serverStart, let writer = parser.parse(bytes).pid, writer != banner {
            pendingBannerPid = nil
            startFound = writer == pid
        }
        if kind == .other {
            segment.counts[LogScanTally.index(.other)] += 1
            return
        }
        switch kind {
        case .aofForkFailed, .rdbForkFailed, .replicaSyncForkFailed, .disklessSyncForkFailed:
            // The hot kinds in a storm: only their time matters.
            count(kind)
            guard let time else { return }
            segment.facts.firstForkFailure = segment.facts.firstForkFailure ?? time
            segment.facts.lastForkFailure = time
            if segment.facts.forkFailureBuckets == nil {
                segment.facts.forkFailureBuckets = TimeBuckets(start: Timestamp(millisecondsSince1970: floorMinute(time)))
            }
            segment.facts.forkFailureBuckets?.add(time)
            return
        default:
            break
        }
        let event = parser.parse(bytes)
        switch kind {
        case .serverStart:
            let carried = preamble.flatMap { $0.pid == event.pid ? $0.facts : nil }
            segment = Segment()
            sawAnyStart = true
            startFound = pid == nil || event.pid == pid
            pendingBannerPid = startFound ? nil : event.pid
            segment.facts.processStart = event.time
            (segment.facts.server, segment.facts.version) = Self.banner(event.message)
            carried?.apply(to: &segment.facts)
            preamble = nil
        case .aofPipesFailed, .acceptFailed:
            if Self.isOutOfFds(event.error) { noteRefusal(event.time) }
        case .clientRegisterFailed:
            // Only a full event loop (ERANGE) or fd table (EMFILE, ENFILE) says anything about the limit.
            if Self.isOutOfFds(event.error) {
                noteRefusal(event.time)
                if let fd = event.fd { segment.facts.lowestRefusedFd = min(segment.facts.lowestRefusedFd ?? fd, fd) }
            }
        case .fdLimitRaised, .maxclientsReduced, .noConfigFile:
            var start = preamble.flatMap { $0.pid == event.pid ? $0.facts : nil } ?? StartFacts()
            start.note(kind, value: event.value)
            start.apply(to: &segment.facts) // 7.x: after the banner
            preamble = (event.pid, start)   // 3.x: before it, carried in at the banner
        default:
            break
        }
        count(kind)
    }

    private mutating func count(_ kind: LogEventKind) { segment.counts[LogScanTally.index(kind)] += 1 }

    private mutating func noteRefusal(_ time: Timestamp?) {
        guard let time else { return }
        segment.facts.firstRefusal = segment.facts.firstRefusal ?? time
        segment.facts.lastRefusal = time
    }

    /// `Numerical result out of range` (ERANGE: the event loop), `Too many open files` (EMFILE) or `… in system`
    /// (ENFILE), as `strerror` words them.
    static func isOutOfFds(_ error: String?) -> Bool {
        guard let error else { return false }
        return error.contains("Numerical result out of range") || error.contains("Too many open files")
    }

    /// Server kind and version from a start banner: `Redis version=7.0.15, bits=64, …`, `Valkey version=8.1.1, …`
    /// (≥ 4.0) or `Server started, Redis version 3.2.8` (≤ 3.2).
    static func banner(_ message: String) -> (server: String?, version: String?) {
        for (server, marker) in [("valkey", "Valkey version="), ("redis", "Redis version="), ("redis", "Redis version ")] {
            guard let range = message.firstRange(of: marker) else { continue }
            let version = message[range.upperBound...].prefix { $0 != "," && $0 != " " }
            return (server, version.isEmpty ? nil : String(version))
        }
        return (nil, nil)
    }

    private func floorMinute(_ time: Timestamp) -> Int64 {
        let ms = time.millisecondsSince1970
        return (ms >= 0 ? ms / 60_000 : (ms - 59_999) / 60_000) * 60_000
    }
}
