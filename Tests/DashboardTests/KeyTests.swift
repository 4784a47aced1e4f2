import AoftopModel
import AoftopTestSupport
import Testing
import TextGrid
@testable import Dashboard

/// One key in one situation: the effects it asks for and what it changes.
struct KeyCase: CustomTestStringConvertible, Sendable {
    var name: String
    var mode: DashboardMode
    var setup: @Sendable (inout DashboardState) -> Void = { _ in }
    var key: KeyEvent
    var effects: [DashboardEffect]
    var check: @Sendable (DashboardState) -> Bool

    var testDescription: String { name }
}

private let replayTimeline = Timeline(position: Build.time(28_000), start: Build.time(0), end: Build.time(90_000),
                                      speed: 8, playing: true)

private func replayState(_ state: inout DashboardState) {
    _ = update(&state, .timeline(replayTimeline))
}

let keyCases: [KeyCase] = [
    KeyCase(name: "q quits", mode: .live, key: .character("q"), effects: [.quit], check: { _ in true }),
    KeyCase(name: "F10 quits", mode: .replay, key: .function(10), effects: [.quit], check: { _ in true }),
    KeyCase(name: "q quits from help", mode: .live, setup: { $0.helpVisible = true }, key: .character("q"),
            effects: [.quit], check: { _ in true }),
    KeyCase(name: "space pauses live", mode: .live, key: .character(" "), effects: [.setPaused(true)],
            check: { $0.paused }),
    KeyCase(name: "space resumes live", mode: .live, setup: { $0.paused = true }, key: .character(" "),
            effects: [.setPaused(false)], check: { !$0.paused }),
    KeyCase(name: "space pauses replay playback", mode: .replay, setup: replayState, key: .character(" "),
            effects: [.setPaused(true)], check: { $0.paused && $0.timeline?.playing == false }),
    KeyCase(name: "Tab moves focus", mode: .live, key: .tab, effects: [], check: { $0.focus == .aof }),
    KeyCase(name: "Tab wraps", mode: .live, setup: { $0.focus = .exhaustion }, key: .tab, effects: [],
            check: { $0.focus == .sockets }),
    KeyCase(name: "BackTab wraps back", mode: .live, key: .backTab, effects: [], check: { $0.focus == .exhaustion }),
    KeyCase(name: "Tab moves the zoom along", mode: .live, setup: { $0.zoomed = .aof; $0.focus = .aof }, key: .tab,
            effects: [], check: { $0.zoomed == .events && $0.focus == .events }),
    KeyCase(name: "2 zooms pane 2 and focuses it", mode: .live, key: .character("2"), effects: [],
            check: { $0.zoomed == .aof && $0.focus == .aof }),
    KeyCase(name: "same key unzooms", mode: .live, setup: { $0.zoomed = .aof }, key: .character("2"), effects: [],
            check: { $0.zoomed == nil }),
    KeyCase(name: "other number switches zoom", mode: .live, setup: { $0.zoomed = .aof }, key: .character("4"),
            effects: [], check: { $0.zoomed == .exhaustion }),
    KeyCase(name: "Esc unzooms", mode: .live, setup: { $0.zoomed = .events }, key: .escape, effects: [],
            check: { $0.zoomed == nil }),
    KeyCase(name: "? opens help", mode: .live, key: .character("?"), effects: [], check: { $0.helpVisible }),
    KeyCase(name: "F1 opens help", mode: .replay, key: .function(1), effects: [], check: { $0.helpVisible }),
    KeyCase(name: "any key closes help and does nothing else", mode: .live, setup: { $0.helpVisible = true },
            key: .character("r"), effects: [], check: { !$0.helpVisible }),
    KeyCase(name: "+ raises the interval", mode: .live, key: .character("+"), effects: [.setInterval(2)],
            check: { $0.interval == 2 && $0.statusMessage == "interval 2 s" }),
    KeyCase(name: "- lowers the interval", mode: .live, key: .character("-"), effects: [.setInterval(0.5)],
            check: { $0.interval == 0.5 && $0.statusMessage == "interval 0.5 s" }),
    KeyCase(name: "- stops at 0.25 s", mode: .live, setup: { $0.interval = 0.25 }, key: .character("-"),
            effects: [.setInterval(0.25)], check: { $0.interval == 0.25 }),
    KeyCase(name: "+ stops at 10 s", mode: .live, setup: { $0.interval = 10 }, key: .character("+"),
            effects: [.setInterval(10)], check: { $0.interval == 10 }),
    KeyCase(name: "+ from an odd interval goes to the next step", mode: .live, setup: { $0.interval = 3 },
            key: .character("+"), effects: [.setInterval(5)], check: { $0.interval == 5 }),
    KeyCase(name: "r toggles recording (live)", mode: .live, key: .character("r"), effects: [.toggleRecording],
            check: { _ in true }),
    KeyCase(name: "r in replay only explains", mode: .replay, setup: replayState, key: .character("r"), effects: [],
            check: { $0.statusMessage != nil }),
    KeyCase(name: "→ steps forward", mode: .replay, key: .right, effects: [.replayStep(1)], check: { _ in true }),
    KeyCase(name: "← steps back", mode: .replay, key: .left, effects: [.replayStep(-1)], check: { _ in true }),
    KeyCase(name: "] +1 min", mode: .replay, key: .character("]"), effects: [.replaySeek(by: 60)], check: { _ in true }),
    KeyCase(name: "[ -1 min", mode: .replay, key: .character("["), effects: [.replaySeek(by: -60)], check: { _ in true }),
    KeyCase(name: "} +10 min", mode: .replay, key: .character("}"), effects: [.replaySeek(by: 600)], check: { _ in true }),
    KeyCase(name: "{ -10 min", mode: .replay, key: .character("{"), effects: [.replaySeek(by: -600)], check: { _ in true }),
    KeyCase(name: "n next event", mode: .replay, key: .character("n"), effects: [.replayJump(toEvent: .next)],
            check: { _ in true }),
    KeyCase(name: "N previous event", mode: .replay, key: .character("N"), effects: [.replayJump(toEvent: .previous)],
            check: { _ in true }),
    KeyCase(name: "Home jumps to the start (events unfocused)", mode: .replay, key: .home, effects: [.replayHome],
            check: { _ in true }),
    KeyCase(name: "End jumps to the end (events unfocused)", mode: .replay, key: .end, effects: [.replayEnd],
            check: { _ in true }),
    KeyCase(name: "Home scrolls events when focused (replay)", mode: .replay,
            setup: { $0.focus = .events; $0.eventScroll = 0 }, key: .home, effects: [], check: { $0.eventScroll == 0 }),
    KeyCase(name: "> doubles speed", mode: .replay, setup: replayState, key: .character(">"),
            effects: [.replaySpeed(16)], check: { $0.timeline?.speed == 16 }),
    KeyCase(name: "< halves speed", mode: .replay, setup: replayState, key: .character("<"),
            effects: [.replaySpeed(4)], check: { $0.timeline?.speed == 4 }),
    KeyCase(name: "> stops at 64×", mode: .replay, setup: { replayState(&$0); $0.timeline?.speed = 64 },
            key: .character(">"), effects: [], check: { $0.timeline?.speed == 64 }),
    KeyCase(name: "< stops at 1×", mode: .replay, setup: { replayState(&$0); $0.timeline?.speed = 1 },
            key: .character("<"), effects: [], check: { $0.timeline?.speed == 1 }),
    KeyCase(name: "g opens the prompt", mode: .replay, key: .character("g"), effects: [],
            check: { $0.input == .goTo("") }),
    KeyCase(name: "g in live only explains", mode: .live, key: .character("g"), effects: [],
            check: { $0.input == .none && $0.statusMessage == "g: replay only" }),
    KeyCase(name: "replay keys do nothing live", mode: .live, key: .right, effects: [], check: { _ in true }),
    KeyCase(name: "prompt takes q as text", mode: .replay, setup: { $0.input = .goTo("1") }, key: .character("q"),
            effects: [], check: { $0.input == .goTo("1q") }),
    KeyCase(name: "prompt backspace", mode: .replay, setup: { $0.input = .goTo("12") }, key: .backspace, effects: [],
            check: { $0.input == .goTo("1") }),
    KeyCase(name: "prompt Esc cancels", mode: .replay, setup: { $0.input = .goTo("12") }, key: .escape, effects: [],
            check: { $0.input == .none && $0.zoomed == nil }),
    KeyCase(name: "prompt F10 still quits", mode: .replay, setup: { $0.input = .goTo("12") }, key: .function(10),
            effects: [.quit], check: { _ in true }),
    KeyCase(name: "prompt Enter with +90s seeks", mode: .replay, setup: { replayState(&$0); $0.input = .goTo("+90s") },
            key: .enter, effects: [.replaySeek(by: 90)], check: { $0.input == .none }),
    KeyCase(name: "prompt Enter with -5m seeks back", mode: .replay, setup: { replayState(&$0); $0.input = .goTo("-5m") },
            key: .enter, effects: [.replaySeek(by: -300)], check: { $0.input == .none }),
    KeyCase(name: "prompt Enter with a time seeks to it", mode: .replay,
            setup: { replayState(&$0); $0.input = .goTo("22:14:00") }, key: .enter,
            effects: [.replaySeekTo(Build.time(40_000))], check: { $0.input == .none }),
    KeyCase(name: "prompt Enter with garbage: status message, no effect", mode: .replay,
            setup: { replayState(&$0); $0.input = .goTo("soon") }, key: .enter, effects: [],
            check: { $0.input == .none && ($0.statusMessage ?? "").hasPrefix("bad time \"soon\"") }),
    KeyCase(name: "prompt Enter with a time outside the recording", mode: .replay,
            setup: { replayState(&$0); $0.input = .goTo("03:00:00") }, key: .enter, effects: [],
            check: { ($0.statusMessage ?? "").contains("outside the recording (22:13:20–22:14:50)") }),
]

