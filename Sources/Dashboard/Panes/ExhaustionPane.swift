import AoftopAnalysis
import TextGrid

extension PaneID {
    public static let exhaustion = PaneID("exhaustion")
}

/// Open fds against the limit that really binds, the slope and the ETA countdown.
enum ExhaustionPane {
    static let pane = Pane(id: .exhaustion, title: "fd exhaustion",
                           helpNote: "the limit that binds is the event loop (maxclients+128, ERANGE) or RLIMIT_NOFILE (EMFILE).",
                           draw: draw)
    static let labelWidth = 7

    static func draw(_ context: PaneContext, size: GridSize) -> Grid {
        var grid = Grid(size: size)
        let glyphs = context.glyphs
        let state = context.state
        let assessment = context.assessment
        let limit = assessment?.limit ?? FdLimitAssessment()
        let eta = assessment?.eta ?? ExhaustionEstimate(status: .unknown)
        let fds = assessment?.fds ?? FdFigures()
        var (etaText, etaRole) = etaLine(eta, countdown: state.countdownSeconds,
                                         since: eta.since.map { Format.timeOfDay($0, offsetSeconds: state.timeZoneOffsetSeconds) })
        Drawing.title(&grid, context)
        var row = 1
        let failure = PaneContext.failureText(source: "/proc", freshness: state.processFreshness, clock: state.clock)
        if let failure {
            grid.write(Drawing.fit(failure, size.columns, ellipsis: glyphs.ellipsis), row: row, column: 0, role: .warn)
            row += 1
        }
        let firstRow = row
        if failure != nil && eta.status == .unknown { etaText = Format.unknown }

        // ETA first: it is what the operator came for.
        PaneContext.labelled(&grid, row: row, label: "ETA", labelWidth: labelWidth, value: etaText, role: etaRole)
        row += 1

        // open   1,020/1,128 ██████████████░░░  90 %
        let numbers = "\(Format.count(fds.total))/\(Format.count(limit.effective))"
        PaneContext.labelled(&grid, row: row, label: "open", labelWidth: labelWidth, value: Format.right(numbers, 13),
                             role: fds.total == nil ? .dim : .normal)
        let barColumn = labelWidth + 14
        let barWidth = size.columns - barColumn - 6
        if let total = fds.total, let effective = limit.effective, effective > 0 {
            let fraction = Double(total) / Double(effective)
            let gaugeRole: CellRole = eta.status == .exhausted ? .critical : fraction >= 0.8 || eta.status == .rising ? .warn : .chart
            if barWidth >= 3 {
                grid.write(Drawing.bar(fraction: fraction, width: barWidth, glyphs: glyphs).text, row: row,
                           column: barColumn, role: gaugeRole)
            }
            let percent = Format.right("\(Int((min(fraction, 9.99) * 100).rounded())) %", 5)
            grid.write(percent, row: row, column: size.columns - 5, role: gaugeRole == .chart ? .normal : gaugeRole)
        }
        row += 1

        let slope = eta.slopePerS.map { perSecond -> String in
            let sign = perSecond > 0 ? "+" : ""
            return eta.window == .history ? sign + Format.decimal(perSecond * 3600, digits: 1) + " fds/h"
                                          : sign + Format.decimal(perSecond, digits: 1) + " fds/s"
        } ?? Format.unknown
        let window = eta.window.map { window -> String in
            switch window {
            case .short: " (last \(ExhaustionEstimator.shortWindowMs / 1000) s)"
            case .long: " (last \(ExhaustionEstimator.longWindowMs / 1000) s)"
            case .history: " (fork failures in the log)"
            }
        } ?? ""
        PaneContext.labelled(&grid, row: row, label: "slope", labelWidth: labelWidth, value: slope + window,
                             role: (eta.slopePerS ?? 0) > ExhaustionEstimator.minSlope ? .warn : .normal)
        row += 1

        let procOK = state.snapshot?.process.isOK ?? false
        let lines = limitLines(limit, rlimitKnown: procOK, long: size.columns - labelWidth >= 46)
        for (index, line) in lines.enumerated() {
            let label = index == 0 ? (limit.binding == .unknown ? "limit" : "binds") : ""
            PaneContext.labelled(&grid, row: row, label: label, labelWidth: labelWidth,
                                 value: line, role: index == 0 ? .normal : .dim)
            row += 1
        }
        // One or two spare numbers below setsize is exhaustion too: a reconnect burst fails.
        let spareRole: CellRole = limit.isExhausted ? .critical : (limit.spare ?? .max) <= Rules.fewSpareFds ? .warn : .normal
        PaneContext.labelled(&grid, row: row, label: "next fd", labelWidth: labelWidth,
                             value: Format.right(Format.count(fds.lowestFree), 6), role: fds.lowestFree == nil ? .dim : .normal)
        grid.write("spare", row: row, column: labelWidth + 8, role: .dim)
        grid.write(Format.right(Format.count(limit.spare), 6), row: row, column: labelWidth + 14, role: spareRole)
        row += 1

        // More room: the process symptoms, the chart, then every finding.
        if let activity = assessment?.process {
            let cpu = activity.cpuPercent.map { Format.decimal($0, digits: 1) + " %" } ?? Format.unknown
            let silent = activity.logSilentSeconds.map { Format.age($0) } ?? Format.unknown
            PaneContext.labelled(&grid, row: row, label: "cpu", labelWidth: labelWidth,
                                 value: "\(cpu)   log silent \(silent)", role: (activity.cpuPercent ?? 0) >= Rules.spinningCPUPercent ? .critical : .normal)
            row += 1
        }
        // The chart before the findings: an incident brings many findings, and the chart must not vanish then.
        let chartRows = min(size.rows - row - 1, FdChart.maxRows)
        if chartRows >= FdChart.minimum.rows, let chart = FdChart(state) {
            grid.place(chart.draw(size: GridSize(columns: size.columns, rows: chartRows), glyphs: glyphs), row: row + 1, column: 0)
            row += 1 + chartRows
        }
        if let findings = assessment?.findings, findings.count > 1, row + 1 < size.rows {
            row += 1
            grid.write("findings", row: row, column: 0, role: .header)
            row += 1
            for finding in findings where row < size.rows {
                grid.write(Drawing.fit("\(context.glyphs.bullet) \(finding.headline)", size.columns, ellipsis: glyphs.ellipsis),
                           row: row, column: 0, role: Drawing.role(for: finding.severity))
                row += 1
            }
        }
        if failure != nil { Drawing.dim(&grid, from: firstRow) }
        return grid
    }

