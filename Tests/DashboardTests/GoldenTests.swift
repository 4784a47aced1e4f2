import Testing
import TextGrid
@testable import Dashboard

@Suite("Golden grids")
struct GoldenTests {
    static let sizes = [GridSize(columns: 80, rows: 24), GridSize(columns: 120, rows: 40)]

    @Test("Each scenario at 80×24 and 120×40", arguments: Scenario.allCases)
    func scenario(_ scenario: Scenario) throws {
        let state = scenario.state()
        for size in Self.sizes {
            try GoldenFile.assertMatches(render(state, size: size, glyphs: .unicode),
                                         name: "\(scenario.rawValue)-\(size.columns)x\(size.rows)")
        }
    }

    @Test("Tiny terminal: only the size message")
    func tiny() throws {
        let grid = render(Scenario.leak.state(), size: GridSize(columns: 40, rows: 12), glyphs: .unicode)
        try GoldenFile.assertMatches(grid, name: "tiny-40x12")
        #expect(grid.text.contains("aoftop needs at least 60×16 (now 40×12)"))
    }

    @Test("Help screen at 80×24")
    func help() throws {
        var state = Scenario.leak.state()
        _ = update(&state, .key(.character("?")))
        try GoldenFile.assertMatches(render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode), name: "help-80x24")
    }

    @Test("ASCII glyphs for a LANG=C session (leak, 80×24)")
    func ascii() throws {
        let grid = render(Scenario.leak.state(), size: GridSize(columns: 80, rows: 24), glyphs: .ascii)
        try GoldenFile.assertMatches(grid, name: "leak-ascii-80x24")
    }

    @Test("A zoomed pane takes the whole pane area (events, 80×24)")
    func zoomed() throws {
        var state = Scenario.exhausted.state()
        _ = update(&state, .key(.character("3")))
        try GoldenFile.assertMatches(render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode),
                                     name: "exhausted-zoom3-80x24")
    }
}
