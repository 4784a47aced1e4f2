import TextGrid

/// A rectangle of cells.
struct Rect: Sendable, Equatable {
    var row: Int
    var column: Int
    var width: Int
    var height: Int

    var size: GridSize { GridSize(columns: width, rows: height) }
}

/// Where everything goes. Rows, top to bottom: header (2), panes (as the `PaneList` arranges them, or one when
/// zoomed), diagnosis (1–3),
/// the replay timeline (1, replay only), the bottom bar (1). The panes take what is left; each pane's first row
/// is its title. Fixed by the terminal size alone, so numbers changing width never move anything.
struct Layout: Sendable, Equatable {
    /// Below this the dashboard shows only a message asking for a bigger terminal.
    static let minimum = GridSize(columns: 60, rows: 16)

    var header: Rect
    var panes: [PaneID: Rect]
    /// The one-column vertical rules between panes side by side (none when zoomed).
    var separators: [Rect]
    var paneArea: Rect
    var diagnosis: Rect
    var timeline: Rect?
    var bottomBar: Rect

    static func fits(_ size: GridSize) -> Bool {
        size.columns >= minimum.columns && size.rows >= minimum.rows
    }

    init(size: GridSize, replay: Bool, zoomed: PaneID?, panes list: PaneList) {
        let columns = max(size.columns, Self.minimum.columns)
        let rows = max(size.rows, Self.minimum.rows)
        header = Rect(row: 0, column: 0, width: columns, height: 2)
        bottomBar = Rect(row: rows - 1, column: 0, width: columns, height: 1)
        var bottom = rows - 1
        if replay {
            timeline = Rect(row: rows - 2, column: 0, width: columns, height: 1)
            bottom -= 1
        } else {
            timeline = nil
        }
        let diagnosisRows = rows >= 22 ? 3 : rows >= 18 ? 2 : 1
        diagnosis = Rect(row: bottom - diagnosisRows, column: 0, width: columns, height: diagnosisRows)
        let top = header.height
        let paneRows = diagnosis.row - top
        paneArea = Rect(row: top, column: 0, width: columns, height: paneRows)
        if let zoomed {
            panes = [zoomed: paneArea]
            separators = []
        } else {
            (panes, separators) = Self.arrange(list.rows, in: paneArea)
        }
    }

    /// Rows share the height and panes in a row share the width, one column per rule between them; leftover rows
    /// go to the upper rows and leftover columns to the right-hand panes.
    private static func arrange(_ rows: [[PaneID]], in area: Rect) -> ([PaneID: Rect], [Rect]) {
        var panes: [PaneID: Rect] = [:]
        var separators: [Rect] = []
        let heights = shares(area.height, rows.count, extraFirst: true)
        var top = area.row
        for (ids, height) in zip(rows, heights) {
            let widths = shares(area.width - (ids.count - 1), ids.count, extraFirst: false)
            var column = area.column
            for (index, (id, width)) in zip(ids, widths).enumerated() {
                if index > 0 {
                    separators.append(Rect(row: top, column: column, width: 1, height: height))
                    column += 1
                }
                panes[id] = Rect(row: top, column: column, width: width, height: height)
                column += width
            }
            top += height
        }
        return (panes, separators)
    }

    /// `total` split into `count` near-equal parts, the remainder one each to the first or the last parts.
    private static func shares(_ total: Int, _ count: Int, extraFirst: Bool) -> [Int] {
        let base = total / count
        let extra = total % count
        return (0..<count).map { index in
            base + ((extraFirst ? index < extra : index >= count - extra) ? 1 : 0)
        }
    }
}
