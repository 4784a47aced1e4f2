import AoftopAnalysis
import TextGrid

/// The columns of `aoftop list` and of the overview, in display order.
public enum InstanceColumn: Int, CaseIterable, Sendable, Comparable {
    case instance, pid, ports, version, clients, sockets, pipes, fdsLimit, binds, eta, severity, diagnosis

    public var title: String {
        switch self {
        case .instance: "INSTANCE"
        case .pid: "PID"
        case .ports: "PORTS"
        case .version: "VERSION"
        case .clients: "CLIENTS"
        case .sockets: "SOCKETS"
        case .pipes: "PIPES"
        case .fdsLimit: "FDS/LIMIT"
        case .binds: "BINDS"
        case .eta: "ETA"
        case .severity: "SEVERITY"
        case .diagnosis: "DIAGNOSIS"
        }
    }

    /// Numbers align right.
    public var isNumeric: Bool { [.pid, .clients, .sockets, .pipes, .fdsLimit, .eta].contains(self) }

    public static func < (a: InstanceColumn, b: InstanceColumn) -> Bool { a.rawValue < b.rawValue }
}

/// One instance as a row of `aoftop list` and of the dashboard's overview: the figures an operator compares
/// across a host's servers, already formatted. Unknown values are `?`; a row with no reading says why.
public struct InstanceRow: Sendable, Equatable {
    public var name: String
    /// One text per `InstanceColumn`, in its order: read and set through the subscript.
    private var cells: [String]
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
            cells = Self.cells([.instance: name, .pid: Format.pid(pid), .ports: Self.ports(ports),
                                .version: Format.unknown, .diagnosis: pendingReason])
            return
        }
        severity = a.severity
        let fds = a.fds.total.map { total in "\(Format.count(total))/\(Format.count(a.limit.effective))" } ?? Format.unknown
        cells = Self.cells([
            .instance: name, .pid: Format.pid(a.pid ?? pid, namespacePid: a.namespacePid), .ports: Self.ports(ports),
            .version: a.version ?? Format.unknown, .clients: Self.clients(a.clients), .sockets: Format.count(a.fds.socket),
            .pipes: Format.count(a.fds.pipe), .fdsLimit: fds, .binds: Self.binding(a.limit.binding), .eta: Self.eta(a.eta),
            .severity: a.severity.rawValue.uppercased(), .diagnosis: a.diagnosis])
    }

    public subscript(column: InstanceColumn) -> String {
        get { cells[column.rawValue] }
        set { cells[column.rawValue] = newValue }
    }

    private static func cells(_ values: [InstanceColumn: String]) -> [String] {
        InstanceColumn.allCases.map { values[$0] ?? "" }
    }

    /// `812/1000` (what Redis counts against maxclients), `812/?` without maxclients, `?` without INFO.
    static func clients(_ clients: ClientLimitAssessment) -> String {
        guard let count = clients.clients else { return Format.unknown }
        return "\(Format.count(count))/\(Format.count(clients.maxclients))"
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
        let all = [InstanceColumn.allCases.map(\.title)] + sorted.map(\.cells)
        let layout: [(column: InstanceColumn, width: Int)]
        var shortSeverity = false
        if width > 0 {
            // The overview keeps two columns for its selection marker; a printed table has none.
            let columns = OverviewColumns(rows: sorted, width: width + OverviewColumns.markerWidth)
            layout = columns.columns.map { ($0.column, $0.width) }
            shortSeverity = columns.shortSeverity
        } else {
            layout = InstanceColumn.allCases.map { column in (column, all.map { $0[column.rawValue].count }.max() ?? 0) }
        }
        return all.enumerated().map { line, cells in
            let parts = layout.enumerated().map { position, column -> String in
                var cell = cells[column.column.rawValue]
                if column.column == .severity, shortSeverity {
                    cell = line == 0 ? "SEV" : OverviewColumns.short(severity: cell)
                }
                if width == 0, position == layout.count - 1 { return cell }
                // The overview's own cutting when a width is set: INSTANCE keeps its end (the port), the rest get
                // an ellipsis; numbers align right.
                let fitted = width == 0 ? OverviewRenderer.align(cell, column: column.column, width: column.width)
                    : OverviewRenderer.fit(cell, column: column.column, width: column.width, glyphs: .unicode)
                return Format.left(fitted, column.width)
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
    }
}
