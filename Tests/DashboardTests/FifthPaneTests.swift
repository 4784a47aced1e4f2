import Testing
import TextGrid
@testable import Dashboard

extension PaneID {
    static let probe = PaneID("probe")
}

/// A pane that exists only in this test, declared the way a real pane is: an id, a title, a help note, a draw
/// function. Nothing else in the dashboard is told about it.
private enum ProbePane {
    static let pane = Pane(id: .probe, title: "Probe", helpNote: "declared only in a test.", draw: draw)

    static func draw(_ context: PaneContext, size: GridSize) -> Grid {
        var grid = Grid(size: size)
        Drawing.title(&grid, context)
        grid.write("probe body", row: 1, column: 0)
        return grid
    }
}

/// Three columns: sockets, aof, events on top; exhaustion and the probe below.
private let fivePanes = PaneList(columns: 3, PaneList.standard.panes + [ProbePane.pane])

@Suite("A fifth pane from its declaration alone")
struct FifthPaneTests {
    static let size = GridSize(columns: 80, rows: 24)

    @Test("Tab and Shift-Tab visit the fifth pane in list order")
    func focusOrder() {
        var state = DashboardState(mode: .live, panes: fivePanes)
        var visited = [state.focus]
        for _ in 0..<5 {
            _ = update(&state, .key(.tab))
            visited.append(state.focus)
        }
        #expect(visited == [.sockets, .aof, .events, .exhaustion, .probe, .sockets])
        _ = update(&state, .key(.backTab))
        #expect(state.focus == .probe)
    }

    @Test("5 zooms the fifth pane and focuses it; again unzooms; 6 is no pane")
    func zoomKey() {
        var state = DashboardState(mode: .live, panes: fivePanes)
        _ = update(&state, .key(.character("5")))
        #expect(state.zoomed == .probe && state.focus == .probe)
        let grid = render(state, size: Self.size, glyphs: .unicode)
        #expect(grid.text(row: 2).hasPrefix(" 5 Probe ─"))
        #expect(grid.text(row: 3).hasPrefix("probe body"))
        _ = update(&state, .key(.character("5")))
        #expect(state.zoomed == nil)
        _ = update(&state, .key(.character("6")))
        #expect(state.zoomed == nil)

        var standard = DashboardState(mode: .live)
        _ = update(&standard, .key(.character("5")))
        #expect(standard.zoomed == nil)
    }

    @Test("The bottom bar and the help screen number five panes")
    func hintsAndHelp() {
        var state = DashboardState(mode: .live, panes: fivePanes)
        #expect(BottomBar.hints(state, glyphs: .unicode).contains { $0 == ("1-5", "zoom") })
        #expect(render(state, size: Self.size, glyphs: .unicode).text(row: 23).contains("1-5 zoom"))
        _ = update(&state, .key(.character("?")))
        let help = render(state, size: Self.size, glyphs: .unicode).text
        #expect(help.contains("1 2 3 4 5  zoom; again or Esc: back"))
        #expect(help.contains("scroll events (pane 3)"))
        #expect(help.contains("Pane 1: pipes rising"))
        #expect(help.contains("Pane 4: the limit that binds"))
        #expect(help.contains("Pane 5: declared only in a test."))
    }

    @Test("Three columns: every pane shown, side by side with rules between, rows filling the pane area")
    func layout() {
        let layout = Layout(size: Self.size, replay: false, zoomed: nil, panes: fivePanes)
        #expect(Set(layout.panes.keys) == Set(fivePanes.ids))
        let top = [PaneID.sockets, .aof, .events].compactMap { layout.panes[$0] }
        let bottom = [PaneID.exhaustion, .probe].compactMap { layout.panes[$0] }
        #expect(top.count == 3 && bottom.count == 2)
        #expect(top.map(\.width).reduce(0, +) + 2 == Self.size.columns)
        #expect(bottom.map(\.width).reduce(0, +) + 1 == Self.size.columns)
        #expect(top.allSatisfy { $0.row == layout.paneArea.row })
        #expect(bottom.allSatisfy { $0.row == top[0].row + top[0].height })
        #expect(top[0].height + bottom[0].height == layout.paneArea.height)
        #expect(layout.separators.count == 3)

        let state = DashboardState(mode: .live, panes: fivePanes)
        let grid = render(state, size: Self.size, glyphs: .unicode)
        let titles = [(PaneID.sockets, " 1 Sockets vs pipes"), (.aof, " 2 AOF growth"), (.events, " 3 Fork failures"),
                      (.exhaustion, " 4 fd exhaustion"), (.probe, " 5 Probe")]
        for (id, title) in titles {
            guard let rect = layout.panes[id] else { continue }
            let row = grid.text(row: rect.row)
            let start = row.unicodeScalars.index(row.unicodeScalars.startIndex, offsetBy: rect.column)
            #expect(String(row.unicodeScalars[start...]).hasPrefix(title), "\(id)")
        }
    }
}
