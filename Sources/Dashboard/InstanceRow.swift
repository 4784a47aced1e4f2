import AoftopAnalysis
import TextGrid

/// One instance as a row of `aoftop list` and of the dashboard's overview: the figures an operator compares
/// across a host's servers, already formatted. Unknown values are `?`; a row with no reading says why.
public struct InstanceRow: Sendable, Equatable {
    /// Column titles, in the order of `cells`.
    public static let titles = ["INSTANCE", "PID", "PORTS", "VERSION", "SOCKETS", "PIPES", "FDS/LIMIT", "BINDS", "ETA", "SEVERITY", "DIAGNOSIS"]
    /// Columns that hold numbers and align right.
    public static let numericColumns: Set<Int> = [1, 4, 5, 6, 8]

    public var name: String
    public var cells: [String]
    public var severity: Severity
    public var urgency: Urgency

    /// - Parameters:
    ///   - assessment: the latest assessment; `nil` before the first sample.
    ///   - pendingReason: what the row says instead while there is no assessment.
    public init(name: String, pid: Int32?, ports: [Int], assessment: Assessment?, pendingReason: String = "sampling…") {
        self.name = name
        urgency = Urgency(assessment: assessment, name: name)
        guard let a = assessment else {
            severity = .unknown
            cells = [name, pid.map(String.init) ?? Format.unknown, Self.ports(ports), Format.unknown, "", "", "", "", "",
                     "", pendingReason]
            return
        }
        severity = a.severity
        let fds = a.fds.total.map { total in "\(Format.count(total))/\(Format.count(a.limit.effective))" } ?? Format.unknown
        cells = [name, (a.pid ?? pid).map(String.init) ?? Format.unknown, Self.ports(ports), a.version ?? Format.unknown,
                 Format.count(a.fds.socket), Format.count(a.fds.pipe), fds, Self.binding(a.limit.binding),
                 Self.eta(a.eta), a.severity.rawValue.uppercased(), a.diagnosis]
    }

    /// `6379`, `6379,16379`, `-` for none.
    static func ports(_ ports: [Int]) -> String {
        ports.isEmpty ? "-" : ports.map(String.init).joined(separator: ",")
    }

    static func binding(_ binding: LimitBinding) -> String {
        switch binding {
        case .eventLoop: "event loop"
        case .rlimit: "RLIMIT"
        case .unknown: Format.unknown
        }
    }

    /// `3m05s`, `EXHAUSTED`, `-` (not rising), `warming`, `?`.
    static func eta(_ eta: ExhaustionEstimate) -> String {
        switch eta.status {
        case .rising: Format.duration(eta.seconds)
        case .exhausted: "EXHAUSTED"
        case .flat: "-"
        case .warmingUp: "warming"
        case .unknown: Format.unknown
        }
    }

    /// The rows as plain text columns, most urgent first. With a `width` (a terminal), the columns are chosen as
    /// in the overview (INSTANCE, PIPES, ETA and SEVERITY always; the others while they fit) and each cell is cut
    /// to its column; with 0 (a pipe) every column is printed in full.
    public static func table(_ rows: [InstanceRow], width: Int = 0) -> [String] {
        let sorted = rows.sorted { $0.urgency < $1.urgency }
        let all = [titles] + sorted.map(\.cells)
        let layout: [(index: Int, width: Int)]
        var shortSeverity = false
        if width > 0 {
            // The overview keeps two columns for its selection marker; a printed table has none.
            let columns = OverviewColumns(rows: sorted, width: width + OverviewColumns.markerWidth)
            layout = columns.columns.map { ($0.index, $0.width) }
            shortSeverity = columns.shortSeverity
        } else {
            layout = titles.indices.map { column in (column, all.map { $0[column].count }.max() ?? 0) }
        }
        return all.enumerated().map { line, cells in
            let parts = layout.enumerated().map { position, column -> String in
                var cell = cells[column.index]
                if column.index == OverviewRow.severityColumn, shortSeverity {
                    cell = line == 0 ? "SEV" : OverviewColumns.short(severity: cell)
                }
                if width == 0, position == layout.count - 1 { return cell }
                // The overview's own cutting when a width is set: INSTANCE keeps its end (the port), the rest get
                // an ellipsis; numbers align right.
                let fitted = width == 0 ? OverviewRenderer.align(cell, column: column.index, width: column.width)
                    : OverviewRenderer.fit(cell, column: column.index, width: column.width, glyphs: .unicode)
                return Format.left(fitted, column.width)
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
    }
}
