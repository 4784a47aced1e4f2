/// What a cell means, not how it looks: the terminal layer maps roles to colours and attributes
/// (or to nothing under `NO_COLOR`), and golden tests compare roles without a terminal.
public enum CellRole: UInt8, Sendable, Hashable, CaseIterable {
    case normal
    /// Secondary text: labels, units, stale or not-recorded values.
    case dim
    /// Pane titles and column headers.
    case header
    /// The focused pane's title, the selected row.
    case selected
    case ok
    case warn
    case critical
    /// Bars, gauges and sparklines in their normal state.
    case chart
    /// The key hints of the bottom bar.
    case key
    /// The second and third series of a chart whose first series is `chart`: one role each, so they stay
    /// apart in colour (and in attributes without it).
    case chartSecond
    case chartThird

    /// One letter per role for golden files: `.` normal, `d` dim, `h` header, `s` selected, `o` ok, `w` warn,
    /// `c` critical, `g` chart (graph), `k` key, `2` and `3` the second and third chart series.
    public var goldenLetter: Character {
        switch self {
        case .normal: "."
        case .dim: "d"
        case .header: "h"
        case .selected: "s"
        case .ok: "o"
        case .warn: "w"
        case .critical: "c"
        case .chart: "g"
        case .key: "k"
        case .chartSecond: "2"
        case .chartThird: "3"
        }
    }

    public init?(goldenLetter: Character) {
        guard let role = Self.allCases.first(where: { $0.goldenLetter == goldenLetter }) else { return nil }
        self = role
    }
}
