/// One terminal cell: a character and its role.
///
/// A double-width character occupies its cell and the next, which holds `Cell.continuation` so that columns
/// always match the terminal's.
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var role: CellRole

    public init(_ scalar: Unicode.Scalar, _ role: CellRole = .normal) {
        self.scalar = scalar
        self.role = role
    }

    public static let blank = Cell(" ")
    /// Marks the right half of a double-width character; drawn as nothing.
    public static let continuation = Cell("\u{0}")

    public var isContinuation: Bool { scalar == "\u{0}" }
}

/// A terminal size in cells.
public struct GridSize: Sendable, Hashable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public var description: String { "\(columns)×\(rows)" }
}
