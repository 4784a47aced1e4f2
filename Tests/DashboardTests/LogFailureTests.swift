import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

/// Pane 3 when the log cannot be read: the whole reason, wrapped, since it often ends in the command to run.
@Suite("Pane 3 with no log")
struct LogFailureTests {
    static let reason = "Redis logs to standard output (logfile \"\"), which systemd sends to the journal: "
        + "journalctl -f -o cat -u redis-server.service --since @1764921600 | aoftop --log - -p 6379"

    func eventsPane(_ state: DashboardState, columns: Int) -> Grid {
        EventsPane.draw(PaneContext(state: state, glyphs: .unicode, focused: false, number: 3, title: "Fork failures"),
                        size: GridSize(columns: columns, rows: 8))
    }

    @Test(arguments: [40, 60, 100])
    func theCommandIsShownWhole(columns: Int) {
        var state = DashboardState(mode: .live)
        let snapshot = Build.snapshot(at: 1_000, host: "127.0.0.1", version: "7.0.15",
                                      redis: .ok(IncidentSample.redis(version: "7.0.15")), process: .notConfigured,
                                      log: .failed(Self.reason))
        _ = update(&state, .snapshot(snapshot))
        let rows = eventsPane(state, columns: columns).text.split(separator: "\n").dropFirst()
        let joined = rows.map { String($0).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }.joined(separator: " ")
        #expect(joined.contains("journalctl -f -o cat -u redis-server.service --since @1764921600 | aoftop --log - -p 6379"),
                "\(columns) columns:\n\(rows.joined(separator: "\n"))")
    }
}
