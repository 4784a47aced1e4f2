import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

@Suite("Every size")
struct SizeTests {
    /// Every size from 0×0 to 130×45 that matters: all columns at the interesting row counts, all row counts at the
    /// interesting column counts, and a grid every 4 cells; the help, zoom and prompt variants on a sparser grid.
    static let denseSizes: [GridSize] = {
        var sizes = Set<GridSize>()
        for columns in 0...130 { for rows in [0, 1, 2, 3, 5, 12, 15, 16, 17, 18, 21, 22, 23, 24, 39, 40, 45] { sizes.insert(GridSize(columns: columns, rows: rows)) } }
        for rows in 0...45 { for columns in [0, 1, 2, 3, 10, 40, 59, 60, 61, 79, 80, 81, 119, 120, 130] { sizes.insert(GridSize(columns: columns, rows: rows)) } }
        for columns in stride(from: 0, through: 130, by: 4) { for rows in stride(from: 0, through: 45, by: 4) { sizes.insert(GridSize(columns: columns, rows: rows)) } }
        return Array(sizes)
    }()
    static let sparseSizes: [GridSize] = stride(from: 0, through: 130, by: 7).flatMap { columns in
        stride(from: 0, through: 45, by: 5).map { GridSize(columns: columns, rows: $0) }
    }

    /// No crash, the grid has exactly the asked size, and every row's text is exactly as wide as the grid.
    @Test(arguments: Scenario.allCases)
    func everySize(_ scenario: Scenario) {
        let base = scenario.state()
        var help = base; help.helpVisible = true
        var zoomed = base; zoomed.zoomed = .events
        var prompt = base; prompt.input = .goTo("22:13")
        let runs: [(DashboardState, Glyphs, [GridSize])] = [
            (base, .unicode, Self.denseSizes), (help, .ascii, Self.sparseSizes),
            (zoomed, .unicode, Self.sparseSizes), (prompt, .ascii, Self.sparseSizes),
        ]
        var failures = 0
        for (state, glyphs, sizes) in runs {
            for size in sizes {
                let grid = render(state, size: size, glyphs: glyphs)
                guard grid.size == size else { failures += 1; continue }
                for row in 0..<size.rows where CharacterWidth.of(grid.text(row: row)) != size.columns {
                    failures += 1
                    if failures < 5 { Issue.record("\(scenario) \(size) row \(row): \(grid.text(row: row))") }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("Below 60×16 only the message; at 60×16 the dashboard")
    func minimum() {
        let state = Scenario.leak.state()
        let small = render(state, size: GridSize(columns: 59, rows: 24), glyphs: .unicode).text
        #expect(small.contains("aoftop needs at least 60×16 (now 59×24)"))
        #expect(render(state, size: GridSize(columns: 1, rows: 1), glyphs: .unicode).text.count == 1)
        let fits = render(state, size: GridSize(columns: 60, rows: 16), glyphs: .unicode).text
        #expect(fits.contains("Sockets vs pipes"))
        #expect(!fits.contains("needs at least"))
    }

    @Test("Rows stay put when only numbers change: healthy snapshots one second apart redraw few rows")
    func stableRows() {
        var state = Scenario.healthy.state()
        let size = GridSize(columns: 80, rows: 24)
        let before = render(state, size: size, glyphs: .unicode)
        let snapshot = IncidentSample.snapshot(at: 61_000, redis: .ok(IncidentSample.redis(clients: 49)),
                                      process: .ok(Build.process(Build.census(clients: 49), ms: 61_000)), log: .ok(IncidentSample.log()))
        _ = update(&state, .snapshot(snapshot))
        _ = update(&state, .tick(Build.time(61_400)))
        let after = render(state, size: size, glyphs: .unicode)
        let changed = after.changedRows(since: before)
        // Header time, the sparkline rows, pane-4 figures and the diagnosis may change; titles, labels, the
        // bottom bar and the empty rows do not.
        #expect(!changed.contains(2))
        #expect(!changed.contains(23))
        #expect(changed.count <= 14, "changed rows: \(changed)")
        for row in 0..<24 where !changed.contains(row) { #expect(after.text(row: row) == before.text(row: row)) }
    }
}