    /// `12 s to the limit`, `EXHAUSTED — new clients refused`, `warming up`, `flat`.
    static func etaLine(_ eta: ExhaustionEstimate, countdown: Double?, since: String? = nil) -> (String, CellRole) {
        switch eta.status {
        case .rising:
            let seconds = countdown ?? eta.seconds
            let role: CellRole = (seconds ?? .infinity) <= Rules.criticalEtaSeconds ? .critical : .warn
            return ("\(Format.duration(seconds)) to fd exhaustion", role)
        case .exhausted:
            return (since.map { "EXHAUSTED since \($0): new clients refused" } ?? "EXHAUSTED: new clients refused", .critical)
        case .warmingUp:
            return ("warming up", .dim)
        case .flat:
            return ("flat (no fd growth)", .ok)
        case .unknown:
            return ("? \(eta.reason ?? "")", .dim)
        }
    }

    /// The binding limit first, then the other, each with its numbers; shorter wording in a narrow pane.
    static func limitLines(_ limit: FdLimitAssessment, rlimitKnown: Bool, long: Bool) -> [String] {
        let setsize = Format.count(limit.setsize)
        let loop: String
        if let evidence = limit.evidence {
            // An fd number the server refused: the limit is proven without any setting.
            let how = evidence.kind == .refusedInLog ? "a client refused at fd \(setsize) in the log"
                                                     : "aoftop's connections unanswered from fd \(setsize)"
            loop = long ? "event loop ≤\(setsize) (proven: \(how))" : "event loop ≤\(setsize) (proven)"
        } else if let from = Format.origin(limit.maxclientsSource) {
            loop = long ? "event loop \(setsize) (maxclients \(Format.count(limit.maxclients)) + \(FdLimitAssessment.eventLoopReserve), \(from))"
                        : "event loop \(setsize) (\(from))"
        } else {
            loop = long ? "event loop \(setsize) (maxclients \(Format.count(limit.maxclients)) + \(FdLimitAssessment.eventLoopReserve))"
                        : "event loop \(setsize) (maxclients+\(FdLimitAssessment.eventLoopReserve))"
        }
        let soft = limit.rlimitSoft.map { Format.count($0) } ?? (rlimitKnown ? "unlimited" : Format.unknown)
        let hard = limit.rlimitHard.map { Format.count($0) } ?? (rlimitKnown ? "unlimited" : Format.unknown)
        let rlimit = long ? "RLIMIT_NOFILE \(soft) (hard \(hard))" : "RLIMIT \(soft) soft, \(hard) hard"
        switch limit.binding {
        case .rlimit: return [rlimit, loop]
        case .eventLoop, .unknown: return [loop, rlimit]
        }
    }
}
