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
/// takes all the width left over), FDS/LIMIT, CLIENTS (against maxclients), VERSION, PID, BINDS, PORTS (mostly the
/// port in the name again).
/// Widths have floors wide enough for typical values, so numbers growing a digit rarely move a column.
struct OverviewColumns: Sendable, Equatable {
    struct Column: Sendable, Equatable {
        var column: InstanceColumn
        var width: Int
    }

    static let markerWidth = 2
    static let gap = 2
    static let required: [InstanceColumn] = [.instance, .pipes, .eta, .severity]
    static let priority: [InstanceColumn] = [.sockets, .diagnosis, .fdsLimit, .clients, .version, .pid, .binds, .ports]
    static let floors: [InstanceColumn: Int] = [.pid: 7, .ports: 5, .version: 7, .clients: 9, .sockets: 7, .pipes: 5,
                                                .fdsLimit: 11, .binds: 10, .eta: 9, .severity: 8]
    static let instanceRange = 10...28
    static let instanceNarrowest = 6
    /// DIAGNOSIS is shown only with at least this many columns, and given up to `diagnosisTarget` before the
    /// lower-priority columns get theirs.
    static let diagnosisMinimum = 16
    static let diagnosisTarget = 36

    var columns: [Column]
    /// SEVERITY as `CRIT`/`WARN`/`OK`/`UNKN`/`GONE`.
    var shortSeverity: Bool

    var shown: [InstanceColumn] { columns.map(\.column) }

    init(rows: [InstanceRow], width: Int) {
        func natural(_ column: InstanceColumn) -> Int {
            let widest = rows.map { CharacterWidth.of($0[column]) }.max() ?? 0
            return max(CharacterWidth.of(column.title), widest, Self.floors[column] ?? 0)
        }
        var widths: [InstanceColumn: Int] = [:]
        for column in Self.required { widths[column] = natural(column) }
        widths[.instance] = min(widths[.instance]!, Self.instanceRange.upperBound)
        func used() -> Int { Self.markerWidth + widths.values.reduce(0, +) + Self.gap * (widths.count - 1) }

        var short = false
        if used() > width { widths[.instance] = max(Self.instanceRange.lowerBound, widths[.instance]! - (used() - width)) }
        if used() > width {
            short = true
            widths[.severity] = 4
        }
        if used() > width { widths[.instance] = max(Self.instanceNarrowest, widths[.instance]! - (used() - width)) }

        // A prefix of the priority order: a wider terminal only ever adds columns.
        var diagnosis = false
        for column in Self.priority {
            if column == .diagnosis {
                let room = width - used() - Self.gap
                guard room >= Self.diagnosisMinimum else { break }
                widths[.diagnosis] = min(room, Self.diagnosisTarget)
                diagnosis = true
            } else {
                let wanted = natural(column)
                guard used() + Self.gap + wanted <= width else { break }
                widths[column] = wanted
            }
        }
        if diagnosis { widths[.diagnosis]! += max(0, width - used()) }
        columns = widths.keys.sorted().map { Column(column: $0, width: widths[$0]!) }
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
