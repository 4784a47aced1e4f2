import AoftopAnalysis
import TextGrid

extension PaneID {
    public static let sockets = PaneID("sockets")
}

/// Client sockets vs pipes, with a sparkline per series; the leak signature in red when present.
enum SocketsPane {
    static let pane = Pane(id: .sockets, title: "Sockets vs pipes",
                           helpNote: "pipes rising while client sockets stay flat, held at both ends by Redis, is the redis#2857 leak.",
                           draw: draw)
    static let labelWidth = 8
    static let valueWidth = 7
    static let deltaWidth = 7

    static func draw(_ context: PaneContext, size: GridSize) -> Grid {
        var grid = Grid(size: size)
        let glyphs = context.glyphs
        Drawing.title(&grid, context)
        let fds = context.assessment?.fds ?? FdFigures()
        let leak = context.assessment?.leak ?? LeakAssessment()
        let h = context.state.histories
        var row = 1
        let failure = PaneContext.failureText(source: "/proc", freshness: context.state.processFreshness,
                                              clock: context.state.clock)
        if let failure {
            grid.write(Drawing.fit(failure, size.columns, ellipsis: glyphs.ellipsis), row: row, column: 0, role: .warn)
            row += 1
        }
        let firstSeriesRow = row
        let over = fds.pipe.flatMap { pipe in fds.baselinePipes.map { pipe - $0 } }
        let leakRole: CellRole = leak.suspected ? .critical : .normal
        let other: Int? = fds.total.flatMap { total in fds.socket.flatMap { s in fds.pipe.map { total - s - $0 } } }
        let series: [(String, Int?, String, BoundedSeries, CellRole)] = [
            ("sockets", fds.clientSocket, "", h.clientSockets, .normal),
            ("clients", fds.connectedClients, "", h.connectedClients, .normal),
            ("pipes", fds.pipe, over.map { Format.signed($0) } ?? "", h.pipes, leakRole),
            ("pairs", fds.selfPipePairs, "", h.selfHeldPairs, leakRole),
            ("other", other, "", h.otherFds, .normal),
            ("total", fds.total, "", h.totalFds, .normal),
        ]
        let sparkColumn = labelWidth + valueWidth + deltaWidth + 1
        let sparkWidth = max(0, size.columns - sparkColumn)
        for (label, value, delta, history, role) in series {
            guard row < size.rows else { break }
            grid.write(label, row: row, column: 0, role: .dim, maxWidth: labelWidth)
            grid.write(Format.right(Format.count(value), valueWidth), row: row, column: labelWidth,
                       role: value == nil ? .dim : role)
            grid.write(Format.right(delta, deltaWidth), row: row, column: labelWidth + valueWidth,
                       role: role == .critical ? .critical : .dim)
            grid.write(Drawing.sparkline(history.values, width: sparkWidth, glyphs: glyphs), row: row,
                       column: sparkColumn, role: role == .critical ? .critical : .chart)
            row += 1
        }
        if failure != nil {
            Drawing.dim(&grid, from: firstSeriesRow)
            return grid
        }
        let remaining = size.rows - row
        var lines: [(String, CellRole)] = []
        if leak.ratchet {
            lines.append(("RATCHET: sockets fall while pipes rise", .critical))
        }
        if leak.suspected {
            lines.append(("LEAK: \(leak.signature ?? "pipes held at both ends by Redis")", .critical))
        } else if fds.total != nil {
            let base = fds.baselinePipes.map { ", baseline \($0)" } ?? ""
            lines.append(("no leak: \(Format.count(fds.pipe)) pipes\(base)", .ok))
        }
        for (text, role) in lines {
            let left = size.rows - row
            guard left > 0 else { break }
            let wrapped = Drawing.wrap(text, width: size.columns, maxLines: lines.count == 1 ? min(left, 3) : min(left, max(1, remaining / lines.count)),
                                       ellipsis: glyphs.ellipsis)
            for line in wrapped {
                grid.write(line, row: row, column: 0, role: role)
                row += 1
            }
        }
        // Who holds the sockets, in the rows left (a blank row first, when there is room for it and one more).
        let breakdown = SocketBreakdown.rows(context.assessment)
        if !breakdown.isEmpty, size.rows - row >= 2 { row += 1 }
        for line in breakdown where row < size.rows {
            PaneContext.labelled(&grid, row: row, label: line.label, labelWidth: labelWidth,
                                 value: Drawing.fit(line.text, max(0, size.columns - labelWidth), ellipsis: glyphs.ellipsis),
                                 role: line.role)
            row += 1
        }
        return grid
    }
}
