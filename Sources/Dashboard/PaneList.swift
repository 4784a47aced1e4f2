/// The one declaration of the dashboard's panes. Their order is the focus order (Tab) and their numbering (zoom
/// keys, titles, hints, help); `columns` lays them out row by row. A new pane is its own file and one entry here.
public struct PaneList: Sendable {
    public static let standard = PaneList(columns: 2, [
        SocketsPane.pane,
        AofPane.pane,
        EventsPane.pane,
        ExhaustionPane.pane,
    ])

    let panes: [Pane]
    let columns: Int

    /// Zoom keys are single digits, so at most nine panes.
    init(columns: Int, _ panes: [Pane]) {
        precondition((1...9).contains(panes.count) && columns >= 1, "1-9 panes in at least one column")
        precondition(Set(panes.map(\.id)).count == panes.count, "pane names must be unique")
        self.panes = panes
        self.columns = columns
    }

    var ids: [PaneID] { panes.map(\.id) }

    /// `1-4` for the bottom bar.
    public var zoomKeys: String { panes.count == 1 ? "1" : "1-\(panes.count)" }

    /// The numbers as separate keys, for the help screen: `1 2 3 4`.
    var zoomKeyList: String { (1...panes.count).map(String.init).joined(separator: " ") }

    /// The ids in rows of `columns`, the last row possibly shorter.
    var rows: [[PaneID]] {
        stride(from: 0, to: panes.count, by: columns).map { Array(ids[$0..<min($0 + columns, panes.count)]) }
    }

    subscript(id: PaneID) -> Pane? { panes.first { $0.id == id } }

    /// 1 for the first pane.
    func number(of id: PaneID) -> Int? { panes.firstIndex { $0.id == id }.map { $0 + 1 } }

    /// The pane a digit key zooms.
    func id(forKey key: Character) -> PaneID? {
        guard let digit = key.wholeNumberValue, key.isASCII, (1...panes.count).contains(digit) else { return nil }
        return panes[digit - 1].id
    }

    func id(after id: PaneID) -> PaneID { step(from: id, by: 1) }

    func id(before id: PaneID) -> PaneID { step(from: id, by: -1) }

    private func step(from id: PaneID, by offset: Int) -> PaneID {
        guard let index = panes.firstIndex(where: { $0.id == id }) else { return panes[0].id }
        return panes[(index + offset + panes.count) % panes.count].id
    }
}
