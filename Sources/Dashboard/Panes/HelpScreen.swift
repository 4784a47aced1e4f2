import TextGrid

/// `?`/F1: every key, in two columns (general, replay), and what to look at. Pane numbers come from the
/// `PaneList`, so the text follows any change to the panes.
enum HelpScreen {
    static func general(_ panes: PaneList) -> [(String, String)] {
        let events = eventsPaneNumber(panes)
        return [
            ("q  F10", "quit (also from help)"),
            ("space", "pause/resume (replay: play)"),
            ("Tab S-Tab", "move focus"),
            (panes.zoomKeyList, "zoom; again or Esc: back"),
            ("Up Down", "scroll events (pane \(events))"),
            ("PgUp PgDn", "page events (pane \(events))"),
            ("Home End", "newest/oldest event (\(events))"),
            ("+ -", "interval 0.25-10 s (live)"),
            ("r", "record on/off (live)"),
            ("?  F1", "help; any key closes it"),
        ]
    }

    static func replay(_ panes: PaneList) -> [(String, String)] {
        [
            ("Left Right", "step one snapshot"),
            ("[ ]", "back/forward 1 minute"),
            ("{ }", "back/forward 10 minutes"),
            ("n N", "next/previous event"),
            ("g", "go to HH:MM:SS/+90s/-5m"),
            ("Home End", "start/end (\(eventsPaneNumber(panes)) unfocused)"),
            ("< >", "speed /2 x2 (1x-64x)"),
        ]
    }

    static func notes(_ panes: PaneList) -> [String] {
        let paneNotes = panes.panes.enumerated().compactMap { index, pane in
            pane.helpNote.map { "Pane \(index + 1): \($0)" }
        }
        return paneNotes + ["Timeline: ! fork failure  ^ growth crossed the threshold  X fds exhausted."]
    }

    /// The scroll keys act on the events pane wherever the list puts it.
    private static func eventsPaneNumber(_ panes: PaneList) -> String {
        panes.number(of: .events).map(String.init) ?? "-"
    }

    static func draw(panes: PaneList, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        grid.fill(row: 0, column: 0, width: size.columns, with: glyphs.horizontal, role: .dim)
        grid.write(" Keys ", row: 0, column: 1, role: .selected)
        let half = size.columns / 2
        grid.write("Dashboard", row: 1, column: 1, role: .header)
        grid.write("Replay", row: 1, column: half + 1, role: .header)
        let general = general(panes)
        for (column, list) in [(1, general), (half + 1, replay(panes))] {
            for (index, (key, action)) in list.enumerated() {
                grid.write(key, row: 2 + index, column: column, role: .key, maxWidth: 11)
                grid.write(action, row: 2 + index, column: column + 11, maxWidth: half - 12)
            }
        }
        var row = 3 + general.count
        for note in notes(panes) where row < size.rows {
            for line in Drawing.wrap(note, width: size.columns - 2, maxLines: 2, ellipsis: glyphs.ellipsis) where row < size.rows {
                grid.write(line, row: row, column: 1, role: .dim)
                row += 1
            }
        }
        return grid
    }
}
