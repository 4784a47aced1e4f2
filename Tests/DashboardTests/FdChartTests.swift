import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

@Suite("The fd chart of pane 4")
struct FdChartTests {
    /// One sample a second; `pipes` and `sockets` default to none.
    static func chart(totals: [Int?], pipes: [Int?]? = nil, sockets: [Int?]? = nil, limit: Int?, eta: Double? = nil) -> FdChart {
        let samples = totals.indices.map { i in
            FdChart.Sample(time: Build.time(Int64(i) * 1000), total: totals[i], pipes: pipes?[i], sockets: sockets?[i])
        }
        return FdChart(samples: samples, limit: limit, eta: eta)
    }

    static func isBraille(_ scalar: Unicode.Scalar) -> Bool { (0x2800...0x28FF).contains(scalar.value) }

    /// The column of the y axis: the plot starts right of it.
    static func gutter(_ grid: Grid) -> Int {
        (0..<grid.size.columns).first { grid[1, $0].scalar == Glyphs.unicode.vertical || grid[1, $0].scalar == Glyphs.ascii.vertical }! + 1
    }

    /// The row whose y label is `label`.
    static func row(labelled label: String, in grid: Grid) -> Int? {
        (1..<grid.size.rows - 1).first { grid.text(row: $0).hasPrefix(Format.right(label, gutter(grid) - 1)) }
    }

    /// Every Braille dot of `role` in the plot, as (x, y) from the bottom left.
    static func dots(_ grid: Grid, role: CellRole) -> [(x: Int, y: Int)] {
        let gutter = gutter(grid), plotRows = grid.size.rows - 2
        let bits: [(dx: Int, dy: Int, bit: UInt32)] = [(0, 3, 0x01), (0, 2, 0x02), (0, 1, 0x04), (1, 3, 0x08),
                                                        (1, 2, 0x10), (1, 1, 0x20), (0, 0, 0x40), (1, 0, 0x80)]
        var out: [(x: Int, y: Int)] = []
        for row in 1...plotRows {
            for column in gutter..<grid.size.columns where grid[row, column].role == role && isBraille(grid[row, column].scalar) {
                let value = grid[row, column].scalar.value - 0x2800
                for (dx, dy, bit) in bits where value & bit != 0 {
                    out.append(((column - gutter) * 2 + dx, (plotRows - row) * 4 + dy))
                }
            }
        }
        return out
    }

    @Test("A series at the limit lands on the limit's row, also when the data reach above it")
    func seriesAtTheLimit() throws {
        let chart = Self.chart(totals: Array(repeating: 500, count: 30), pipes: Array(repeating: 800, count: 30), limit: 500)
        for glyphs in [Glyphs.unicode, .ascii] {
            let grid = chart.draw(size: GridSize(columns: 40, rows: 10), glyphs: glyphs)
            let limitRow = try #require(Self.row(labelled: "500", in: grid))
            let totalRows = (1..<9).filter { grid.roles(row: $0).contains(CellRole.chart.goldenLetter) }
            #expect(totalRows == [limitRow], "\(grid.text)")
            #expect(Self.row(labelled: "800", in: grid) == 1)
            #expect(Self.row(labelled: "0", in: grid) == 8)
        }
    }

    @Test("A rising series gives dot heights that never fall, from the left edge to now")
    func monotonic() throws {
        let totals: [Int?] = (0..<60).map { $0 * $0 / 3 }
        let grid = Self.chart(totals: totals, limit: nil).draw(size: GridSize(columns: 50, rows: 12), glyphs: .unicode)
        let dots = Self.dots(grid, role: .chart)
        let tops = Dictionary(grouping: dots, by: \.x).mapValues { $0.map(\.y).max()! }.sorted { $0.key < $1.key }
        #expect(tops.first?.key == 0)
        #expect(tops.last?.key == (50 - Self.gutter(grid)) * 2 - 1)
        #expect(zip(tops, tops.dropFirst()).allSatisfy { $0.value <= $1.value }, "\(grid.text)")
        #expect(tops.first?.value == 0 && tops.last?.value == 10 * 4 - 1)
    }

