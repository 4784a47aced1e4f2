import AoftopModel
import TextGrid

/// A series of the fd chart. Declared in drawing order: where lines share a cell, the later one's role shows,
/// so the total, which the projection continues, goes last.
enum FdSeries: CaseIterable, Sendable {
    case sockets, pipes, total

    var name: String {
        switch self {
        case .sockets: "sockets"
        case .pipes: "pipes"
        case .total: "total"
        }
    }

    /// Its role, and its mark without Braille: a distinct character per series keeps an ASCII chart without
    /// colour readable.
    var ink: DotCanvas.Ink {
        switch self {
        case .sockets: DotCanvas.Ink(role: .chartThird, mark: "o")
        case .pipes: DotCanvas.Ink(role: .chartSecond, mark: "*")
        case .total: DotCanvas.Ink(role: .chart, mark: "#")
        }
    }
}

/// Pane 4's chart: open fds, pipes and client sockets over time against the limit that binds, and the total
/// projected along the ETA until it meets that limit.
///
/// Rows, top to bottom: a legend, the plot (y from 0 to the larger of the limit and the data, labelled at the
/// limit, 0 and a top above the limit), the time axis (`-5m00s … now … +9.6 s`). Pure: any size gives a grid of
/// that size, blank below `minimum`.
struct FdChart: Sendable, Equatable {
    /// One snapshot's figures.
    struct Sample: Sendable, Equatable {
        var time: Timestamp
        var total: Int?
        var pipes: Int?
        var sockets: Int?

        func value(_ series: FdSeries) -> Int? {
            switch series {
            case .sockets: sockets
            case .pipes: pipes
            case .total: total
            }
        }
    }

    /// Oldest first.
    var samples: [Sample]
    /// The effective limit: setsize or RLIMIT_NOFILE, whichever binds.
    var limit: Int?
    /// Seconds from the last sample until the total meets the limit; `nil` draws no projection.
    var eta: Double?

    /// Legend, two plot rows, time axis; below 20 columns the labels leave no room for a plot.
    static let minimum = GridSize(columns: 20, rows: 4)
    /// A taller plot shows no more: the pane gives the rows left over to its findings.
    static let maxRows = 12
    /// Fewer columns of plot beside the y labels would show no trend.
    static let minimumPlotColumns = 8
    /// The projection may take at most twice the history's width, so the history stays readable.
    static let maxFutureToHistory = 2.0

    static let limitInk = DotCanvas.Ink(role: .critical, mark: "=")
    static let projectionInk = DotCanvas.Ink(role: .warn, mark: ".")

    func draw(size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        guard size.columns >= Self.minimum.columns, size.rows >= Self.minimum.rows, let first = samples.first,
              let last = samples.last,
              let dataMax = samples.flatMap({ sample in FdSeries.allCases.compactMap { sample.value($0) } }).max()
        else { return grid }
        let top = max(1, limit ?? 0, dataMax)
        let topLabel = top > (limit ?? 0) ? Format.count(top) : nil
        let gutter = [limit.map { Format.count($0) }, topLabel, "0"].compactMap { $0 }.map(CharacterWidth.of).max()! + 1
        guard size.columns - gutter >= Self.minimumPlotColumns else { return grid }
        var canvas = DotCanvas(columns: size.columns - gutter, rows: size.rows - 2, braille: glyphs.brailleCharts)
        func y(_ value: Int) -> Int {
            Int((Double(min(max(value, 0), top)) / Double(top) * Double(canvas.height - 1)).rounded())
        }

        let history = max(0, last.time.seconds(since: first.time))
        // Only a total below the limit has a way to go; the axis makes room for it, capped.
        let projected: (total: Int, limit: Int, eta: Double)? = last.total.flatMap { total in
            limit.flatMap { limit in eta.flatMap { total < limit && $0 > 0 ? (total, limit, $0) : nil } }
        }
        let future = projected.map { history > 0 ? min($0.eta, history * Self.maxFutureToHistory) : $0.eta } ?? 0
        let span = history + future
        func x(_ secondsSinceFirst: Double) -> Int {
            guard span > 0 else { return canvas.width - 1 }
            return min(canvas.width - 1, max(0, Int((secondsSinceFirst / span * Double(canvas.width - 1)).rounded())))
        }

        if let limit { canvas.line(from: 0, y(limit), to: canvas.width - 1, y(limit), Self.limitInk) }
        for series in FdSeries.allCases {
            var previous: (x: Int, y: Int)?
            for sample in samples {
                guard let value = sample.value(series) else {
                    previous = nil // a sample without a reading breaks the line
                    continue
                }
                let point = (x: x(sample.time.seconds(since: first.time)), y: y(value))
                if let previous {
                    canvas.line(from: previous.x, previous.y, to: point.x, point.y, series.ink)
                } else {
                    canvas.plot(x: point.x, y: point.y, series.ink)
                }
                previous = point
            }
        }

        // The projection runs straight from the last total to the limit at the ETA: the ETA, not the slope, is
        // what the operator reads off the chart (it also counts the spare fd numbers below the limit).
        var crossing: (column: Int, row: Int)?
        if let (total, limit, eta) = projected {
            let reaches = eta <= future
            let end = reaches ? limit : total + Int((Double(limit - total) * future / eta).rounded())
            let endX = x(history + (reaches ? eta : future))
            canvas.line(from: x(history), y(total), to: endX, y(end), Self.projectionInk, every: 2)
            if reaches { crossing = canvas.cell(x: endX, y: y(end)) }
        }
        canvas.draw(into: &grid, row: 1, column: gutter)
        if let crossing { grid[1 + crossing.row, gutter + crossing.column] = Cell(glyphs.chartMark, .critical) }

        // The y axis: the limit first; the top and 0 where they do not share its row.
        for row in 1...canvas.rows { grid[row, gutter - 1] = Cell(glyphs.vertical, .dim) }
        var labelled = Set<Int>()
        for (value, text, role) in [(limit, limit.map { Format.count($0) }, CellRole.critical),
                                    (top, topLabel, .dim), (0, "0", .dim)] {
            guard let value, let text else { continue }
            let row = 1 + canvas.cell(x: 0, y: y(value)).row
            guard labelled.insert(row).inserted else { continue }
            grid.writeRightAligned(text, row: row, rightEdge: gutter - 1, role: role)
        }

        legend(&grid, glyphs: glyphs, projection: projected != nil)
        // The ETA first: it is what the projection is for.
        var axis = AxisLabels(row: size.rows - 1, from: gutter, to: size.columns)
        if let crossing, let eta = projected?.eta {
            axis.place("+" + Format.duration(eta), at: gutter + crossing.column, role: .warn, in: &grid)
        } else if future > 0 {
            axis.place("+" + Format.duration(future), at: size.columns - 1, role: .dim, in: &grid)
        }
        axis.place("now", at: gutter + canvas.cell(x: x(history), y: 0).column, role: .dim, in: &grid)
        if history > 0 { axis.place("-" + Format.duration(history), at: gutter, role: .dim, in: &grid) }
        return grid
    }

