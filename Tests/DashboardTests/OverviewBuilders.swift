import AoftopModel
import AoftopTestSupport
import TextGrid
@testable import Dashboard

/// Three local servers for the overview, fed through `update` like `Scenario` so each instance's Analyzer runs
/// for real: `127.0.0.1:6381` exhausted by the pipe leak (the incident), `127.0.0.1:6379` whose Redis stopped
/// answering 18 s in, `127.0.0.1:6380` started a second ago (warming up). Names are chosen so that urgency order
/// (6381, 6379, 6380) differs from name order.
enum OverviewScenario {
    static let exhausted = OverviewMember(name: "127.0.0.1:6381", pid: 2381, ports: [6381])
    static let unreachable = OverviewMember(name: "127.0.0.1:6379", pid: 1838, ports: [6379])
    static let warming = OverviewMember(name: "127.0.0.1:6380", pid: 2380, ports: [6380, 16380])
    static let members = [unreachable, warming, exhausted]

    /// The incident's snapshot as seen from another process and port.
    static func retarget(_ snapshot: Snapshot, _ member: OverviewMember, version: String) -> Snapshot {
        var snapshot = snapshot
        let pid = member.pid!
        snapshot.source.version = version
        snapshot.source.host = "127.0.0.1"
        snapshot.source.port = member.ports[0]
        snapshot.source.pid = pid
        if case .ok(var process) = snapshot.process {
            process.pid = pid
            snapshot.process = .ok(process)
        }
        if case .ok(var redis) = snapshot.redis {
            redis.processId = pid
            redis.tcpPort = member.ports[0]
            snapshot.redis = .ok(redis)
        }
        return snapshot
    }

    static func feed(_ state: inout OverviewState, _ member: OverviewMember, _ snapshot: Snapshot) {
        let version = member == unreachable ? "7.0.15" : member == warming ? "7.2.4" : "3.2.8"
        _ = update(&state, .instance(member.name, .snapshot(retarget(snapshot, member, version: version))))
    }

    static func state(host: String = "cache-07") -> OverviewState {
        var state = OverviewState(host: host, interval: 1)
        _ = update(&state, .tick(Build.time(0)))
        _ = update(&state, .discovered(members))
        let incident = Incident()
        var previous: Int64?
        for ms in stride(from: Int64(0), through: 60_000, by: 1000) {
            feed(&state, exhausted, incident.snapshot(at: ms, previousMs: previous))
            previous = ms
            let redis: Reading<RedisSample> = ms < 18_000 ? .ok(IncidentSample.redis(version: "7.0.15")) : .failed("connection reset by peer")
            feed(&state, unreachable, IncidentSample.snapshot(at: ms, redis: redis, process: .ok(Build.process(Build.census(), ms: ms)),
                                                     log: .ok(IncidentSample.log())))
            if ms >= 59_000 {
                feed(&state, warming, IncidentSample.snapshot(at: ms, redis: .ok(IncidentSample.redis(version: "7.2.4", clients: 3, uptime: 2)),
                                                     process: .ok(Build.process(Build.census(clients: 3), ms: ms)),
                                                     log: .ok(IncidentSample.log())))
            }
        }
        _ = update(&state, .tick(Build.time(60_400)))
        return state
    }

    /// `state()` drawn at `size`.
    static func grid(_ state: OverviewState, _ size: GridSize, glyphs: Glyphs = .unicode) -> Grid {
        var state = state
        _ = update(&state, .resize(size))
        return render(state, size: size, glyphs: glyphs)
    }

    /// The table row (text) of the instance named `name`, or nil.
    static func line(_ grid: Grid, containing name: String) -> String? {
        (0..<grid.size.rows).map { grid.text(row: $0) }.first { $0.contains(name) && !$0.contains(": ") }
    }
}