    @Test("The projection runs from the last total to the limit and meets it at the ETA's column, marked")
    func projection() throws {
        // 20 s of history, ETA 10 s: the axis spans 30 s, the crossing is two thirds of the way past now.
        let totals: [Int?] = (0...20).map { 100 + $0 * 10 }
        let size = GridSize(columns: 40, rows: 10)
        for glyphs in [Glyphs.unicode, .ascii] {
            let grid = Self.chart(totals: totals, limit: 500, eta: 10).draw(size: size, glyphs: glyphs)
            let gutter = Self.gutter(grid)
            let limitRow = try #require(Self.row(labelled: "500", in: grid))
            let perColumn = glyphs.brailleCharts ? 2 : 1
            let width = (size.columns - gutter) * perColumn
            let etaColumn = gutter + Int((30.0 / 30 * Double(width - 1)).rounded()) / perColumn
            let nowColumn = gutter + Int((20.0 / 30 * Double(width - 1)).rounded()) / perColumn
            #expect(grid[limitRow, etaColumn] == Cell(glyphs.chartMark, .critical), "\(grid.text)")
            #expect(grid.text.unicodeScalars.filter { $0 == glyphs.chartMark }.count == 1)
            // Dotted, in its own role, between now and the crossing only.
            let projected = (1..<size.rows - 1).flatMap { row in (0..<size.columns).filter { grid[row, $0].role == .warn } }
            #expect(!projected.isEmpty && projected.allSatisfy { $0 > nowColumn && $0 <= etaColumn })
            let axis = grid.text(row: size.rows - 1)
            #expect(axis.hasSuffix("+10 s"), "\(axis)")
            #expect(axis.contains("-20 s") && axis.contains("now"))
            #expect(grid.text(row: 0).contains("ETA"))
        }
    }

    @Test("An ETA close to now keeps its label; now moves aside, or gives way")
    func closeETA() {
        let totals: [Int?] = (0...60).map { 100 + $0 * 5 }
        for (columns, eta) in [(40, 2.0), (30, 0.5)] {
            let grid = Self.chart(totals: totals, limit: 500, eta: eta).draw(size: GridSize(columns: columns, rows: 6), glyphs: .unicode)
            let axis = grid.text(row: 5)
            #expect(axis.hasSuffix("+" + Format.duration(eta)), "\(axis)")
            #expect(axis.contains("-60 s"))
            #expect(!axis.contains("now+") && !axis.contains("s+"))
        }
    }

    @Test("An ETA beyond twice the history runs the projection to the right edge, without a crossing")
    func farETA() {
        let totals: [Int?] = (0...20).map { 100 + $0 }
        let grid = Self.chart(totals: totals, limit: 500, eta: 3_600).draw(size: GridSize(columns: 40, rows: 10), glyphs: .unicode)
        #expect(!grid.text.unicodeScalars.contains(Glyphs.unicode.chartMark))
        #expect(grid.text(row: 9).hasSuffix("+40 s"))
        #expect((1..<9).contains { grid[$0, 39].role == .warn })
    }

    @Test("Without an ETA, or with the total already at the limit, no projection: now is the right edge")
    func noProjection() {
        for (totals, eta) in [([100, 200, 300] as [Int?], nil as Double?), ([400, 500, 500], 5)] {
            let grid = Self.chart(totals: totals, limit: 500, eta: eta).draw(size: GridSize(columns: 30, rows: 6), glyphs: .unicode)
            #expect(!grid.text.unicodeScalars.contains(Glyphs.unicode.chartMark))
            #expect(!(0..<6).contains { grid.roles(row: $0).contains(CellRole.warn.goldenLetter) })
            #expect(grid.text(row: 5).hasSuffix("now"))
            #expect(!grid.text(row: 0).contains("ETA"))
        }
    }

