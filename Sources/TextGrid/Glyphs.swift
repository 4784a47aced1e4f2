/// The drawing characters for one terminal: Unicode when the locale is UTF-8, ASCII otherwise
/// (a `LANG=C` ssh session must get a readable screen, not mojibake).
public struct Glyphs: Sendable, Hashable {
    public var horizontal: Unicode.Scalar
    public var vertical: Unicode.Scalar
    public var topLeft: Unicode.Scalar
    public var topRight: Unicode.Scalar
    public var bottomLeft: Unicode.Scalar
    public var bottomRight: Unicode.Scalar
    /// Sparkline levels, lowest first.
    public var sparkline: [Unicode.Scalar]
    public var barFull: Unicode.Scalar
    public var barEmpty: Unicode.Scalar
    /// Marks a threshold on a bar.
    public var barMark: Unicode.Scalar
    public var ellipsis: String
    public var arrowUp: String
    public var arrowDown: String
    public var bullet: Unicode.Scalar
    /// Charts plot in Braille cells (U+2800 block, 2×4 dots each); without them, one mark per cell.
    public var brailleCharts: Bool
    /// Marks a point of note on a chart: where a projection meets its limit.
    public var chartMark: Unicode.Scalar

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        sparkline: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], barFull: "█", barEmpty: "░", barMark: "┃",
        ellipsis: "…", arrowUp: "↑", arrowDown: "↓", bullet: "•", brailleCharts: true, chartMark: "✕")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        sparkline: ["_", ".", "-", "~", "=", "*", "#", "@"], barFull: "#", barEmpty: ".", barMark: "|",
        ellipsis: "~", arrowUp: "^", arrowDown: "v", bullet: "*", brailleCharts: false, chartMark: "X")
}
