import AoftopAnalysis
import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

/// Healthy local servers `127.0.0.1:7001`… for the pure overview tests.
private func member(_ port: Int) -> OverviewMember {
    OverviewMember(name: "127.0.0.1:\(port)", pid: Int32(port), ports: [port])
}

private func healthy(_ member: OverviewMember, at ms: Int64) -> Snapshot {
    OverviewScenario.retarget(IncidentSample.snapshot(at: ms, redis: .ok(IncidentSample.redis()), process: .ok(Build.process(Build.census(), ms: ms)),
                                             log: .ok(IncidentSample.log())), member, version: "7.0.15")
}

/// `count` healthy servers sampled once a second for `seconds`.
private func fleet(_ count: Int, seconds: Int64 = 10) -> OverviewState {
    var state = OverviewState(host: "cache-07")
    _ = update(&state, .tick(Build.time(0)))
    let members = (0..<count).map { member(7001 + $0) }
    _ = update(&state, .discovered(members))
    for ms in stride(from: Int64(0), through: seconds * 1000, by: 1000) {
        for m in members { _ = update(&state, .instance(m.name, .snapshot(healthy(m, at: ms)))) }
    }
    _ = update(&state, .tick(Build.time(seconds * 1000 + 400)))
    return state
}

private func names(_ state: OverviewState) -> [String] { state.rows.map(\.name) }

@Suite("Overview: order, selection, keys")
struct OverviewTests {
    @Test("Rows sort by urgency: shortest ETA first, then severity, then name")
    func urgencyOrder() {
        let state = OverviewScenario.state()
        #expect(names(state) == ["127.0.0.1:6381", "127.0.0.1:6379", "127.0.0.1:6380"])
        #expect(state.rows.map { $0.row[.eta] } == ["EXHAUSTED", "-", "warming"])
        #expect(state.selected == "127.0.0.1:6381", "the cursor starts on the most urgent instance")
    }

    @Test("The cursor follows its instance when the order changes, and tracks the top until it is moved")
    func selectionFollowsTheInstance() {
        var state = fleet(3)
        #expect(names(state) == ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"])
        _ = update(&state, .key(.down))
        #expect(state.selected == "127.0.0.1:7002")
        // 7003 starts leaking: its ETA puts it on top; the cursor stays on 7002, now the third row.
        let leaking = member(7003)
        let incident = Incident(onsetMs: 12_000)
        var previous: Int64? = 10_000
        for ms in stride(from: Int64(11_000), through: 22_000, by: 1000) {
            _ = update(&state, .instance(leaking.name, .snapshot(OverviewScenario.retarget(incident.snapshot(at: ms, previousMs: previous),
                                                                                         leaking, version: "3.2.8"))))
            for m in [member(7001), member(7002)] { _ = update(&state, .instance(m.name, .snapshot(healthy(m, at: ms)))) }
            previous = ms
        }
        #expect(state.instances[leaking.name]?.dashboard.assessment?.eta.status == .rising)
        #expect(names(state) == ["127.0.0.1:7003", "127.0.0.1:7001", "127.0.0.1:7002"])
        #expect(state.selected == "127.0.0.1:7002")
        // Moving is relative to the new order.
        _ = update(&state, .key(.up))
        #expect(state.selected == "127.0.0.1:7001")
        _ = update(&state, .key(.character("k")))
        #expect(state.selected == "127.0.0.1:7003")
        _ = update(&state, .key(.up))
        #expect(state.selected == "127.0.0.1:7003", "the cursor stops at the top")

        // Without a key pressed the cursor stays on whatever is most urgent.
        var untouched = fleet(3)
        #expect(untouched.selected == "127.0.0.1:7001")
        for ms in stride(from: Int64(11_000), through: 22_000, by: 1000) {
            _ = update(&untouched, .instance(leaking.name, .snapshot(OverviewScenario.retarget(incident.snapshot(at: ms, previousMs: ms - 1000),
                                                                                             leaking, version: "3.2.8"))))
        }
        #expect(untouched.selected == "127.0.0.1:7003")
    }

