import AoftopAnalysis
import AoftopModel
import TextGrid

/// The only place the dashboard's state changes. Returns what the host should do (quit, pause, seek…).
public func update(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardEffect] {
    switch message {
    case .snapshot(let snapshot):
        ingest(snapshot, into: &state)
        return []
    case .key(let key):
        return KeyHandler.handle(key, state: &state)
    case .resize(let size):
        state.size = size
        state.eventScroll = min(state.eventScroll, maxEventScroll(state))
        return []
    case .tick(let time):
        state.now = time
        expireStatus(&state)
        return []
    case .sourceEnded(let reason):
        state.sourceEnded = true
        state.sourceEndReason = reason
        state.setStatus(reason.map { "source ended: \($0)" } ?? (state.mode == .replay ? "end of recording" : "source ended"))
        return []
    case .recording(let status):
        state.recording = status
        if case .failed(let reason) = status { state.setStatus("recording stopped: \(reason)") }
        return []
    case .timeline(let timeline):
        state.timeline = timeline
        state.paused = !timeline.playing
        return []
    case .note(let text):
        state.setStatus(text)
        return []
    }
}

private func ingest(_ snapshot: Snapshot, into state: inout DashboardState) {
    // Time going backwards is a replay seek (or a clock step): what was seen after it no longer happened yet.
    if let previous = state.snapshot, snapshot.time < previous.time {
        state.histories = SeriesHistories(capacity: DashboardState.historyCapacity)
        state.events = []
        state.eventScroll = 0
    }
    state.snapshot = snapshot
    state.assessment = state.analyzer.ingest(snapshot)
    state.histories.append(snapshot)
    state.redisFreshness.note(snapshot.redis, at: snapshot.time)
    state.processFreshness.note(snapshot.process, at: snapshot.time)
    state.logFreshness.note(snapshot.log, at: snapshot.time)
    if let log = snapshot.log.value, !log.events.isEmpty {
        let fresh = log.events.reversed().prefix(DashboardState.eventCapacity)
        state.events.insert(contentsOf: fresh, at: 0)
        if state.events.count > DashboardState.eventCapacity {
            state.events.removeLast(state.events.count - DashboardState.eventCapacity)
        }
        // Someone reading older events keeps seeing the same ones while new ones arrive above.
        if state.eventScroll > 0 { state.eventScroll += fresh.count }
        state.eventScroll = min(state.eventScroll, maxEventScroll(state))
    }
}

private func expireStatus(_ state: inout DashboardState) {
    guard state.statusMessage != nil, let now = state.now else { return }
    guard let setAt = state.statusSetAt else {
        state.statusSetAt = now
        return
    }
    if now.seconds(since: setAt) >= DashboardState.statusSeconds || now < setAt {
        state.statusMessage = nil
        state.statusSetAt = nil
    }
}

/// Rows of events the events pane shows at the current terminal size.
func eventPageSize(_ state: DashboardState) -> Int {
    let layout = Layout(size: state.size, replay: state.mode == .replay, zoomed: state.zoomed, panes: state.panes)
    guard let rect = layout.panes[.events] else { return 1 }
    return max(1, rect.height - EventsPane.headerRows)
}

/// The largest useful scroll offset: the oldest event on the last visible row.
func maxEventScroll(_ state: DashboardState) -> Int {
    max(0, state.events.count - eventPageSize(state))
}

extension DashboardState {
    mutating func setStatus(_ text: String) {
        statusMessage = text
        statusSetAt = now
    }
}
