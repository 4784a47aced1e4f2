import AoftopAnalysis
import AoftopModel
import TextGrid

extension PaneID {
    public static let events = PaneID("events")
}

/// Classified log events, newest first, with the fork-failure rate; scrollable (`KeyHandler` scrolls it when it
/// has focus).
enum EventsPane {
    static let pane = Pane(id: .events, title: "Fork failures", draw: draw)
    /// The title and the rate line.
    static let headerRows = 2
    static let kindWidth = 14

    static func draw(_ context: PaneContext, size: GridSize) -> Grid {
        var grid = Grid(size: size)
        let glyphs = context.glyphs
        let state = context.state
        let events = state.events
        let visible = max(0, size.rows - headerRows)
        let offset = min(max(0, state.eventScroll), max(0, events.count - visible))
        var info = ""
        if events.count > visible && visible > 0 {
            let more = offset + visible < events.count ? glyphs.arrowDown : " "
            let less = offset > 0 ? glyphs.arrowUp : " "
            info = "\(less)\(offset + 1)-\(min(events.count, offset + visible))/\(events.count)\(more)"
        }
        // The long form where it fits beside the title and any scroll position (`Drawing.title` drops what does not).
        let titleWidth = CharacterWidth.of(" \(context.number) \(context.title) ")
        let stream = streamText(state.snapshot?.log.value,
                                wide: titleWidth + CharacterWidth.of(info) + 26 <= size.columns)
        if let stream { info = info.isEmpty ? stream.text : "\(stream.text) \(info)" }
        Drawing.title(&grid, context, info: info, infoRole: offset > 0 || stream?.closed == true ? .warn : .dim)

        let forks = context.assessment?.forkFailures ?? ForkFailureAssessment()
        var failed = false
        switch state.snapshot?.log {
        case .failed?:
            failed = true
            let text = PaneContext.failureText(source: "log", freshness: state.logFreshness, clock: state.clock) ?? "log failing"
            // Wrapped over the rows no event uses: the reason often ends in the command to run (`logfile ""`).
            let rows = max(1, events.isEmpty ? size.rows - 1 : 1)
            for (index, line) in Drawing.wrap(text, width: size.columns, maxLines: rows, ellipsis: glyphs.ellipsis).enumerated() {
                grid.write(line, row: 1 + index, column: 0, role: .warn)
            }
        case .notConfigured?:
            grid.write("no log file known (--log PATH)", row: 1, column: 0, role: .dim)
        default:
            let rate = forks.perMinute.map { Format.decimal($0, digits: 1) } ?? Format.unknown
            let rateRole: CellRole = (forks.perMinute ?? 0) > 0 ? .warn : .normal
            grid.write("fork fails", row: 1, column: 0, role: .dim)
            grid.write(Format.right(rate, 7) + "/min", row: 1, column: 10, role: rateRole)
            grid.write(totalText(forks, wide: size.columns >= 50), row: 1, column: 21, role: .dim)
        }

        let showMillis = size.columns >= 50
        let timeWidth = showMillis ? 12 : 8
        if events.isEmpty, !failed, size.rows > headerRows, state.snapshot?.log.isOK == true {
            let text = stream == nil ? "no events logged since aoftop started" : "no events read from standard input yet"
            grid.write(text, row: headerRows, column: 0, role: .dim)
        }
        for (i, event) in events.dropFirst(offset).prefix(visible).enumerated() {
            let row = headerRows + i
            let time = event.time.map {
                showMillis ? Format.timeOfDayMillis($0, offsetSeconds: state.timeZoneOffsetSeconds)
                           : Format.timeOfDay($0, offsetSeconds: state.timeZoneOffsetSeconds)
            } ?? String(repeating: "-", count: timeWidth)
            let (label, role) = describe(event.kind)
            grid.write(time, row: row, column: 0, role: .dim)
            grid.write(label, row: row, column: timeWidth + 1, role: role, maxWidth: kindWidth)
            let detailColumn = timeWidth + 1 + kindWidth + 1
            let room = max(0, size.columns - detailColumn)
            var text = detail(event)
            if CharacterWidth.of(text) > room { text = abbreviate(text) }
            grid.write(Drawing.fit(text, room, ellipsis: glyphs.ellipsis),
                       row: row, column: detailColumn)
        }
        if failed { Drawing.dim(&grid, from: headerRows) }
        return grid
    }

