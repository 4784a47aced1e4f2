import AoftopAnalysis
import TextGrid

extension PaneID {
    public static let aof = PaneID("aof")
}

/// AOF growth against `auto-aof-rewrite-percentage`, sizes, rewrite state, the Redis 7 AOF directory.
enum AofPane {
    static let pane = Pane(id: .aof, title: "AOF growth", draw: draw)
    static let labelWidth = 7
    static let growthWidth = 12

    static func draw(_ context: PaneContext, size: GridSize) -> Grid {
        var grid = Grid(size: size)
        let glyphs = context.glyphs
        let aof = context.assessment?.aof ?? AofAssessment()
        let stateRole = role(for: aof.state)
        Drawing.title(&grid, context, info: stateText(aof.state), infoRole: stateRole == .normal ? .dim : stateRole)
        var row = 1
        let failure = PaneContext.failureText(source: "redis", freshness: context.state.redisFreshness,
                                              clock: context.state.clock)
        if let failure {
            grid.write(Drawing.fit(failure, size.columns, ellipsis: glyphs.ellipsis), row: row, column: 0, role: .warn)
            row += 1
        }
        let firstRow = row

        // growth   6,938,200 % ██████████┃██████████
        let growthText = aof.growthPercent.map { "\(Format.count($0)) %" } ?? Format.unknown
        PaneContext.labelled(&grid, row: row, label: "growth", labelWidth: labelWidth,
                             value: Format.right(growthText, growthWidth - 1),
                             role: aof.growthPercent == nil ? .dim : stateRole == .normal ? .normal : stateRole)
        let barColumn = labelWidth + growthWidth
        let barWidth = size.columns - barColumn
        if barWidth >= 4, let growth = aof.growthPercent {
            // The threshold sits in the middle: twice the threshold fills the bar, anything above saturates.
            let threshold = Double(max(1, aof.thresholdPercent ?? 100))
            let bar = Drawing.bar(fraction: Double(growth) / (2 * threshold), width: barWidth, glyphs: glyphs)
            grid.write(bar.text, row: row, column: barColumn, role: stateRole == .normal ? .chart : stateRole)
            if aof.thresholdPercent != nil {
                grid[row, barColumn + barWidth / 2] = Cell(glyphs.barMark, .header)
            }
        }
        row += 1

        let threshold = aof.thresholdPercent.map { "\($0) %" } ?? Format.unknown
        let thresholds = Format.withSuffix("threshold \(threshold), min \(Format.bytes(aof.minSize))",
                                           Format.origin(aof.configSource).map { " (\($0))" }, width: size.columns - labelWidth)
        grid.write(thresholds, row: row, column: labelWidth, role: .dim)
        row += 1
        PaneContext.labelled(&grid, row: row, label: "size", labelWidth: labelWidth,
                             value: "\(Format.bytes(aof.currentSize)), base \(Format.bytes(aof.baseSize))")
        row += 1
        PaneContext.labelled(&grid, row: row, label: "state", labelWidth: labelWidth,
                             value: stateText(aof.state), role: stateRole)
        row += 1
        let redis = context.state.snapshot?.redis.value
        let last = aof.lastBgrewriteStatus ?? Format.unknown
        let inRow = redis?.aofRewritesConsecutiveFailures.map { ", \(Format.count($0)) failed in a row" } ?? ""
        PaneContext.labelled(&grid, row: row, label: "last", labelWidth: labelWidth,
                             value: "bgrewrite \(last)\(inRow)", role: last == "err" ? .warn : .normal)
        row += 1
        let dir: String
        if let files = aof.dirFiles {
            dir = "\(Format.count(files)) files, \(Format.count(aof.incrFiles)) incr"
        } else {
            dir = context.state.snapshot?.aofDirectory.failureReason.map { "? (\($0))" } ?? "—"
        }
        PaneContext.labelled(&grid, row: row, label: "dir", labelWidth: labelWidth, value: dir,
                             role: (aof.incrFiles ?? 0) >= Rules.incrStormFiles ? .warn : .normal)
        row += 1
        if let redis {
            if let reason = redis.config.failureReason {
                grid.write(Drawing.fit("CONFIG GET failed (\(reason)): threshold unknown", size.columns,
                                       ellipsis: glyphs.ellipsis), row: row, column: 0, role: .warn)
                row += 1
            }
            PaneContext.labelled(&grid, row: row, label: "forks", labelWidth: labelWidth,
                                 value: "\(Format.count(redis.totalForks)), rewrites \(Format.count(redis.aofRewrites))")
            row += 1
            let forkMs = redis.latestForkUsec.map { Format.decimal(Double($0) / 1000, digits: 1) + " ms" } ?? Format.unknown
            PaneContext.labelled(&grid, row: row, label: "memory", labelWidth: labelWidth,
                                 value: "\(Format.bytes(redis.usedMemory)), last fork \(forkMs)")
            row += 1
        }
        // Whether the next fork can succeed, measured, and what the pipes rise follows: below the rest, so a short
        // pane keeps the AOF figures.
        if let readiness = context.assessment?.forkReadiness {
            PaneContext.labelled(&grid, row: row, label: "fork", labelWidth: labelWidth,
                                 value: Drawing.fit(readiness.summary, size.columns - labelWidth, ellipsis: glyphs.ellipsis),
                                 role: Self.role(readiness.outcome))
            row += 1
        } else if let reason = context.state.snapshot?.forkReadiness.failureReason {
            PaneContext.labelled(&grid, row: row, label: "fork", labelWidth: labelWidth,
                                 value: Drawing.fit("? (\(reason))", size.columns - labelWidth, ellipsis: glyphs.ellipsis),
                                 role: .warn)
            row += 1
        }
        if let attribution = context.assessment?.leak.attribution {
            PaneContext.labelled(&grid, row: row, label: "leak", labelWidth: labelWidth,
                                 value: Drawing.fit(Self.leakText(attribution), size.columns - labelWidth, ellipsis: glyphs.ellipsis),
                                 role: .warn)
        }
        if failure != nil { Drawing.dim(&grid, from: firstRow) }
        return grid
    }

