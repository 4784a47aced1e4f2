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

    @Test("Pane 1 zoomed: the socket breakdown under the series (healthy, 80×24)")
    func socketsZoomed() throws {
        var state = Scenario.healthy.state()
        _ = update(&state, .key(.character("1")))
        let grid = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        try GoldenFile.assertMatches(grid, name: "healthy-zoom1-80x24")
        #expect(grid.text.contains("peers   10.0.0.7 30 63% · 10.0.0.8 12 25% · 10.0.0.9 5 10% · 10.0.0.21 1 2%"))
    }

    @Test("Pane 4 zoomed: the fd chart with the ETA projected (leak, 80×24 and ASCII)")
    func chartZoomed() throws {
        var state = Scenario.leak.state()
        _ = update(&state, .key(.character("4")))
        try GoldenFile.assertMatches(render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode),
                                     name: "leak-zoom4-80x24")
        try GoldenFile.assertMatches(render(state, size: GridSize(columns: 80, rows: 24), glyphs: .ascii),
                                     name: "leak-zoom4-ascii-80x24")
    }
}
