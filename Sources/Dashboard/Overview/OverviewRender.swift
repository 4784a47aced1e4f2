import AoftopAnalysis
import TextGrid

/// Draws the overview, or the open instance's dashboard. Pure; any size gives a grid of exactly that size;
/// below `OverviewLayout.minimum` (32×6) the table shows only a message saying how big the terminal must be.
public func render(_ state: OverviewState, size: GridSize, glyphs: Glyphs) -> Grid {
    if case .detail(let name) = state.screen, let instance = state.instances[name] {
        return render(instance.dashboard, size: size, glyphs: glyphs)
    }
    guard OverviewLayout.fits(size) else { return Drawing.tooSmall(size, minimum: OverviewLayout.minimum) }
    let layout = OverviewLayout(size: size)
    let rows = state.rows
    var grid = Grid(size: size)
    grid.place(OverviewRenderer.titleBar(state, rows: rows, size: layout.title.size), row: 0, column: 0)
    if state.helpVisible {
        let area = Rect(row: layout.columnTitles.row, column: 0, width: size.columns,
                        height: layout.bottomBar.row - layout.columnTitles.row)
        grid.place(OverviewRenderer.help(state, size: area.size, glyphs: glyphs), row: area.row, column: 0)
    } else {
        let columns = OverviewColumns(rows: rows.map(\.row), width: size.columns)
        OverviewRenderer.table(&grid, state: state, rows: rows, columns: columns, layout: layout, glyphs: glyphs)
        if layout.footer.height > 0 {
            grid.place(OverviewRenderer.footer(rows.first { $0.name == state.selected }, size: layout.footer.size, glyphs: glyphs),
                       row: layout.footer.row, column: 0)
        }
    }
    grid.place(OverviewRenderer.bottomBar(state, size: layout.bottomBar.size, glyphs: glyphs), row: layout.bottomBar.row,
               column: 0)
    return grid
}

enum OverviewRenderer {
    /// `aoftop HOST  3 instances  1 critical  1 warning  1 gone` … time. Whole items only; the host goes first
    /// when the row is too narrow, then the counts from the right.
    static func titleBar(_ state: OverviewState, rows: [OverviewRow], size: GridSize) -> Grid {
        var grid = Grid(size: size)
        let time = state.now.map { Format.timeOfDay($0, offsetSeconds: state.timeZoneOffsetSeconds) } ?? "--:--:--"
        let timeStart = grid.writeRightAligned(time, row: 0, rightEdge: size.columns, role: .normal)
        let live = rows.filter { !$0.gone }
        let count = rows.count
        var items: [(String, CellRole)] = [("  \(count) instance\(count == 1 ? "" : "s")", .normal)]
        let critical = live.filter { $0.row.severity == .critical }.count
        let warning = live.filter { $0.row.severity == .warning }.count
        let gone = rows.count - live.count
        if critical > 0 { items.append(("  \(critical) critical", .critical)) }
        if warning > 0 { items.append(("  \(warning) warning\(warning == 1 ? "" : "s")", .warn)) }
        if gone > 0 { items.append(("  \(gone) gone", .warn)) }
        let available = timeStart - 2
        var host = state.host.isEmpty ? "" : " " + state.host
        func width() -> Int { 6 + CharacterWidth.of(host) + items.reduce(0) { $0 + CharacterWidth.of($1.0) } }
        if width() > available { host = "" }
        while width() > available, items.count > 1 { items.removeLast() }
        var column = grid.write("aoftop", row: 0, column: 0, role: .header, maxWidth: available)
        column += grid.write(host, row: 0, column: column, role: .normal, maxWidth: max(0, available - column))
        for (text, role) in items {
            column += grid.write(text, row: 0, column: column, role: role, maxWidth: max(0, available - column))
        }
        return grid
    }

    static func table(_ grid: inout Grid, state: OverviewState, rows: [OverviewRow], columns: OverviewColumns,
                      layout: OverviewLayout, glyphs: Glyphs) {
        let width = grid.size.columns
        let titleRow = layout.columnTitles.row
        var x = OverviewColumns.markerWidth
        var titlesEnd = 0
        for column in columns.columns {
            var title = column.column.title
            if column.column == .severity, columns.shortSeverity { title = "SEV" }
            titlesEnd = x + grid.write(align(title, column: column.column, width: column.width), row: titleRow, column: x,
                                       role: .header, maxWidth: column.width)
            x += column.width + OverviewColumns.gap
        }
        guard !rows.isEmpty else {
            let text = "no redis-server or valkey-server found; looking again every \(Int(state.rediscoverySeconds)) s"
            for (index, line) in Drawing.wrap(text, width: width - 2, maxLines: layout.table.height, ellipsis: glyphs.ellipsis).enumerated() {
                grid.write(line, row: layout.table.row + index, column: 2, role: .dim)
            }
            return
        }
        let visible = max(0, min(layout.table.height, rows.count - state.top))
        if rows.count > layout.table.height {
            let position = " \(state.top + 1)-\(state.top + visible)/\(rows.count)"
            if titlesEnd + 1 + CharacterWidth.of(position) <= width {
                grid.writeRightAligned(position, row: titleRow, rightEdge: width, role: .dim)
            }
        }
        for offset in 0..<visible {
            let item = rows[state.top + offset]
            let y = layout.table.row + offset
            let selected = item.name == state.selected
            if selected {
                grid.fill(row: y, column: 0, width: width, role: .selected)
                grid.write(">", row: y, column: 0, role: .selected)
            }
            var x = OverviewColumns.markerWidth
            for column in columns.columns {
                var text = item.row[column.column]
                if column.column == .severity, columns.shortSeverity { text = OverviewColumns.short(severity: text) }
                let role = selected && column.column != .severity ? .selected : self.role(item, column: column.column)
                grid.write(fit(text, column: column.column, width: column.width, glyphs: glyphs), row: y, column: x, role: role,
                           maxWidth: column.width)
                x += column.width + OverviewColumns.gap
            }
        }
    }

