import TextGrid

/// The last row: key hints (role `key` for the keys), then the status message and the recording indicator on
/// the right; in `g` mode, the prompt.
enum BottomBar {
    static func draw(_ state: DashboardState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        let width = size.columns
        if case .goTo(let text) = state.input {
            var column = grid.write("go to (HH:MM:SS, +90s, -5m): ", row: 0, column: 0, role: .header)
            column += grid.write(text, row: 0, column: column, role: .normal)
            column += grid.write("_", row: 0, column: column, role: .selected)
            grid.write("  Enter go  Esc cancel", row: 0, column: column, role: .dim)
            return grid
        }
        var rightEdge = width
        switch state.recording {
        case .off:
            break
        case .recording(let path):
            let text = "\(glyphs.bullet) REC \(Drawing.fit(path, max(8, width / 4), ellipsis: glyphs.ellipsis))"
            rightEdge = grid.writeRightAligned(text, row: 0, rightEdge: rightEdge, role: .critical) - 2
        case .failed:
            rightEdge = grid.writeRightAligned("REC failed", row: 0, rightEdge: rightEdge, role: .warn) - 2
        }
        if let status = state.statusMessage {
            let text = Drawing.fit(status, max(0, min(rightEdge, width / 2)), ellipsis: glyphs.ellipsis)
            rightEdge = grid.writeRightAligned(text, row: 0, rightEdge: rightEdge, role: .warn) - 2
        }
        var column = 0
        for (key, action) in hints(state, glyphs: glyphs) {
            let entry = CharacterWidth.of(key) + 1 + CharacterWidth.of(action)
            guard column + entry <= rightEdge else { break }
            column += grid.write(key, row: 0, column: column, role: .key)
            column += grid.write(" \(action)  ", row: 0, column: column, role: .dim, maxWidth: max(0, rightEdge - column))
        }
        return grid
    }

    static func hints(_ state: DashboardState, glyphs: Glyphs) -> [(String, String)] {
        if state.helpVisible { return [("any key", "closes help")] }
        let unicode = glyphs == .unicode
        switch state.mode {
        case .live:
            var hints = [("q", "quit"), ("space", state.paused ? "resume" : "pause"), ("tab", "focus"),
                         (state.panes.zoomKeys, "zoom"), ("+/-", "interval"), ("r", recordingAction(state)), ("?", "help")]
            if state.returnsToOverview {
                // Esc second, so it stays visible at 80 columns; Tab (in the help screen) goes last, the one cut there.
                hints.insert(("esc", "overview"), at: 1)
                hints.append(hints.remove(at: 3))
            }
            return hints
        case .replay:
            return [("q", "quit"), ("space", state.paused ? "play" : "pause"), (unicode ? "←/→" : "left/right", "step"),
                    ("[/]", "1 min"), ("n/N", "event"), ("g", "go to"), ("</>", "speed"), ("?", "help")]
        }
    }

    static func recordingAction(_ state: DashboardState) -> String {
        if case .recording = state.recording { return "stop rec" }
        return "record"
    }
}
