import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

/// The AOF pane's fork rows: the measured verdict, what the pipe rise follows, and why the verdict is missing.
@Suite("Pane 2's fork rows")
struct ForkRowTests {
    func aofPane(_ state: DashboardState) -> Grid {
        AofPane.draw(PaneContext(state: state, glyphs: .unicode, focused: false, number: 2, title: "AOF growth"),
                     size: GridSize(columns: 60, rows: 16))
    }

    @Test func theVerdictAndTheLeakAreShown() {
        let text = aofPane(Scenario.leak.state()).text
        #expect(text.contains("fork   fork may fail: overcommit_memory=0 (kernel 3.10)"), "\(text)")
        #expect(text.contains("leak   redis#2857: 6.0 fds per failed AOF rewrite fork"), "\(text)")
    }

    @Test func anUnreadableHostSaysWhy() {
        var state = Scenario.leak.state()
        var snapshot = Incident().snapshot(at: 28_000, previousMs: 27_000)
        snapshot.forkReadiness = .failed("cannot read /proc/sys/vm/overcommit_memory: permission denied")
        _ = update(&state, .snapshot(snapshot))
        let text = aofPane(state).text
        #expect(text.contains("fork   ? (cannot read /proc/sys/vm/overcommit_memory"), "\(text)")
    }
}
