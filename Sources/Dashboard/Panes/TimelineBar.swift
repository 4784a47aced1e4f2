import AoftopModel
import TextGrid

/// Replay only: `▶ 8×  22:13:20 ───!──┃──X─── 22:43:20`: play state, speed, position, the track with event
/// markers (`!` fork failure, `^` threshold crossing, `X` exhaustion) and the end.
enum TimelineBar {
    static func draw(_ state: DashboardState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        guard let timeline = state.timeline else {
            grid.write("no timeline yet", row: 0, column: 0, role: .dim)
            return grid
        }
        let offset = state.timeZoneOffsetSeconds
        let play = timeline.playing && !state.paused ? (glyphs == .unicode ? "▶" : ">") : (glyphs == .unicode ? "‖" : "=")
        var column = grid.write("\(play) \(Format.right(Format.speed(timeline.speed), 3))  ", row: 0, column: 0,
                                role: timeline.playing ? .ok : .warn)
        column += grid.write(Format.timeOfDay(timeline.position, offsetSeconds: offset), row: 0, column: column,
                             role: .selected)
        let elapsed = "+" + Format.duration(timeline.position.seconds(since: timeline.start)).replacing(" ", with: "")
        column += grid.write(" \(Format.left(elapsed, 7))  ", row: 0, column: column, role: .dim)
        let end = " " + Format.timeOfDay(timeline.end, offsetSeconds: offset)
        let start = Format.timeOfDay(timeline.start, offsetSeconds: offset) + " "
        let endStart = grid.writeRightAligned(end, row: 0, rightEdge: size.columns, role: .dim)
        column += grid.write(start, row: 0, column: column, role: .dim)
        let trackWidth = endStart - column
        guard trackWidth >= 3 else { return grid }
        grid.fill(row: 0, column: column, width: trackWidth, with: glyphs.horizontal, role: .dim)
        let span = Double(max(1, timeline.end.millisecondsSince1970 - timeline.start.millisecondsSince1970))
        func cell(_ time: Timestamp) -> Int {
            let fraction = Double(time.millisecondsSince1970 - timeline.start.millisecondsSince1970) / span
            return column + Int((min(max(fraction, 0), 1) * Double(trackWidth - 1)).rounded())
        }
        // One pass per kind in rising priority, so an exhaustion marker wins a shared cell (no per-frame sort of
        // up to 5,000 markers while a replay redraws ten times a second).
        for kind in [TimelineMarker.Kind.thresholdCrossing, .forkFailure, .exhaustion] {
            let (symbol, role) = self.symbol(kind)
            for marker in timeline.markers where marker.kind == kind { grid[0, cell(marker.time)] = Cell(symbol, role) }
        }
        grid[0, cell(timeline.position)] = Cell(glyphs.barMark, .selected)
        return grid
    }

    static func symbol(_ kind: TimelineMarker.Kind) -> (Unicode.Scalar, CellRole) {
        switch kind {
        case .thresholdCrossing: ("^", .warn)
        case .forkFailure: ("!", .warn)
        case .exhaustion: ("X", .critical)
        }
    }
}
