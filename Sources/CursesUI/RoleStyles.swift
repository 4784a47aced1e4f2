import TextGrid

/// A foreground colour; the background is always the terminal's own (pair background -1), so the screen reads
/// on light and dark themes alike.
public enum TerminalColor: Int16, Sendable, Hashable, CaseIterable {
    // The ANSI numbers, as `COLOR_RED` etc.; pairs are numbered in this order, so new colours go last.
    case red = 1, green = 2, yellow = 3, cyan = 6, magenta = 5
}

/// Text attributes, independent of ncurses so the table is testable without a terminal.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let underline = TextAttributes(rawValue: 8)
}

/// How one role is drawn.
public struct RoleStyle: Sendable, Hashable {
    public var color: TerminalColor?
    public var attributes: TextAttributes

    public init(color: TerminalColor? = nil, _ attributes: TextAttributes = []) {
        self.color = color
        self.attributes = attributes
    }
}

/// The role → style table for one colour mode.
///
/// Dim text uses `A_DIM` rather than "bright black": in Solarized-like themes colour 8 is the background colour
/// and the text would vanish. Without colour, every role that matters stays distinguishable by attributes alone.
public struct RoleStyles: Sendable, Hashable {
    public let colorMode: ColorMode

    public init(_ colorMode: ColorMode) { self.colorMode = colorMode }

    public func style(for role: CellRole) -> RoleStyle {
        colorMode == .none ? Self.monochrome(role) : Self.colored(role)
    }

    static func colored(_ role: CellRole) -> RoleStyle {
        switch role {
        case .normal: RoleStyle()
        case .dim: RoleStyle(.dim)
        case .header: RoleStyle(.bold)
        case .selected: RoleStyle(.reverse)
        case .ok: RoleStyle(color: .green)
        // Bold makes yellow readable on light backgrounds.
        case .warn: RoleStyle(color: .yellow, .bold)
        case .critical: RoleStyle(color: .red, .bold)
        case .chart: RoleStyle(color: .cyan)
        case .key: RoleStyle(.reverse)
        case .chartSecond: RoleStyle(color: .magenta)
        case .chartThird: RoleStyle(color: .green)
        }
    }

    /// No colour: warn is underlined, critical is bold reverse (the loudest thing a vt100 can do), ok and chart
    /// are plain because they are the normal state; a chart's second series is bold and its third dim, so three
    /// series stay apart.
    static func monochrome(_ role: CellRole) -> RoleStyle {
        switch role {
        case .normal, .ok, .chart: RoleStyle()
        case .dim: RoleStyle(.dim)
        case .header: RoleStyle(.bold)
        case .selected, .key: RoleStyle(.reverse)
        case .warn: RoleStyle([.bold, .underline])
        case .critical: RoleStyle([.bold, .reverse])
        case .chartSecond: RoleStyle(.bold)
        case .chartThird: RoleStyle(.dim)
        }
    }

    /// The colour pair number for `color` (1-based, in `TerminalColor.allCases` order; 0 is the default pair).
    public static func pairNumber(for color: TerminalColor?) -> Int16 {
        guard let color, let index = TerminalColor.allCases.firstIndex(of: color) else { return 0 }
        return Int16(index + 1)
    }
}
