import AoftopAnalysis
import AoftopModel
import TextGrid

/// What every pane draws from.
struct PaneContext {
    var state: DashboardState
    var glyphs: Glyphs
    var focused: Bool
    /// The pane's place in the `PaneList` and its title, for its title row.
    var number: Int
    var title: String

    var assessment: Assessment? { state.assessment }

    /// One labelled row: `label` dim in `labelWidth` columns, then `value` from there.
    static func labelled(_ grid: inout Grid, row: Int, label: String, labelWidth: Int, value: String,
                         role: CellRole = .normal) {
        grid.write(label, row: row, column: 0, role: .dim, maxWidth: labelWidth)
        grid.write(value, row: row, column: labelWidth, role: role)
    }

    /// The reason line of a pane whose source failed: `/proc: permission denied — run as redis or root`.
    static func failureText(source: String, freshness: SourceFreshness, clock: Timestamp?) -> String? {
        guard let reason = freshness.failure else { return nil }
        let age = freshness.failingSeconds(at: clock).map { " \(Format.age($0))" } ?? ""
        return "\(source) failing\(age): \(Hints.explain(reason))"
    }
}

/// Turns a collector's failure reason into something an operator can act on.
enum Hints {
    static func explain(_ reason: String) -> String {
        let lower = reason.lowercased()
        if lower.contains("permission denied") || lower.contains("eacces") || lower.contains("operation not permitted") {
            return lower.contains("run as") ? reason : "\(reason) — run as redis or root"
        }
        return reason
    }
}