    /// `⣿ total  ⣿ pipes  ⣿ sockets  ⠒ limit  ⠔ ETA` in their roles; closer together when narrow, then as many
    /// entries as fit.
    private func legend(_ grid: inout Grid, glyphs: Glyphs, projection: Bool) {
        let braille = glyphs.brailleCharts
        var entries = FdSeries.allCases.reversed().map { ($0.name, braille ? "⣿" : $0.ink.mark, $0.ink.role) }
        if limit != nil { entries.append(("limit", braille ? "⠒" : Self.limitInk.mark, Self.limitInk.role)) }
        if projection { entries.append(("ETA", braille ? "⠔" : Self.projectionInk.mark, Self.projectionInk.role)) }
        let widths = entries.map { 2 + CharacterWidth.of($0.0) }
        let gap = widths.reduce(0, +) + 2 * (entries.count - 1) <= grid.size.columns ? 2 : 1
        var column = 0
        for ((name, swatch, role), width) in zip(entries, widths) {
            guard column + width <= grid.size.columns else { break }
            grid.write(String(swatch), row: 0, column: column, role: role)
            grid.write(name, row: 0, column: column + 2, role: .dim)
            column += width + gap
        }
    }
}

/// The time axis's labels inside `from..<to`, each centred on its column, else ending or starting there, and
/// left out where it would touch one already placed: the first placed win.
private struct AxisLabels {
    let row: Int
    let from: Int
    let to: Int
    private var taken: [Range<Int>] = []

    init(row: Int, from: Int, to: Int) {
        self.row = row
        self.from = from
        self.to = to
    }

    mutating func place(_ text: String, at column: Int, role: CellRole, in grid: inout Grid) {
        let width = CharacterWidth.of(text)
        guard width <= to - from else { return }
        let starts = [column - (width - 1) / 2, column - width + 1, column].map { min(max($0, from), to - width) }
        // One blank column between labels, so `now` and `+9.6 s` never read as one.
        guard let start = starts.first(where: { start in !taken.contains { $0.overlaps(start - 1..<start + width + 1) } })
        else { return }
        taken.append(start..<start + width)
        grid.write(text, row: row, column: start, role: role)
    }
}

extension FdChart {
    /// The chart of what the dashboard has seen: its histories, the limit that binds and, while fds rise, the
    /// ETA as the pane counts it down (so `+9.6 s` on the axis reads as the ETA row above it); `nil` before any
    /// fd count.
    init?(_ state: DashboardState) {
        let h = state.histories
        let count = min(h.times.count, h.totalFds.values.count, h.pipes.values.count, h.clientSockets.values.count)
        let samples = zip(h.times.suffix(count), zip(h.totalFds.values.suffix(count),
                                                     zip(h.pipes.values.suffix(count), h.clientSockets.values.suffix(count))))
            .map { Sample(time: $0, total: $1.0, pipes: $1.1.0, sockets: $1.1.1) }
        guard samples.contains(where: { $0.total != nil }) else { return nil }
        self.init(samples: samples, limit: state.assessment?.limit.effective, eta: state.countdownSeconds)
    }
}
