import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

@Suite("update: snapshots, ticks, sources")
struct UpdateTests {
    @Test("Snapshots feed the analyzer, the histories and the event list (newest first, bounded)")
    func snapshots() throws {
        let state = Scenario.leak.state()
        let assessment = try #require(state.assessment)
        #expect(assessment.eta.status == .rising)
        #expect(assessment.leak.suspected)
        #expect(state.histories.pipes.values.count == 29)
        #expect(state.histories.pipes.latest == 464)
        #expect(state.histories.otherFds.latest == 13)
        let times = state.events.compactMap(\.time)
        #expect(times == times.sorted(by: >))

        var long = DashboardState(mode: .live)
        let events = (0..<500).map { Build.forkFailure(at: Int64($0)) }
        for ms in stride(from: Int64(0), to: 6_000, by: 1000) {
            _ = update(&long, .snapshot(IncidentSample.snapshot(at: ms, redis: .ok(IncidentSample.redis()),
                                                      process: .ok(Build.process(Build.census(), ms: ms)),
                                                      log: .ok(IncidentSample.log(events: events)))))
        }
        #expect(long.events.count == DashboardState.eventCapacity)
        for ms in stride(from: Int64(6_000), to: 320_000, by: 1000) {
            _ = update(&long, .snapshot(IncidentSample.snapshot(at: ms, redis: .ok(IncidentSample.redis()),
                                                      process: .ok(Build.process(Build.census(), ms: ms)), log: .ok(IncidentSample.log()))))
        }
        #expect(long.histories.totalFds.values.count == DashboardState.historyCapacity)
    }

    @Test("Time going backwards (a replay seek) starts the histories and events again")
    func seekBack() {
        var state = Scenario.leak.state()
        #expect(!state.events.isEmpty)
        _ = update(&state, .snapshot(Incident().snapshot(at: 5_000, previousMs: nil)))
        #expect(state.events.isEmpty)
        #expect(state.histories.pipes.values.count == 1)
        #expect(state.assessment?.eta.status == .warmingUp)
    }

    @Test("Source freshness: last OK time, failure reason and age")
    func freshness() {
        let state = Scenario.redisUnreachable.state()
        #expect(state.redisFreshness.lastOK == Build.time(17_000))
        #expect(state.redisFreshness.failure == "connection reset by peer")
        #expect(state.redisFreshness.failingSeconds(at: state.clock) == 43.4)
        #expect(state.processFreshness.failure == nil)
        let header = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode).text(row: 1)
        #expect(header.hasPrefix("redis: unreachable 43 s (connection reset by peer)"))
    }

    @Test("The ETA counts down between snapshots with ticks (live), never below 0; replay shows the recorded ETA")
    func countdown() throws {
        var state = Scenario.leak.state()
        let eta = try #require(state.assessment?.eta.seconds)
        _ = update(&state, .tick(Build.time(28_000)))
        #expect(state.countdownSeconds == eta)
        _ = update(&state, .tick(Build.time(31_000)))
        #expect(abs((state.countdownSeconds ?? 0) - (eta - 3)) < 1e-9)
        _ = update(&state, .tick(Build.time(90_000)))
        #expect(state.countdownSeconds == 0)

        var replay = Scenario.replay.state()
        _ = update(&replay, .tick(Build.time(999_000)))
        #expect(replay.countdownSeconds == eta)
    }

    @Test("Status messages expire after 5 s of ticks")
    func statusExpiry() {
        var state = DashboardState(mode: .live)
        _ = update(&state, .tick(Build.time(0)))
        _ = update(&state, .key(.character("+")))
        #expect(state.statusMessage == "interval 2 s")
        _ = update(&state, .tick(Build.time(4_000)))
        #expect(state.statusMessage != nil)
        _ = update(&state, .tick(Build.time(5_000)))
        #expect(state.statusMessage == nil)
    }

    @Test("Recording status, timeline and source end are shown")
    func hostMessages() {
        var state = Scenario.leak.state()
        _ = update(&state, .recording(.recording(path: "/tmp/incident.aoftop")))
        let grid = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode)
        #expect(grid.text(row: 23).contains("• REC /tmp/incident.aoftop"))
        _ = update(&state, .recording(.failed("No space left on device")))
        #expect(state.statusMessage == "recording stopped: No space left on device")
        _ = update(&state, .sourceEnded(reason: nil))
        #expect(render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode).text(row: 1).hasSuffix("source ended"))

        var replay = DashboardState(mode: .replay)
        _ = update(&replay, .timeline(Timeline(position: Build.time(0), start: Build.time(0), end: Build.time(1000), playing: false)))
        #expect(replay.paused)
    }

    @Test("The g prompt shows in the bottom bar")
    func promptRendering() {
        var state = Scenario.replay.state()
        _ = update(&state, .key(.character("g")))
        for c in "+90s" { _ = update(&state, .key(.character(c))) }
        let bar = render(state, size: GridSize(columns: 80, rows: 24), glyphs: .unicode).text(row: 23)
        #expect(bar.hasPrefix("go to (HH:MM:SS, +90s, -5m): +90s_"))
    }
}

@Suite("g time input")
struct TimeInputTests {
    static let span = (Build.time(0), Build.time(3_600_000))

    @Test(arguments: [("+90s", 90.0), ("-5m", -300), ("+1h30m", 5400), ("+45", 45), (" -2m10s ", -130), ("+1d", 86_400)])
    func relative(_ text: String, _ seconds: Double) {
        #expect(TimeInput.parse(text, anchor: Build.time(0), span: Self.span, timeZoneOffsetSeconds: 0)
                == .success(.relative(seconds)))
    }

    @Test("HH:MM:SS and HH:MM on the position's day, in the display zone")
    func absolute() {
        #expect(TimeInput.parse("22:30:00", anchor: Build.time(0), span: Self.span, timeZoneOffsetSeconds: 0)
                == .success(.absolute(Build.time(1_000_000))))
        #expect(TimeInput.parse("22:30", anchor: Build.time(0), span: Self.span, timeZoneOffsetSeconds: 0)
                == .success(.absolute(Build.time(1_000_000))))
        // UTC+1: 23:30 local is 22:30 UTC.
        #expect(TimeInput.parse("23:30:00", anchor: Build.time(0), span: Self.span, timeZoneOffsetSeconds: 3600)
                == .success(.absolute(Build.time(1_000_000))))
        // A recording across midnight: 00:10 is the next day.
        let midnight = (Build.time(0), Build.time(7_200_000))
        #expect(TimeInput.parse("00:10:00", anchor: Build.time(0), span: midnight, timeZoneOffsetSeconds: 0)
                == .success(.absolute(Build.time(7_000_000))))
    }

    @Test(arguments: ["", "+", "-", "soon", "25:00:00", "12:60", "1:2:3:4", "+5x", "+m", "12:3a", "+9999999999s", "::"])
    func bad(_ text: String) {
        guard case .failure(let error) = TimeInput.parse(text, anchor: Build.time(0), span: Self.span, timeZoneOffsetSeconds: 0)
        else {
            Issue.record("\"\(text)\" parsed")
            return
        }
        #expect(!error.message.isEmpty)
    }
}

