import AoftopClock
import AoftopFleet
import AoftopModel
import AoftopPipeline
import Dashboard
import FoundationEssentials
import Glibc
import Synchronization
import TextGrid

/// `aoftop --all`: every local server in the overview table, each with its own `LiveSource` (its own sampling
/// thread, so a hung Redis only greys its own row) feeding its own dashboard all the time, and rediscovery every
/// `FleetMonitor.rediscoverySeconds` on a thread of its own.
final class OverviewProgram: DashboardProgram {
    private var state: OverviewState
    private var sources: [String: LiveSource] = [:]
    /// The latest discovered target for each name (a gone one keeps its last), to start its source.
    private var targets: [String: FleetTarget] = [:]
    private let initial: [FleetTarget]
    private let open: String?
    private let makeSource: (FleetTarget) -> LiveSource
    private let rediscovery: Rediscovery
    private var seenGeneration = 0

    /// - Parameters:
    ///   - targets: the first discovery (the caller needed it to choose this screen).
    ///   - open: the instance whose dashboard shows first (the only server found), or nil for the table.
    ///   - makeSource: a started source for one target.
    init(targets: [FleetTarget], open: String?, interval: Double, procRoot: String,
         makeSource: @escaping (FleetTarget) -> LiveSource) {
        initial = targets
        self.open = open
        self.makeSource = makeSource
        state = OverviewState(host: HostName.current() ?? "", interval: interval,
                              timeZoneOffsetSeconds: DashboardRunner.localUTCOffsetSeconds(),
                              rediscoverySeconds: FleetMonitor.rediscoverySeconds,
                              goneRetentionSeconds: FleetMonitor.goneRetentionSeconds)
        rediscovery = Rediscovery(procRoot: procRoot, every: FleetMonitor.rediscoverySeconds)
    }

    func start(size: GridSize, time: Timestamp) -> Bool {
        var effects = update(&state, .resize(size))
        effects += update(&state, .tick(time))
        effects += discovered(initial)
        if let open { effects += update(&state, .open(open)) }
        return apply(effects)
    }

    func poll(now: Double) -> (changed: Bool, quit: Bool) {
        var effects: [OverviewEffect] = []
        var changed = false
        if let (generation, found) = rediscovery.latest, generation != seenGeneration {
            seenGeneration = generation
            effects += discovered(found)
            changed = true
        }
        for (name, source) in sources {
            let updates = source.poll(now: now)
            guard !updates.isEmpty else { continue }
            for sourceUpdate in updates {
                effects += update(&state, .instance(name, DashboardRunner.message(for: sourceUpdate)))
            }
            // Another instance's snapshot changes nothing on an open dashboard.
            if state.screen == .overview || state.screen == .detail(name) { changed = true }
        }
        return (changed, apply(effects))
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

    func close() {
        rediscovery.stop()
        for source in sources.values { source.close() }
        sources.removeAll()
    }

    private func discovered(_ found: [FleetTarget]) -> [OverviewEffect] {
        for target in found { targets[target.name] = target }
        return update(&state, .discovered(found.map { OverviewMember(name: $0.name, pid: $0.pid, ports: $0.ports) }))
    }

    /// Starts and stops sources, passes controls to the instance's own; true on quit.
    private func apply(_ effects: [OverviewEffect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return true
            case .watch(let name):
                guard let target = targets[name] else { continue }
                sources.removeValue(forKey: name)?.close()
                let source = makeSource(target)
                // A server that came back keeps the interval its dashboard was set to (+/-).
                if let interval = state.instances[name]?.dashboard.interval {
                    source.control(.setInterval(interval), now: MonotonicClock.now())
                }
                sources[name] = source
            case .unwatch(let name):
                sources.removeValue(forKey: name)?.close()
            case .instance(let name, let effect):
                if let control = DashboardRunner.control(for: effect) {
                    sources[name]?.control(control, now: MonotonicClock.now())
                }
            }
        }
        return false
    }
}
