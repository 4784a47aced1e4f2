import AoftopAnalysis
import TextGrid

/// Draws the whole screen from the state. Pure; any size, including 0×0, gives a grid of exactly that size.
/// Below `Layout.minimum` (60×16) it shows only a centred message saying how big the terminal must be.
public func render(_ state: DashboardState, size: GridSize, glyphs: Glyphs) -> Grid {
    guard Layout.fits(size) else { return Drawing.tooSmall(size, minimum: Layout.minimum) }
    var grid = Grid(size: size)
    let layout = Layout(size: size, replay: state.mode == .replay, zoomed: state.zoomed, panes: state.panes)
    grid.place(HeaderBar.draw(state, size: layout.header.size, glyphs: glyphs), row: layout.header.row,
               column: layout.header.column)
    if state.helpVisible {
        let area = Rect(row: layout.paneArea.row, column: 0, width: size.columns,
                        height: layout.paneArea.height + layout.diagnosis.height)
        grid.place(HelpScreen.draw(panes: state.panes, size: area.size, glyphs: glyphs), row: area.row, column: area.column)
    } else {
        for (id, rect) in layout.panes {
            guard let pane = state.panes[id], let number = state.panes.number(of: id) else { continue }
            let context = PaneContext(state: state, glyphs: glyphs, focused: state.focus == id, number: number,
                                      title: pane.title)
            grid.place(pane.draw(context, rect.size), row: rect.row, column: rect.column)
        }
        for separator in layout.separators {
            for row in separator.row..<(separator.row + separator.height) {
                let isTitleRow = layout.panes.values.contains { $0.row == row }
                grid[row, separator.column] = Cell(isTitleRow ? glyphs.horizontal : glyphs.vertical, .dim)
            }
        }
        grid.place(DiagnosisLine.draw(state, size: layout.diagnosis.size, glyphs: glyphs), row: layout.diagnosis.row,
                   column: 0)
    }
    if let timeline = layout.timeline {
        grid.place(TimelineBar.draw(state, size: timeline.size, glyphs: glyphs), row: timeline.row, column: 0)
    }
    grid.place(BottomBar.draw(state, size: layout.bottomBar.size, glyphs: glyphs), row: layout.bottomBar.row, column: 0)
    return grid
}
