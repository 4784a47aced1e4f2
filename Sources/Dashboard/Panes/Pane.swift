import TextGrid

/// Names a pane. Its number, which is also its zoom key, is its place in the `PaneList`, so the name stays put
/// when panes are added or reordered.
public struct PaneID: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }
}

/// Everything the dashboard needs to know about one pane; each pane's file declares its own.
struct Pane: Sendable {
    var id: PaneID
    var title: String
    /// What to look at in this pane, shown in the help screen as `Pane N: note`.
    var helpNote: String?
    var draw: @Sendable (PaneContext, GridSize) -> Grid
}
