import AoftopAnalysis
import TextGrid

/// Small drawing pieces shared by the panes.
enum Drawing {
    /// A sparkline of the last `width` values, right-aligned so that each new sample shifts it by one column.
    /// Scaled between the visible minimum and maximum; a flat series sits on the lowest level; a sample without a
    /// reading is a blank.
    static func sparkline(_ values: [Int?], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let visible = values.suffix(width)
        let known = visible.compactMap { $0 }
        let high = known.max() ?? 0
        let lowest = known.min() // once per sparkline, not once per column (this runs for six series every frame)
        // A minimum span (a quarter of the peak, at least one step per level) keeps 48↔52 clients from
        // swinging the full height, while a leak from 2 to 1,000 pipes still climbs all of it.
        let span = max(lowest.map { high - $0 } ?? 0, glyphs.sparkline.count, high / 4)
        let low = max(0, min(lowest ?? 0, high - span))
        let levels = glyphs.sparkline
        var out = String.UnicodeScalarView()
        for _ in 0..<(width - visible.count) { out.append(" ") }
        for value in visible {
            guard let value, !levels.isEmpty else {
                out.append(" ")
                continue
            }
            let index = high > low && lowest != high ? Int((Double(value - low) / Double(high - low) * Double(levels.count - 1)).rounded()) : 0
            out.append(levels[min(max(0, index), levels.count - 1)])
        }
        return String(out)
    }

    /// A horizontal bar `width` cells wide filled to `fraction` (clipped to 0…1), as full and empty glyphs.
    static func bar(fraction: Double, width: Int, glyphs: Glyphs) -> (filled: Int, text: String) {
        guard width > 0 else { return (0, "") }
        let clipped = fraction.isFinite ? min(max(fraction, 0), 1) : (fraction > 0 ? 1 : 0)
        let filled = Int((clipped * Double(width)).rounded())
        var out = String.UnicodeScalarView()
        for i in 0..<width { out.append(i < filled ? glyphs.barFull : glyphs.barEmpty) }
        return (filled, String(out))
    }

    /// The title row of a pane: `1 Sockets vs pipes ──────── info`.
    static func title(_ grid: inout Grid, _ context: PaneContext, info: String = "", infoRole: CellRole = .dim) {
        let width = grid.size.columns
        grid.fill(row: 0, column: 0, width: width, with: context.glyphs.horizontal, role: .dim)
        let used = grid.write(" \(context.number) \(context.title) ", row: 0, column: 0,
                              role: context.focused ? .selected : .header)
        if !info.isEmpty {
            let text = " \(info) "
            let start = width - 1 - CharacterWidth.of(text)
            if start > used { grid.write(text, row: 0, column: start, role: infoRole) }
        }
    }

    /// `aoftop needs at least 60×16 (now 40×12)`, word-wrapped and centred; clipped at any size.
    static func tooSmall(_ size: GridSize, minimum: GridSize) -> Grid {
        var grid = Grid(size: size)
        guard size.columns > 0, size.rows > 0 else { return grid }
        let text = "aoftop needs at least \(minimum) (now \(size))"
        let lines = wrap(text, width: size.columns, maxLines: size.rows, ellipsis: "")
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let column = max(0, (size.columns - CharacterWidth.of(line)) / 2)
            grid.write(line, row: top + index, column: column, role: .warn)
        }
        return grid
    }

    /// Greedy word wrap into at most `maxLines` lines of `width` columns; the last line ends with `ellipsis` when
    /// text is left over.
    static func wrap(_ text: String, width: Int, maxLines: Int, ellipsis: String) -> [String] {
        guard width > 0, maxLines > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)[...]
        while let word = words.first {
            let candidate = current.isEmpty ? word : current + " " + word
            if CharacterWidth.of(candidate) <= width {
                current = candidate
                words = words.dropFirst()
                continue
            }
            if current.isEmpty {
                // A word longer than the line: cut it.
                current = cut(word, width)
                words = words.dropFirst()
            }
            lines.append(current)
            current = ""
            if lines.count == maxLines { break }
        }
        if lines.count < maxLines, !current.isEmpty {
            lines.append(current)
            current = ""
        }
        if !words.isEmpty || !current.isEmpty, let last = lines.last {
            lines[lines.count - 1] = cut(last, width - CharacterWidth.of(ellipsis)) + ellipsis
        }
        return lines
    }

    /// `text` cut to `width` columns.
    static func cut(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let w = CharacterWidth.of(scalar)
            if used + w > width { break }
            out.append(scalar)
            used += w
        }
        return String(out)
    }

    /// `text` cut to `width` columns with an ellipsis when it does not fit.
    static func fit(_ text: String, _ width: Int, ellipsis: String) -> String {
        CharacterWidth.of(text) <= width ? text : cut(text, width - CharacterWidth.of(ellipsis)) + ellipsis
    }

    static func role(for severity: Severity) -> CellRole {
        switch severity {
        case .ok: .ok
        case .warning: .warn
        case .critical: .critical
        case .unknown: .dim
        }
    }

    /// Dims every cell of rows `from...` (a failed source's pane keeps its layout but reads as stale).
    static func dim(_ grid: inout Grid, from row: Int) {
        guard row < grid.size.rows else { return }
        for y in max(0, row)..<grid.size.rows { grid.setRole(.dim, row: y, column: 0, width: grid.size.columns) }
    }
}
