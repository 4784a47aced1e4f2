/// A screen's worth of cells, computed by pure code and drawn by the terminal layer.
///
/// Every write clips at the grid's edges (and at an optional width), so a pane can never draw outside its box
/// whatever the terminal size; tests read the grid as text and roles without a terminal.
public struct Grid: Sendable, Hashable {
    public let size: GridSize
    public private(set) var cells: [Cell]

    public init(size: GridSize, fill: Cell = .blank) {
        self.size = size
        self.cells = Array(repeating: fill, count: size.columns * size.rows)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * size.columns + column] }
        set { cells[row * size.columns + column] = newValue }
    }

    /// Writes `text` from (`row`, `column`), clipped to the grid and to `maxWidth` columns; returns the columns used.
    /// Control characters become `?`; a wide character that does not fit is replaced by a space.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, role: CellRole = .normal, maxWidth: Int? = nil) -> Int {
        guard row >= 0, row < size.rows, column < size.columns else { return 0 }
        let limit = min(size.columns, maxWidth.map { column + max(0, $0) } ?? size.columns)
        var x = column
        for scalar in text.unicodeScalars {
            if x >= limit { break }
            var scalar = scalar
            var width = CharacterWidth.of(scalar)
            if width == 0 {
                if scalar.value >= 0x20 && !(scalar.value >= 0x7F && scalar.value < 0xA0) { continue } // combining mark
                scalar = "?"
                width = 1
            }
            if x < 0 {
                x += width
                continue
            }
            if width == 2 {
                guard x + 1 < limit else {
                    self[row, x] = Cell(" ", role)
                    x += 1
                    break
                }
                self[row, x] = Cell(scalar, role)
                self[row, x + 1] = .continuation
            } else {
                self[row, x] = Cell(scalar, role)
            }
            x += width
        }
        return max(0, x - max(column, 0))
    }

    /// Writes `text` so that it ends at column `rightEdge` (exclusive); returns the starting column.
    @discardableResult
    public mutating func writeRightAligned(_ text: String, row: Int, rightEdge: Int, role: CellRole = .normal) -> Int {
        let start = rightEdge - CharacterWidth.of(text)
        write(text, row: row, column: start, role: role, maxWidth: rightEdge - start)
        return start
    }

    /// Fills `width` cells of `row` from `column` with `scalar`.
    public mutating func fill(row: Int, column: Int, width: Int, with scalar: Unicode.Scalar = " ", role: CellRole = .normal) {
        guard row >= 0, row < size.rows else { return }
        let start = max(0, column), end = min(size.columns, column + width)
        guard start < end else { return }
        for x in start..<end { self[row, x] = Cell(scalar, role) }
    }

    /// Sets the role of `width` cells without changing their characters (highlights).
    public mutating func setRole(_ role: CellRole, row: Int, column: Int, width: Int) {
        guard row >= 0, row < size.rows else { return }
        let start = max(0, column), end = min(size.columns, column + width)
        guard start < end else { return }
        for x in start..<end { self[row, x].role = role }
    }

    /// Copies `other` into this grid with its top-left corner at (`row`, `column`), clipped.
    public mutating func place(_ other: Grid, row: Int, column: Int) {
        for y in 0..<other.size.rows where row + y >= 0 && row + y < size.rows {
            for x in 0..<other.size.columns where column + x >= 0 && column + x < size.columns {
                self[row + y, column + x] = other[y, x]
            }
        }
    }

    /// The characters of one row (continuation cells omitted), trailing spaces kept.
    public func text(row: Int) -> String {
        var result = String.UnicodeScalarView()
        for x in 0..<size.columns where !self[row, x].isContinuation { result.append(self[row, x].scalar) }
        return String(result)
    }

    /// One golden letter per column (see `CellRole.goldenLetter`).
    public func roles(row: Int) -> String {
        String((0..<size.columns).map { self[row, $0].role.goldenLetter })
    }

    /// All rows, newline-separated: what a person would see.
    public var text: String { (0..<size.rows).map { text(row: $0) }.joined(separator: "\n") }

    /// The golden form: the text rows, a line `--`, then the role rows.
    public var golden: String {
        (0..<size.rows).map { text(row: $0) }.joined(separator: "\n") + "\n--\n"
            + (0..<size.rows).map { roles(row: $0) }.joined(separator: "\n") + "\n"
    }

    /// Rows that differ from `previous` (all rows when the sizes differ): what the terminal layer redraws.
    public func changedRows(since previous: Grid?) -> [Int] {
        guard let previous, previous.size == size else { return Array(0..<size.rows) }
        return (0..<size.rows).filter { row in
            let start = row * size.columns
            return cells[start..<start + size.columns] != previous.cells[start..<start + size.columns]
        }
    }
}
