import AoftopAnalysis
import TextGrid

/// The assessment's headline and remedy, word-wrapped over the rows available; severity sets the role.
enum DiagnosisLine {
    static func draw(_ state: DashboardState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        guard let assessment = state.assessment else {
            grid.write("waiting for the first snapshot" + glyphs.ellipsis, row: 0, column: 0, role: .dim)
            return grid
        }
        let badge = assessment.severity.rawValue.uppercased()
        let role = Drawing.role(for: assessment.severity)
        let badgeWidth = grid.write("\(badge) ", row: 0, column: 0, role: role)
        let text = assessment.diagnosis
        let lines = Drawing.wrap(text, width: size.columns - badgeWidth, maxLines: size.rows, ellipsis: glyphs.ellipsis)
        for (row, line) in lines.enumerated() {
            grid.write(line, row: row, column: badgeWidth, role: role == .ok ? .normal : role)
        }
        return grid
    }
}