    /// The title's note for a log piped in (`--log -`): where it comes from, and that it has ended (the figures stay,
    /// no new event can arrive). Nil for a file.
    static func streamText(_ log: LogSample?, wide: Bool) -> (text: String, closed: Bool)? {
        guard let log, log.path == LogSample.standardInput else { return nil }
        let closed = log.fileState == .streamEnded
        let name = wide ? "standard input" : "stdin"
        return (closed ? "\(name) closed" : name, closed)
    }

    /// Failures since the server started when the log has been read back to its start line (`since start`, or
    /// `since <first line>+` without a start line), since aoftop started otherwise (`total`).
    static func totalText(_ forks: ForkFailureAssessment, wide: Bool) -> String {
        var label = "total"
        var (total, aof, rdb, byMechanism) = (forks.total, forks.aof, forks.rdb, forks.byMechanism)
        if let since = forks.sinceStart {
            switch since.state {
            case .reading:
                return "  reading the log back… \(Format.bytes(Int64(clamping: since.bytesRead)))"
            case .complete, .startNotFound:
                label = since.state == .complete ? "since start" : "in log"
                (total, aof, rdb, byMechanism) = (since.total, since.aof, since.rdb, since.byMechanism)
            case .failed:
                break
            }
        }
        var text = "  \(label) \(Format.count(total))"
        if wide {
            // A replica's syncs only when some failed: most servers have none, and the line is short.
            let syncs = [(ForkMechanism.replicaSync, "sync"), (.disklessSync, "diskless")].compactMap { mechanism, name in
                (byMechanism?[mechanism] ?? 0) > 0 ? ", \(name) \(Format.count(byMechanism?[mechanism]))" : nil
            }.joined()
            text += " (AOF \(Format.count(aof)), RDB \(Format.count(rdb))\(syncs))"
        }
        return text
    }

    /// errno names for the messages that matter, when the full text does not fit.
    static func abbreviate(_ text: String) -> String {
        [("Cannot allocate memory", "ENOMEM"), ("Numerical result out of range", "ERANGE"),
         ("Too many open files", "EMFILE"), ("Resource temporarily unavailable", "EAGAIN")]
            .reduce(text) { $0.replacing($1.0, with: $1.1) }
    }

    static func describe(_ kind: LogEventKind) -> (String, CellRole) {
        switch kind {
        case .aofForkFailed: ("AOF fork fail", .warn)
        case .rdbForkFailed: ("RDB fork fail", .warn)
        case .replicaSyncForkFailed: ("sync fork fail", .warn)
        case .disklessSyncForkFailed: ("diskless fail", .warn)
        case .rdbSaveScheduled: ("save due", .normal)
        case .replicaSyncStart: ("replica sync", .normal)
        case .disklessSyncStart: ("diskless sync", .normal)
        case .aofRewriteChildKilled: ("rewrite killed", .warn)
        case .aofPipesFailed: ("pipes failed", .critical)
        case .clientRegisterFailed: ("client refused", .critical)
        case .acceptFailed: ("accept failed", .critical)
        case .aofRewriteStart: ("rewrite due", .normal)
        case .aofRewriteStarted: ("rewrite start", .normal)
        case .aofRewriteDone: ("rewrite done", .ok)
        case .aofRewriteFailed: ("rewrite failed", .warn)
        case .aofRewriteLimited: ("rewrite limit", .warn)
        case .aofIncrFileCreated: ("incr file", .dim)
        case .fdLimitRaised: ("fd limit", .normal)
        case .maxclientsReduced: ("maxclients cut", .warn)
        case .serverStart: ("server start", .ok)
        case .noConfigFile: ("no config file", .dim)
        case .serverShutdown: ("shutdown", .warn)
        case .other: ("other", .dim)
        }
    }

    static func detail(_ event: LogEvent) -> String {
        switch event.kind {
        case .aofRewriteStart:
            return event.growthPercent.map { "on \(Format.count($0)) % growth" } ?? event.message
        case .clientRegisterFailed:
            let fd = event.fd.map { "fd=\($0) " } ?? ""
            return fd + (event.error ?? event.message)
        case .aofRewriteStarted:
            return event.childPid.map { "child pid \($0)" } ?? event.message
        case .aofRewriteLimited:
            return event.value.map { "retry in \($0) min" } ?? event.message
        case .fdLimitRaised, .maxclientsReduced:
            return event.value.map { "to \(Format.count($0))" } ?? event.message
        default:
            return event.error ?? event.message
        }
    }
}