    @Test("j k Home End PgUp PgDn move the cursor within the rows; the table scrolls to keep it visible")
    func navigationAndScrolling() {
        var state = fleet(30, seconds: 3)
        _ = update(&state, .resize(GridSize(columns: 80, rows: 24)))
        let visible = overviewVisibleRows(state)
        #expect(visible == 19)
        _ = update(&state, .key(.end))
        #expect(state.selected == "127.0.0.1:7030")
        #expect(state.top == 30 - visible)
        let grid = render(state, size: state.size, glyphs: .unicode)
        #expect(grid.text(row: 1).hasSuffix("12-30/30"), "\(grid.text(row: 1))")
        #expect(grid.text(row: 2 + visible - 1).hasPrefix("> 127.0.0.1:7030"))
        _ = update(&state, .key(.home))
        #expect(state.selected == "127.0.0.1:7001" && state.top == 0)
        _ = update(&state, .key(.pageDown))
        #expect(state.selected == "127.0.0.1:7019")
        _ = update(&state, .key(.character("j")))
        #expect(state.selected == "127.0.0.1:7020" && state.top == 1)
        _ = update(&state, .key(.pageUp))
        #expect(state.selected == "127.0.0.1:7002" && state.top == 1)
        // A smaller terminal keeps the selection on screen.
        _ = update(&state, .key(.end))
        _ = update(&state, .resize(GridSize(columns: 80, rows: 12)))
        #expect(state.top == 30 - overviewVisibleRows(state))
    }

    @Test("Enter opens the selected instance's dashboard; Esc returns only when the dashboard has nothing to close")
    func enterAndEscape() {
        var state = OverviewScenario.state()
        #expect(update(&state, .key(.escape)).isEmpty)
        #expect(state.screen == .overview)
        _ = update(&state, .key(.down))
        _ = update(&state, .key(.enter))
        #expect(state.screen == .detail("127.0.0.1:6379"))
        // Zoom: Esc unzooms first.
        _ = update(&state, .key(.character("3")))
        #expect(state.instances["127.0.0.1:6379"]?.dashboard.zoomed == .events)
        _ = update(&state, .key(.escape))
        #expect(state.screen == .detail("127.0.0.1:6379"))
        #expect(state.instances["127.0.0.1:6379"]?.dashboard.zoomed == nil)
        // Help: Esc closes it first.
        _ = update(&state, .key(.character("?")))
        _ = update(&state, .key(.escape))
        #expect(state.screen == .detail("127.0.0.1:6379"))
        #expect(state.instances["127.0.0.1:6379"]?.dashboard.helpVisible == false)
        _ = update(&state, .key(.escape))
        #expect(state.screen == .overview)
        #expect(state.selected == "127.0.0.1:6379")
    }

    @Test("In the detail view keys are the instance's own: effects name it; q quits everything")
    func detailKeys() {
        var state = OverviewScenario.state()
        _ = update(&state, .key(.enter))
        let name = "127.0.0.1:6381"
        #expect(update(&state, .key(.character(" "))) == [.instance(name, .setPaused(true))])
        #expect(update(&state, .key(.character("+"))) == [.instance(name, .setInterval(2))])
        #expect(update(&state, .key(.character("r"))) == [.instance(name, .toggleRecording)])
        #expect(state.instances[name]?.dashboard.paused == true)
        #expect(state.instances["127.0.0.1:6379"]?.dashboard.paused == false, "other instances are untouched")
        _ = update(&state, .key(.escape))
        #expect(state.rows.first { $0.name == name }?.row[.diagnosis].hasPrefix("paused — ") == true)
        _ = update(&state, .key(.enter))
        #expect(update(&state, .key(.character("q"))) == [.quit])
        _ = update(&state, .key(.function(10)))
        #expect(update(&state, .key(.function(10))) == [.quit])
    }

    @Test("Overview keys: ? opens help and any key closes it without acting; q and F10 quit, also from help")
    func overviewKeys() {
        var state = OverviewScenario.state()
        _ = update(&state, .key(.character("?")))
        #expect(state.helpVisible)
        #expect(update(&state, .key(.enter)).isEmpty)
        #expect(!state.helpVisible && state.screen == .overview)
        _ = update(&state, .key(.function(1)))
        #expect(update(&state, .key(.character("q"))) == [.quit])
        #expect(update(&state, .key(.function(10))) == [.quit])
    }

    @Test("Opening directly (one server found): the dashboard first, Esc then shows the one-row overview")
    func openDirectly() {
        var state = OverviewState(host: "h")
        let only = member(7001)
        _ = update(&state, .discovered([only]))
        _ = update(&state, .open(only.name))
        _ = update(&state, .instance(only.name, .snapshot(healthy(only, at: 0))))
        #expect(state.screen == .detail(only.name))
        let detail = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(detail.text.contains("Sockets vs pipes"))
        #expect(detail.text(row: 23).hasPrefix("q quit  esc overview"))
        _ = update(&state, .key(.escape))
        let overview = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(overview.text(row: 0).hasPrefix("aoftop h  1 instance "))
        #expect(overview.text(row: 2).hasPrefix("> 127.0.0.1:7001"))
    }

