import TextGrid

/// A rectangle of cells.
struct Rect: Sendable, Equatable {
    var row: Int
    var column: Int
    var width: Int
    var height: Int

    var size: GridSize { GridSize(columns: width, rows: height) }
}

/// Where everything goes. Rows, top to bottom: header (2), panes (2×2, or one when zoomed), diagnosis (1–3),
/// the replay timeline (1, replay only), the bottom bar (1). The panes take what is left; each pane's first row
/// is its title. Fixed by the terminal size alone, so numbers changing width never move anything.
struct Layout: Sendable, Equatable {
    /// Below this the dashboard shows only a message asking for a bigger terminal.
    static let minimum = GridSize(columns: 60, rows: 16)

    var header: Rect
    var panes: [PaneID: Rect]
    /// The column of the vertical rule between left and right panes (not when zoomed).
    var separatorColumn: Int?
    var paneArea: Rect
    var diagnosis: Rect
    var timeline: Rect?
    var bottomBar: Rect

    static func fits(_ size: GridSize) -> Bool {
        size.columns >= minimum.columns && size.rows >= minimum.rows
    }

    init(size: GridSize, replay: Bool, zoomed: PaneID?) {
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
            separatorColumn = nil
        } else {
            let leftWidth = (columns - 1) / 2
            let rightColumn = leftWidth + 1
            let rightWidth = columns - rightColumn
            let upper = (paneRows + 1) / 2
            let lower = paneRows - upper
            panes = [
                .sockets: Rect(row: top, column: 0, width: leftWidth, height: upper),
                .aof: Rect(row: top, column: rightColumn, width: rightWidth, height: upper),
                .events: Rect(row: top + upper, column: 0, width: leftWidth, height: lower),
                .exhaustion: Rect(row: top + upper, column: rightColumn, width: rightWidth, height: lower),
            ]
            separatorColumn = leftWidth
        }
    }
}
