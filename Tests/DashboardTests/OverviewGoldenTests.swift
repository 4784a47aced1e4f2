import Testing
import TextGrid
@testable import Dashboard

@Suite("Overview golden grids")
struct OverviewGoldenTests {
    @Test("Three instances (exhausted, Redis unreachable, warming up) at 80×24, 120×40 and 40×12")
    func threeInstances() throws {
        let state = OverviewScenario.state()
        for size in [GridSize(columns: 80, rows: 24), GridSize(columns: 120, rows: 40), GridSize(columns: 40, rows: 12)] {
            try GoldenFile.assertMatches(OverviewScenario.grid(state, size), name: "overview-\(size.columns)x\(size.rows)")
        }
    }

    @Test("Overview help at 80×24")
    func help() throws {
        var state = OverviewScenario.state()
        _ = update(&state, .key(.character("?")))
        try GoldenFile.assertMatches(OverviewScenario.grid(state, GridSize(columns: 80, rows: 24)), name: "overview-help-80x24")
    }

    @Test("An instance opened from the overview: its dashboard, with esc overview in the bottom bar (80×24)")
    func detail() throws {
        var state = OverviewScenario.state()
        _ = update(&state, .key(.enter))
        try GoldenFile.assertMatches(OverviewScenario.grid(state, GridSize(columns: 80, rows: 24)), name: "overview-detail-80x24")
    }
}
