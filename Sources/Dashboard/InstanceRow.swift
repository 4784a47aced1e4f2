import AoftopAnalysis

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

    /// The rows as plain text columns, most urgent first, each cut to `width` columns (0: no limit). The last
    /// column (the diagnosis) takes what room is left.
    public static func table(_ rows: [InstanceRow], width: Int = 0) -> [String] {
        let sorted = rows.sorted { $0.urgency < $1.urgency }
        let all = [titles] + sorted.map(\.cells)
        let widths = (0..<titles.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            var line = ""
            for (column, width) in widths.enumerated() {
                let cell = cells[column]
                line += numericColumns.contains(column) ? Format.right(cell, width) : Format.left(cell, width)
                line += "  "
            }
            line += cells[titles.count - 1]
            return width > 0 && line.count > width ? String(line.prefix(width)) : line
        }
    }
}
