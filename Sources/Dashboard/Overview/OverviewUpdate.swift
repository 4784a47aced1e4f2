import AoftopModel
import TextGrid

/// Everything that can change the overview: the host turns discovery, each instance's source, keys, resizes and
/// the clock into these.
public enum OverviewMessage: Sendable {
    /// Every server discovery finds now: new ones are watched, listed ones no longer found are marked gone.
    case discovered([OverviewMember])
    /// For one instance's dashboard: its snapshots, recording state, notes.
    case instance(String, DashboardMessage)
    /// Opens this instance's dashboard (with one server found, the host starts there).
    case open(String)
    case key(KeyEvent)
    case resize(GridSize)
    case tick(Timestamp)
}

/// A request for the host; `update` never performs I/O itself.
public enum OverviewEffect: Sendable, Equatable {
    case quit
    /// Start this instance's collectors (new, or back after it was gone).
    case watch(String)
    /// Stop its collectors: discovery no longer finds it.
    case unwatch(String)
    /// What the instance's dashboard asked for (pause, interval, recording), for that instance's source.
    case instance(String, DashboardEffect)
}

/// The only place the overview's state changes. Keys go to the table, or to the instance's own dashboard when
/// one is open; Esc goes back to the table only where the dashboard would do nothing with it (no help screen,
/// no zoomed pane, no prompt), so every existing meaning of Esc is kept.
public func update(_ state: inout OverviewState, _ message: OverviewMessage) -> [OverviewEffect] {
    var effects: [OverviewEffect] = []
    switch message {
    case .discovered(let members):
        effects = discover(members, state: &state)
    case .instance(let name, let message):
        guard state.instances[name] != nil else { return [] }
        effects = update(&state.instances[name]!.dashboard, message).map { .instance(name, $0) }
        if case .snapshot(let snapshot) = message, snapshot.process.value != nil {
            state.instances[name]!.lastAlive = state.instances[name]!.dashboard.assessment
        }
    case .open(let name):
        guard state.instances[name] != nil else { return [] }
        state.selected = name
        state.selectionChosen = true
        state.helpVisible = false
        state.screen = .detail(name)
    case .key(let key):
        effects = OverviewKeys.handle(key, state: &state)
    case .resize(let size):
        state.size = size
        for name in state.instances.keys { _ = update(&state.instances[name]!.dashboard, .resize(size)) }
    case .tick(let time):
        state.now = time
        for name in state.instances.keys { _ = update(&state.instances[name]!.dashboard, .tick(time)) }
    }
    keepSelectionVisible(&state)
    return effects.map { if case .instance(_, .quit) = $0 { .quit } else { $0 } }
}

private func discover(_ members: [OverviewMember], state: inout OverviewState) -> [OverviewEffect] {
    var effects: [OverviewEffect] = []
    var found = Set<String>()
    for member in members where found.insert(member.name).inserted {
        if var instance = state.instances[member.name] {
            instance.member = member
            if instance.goneSince != nil {
                instance.goneSince = nil
                instance.watchedSince = state.now
                instance.dashboard.sourceEnded = false
                instance.dashboard.sourceEndReason = nil
                _ = update(&instance.dashboard, .note("running again: collecting"))
                effects.append(.watch(member.name))
            }
            state.instances[member.name] = instance
        } else {
            var dashboard = DashboardState(mode: .live, interval: state.interval,
                                           timeZoneOffsetSeconds: state.timeZoneOffsetSeconds)
            dashboard.returnsToOverview = true
            _ = update(&dashboard, .resize(state.size))
            if let now = state.now { _ = update(&dashboard, .tick(now)) }
            state.instances[member.name] = OverviewInstance(member: member, dashboard: dashboard, goneSince: nil, lastAlive: nil,
                                                            watchedSince: state.now)
            effects.append(.watch(member.name))
        }
    }
    for name in state.instances.keys.sorted() where !found.contains(name) && state.instances[name]!.goneSince == nil {
        state.instances[name]!.goneSince = state.now ?? state.instances[name]!.dashboard.snapshot?.time ?? Timestamp(millisecondsSince1970: 0)
        // Its source is closed with it (which ends a recording), and a new one starts unpaused if it comes back.
        if case .recording = state.instances[name]!.dashboard.recording {
            _ = update(&state.instances[name]!.dashboard, .recording(.off))
        }
        state.instances[name]!.dashboard.paused = false
        _ = update(&state.instances[name]!.dashboard, .sourceEnded(reason: "gone: discovery no longer finds it"))
        effects.append(.unwatch(name))
    }
    // A server gone for longer than the retention leaves the table (its whole dashboard is kept until then).
    if let now = state.now {
        for (name, instance) in state.instances where !found.contains(name) && state.screen != .detail(name) {
            if let since = instance.goneSince, now.seconds(since: since) >= state.goneRetentionSeconds {
                state.instances[name] = nil
            }
        }
    }
    return effects
}

/// Table rows that fit on screen at the state's size.
func overviewVisibleRows(_ state: OverviewState) -> Int {
    OverviewLayout(size: state.size).table.height
}

/// The selection always names an instance (the most urgent when none was chosen or it vanished), and the first
/// row on screen moves just enough to show it.
private func keepSelectionVisible(_ state: inout OverviewState) {
    let order = state.order
    guard !order.isEmpty else {
        state.selected = nil
        state.top = 0
        return
    }
    if !state.selectionChosen || state.selected.map({ state.instances[$0] == nil }) ?? true { state.selected = order[0] }
    let index = order.firstIndex(of: state.selected!) ?? 0
    let visible = max(1, overviewVisibleRows(state))
    if index < state.top { state.top = index }
    if index >= state.top + visible { state.top = index - visible + 1 }
    state.top = min(max(0, state.top), max(0, order.count - visible))
}

/// Keys on the table (the detail view's keys are the dashboard's own).
enum OverviewKeys {
    static func handle(_ key: KeyEvent, state: inout OverviewState) -> [OverviewEffect] {
        if case .detail(let name) = state.screen, let instance = state.instances[name] {
            let dashboard = instance.dashboard
            if key == .escape, dashboard.input == .none, !dashboard.helpVisible, dashboard.zoomed == nil {
                state.screen = .overview
                return []
            }
            return update(&state.instances[name]!.dashboard, .key(key)).map { .instance(name, $0) }
        }
        state.screen = .overview
        if key == .character("q") || key == .function(10) { return [.quit] }
        if state.helpVisible {
            state.helpVisible = false
            return []
        }
        let order = state.order
        let index = state.selected.flatMap { order.firstIndex(of: $0) } ?? 0
        let page = max(1, overviewVisibleRows(state) - 1)
        switch key {
        case .character("?"), .function(1):
            state.helpVisible = true
        case .up, .character("k"):
            select(index - 1, in: order, state: &state)
        case .down, .character("j"):
            select(index + 1, in: order, state: &state)
        case .pageUp:
            select(index - page, in: order, state: &state)
        case .pageDown:
            select(index + page, in: order, state: &state)
        case .home, .character("g"):
            select(0, in: order, state: &state)
        case .end, .character("G"):
            select(order.count - 1, in: order, state: &state)
        case .enter, .right, .character("l"):
            if let selected = state.selected {
                state.selectionChosen = true
                state.screen = .detail(selected)
            }
        default:
            break
        }
        return []
    }

    private static func select(_ index: Int, in order: [String], state: inout OverviewState) {
        guard !order.isEmpty else { return }
        state.selected = order[min(max(0, index), order.count - 1)]
        state.selectionChosen = true
    }
}