    static func role(_ outcome: ForkOutcome) -> CellRole {
        switch outcome {
        case .willFail: .critical
        case .mayFail, .slow: .warn
        case .unknown: .dim
        case .shouldSucceed: .ok
        }
    }

    /// `redis#2857: 6 fds per failed AOF rewrite fork`, `follows failed BGSAVE forks, 2 fds each`, `unexplained: no fork`.
    static func leakText(_ attribution: PipeLeakAttribution) -> String {
        let per = attribution.fdsPerEvent.map { Format.decimal($0, digits: 1) } ?? Format.unknown
        switch attribution.verdict {
        case .knownLeak:
            let trigger = attribution.trigger.map(PipeLeakAttribution.one) ?? "event"
            return "\(attribution.leak?.rawValue ?? "known"): \(per) fds per \(trigger)"
        case .followsFailures:
            return "follows failed \(attribution.mechanism?.title ?? "") forks, \(per) fds each, no known leak"
        case .unexplained:
            return "unexplained: +\(Format.count(attribution.pipesGained)) fds, no fork it follows"
        }
    }

    static func stateText(_ state: AofAssessment.State) -> String {
        switch state {
        case .disabled: "AOF off"
        case .belowThreshold: "below threshold"
        case .due: "rewrite due"
        case .rewriting: "rewriting"
        case .dueButFailing: "due, fork failing"
        case .throttled: "throttled"
        case .unknown: "unknown"
        }
    }

    static func role(for state: AofAssessment.State) -> CellRole {
        switch state {
        case .disabled, .unknown: .dim
        case .belowThreshold, .rewriting: .normal
        case .due: .warn
        case .dueButFailing, .throttled: .critical
        }
    }
}
