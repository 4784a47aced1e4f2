/// A plotting surface over `columns`×`rows` cells, addressed in dots from the bottom left: 2×4 Braille dots per
/// cell (U+2800 block) when `braille`, else one dot per cell, drawn as the mark of its ink (an ASCII terminal).
///
/// A cell takes the role, and without Braille the mark, of the last ink plotted into it, so the most important
/// layer goes last; the Braille dots of every layer in a cell are kept.
public struct DotCanvas: Sendable {
    /// How one layer's dots look.
    public struct Ink: Sendable, Hashable {
        public var role: CellRole
        /// The character of a dot without Braille.
        public var mark: Unicode.Scalar

        public init(role: CellRole, mark: Unicode.Scalar) {
            self.role = role
            self.mark = mark
        }
    }

    /// The bit of each dot, by column and row from the top: the Braille block numbers dots 1-2-3 down the left
    /// column, 4-5-6 down the right, then 7 and 8 below them.
    private static let brailleBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    public let columns: Int
    public let rows: Int
    public let braille: Bool
    private var dots: [UInt8]
    private var inks: [Ink?]

    public init(columns: Int, rows: Int, braille: Bool) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        self.braille = braille
        dots = Array(repeating: 0, count: self.columns * self.rows)
        inks = Array(repeating: nil, count: self.columns * self.rows)
    }

    public var dotsPerColumn: Int { braille ? 2 : 1 }
    public var dotsPerRow: Int { braille ? 4 : 1 }
    /// Width and height in dots.
    public var width: Int { columns * dotsPerColumn }
    public var height: Int { rows * dotsPerRow }

    /// The cell holding dot (`x`, `y`): its column, and its row counted from the top.
    public func cell(x: Int, y: Int) -> (column: Int, row: Int) {
        (x / dotsPerColumn, rows - 1 - y / dotsPerRow)
    }

    /// Sets one dot; dots outside the canvas are ignored.
    public mutating func plot(x: Int, y: Int, _ ink: Ink) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let (column, row) = cell(x: x, y: y)
        let index = row * columns + column
        if braille { dots[index] |= Self.brailleBits[x % 2][3 - y % 4] }
        inks[index] = ink
    }

    /// The dots of a straight line from (`x0`, `y0`) to (`x1`, `y1`), both ends included (Bresenham). With
    /// `every` n > 1 only every n-th dot after the first: a dotted line that continues one drawn to its start.
    public mutating func line(from x0: Int, _ y0: Int, to x1: Int, _ y1: Int, _ ink: Ink, every: Int = 1) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var x = x0, y = y0, error = dx + dy, step = 0
        while true {
            if (step + 1) % max(1, every) == 0 { plot(x: x, y: y, ink) }
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += sx
            }
            if doubled <= dx {
                error += dx
                y += sy
            }
            step += 1
        }
    }

    /// Writes the plotted cells into `grid` with the canvas's top-left cell at (`row`, `column`), clipped;
    /// cells without dots are left as they are.
    public func draw(into grid: inout Grid, row: Int, column: Int) {
        for r in 0..<rows {
            for c in 0..<columns {
                let index = r * columns + c
                guard let ink = inks[index] else { continue }
                let y = row + r, x = column + c
                guard y >= 0, y < grid.size.rows, x >= 0, x < grid.size.columns else { continue }
                let scalar = braille ? Unicode.Scalar(0x2800 + UInt32(dots[index]))! : ink.mark
                grid[y, x] = Cell(scalar, ink.role)
            }
        }
    }
}