    /// Numbers right-aligned; INSTANCE cut from the left (the port is what tells local servers apart); the rest
    /// cut with an ellipsis.
    static func fit(_ text: String, column: InstanceColumn, width: Int, glyphs: Glyphs) -> String {
        if CharacterWidth.of(text) > width {
            if column == .instance {
                let ellipsis = glyphs.ellipsis
                let keep = max(0, width - CharacterWidth.of(ellipsis))
                return ellipsis + String(String.UnicodeScalarView(text.unicodeScalars.suffix(keep)))
            }
            return Drawing.fit(text, width, ellipsis: glyphs.ellipsis)
        }
        return align(text, column: column, width: width)
    }

    static func align(_ text: String, column: InstanceColumn, width: Int) -> String {
        column.isNumeric ? Format.right(text, width) : text
    }

    static func role(_ item: OverviewRow, column: InstanceColumn) -> CellRole {
        let row = item.row
        if column == .severity {
            if item.gone { return .warn }
            return row[column].isEmpty ? .dim : Drawing.role(for: row.severity)
        }
        // A short ETA keeps its colour on a greyed row: at exhaustion Redis refuses aoftop too, so the row is
        // degraded exactly when the ETA matters most.
        if column == .eta, !item.gone {
            if row.urgency.etaSeconds == 0 { return .critical }
            if row.urgency.etaSeconds.isFinite { return row.severity == .ok ? .normal : Drawing.role(for: row.severity) }
        }
        if item.degraded || column == .eta { return .dim }
        return .normal
    }

    /// The selected instance's diagnosis in full: `CRITICAL 127.0.0.1:6379: AOF rewrite fork failures leak…`.
    static func footer(_ item: OverviewRow?, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        guard let item else { return grid }
        let badge = item.row[.severity]
        var column = 0
        if !badge.isEmpty {
            column = grid.write(badge + " ", row: 0, column: 0, role: role(item, column: .severity))
        }
        let text = "\(item.name): \(item.row[.diagnosis])"
        for (index, line) in Drawing.wrap(text, width: size.columns - column, maxLines: size.rows, ellipsis: glyphs.ellipsis).enumerated() {
            grid.write(line, row: index, column: column, role: item.degraded ? .dim : .normal)
        }
        return grid
    }

    static func bottomBar(_ state: OverviewState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        // The interval only where the keys still fit beside it.
        let rightEdge = size.columns < 60 ? size.columns
            : grid.writeRightAligned("every \(Format.seconds(state.interval))", row: 0, rightEdge: size.columns, role: .dim) - 2
        let hints: [(String, String)] = state.helpVisible
            ? [("any key", "closes help")]
            : [("q", "quit"), (glyphs == .unicode ? "↑/↓" : "up/down", "select"), ("enter", "open"), ("?", "help")]
        var column = 0
        for (key, action) in hints {
            let entry = CharacterWidth.of(key) + 1 + CharacterWidth.of(action)
            guard column + entry <= rightEdge else { break }
            column += grid.write(key, row: 0, column: column, role: .key)
            column += grid.write(" \(action)  ", row: 0, column: column, role: .dim, maxWidth: max(0, rightEdge - column))
        }
        return grid
    }

    static let keys: [(String, String)] = [
        ("Up Down j k", "select an instance"),
        ("PgUp PgDn", "a page up/down"),
        ("Home End", "most/least urgent"),
        ("Enter", "open its dashboard"),
        ("Esc", "back here from a dashboard"),
        ("q  F10", "quit"),
        ("?  F1", "help; any key closes it"),
    ]

    static func notes(_ state: OverviewState) -> [String] { [
        "Most urgent first: the shortest time to fd exhaustion, then severity, then name. The cursor stays on its instance when the order changes.",
        "Grey rows: Redis or /proc failing, paused, or no recent sample. Servers are looked for again every \(Int(state.rediscoverySeconds)) s; one that went away stays as GONE for \(Int(state.goneRetentionSeconds / 60)) min.",
        "In a dashboard every key works as in aoftop -p PORT; Esc returns here unless it closes help or a zoomed pane.",
    ] }

    static func help(_ state: OverviewState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        grid.fill(row: 0, column: 0, width: size.columns, with: glyphs.horizontal, role: .dim)
        grid.write(" Keys ", row: 0, column: 1, role: .selected)
        for (index, (key, action)) in keys.enumerated() {
            grid.write(key, row: 1 + index, column: 1, role: .key, maxWidth: 12)
            grid.write(action, row: 1 + index, column: 14, maxWidth: max(0, size.columns - 15))
        }
        var row = 2 + keys.count
        for note in notes(state) where row < size.rows {
            for line in Drawing.wrap(note, width: size.columns - 2, maxLines: 3, ellipsis: glyphs.ellipsis) where row < size.rows {
                grid.write(line, row: row, column: 1, role: .dim)
                row += 1
            }
        }
        return grid
    }
}
