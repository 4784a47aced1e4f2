import AoftopClock
import AoftopModel
import AoftopPipeline
import Dashboard
import TextGrid

/// What `DashboardRunner`'s loop drives: a state, the sources that feed it, and how it is drawn.
protocol DashboardProgram: AnyObject {
    /// The first size and wall time; returns true to quit at once.
    func start(size: GridSize, time: Timestamp) -> Bool
    /// Drains what the sources have ready (never blocks): whether the screen may have changed, and whether to quit.
    func poll(now: Double) -> (changed: Bool, quit: Bool)
    /// A wall-clock tick, a key or a resize; returns true to quit.
    func handle(_ input: ProgramInput) -> Bool
    func render(size: GridSize, glyphs: Glyphs) -> Grid
    /// Stops background work and closes files. Idempotent.
    func close()
}

enum ProgramInput {
    case tick(Timestamp)
    case key(KeyEvent)
    case resize(GridSize)
}

/// One snapshot source (live collectors or a recording) and its dashboard: `aoftop -p PORT`, `replay`, `demo`.
final class SingleDashboard: DashboardProgram {
    private let source: any SnapshotSource
    private var state: DashboardState
    private let note: String?

    init(source: any SnapshotSource, mode: DashboardMode, interval: Double, note: String?) {
        self.source = source
        self.note = note
        state = DashboardState(mode: mode, interval: interval, timeZoneOffsetSeconds: DashboardRunner.localUTCOffsetSeconds())
    }

    func start(size: GridSize, time: Timestamp) -> Bool {
        var effects = update(&state, .resize(size))
        effects += update(&state, .tick(time))
        if let note { effects += update(&state, .note(note)) }
        return apply(effects)
    }

    func poll(now: Double) -> (changed: Bool, quit: Bool) {
        var effects: [DashboardEffect] = []
        let updates = source.poll(now: now)
        for sourceUpdate in updates { effects += update(&state, DashboardRunner.message(for: sourceUpdate)) }
        return (!updates.isEmpty, apply(effects))
    }

    func handle(_ input: ProgramInput) -> Bool {
        switch input {
        case .tick(let time): apply(update(&state, .tick(time)))
        case .key(let key): apply(update(&state, .key(key)))
        case .resize(let size): apply(update(&state, .resize(size)))
        }
    }

    func render(size: GridSize, glyphs: Glyphs) -> Grid {
        Dashboard.render(state, size: size, glyphs: glyphs)
    }

    func close() { source.close() }

    /// Passes controls to the source; true on quit.
    private func apply(_ effects: [DashboardEffect]) -> Bool {
        for effect in effects {
            if effect == .quit { return true }
            if let control = DashboardRunner.control(for: effect) { source.control(control, now: MonotonicClock.now()) }
        }
        return false
    }
}