    @Test("Discovery: new servers are watched; one no longer found stays as GONE with its collectors stopped; back again, watched again")
    func discovery() throws {
        var state = OverviewState(host: "h")
        _ = update(&state, .tick(Build.time(0)))
        let (a, b) = (member(7001), member(7002))
        #expect(update(&state, .discovered([a, b])) == [.watch(a.name), .watch(b.name)])
        #expect(update(&state, .discovered([b, a])).isEmpty)
        for ms in stride(from: Int64(0), through: 5_000, by: 1000) {
            for m in [a, b] { _ = update(&state, .instance(m.name, .snapshot(healthy(m, at: ms)))) }
        }
        _ = update(&state, .key(.down))
        #expect(state.selected == b.name)
        // b crashes: its next sample reads neither Redis nor /proc; then discovery misses it.
        var crashed = healthy(b, at: 6_000)
        crashed.redis = .failed("connection refused")
        crashed.process = .failed("no such process")
        _ = update(&state, .instance(b.name, .snapshot(crashed)))
        _ = update(&state, .tick(Build.time(6_400)))
        #expect(update(&state, .discovered([a])) == [.unwatch(b.name)])
        #expect(update(&state, .discovered([a])).isEmpty, "gone once, unwatched once")
        let row = try #require(state.rows.first { $0.name == b.name })
        #expect(row.gone && row.degraded)
        #expect(row.row[.severity] == "GONE")
        #expect(row.row[.diagnosis].hasPrefix("gone, last seen 22:13:25: no fd leak"))
        #expect(row.row[.pipes] == "2", "the pipes when it was last seen")
        #expect(state.selected == b.name, "the cursor stays on the gone instance")
        let grid = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(grid.text(row: 0).contains("2 instances  1 gone"))
        // Its dashboard keeps its history and says the source ended.
        #expect(state.instances[b.name]?.dashboard.sourceEnded == true)
        #expect(state.instances[b.name]?.dashboard.histories.pipes.values.count == 7)
        #expect(update(&state, .discovered([a, b])) == [.watch(b.name)])
        #expect(state.instances[b.name]?.goneSince == nil)
        #expect(state.instances[b.name]?.dashboard.sourceEnded == false)
        #expect(update(&state, .instance("127.0.0.1:1", .snapshot(healthy(a, at: 6_000)))).isEmpty)
        #expect(state.instances["127.0.0.1:1"] == nil)
    }

    @Test("A failing or silent instance greys only its own row, and says why first")
    func degradedRows() {
        var state = fleet(3)
        let (a, b, c) = (member(7001), member(7002), member(7003))
        for ms in stride(from: Int64(11_000), through: 30_000, by: 1000) {
            _ = update(&state, .instance(a.name, .snapshot(healthy(a, at: ms))))
            var hung = healthy(b, at: ms)
            hung.redis = .failed("timed out after 1.0 s")
            _ = update(&state, .instance(b.name, .snapshot(hung)))
            // c's sampler is stuck: nothing after 10 s.
        }
        _ = update(&state, .tick(Build.time(30_400)))
        let rows = Dictionary(uniqueKeysWithValues: state.rows.map { ($0.name, $0) })
        #expect(rows[a.name]?.degraded == false)
        #expect(rows[b.name]?.degraded == true)
        #expect(rows[b.name]?.row[.diagnosis].contains("timed out") == true)
        #expect(rows[c.name]?.degraded == true)
        #expect(rows[c.name]?.row[.diagnosis].hasPrefix("no new sample for 20 s — ") == true)
        // The cursor on a (healthy): the greyed rows are then drawn unselected, so their role is really checked.
        _ = update(&state, .open(a.name))
        _ = update(&state, .key(.escape))
        let grid = render(state, size: GridSize(columns: 120, rows: 40), glyphs: .unicode)
        var checked = 0
        for y in 2..<5 {
            let text = grid.text(row: y)
            let instanceRole = Array(grid.roles(row: y))[2]
            if text.contains(a.name) { #expect(instanceRole == "s", "\(text)") }
            if text.contains(b.name) || text.contains(c.name) {
                #expect(instanceRole == "d", "\(text)")
                checked += 1
            }
        }
        #expect(checked == 2)
    }
}

@Suite("Overview: a first sample that never comes")
struct OverviewFirstSampleTests {
    @Test("A sampler stuck on its first read greys the row and says so")
    func stuckFirstSample() {
        let member = OverviewMember(name: "127.0.0.1:6390", pid: 4390, ports: [6390])
        var state = OverviewState(host: "cache-07", interval: 1)
        _ = update(&state, .tick(Build.time(0)))
        _ = update(&state, .discovered([member]))
        _ = update(&state, .tick(Build.time(3_000)))
        #expect(state.rows.first?.degraded == false, "3 s is still a normal first sample")
        _ = update(&state, .tick(Build.time(12_000)))
        let row = state.rows.first
        #expect(row?.degraded == true)
        #expect(row?.row[.diagnosis].hasPrefix("no sample yet after 12 s") == true,
                "\(String(describing: row?.row))")
    }
}

