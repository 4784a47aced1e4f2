import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

/// A log piped in (`--log -`): pane 3 and the header name standard input, and say when it has closed while the
/// figures stay.
@Suite("A piped log")
struct PipedLogTests {
    func state(_ fileState: LogSample.FileState, path: String = LogSample.standardInput) -> DashboardState {
        var state = DashboardState(mode: .live)
        let log = LogSample(path: path, fileState: fileState, totals: [.aofForkFailed: 9], linesRead: 10,
                            history: LogHistory(state: .complete, files: [path], totals: [.aofForkFailed: 9]))
        _ = update(&state, .snapshot(IncidentSample.snapshot(at: 1_000, redis: .ok(IncidentSample.redis()),
                                                             process: .notConfigured, log: .ok(log))))
        return state
    }

    func eventsPane(_ state: DashboardState, columns: Int) -> Grid {
        EventsPane.draw(PaneContext(state: state, glyphs: .unicode, focused: false, number: 3, title: "Fork failures"),
                        size: GridSize(columns: columns, rows: 8))
    }

    @Test func theTitleSaysStandardInputAndWhenItClosed() {
        let open = eventsPane(state(.following), columns: 60).text
        #expect(open.contains("Fork failures") && open.contains(" standard input "), "\(open)")
        #expect(open.contains("no events read from standard input yet"), "\(open)")
        let closed = eventsPane(state(.streamEnded), columns: 60)
        #expect(closed.text.contains("standard input closed"), "\(closed.text)")
        #expect(closed.text.contains("since start 9"), "the figures stay: \(closed.text)")
        // Narrow: the short form still fits beside the title.
        #expect(eventsPane(state(.streamEnded), columns: 36).text.contains("stdin closed"))
    }

    @Test func aFileIsNotCalledAStream() {
        let text = eventsPane(state(.following, path: "/var/log/redis/redis-server.log"), columns: 60).text
        #expect(!text.contains("standard input") && !text.contains("stdin"), "\(text)")
    }

    @Test func theHeaderNamesTheStream() {
        #expect(HeaderBar.sourceItems(state(.following)).contains { $0.0 == "log stdin" && $0.1 == .ok })
        #expect(HeaderBar.sourceItems(state(.streamEnded)).contains { $0.0 == "log: stdin closed" && $0.1 == .warn })
    }
}