@Suite("update: keys")
struct KeyTests {
    @Test(arguments: keyCases)
    func key(_ case_: KeyCase) {
        var state = DashboardState(mode: case_.mode)
        case_.setup(&state)
        let effects = update(&state, .key(case_.key))
        #expect(effects == case_.effects)
        #expect(case_.check(state))
    }

    @Test("Focus and zoom cycles come back where they started")
    func cycles() {
        var state = DashboardState(mode: .live)
        for _ in 0..<4 { _ = update(&state, .key(.tab)) }
        #expect(state.focus == .sockets)
        for _ in 0..<4 { _ = update(&state, .key(.backTab)) }
        #expect(state.focus == .sockets)
        for n in ["1", "2", "3", "4"] {
            _ = update(&state, .key(.character(Character(n))))
            #expect(state.zoomed.flatMap(state.panes.number(of:)) == Int(n))
            _ = update(&state, .key(.character(Character(n))))
            #expect(state.zoomed == nil)
        }
        _ = update(&state, .key(.character("?")))
        #expect(state.helpVisible)
        _ = update(&state, .key(.character("?")))
        #expect(!state.helpVisible)
    }

    @Test("Event pane scrolling stays within bounds and pages by the visible rows")
    func scrollBounds() {
        var state = Scenario.exhausted.state()
        _ = update(&state, .resize(GridSize(columns: 80, rows: 24)))
        state.focus = .events
        let count = state.events.count
        let page = eventPageSize(state)
        #expect(page == 7)
        _ = update(&state, .key(.up))
        #expect(state.eventScroll == 0)
        _ = update(&state, .key(.down))
        #expect(state.eventScroll == 1)
        _ = update(&state, .key(.pageDown))
        #expect(state.eventScroll == 1 + page)
        _ = update(&state, .key(.end))
        #expect(state.eventScroll == count - page)
        _ = update(&state, .key(.down))
        #expect(state.eventScroll == count - page)
        _ = update(&state, .key(.pageUp))
        #expect(state.eventScroll == count - 2 * page)
        _ = update(&state, .key(.home))
        #expect(state.eventScroll == 0)
        // Zooming shows more rows, so the last offset gets smaller.
        _ = update(&state, .key(.end))
        _ = update(&state, .key(.character("3")))
        #expect(state.eventScroll == count - eventPageSize(state))
        #expect(eventPageSize(state) == 16)
    }

    @Test("Scrolled away from the top, new events do not move what is on screen")
    func scrollAnchored() {
        var state = Scenario.leak.state()
        state.focus = .events
        _ = update(&state, .key(.down))
        _ = update(&state, .key(.down))
        let shown = state.events[state.eventScroll]
        _ = update(&state, .snapshot(Incident().snapshot(at: 29_000, previousMs: 28_000)))
        #expect(state.events[state.eventScroll] == shown)
    }
}
