import AoftopModel
import TextGrid

/// Key bindings. Precedence: the `g` prompt takes every key; then the help screen (any key closes it, `q`/F10
/// still quit); then global keys; then mode keys. Home/End scroll the events pane when it has focus and jump to
/// the recording's start/end otherwise (replay); arrows ↑/↓ and PgUp/PgDn always scroll the events pane when
/// it has focus and do nothing else.
enum KeyHandler {
    static func handle(_ key: KeyEvent, state: inout DashboardState) -> [DashboardEffect] {
        if case .goTo(let text) = state.input { return prompt(key, text: text, state: &state) }
        if isQuit(key) { return [.quit] }
        if state.helpVisible {
            state.helpVisible = false
            return []
        }
        if case .character(let digit) = key, let pane = state.panes.id(forKey: digit) {
            toggleZoom(pane, state: &state)
            return []
        }
        if let effects = global(key, state: &state) { return effects }
        if state.focus == .events, let effects = scroll(key, state: &state) { return effects }
        switch state.mode {
        case .live: return live(key, state: &state)
        case .replay: return replay(key, state: &state)
        }
    }

    private static func isQuit(_ key: KeyEvent) -> Bool {
        key == .character("q") || key == .function(10)
    }

    private static func global(_ key: KeyEvent, state: inout DashboardState) -> [DashboardEffect]? {
        switch key {
        case .character("?"), .function(1):
            state.helpVisible = true
            return []
        case .tab:
            moveFocus(to: state.panes.id(after: state.focus), state: &state)
            return []
        case .backTab:
            moveFocus(to: state.panes.id(before: state.focus), state: &state)
            return []
        case .escape:
            state.zoomed = nil
            state.eventScroll = min(state.eventScroll, maxEventScroll(state))
            return []
        case .character(" "):
            state.paused.toggle()
            if state.mode == .replay { state.timeline?.playing = !state.paused }
            return [.setPaused(state.paused)]
        default:
            return nil
        }
    }

    /// A pane's number zooms it and gives it focus; the same number again unzooms.
    private static func toggleZoom(_ pane: PaneID, state: inout DashboardState) {
        if state.zoomed == pane {
            state.zoomed = nil
        } else {
            state.zoomed = pane
            state.focus = pane
        }
        state.eventScroll = min(state.eventScroll, maxEventScroll(state))
    }

    /// Tab moves the zoom along with the focus, so a zoomed screen can be paged through.
    private static func moveFocus(to pane: PaneID, state: inout DashboardState) {
        state.focus = pane
        if state.zoomed != nil { state.zoomed = pane }
    }

    private static func scroll(_ key: KeyEvent, state: inout DashboardState) -> [DashboardEffect]? {
        let page = eventPageSize(state)
        let limit = maxEventScroll(state)
        let offset: Int
        switch key {
        case .up: offset = state.eventScroll - 1
        case .down: offset = state.eventScroll + 1
        case .pageUp: offset = state.eventScroll - page
        case .pageDown: offset = state.eventScroll + page
        case .home: offset = 0
        case .end: offset = limit
        default: return nil
        }
        state.eventScroll = min(max(0, offset), limit)
        return []
    }

    private static func live(_ key: KeyEvent, state: inout DashboardState) -> [DashboardEffect] {
        switch key {
        case .character("+"), .character("="):
            return stepInterval(+1, state: &state)
        case .character("-"), .character("_"):
            return stepInterval(-1, state: &state)
        case .character("r"):
            return [.toggleRecording]
        case .character(let c) where "g<>[]{}nN".contains(c):
            state.setStatus("\(c): replay only")
            return []
        default:
            return []
        }
    }

    private static func stepInterval(_ direction: Int, state: inout DashboardState) -> [DashboardEffect] {
        let steps = DashboardState.intervals
        let index: Int
        if direction > 0 {
            index = steps.firstIndex { $0 > state.interval + 1e-9 } ?? steps.count - 1
        } else {
            index = steps.lastIndex { $0 < state.interval - 1e-9 } ?? 0
        }
        state.interval = steps[index]
        state.setStatus("interval \(Format.seconds(state.interval))")
        return [.setInterval(state.interval)]
    }

    private static func replay(_ key: KeyEvent, state: inout DashboardState) -> [DashboardEffect] {
        switch key {
        case .right: return [.replayStep(1)]
        case .left: return [.replayStep(-1)]
        case .character("]"): return [.replaySeek(by: 60)]
        case .character("["): return [.replaySeek(by: -60)]
        case .character("}"): return [.replaySeek(by: 600)]
        case .character("{"): return [.replaySeek(by: -600)]
        case .character("n"): return [.replayJump(toEvent: .next)]
        case .character("N"): return [.replayJump(toEvent: .previous)]
        case .home: return [.replayHome]
        case .end: return [.replayEnd]
        case .character("g"):
            state.input = .goTo("")
            return []
        case .character(">"), .character("."):
            return changeSpeed(2, state: &state)
        case .character("<"), .character(","):
            return changeSpeed(0.5, state: &state)
        case .character("+"), .character("-"), .character("r"):
            state.setStatus("live only (replay: < > change speed)")
            return []
        default:
            return []
        }
    }

    private static func changeSpeed(_ factor: Double, state: inout DashboardState) -> [DashboardEffect] {
        let current = state.timeline?.speed ?? 1
        let range = DashboardState.speedRange
        let speed = min(max(current * factor, range.lowerBound), range.upperBound)
        state.timeline?.speed = speed
        state.setStatus("speed \(Format.speed(speed))")
        return speed == current ? [] : [.replaySpeed(speed)]
    }

    /// The `g` prompt: printable time characters are typed, Backspace deletes, Enter parses, Esc cancels.
    private static func prompt(_ key: KeyEvent, text: String, state: inout DashboardState) -> [DashboardEffect] {
        switch key {
        case .function(10):
            return [.quit]
        case .escape:
            state.input = .none
            return []
        case .backspace:
            state.input = .goTo(String(text.dropLast()))
            return []
        case .character(let c) where c.isASCII && !c.isNewline && text.count < TimeInput.maxLength:
            state.input = .goTo(text + String(c))
            return []
        case .enter:
            state.input = .none
            let span = state.timeline.map { ($0.start, $0.end) }
            let anchor = state.timeline?.position ?? state.snapshot?.time
            switch TimeInput.parse(text, anchor: anchor, span: span, timeZoneOffsetSeconds: state.timeZoneOffsetSeconds) {
            case .success(.relative(let seconds)):
                return [.replaySeek(by: seconds)]
            case .success(.absolute(let time)):
                return [.replaySeekTo(time)]
            case .failure(let error):
                state.setStatus(error.message)
                return []
            }
        default:
            return []
        }
    }
}