@Suite("Overview: columns and sizes")
struct OverviewSizeTests {
    @Test("Narrower terminals drop columns in a fixed order and keep INSTANCE, PIPES, ETA and SEVERITY")
    func columnDropping() {
        let rows = OverviewScenario.state().rows.map(\.row)
        func titles(_ width: Int) -> [String] { OverviewColumns(rows: rows, width: width).shown.map(\.title) }
        #expect(titles(120) == ["INSTANCE", "CLIENTS", "SOCKETS", "PIPES", "FDS/LIMIT", "ETA", "SEVERITY", "DIAGNOSIS"])
        #expect(titles(160) == InstanceColumn.allCases.map(\.title))
        #expect(titles(80) == ["INSTANCE", "SOCKETS", "PIPES", "ETA", "SEVERITY", "DIAGNOSIS"])
        #expect(titles(60) == ["INSTANCE", "SOCKETS", "PIPES", "ETA", "SEVERITY"])
        #expect(titles(40) == ["INSTANCE", "PIPES", "ETA", "SEVERITY"])
        #expect(!OverviewColumns(rows: rows, width: 40).shortSeverity)
        #expect(OverviewColumns(rows: rows, width: 34).shortSeverity)
        var previous: Set<InstanceColumn> = []
        for width in 32...200 {
            let columns = OverviewColumns(rows: rows, width: width)
            let shown = Set(columns.shown)
            #expect(shown.isSuperset(of: [.instance, .pipes, .eta, .severity]), "width \(width)")
            #expect(shown.isSuperset(of: previous), "width \(width): a wider terminal lost a column")
            previous = shown
            let used = OverviewColumns.markerWidth + columns.columns.map(\.width).reduce(0, +) + OverviewColumns.gap * (columns.columns.count - 1)
            #expect(used <= width, "width \(width): \(used) columns used")
            if shown.contains(.diagnosis) { #expect(used == width, "width \(width): the diagnosis takes what is left") }
        }
    }

    @Test("Cells are cut, never wrapped: INSTANCE keeps its port, the diagnosis ends with an ellipsis")
    func cutting() {
        let grid = OverviewScenario.grid(OverviewScenario.state(), GridSize(columns: 40, rows: 12))
        #expect(grid.text(row: 2) == "> ….0.1:6381  1,074  EXHAUSTED  CRITICAL")
        let wide = OverviewScenario.grid(OverviewScenario.state(), GridSize(columns: 80, rows: 24))
        #expect(wide.text(row: 2).hasSuffix("AOF rewrite fork failure…"))
        #expect(wide.text(row: 5).trimmingCharacters(in: .whitespaces).isEmpty)
    }

    /// No crash, exactly the asked size, every row exactly as wide as the grid; the message below 32×6.
    @Test("Every size from 0×0 to 130×45, with help, empty and one-row states")
    func everySize() {
        let full = OverviewScenario.state()
        var help = full
        _ = update(&help, .key(.character("?")))
        let empty = OverviewState(host: "a-rather-long-host-name.example.internal")
        var failures = 0
        for state in [full, help, empty] {
            for columns in 0...130 {
                for rows in [0, 1, 2, 5, 6, 7, 11, 12, 13, 19, 20, 24, 40, 45] {
                    let size = GridSize(columns: columns, rows: rows)
                    var sized = state
                    _ = update(&sized, .resize(size))
                    let grid = render(sized, size: size, glyphs: columns % 2 == 0 ? .unicode : .ascii)
                    guard grid.size == size else { failures += 1; continue }
                    for row in 0..<rows where CharacterWidth.of(grid.text(row: row)) != columns {
                        failures += 1
                        if failures < 5 { Issue.record("\(size) row \(row): \(grid.text(row: row))") }
                    }
                }
            }
        }
        #expect(failures == 0)
        #expect(render(full, size: GridSize(columns: 31, rows: 12), glyphs: .unicode).text.contains("needs at least 32×6"))
        #expect(render(empty, size: GridSize(columns: 80, rows: 24), glyphs: .unicode).text
            .contains("no redis-server or valkey-server found; looking again every 10 s"))
    }
}
