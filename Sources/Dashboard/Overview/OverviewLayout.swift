import AoftopAnalysis
import TextGrid

/// Where the overview's parts go. Rows: the title bar, the column titles, the table, the selected instance's
/// diagnosis in full (2 rows from 20 rows up, 1 from 12, none below), the bottom bar. Fixed by the size alone.
struct OverviewLayout: Sendable, Equatable {
    /// Below this only a message asking for a bigger terminal is shown.
    static let minimum = GridSize(columns: 32, rows: 6)

    var title: Rect
    var columnTitles: Rect
    var table: Rect
    var footer: Rect
    var bottomBar: Rect

    static func fits(_ size: GridSize) -> Bool {
        size.columns >= minimum.columns && size.rows >= minimum.rows
    }

    init(size: GridSize) {
        let columns = max(size.columns, Self.minimum.columns)
        let rows = max(size.rows, Self.minimum.rows)
        title = Rect(row: 0, column: 0, width: columns, height: 1)
        columnTitles = Rect(row: 1, column: 0, width: columns, height: 1)
        bottomBar = Rect(row: rows - 1, column: 0, width: columns, height: 1)
        let footerRows = rows >= 20 ? 2 : rows >= 12 ? 1 : 0
        footer = Rect(row: rows - 1 - footerRows, column: 0, width: columns, height: footerRows)
        table = Rect(row: 2, column: 0, width: columns, height: footer.row - 2)
    }
}

/// Which of `InstanceRow`'s columns the overview shows at a width, and how wide each is.
///
/// INSTANCE, PIPES, ETA and SEVERITY always stay (INSTANCE is cut from the left, keeping the port, and SEVERITY
/// shortens to four letters before anything is lost). The others are added in this order until one does not fit:
/// SOCKETS (the other half of "sockets vs pipes"), DIAGNOSIS (the only column that says what is wrong; it then
/// takes all the width left over), FDS/LIMIT, VERSION, PID, BINDS, PORTS (mostly the port in the name again).
/// Widths have floors wide enough for typical values, so numbers growing a digit rarely move a column.
struct OverviewColumns: Sendable, Equatable {
    struct Column: Sendable, Equatable {
        var index: Int
        var width: Int
    }

    static let markerWidth = 2
    static let gap = 2
    static let required = [0, 5, 8, 9]
    static let priority = [4, 10, 6, 3, 1, 7, 2]
    static let floors: [Int: Int] = [1: 7, 2: 5, 3: 7, 4: 7, 5: 5, 6: 11, 7: 10, 8: 9, 9: 8]
    static let instanceRange = 10...28
    static let instanceNarrowest = 6
    /// DIAGNOSIS is shown only with at least this many columns, and given up to `diagnosisTarget` before the
    /// lower-priority columns get theirs.
    static let diagnosisMinimum = 16
    static let diagnosisTarget = 36

    var columns: [Column]
    /// SEVERITY as `CRIT`/`WARN`/`OK`/`UNKN`/`GONE`.
    var shortSeverity: Bool

    var indices: [Int] { columns.map(\.index) }

    init(rows: [InstanceRow], width: Int) {
        let titles = InstanceRow.titles
        func natural(_ index: Int) -> Int {
            let widest = rows.map { CharacterWidth.of($0.cells[index]) }.max() ?? 0
            return max(CharacterWidth.of(titles[index]), widest, Self.floors[index] ?? 0)
        }
        var widths: [Int: Int] = [:]
        for index in Self.required { widths[index] = natural(index) }
        widths[0] = min(widths[0]!, Self.instanceRange.upperBound)
        func used() -> Int { Self.markerWidth + widths.values.reduce(0, +) + Self.gap * (widths.count - 1) }

        var short = false
        if used() > width { widths[0] = max(Self.instanceRange.lowerBound, widths[0]! - (used() - width)) }
        if used() > width {
            short = true
            widths[9] = 4
        }
        if used() > width { widths[0] = max(Self.instanceNarrowest, widths[0]! - (used() - width)) }

        // A prefix of the priority order: a wider terminal only ever adds columns.
        var diagnosis = false
        for index in Self.priority {
            if index == 10 {
                let room = width - used() - Self.gap
                guard room >= Self.diagnosisMinimum else { break }
                widths[10] = min(room, Self.diagnosisTarget)
                diagnosis = true
            } else {
                let wanted = natural(index)
                guard used() + Self.gap + wanted <= width else { break }
                widths[index] = wanted
            }
        }
        if diagnosis { widths[10]! += max(0, width - used()) }
        columns = widths.keys.sorted().map { Column(index: $0, width: widths[$0]!) }
        shortSeverity = short
    }

    /// `CRITICAL` → `CRIT`.
    static func short(severity: String) -> String {
        switch severity {
        case "CRITICAL": "CRIT"
        case "WARNING": "WARN"
        case "UNKNOWN": "UNKN"
        default: String(severity.prefix(4))
        }
    }
}