    @Test("ASCII: no Braille at all, one mark per series, a legend naming them")
    func ascii() {
        let chart = Self.chart(totals: (0...20).map { 100 + $0 * 10 }, pipes: (0...20).map { 50 + $0 * 9 },
                               sockets: Array(repeating: 20, count: 21), limit: 500, eta: 10)
        let grid = chart.draw(size: GridSize(columns: 60, rows: 12), glyphs: .ascii)
        #expect(!grid.text.unicodeScalars.contains(where: Self.isBraille))
        #expect(grid.text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(grid.text(row: 0).hasPrefix("# total  * pipes  o sockets  = limit  . ETA"))
        let plot = (1..<11).map { grid.text(row: $0) }.joined()
        for mark in ["#", "*", "o", "=", ".", "X"] { #expect(plot.contains(mark), "\(mark)\n\(grid.text)") }
        let unicode = chart.draw(size: GridSize(columns: 60, rows: 12), glyphs: .unicode)
        #expect(unicode.text.unicodeScalars.contains(where: Self.isBraille))
        for role in [CellRole.chart, .chartSecond, .chartThird, .critical, .warn] {
            #expect(unicode.roles(row: 0).contains(role.goldenLetter), "legend: \(role)")
        }
    }

    @Test("Data above the limit raise the scale: the top is labelled, the limit line sits below it")
    func scaleAboveTheLimit() throws {
        let grid = Self.chart(totals: [100, 400, 700, 1_000], limit: 400).draw(size: GridSize(columns: 30, rows: 11), glyphs: .ascii)
        #expect(Self.row(labelled: "1,000", in: grid) == 1)
        let limitRow = try #require(Self.row(labelled: "400", in: grid))
        #expect(limitRow == 1 + Int((Double(9 - 1) * (1 - 0.4)).rounded()))
        #expect(grid.text(row: limitRow).contains("="))
        #expect(grid.text(row: 1).hasSuffix("#"))
        #expect(Self.row(labelled: "0", in: grid) == 9)
    }

    @Test("Small regions, no data, gaps: never a crash, nothing drawn below the minimum")
    func small() {
        let chart = Self.chart(totals: [10, nil, 30, 40], sockets: [1, 2, nil, 4], limit: 1_000_000_000_000, eta: 5)
        for glyphs in [Glyphs.unicode, .ascii] {
            for rows in 0...6 {
                for columns in 0...40 {
                    let size = GridSize(columns: columns, rows: rows)
                    let grid = chart.draw(size: size, glyphs: glyphs)
                    #expect(grid.size == size)
                    let blank = grid.text.allSatisfy { $0 == " " || $0 == "\n" }
                    // "1,000,000,000,000" and the axis take 18 columns: a plot needs 8 more.
                    #expect(blank == (rows < 4 || columns < 26), "\(size)")
                }
            }
            #expect(FdChart(samples: [], limit: 100, eta: nil).draw(size: GridSize(columns: 40, rows: 10), glyphs: glyphs) == Grid(size: GridSize(columns: 40, rows: 10)))
            let unknown = Self.chart(totals: [nil, nil], limit: 100)
            #expect(unknown.draw(size: GridSize(columns: 40, rows: 10), glyphs: glyphs) == Grid(size: GridSize(columns: 40, rows: 10)))
        }
    }

    @Test("In the dashboard: pane 4 shows the chart where it has 5 free rows, never without, never Braille in ASCII")
    func inThePane() throws {
        let state = Scenario.leak.state()
        let context = PaneContext(state: state, glyphs: .unicode, focused: false, number: 4, title: "fd exhaustion")
        // Title and seven rows of figures: the chart needs a blank row and four of its own.
        let tight = ExhaustionPane.draw(context, size: GridSize(columns: 60, rows: 12))
        #expect(!tight.text.contains("⣿ total"))
        let room = ExhaustionPane.draw(context, size: GridSize(columns: 60, rows: 13))
        #expect(room.text(row: 9).hasPrefix("⣿ total"))
        #expect(room.text(row: 12).contains("now"))

        let narrow = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(!narrow.text.unicodeScalars.contains(where: Self.isBraille))
        var zoomed = state
        zoomed.zoomed = .exhaustion
        let zoom = render(zoomed, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(zoom.text.contains("⣿ total  ⣿ pipes  ⣿ sockets  ⠒ limit  ⠔ ETA"))
        let ascii = render(state, size: GridSize(columns: 120, rows: 40), glyphs: .ascii)
        #expect(ascii.text.contains("# total  * pipes  o sockets  = limit  . ETA"))
        #expect(!ascii.text.unicodeScalars.contains(where: Self.isBraille))
    }
}
