import TextGrid

/// `?`/F1: every key, in two columns (general, replay), and what to look at.
enum HelpScreen {
    static let general: [(String, String)] = [
        ("q  F10", "quit (also from help)"),
        ("space", "pause/resume (replay: play)"),
        ("Tab S-Tab", "move focus"),
        ("1 2 3 4", "zoom; again or Esc: back"),
        ("Up Down", "scroll events (pane 3)"),
        ("PgUp PgDn", "page events (pane 3)"),
        ("Home End", "newest/oldest event (3)"),
        ("+ -", "interval 0.25-10 s (live)"),
        ("r", "record on/off (live)"),
        ("?  F1", "help; any key closes it"),
    ]

    static let replay: [(String, String)] = [
        ("Left Right", "step one snapshot"),
        ("[ ]", "back/forward 1 minute"),
        ("{ }", "back/forward 10 minutes"),
        ("n N", "next/previous event"),
        ("g", "go to HH:MM:SS/+90s/-5m"),
        ("Home End", "start/end (3 unfocused)"),
        ("< >", "speed /2 x2 (1x-64x)"),
    ]

    static let notes = [
        "Pane 1: pipes rising while client sockets stay flat, held at both ends by Redis, is the redis#2857 leak.",
        "Pane 4: the limit that binds is the event loop (maxclients+128, ERANGE) or RLIMIT_NOFILE (EMFILE).",
        "Timeline: ! fork failure  ^ growth crossed the threshold  X fds exhausted.",
    ]

    static func draw(size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        grid.fill(row: 0, column: 0, width: size.columns, with: glyphs.horizontal, role: .dim)
        grid.write(" Keys ", row: 0, column: 1, role: .selected)
        let half = size.columns / 2
        grid.write("Dashboard", row: 1, column: 1, role: .header)
        grid.write("Replay", row: 1, column: half + 1, role: .header)
        for (column, list) in [(1, general), (half + 1, replay)] {
            for (index, (key, action)) in list.enumerated() {
                grid.write(key, row: 2 + index, column: column, role: .key, maxWidth: 11)
                grid.write(action, row: 2 + index, column: column + 11, maxWidth: half - 12)
            }
        }
        var row = 3 + general.count
        for note in notes where row < size.rows {
            for line in Drawing.wrap(note, width: size.columns - 2, maxLines: 2, ellipsis: glyphs.ellipsis) where row < size.rows {
                grid.write(line, row: row, column: 1, role: .dim)
                row += 1
            }
        }
        return grid
    }
}
