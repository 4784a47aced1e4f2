import AoftopModel
import AoftopTestSupport
@testable import AoftopAnalysis

/// The incident: 67 fds at start, failed forks at 9.97/s from `onsetMs`, each leaking `fdsPerFailure` pipe fds,
/// until the regime's plateau.
struct LeakScenario {
    var onsetMs: Int64 = 20_300
    var forksPerSecond = 9.97
    var fdsPerFailure = 6
    var maxclients = 1000
    var rlimit = 20_000
    var version = "3.2.8"
    /// A leak that pauses: no failures in `[pauseStartMs, pauseEndMs)`.
    var pauseStartMs: Int64 = .max
    var pauseEndMs: Int64 = .max

    var setsize: Int { maxclients + 128 }
    /// ERANGE: growth stops at about setsize (1129 measured); EMFILE: at RLIMIT − 5.
    var plateau: Int { rlimit >= setsize ? setsize + 1 : rlimit - 5 }

    /// Fork failures that happened by `ms` (one at the onset, then every 1/9.97 s), minus the pause.
    func failures(at ms: Int64) -> Int {
        func count(_ t: Int64) -> Int { t < onsetMs ? 0 : Int(Double(t - onsetMs) / 1000 * forksPerSecond) + 1 }
        let paused = ms < pauseStartMs ? 0 : count(min(ms, pauseEndMs)) - count(pauseStartMs)
        return count(ms) - paused
    }

    /// Leaked pipe fds at `ms`, capped at the plateau.
    func leaked(at ms: Int64) -> Int {
        let base = Build.census().total
        let fits = (plateau - base) / fdsPerFailure
        return min(failures(at: ms), fits) * fdsPerFailure
    }

    func snapshot(at ms: Int64, previousMs: Int64?) -> Snapshot {
        let census = Build.census(pipes: 2 + leaked(at: ms))
        let total = failures(at: ms)
        let before = previousMs.map(failures(at:)) ?? 0
        let events = (before < total) ? (before..<total).suffix(50).map { k in
            Build.forkFailure(at: onsetMs + Int64(Double(k) * 1000 / forksPerSecond))
        } : []
        return Build.snapshot(at: ms,
                              redis: .ok(Build.redis(version: version, maxclients: maxclients)),
                              process: .ok(Build.process(census, soft: rlimit, cpuTicks: UInt64(ms / 100))),
                              log: .ok(Build.log(aofFailures: total, newEvents: events)))
    }

    /// The first time the next fd is refused (all fds below setsize open), or the RLIMIT plateau.
    var exhaustionMs: Int64 {
        var ms = onsetMs
        while Build.census(pipes: 2 + leaked(at: ms)).total < min(setsize, plateau) { ms += 1 }
        return ms
    }

    /// Samples every `stepMs` from 0 through `endMs`, assessed in order.
    func run(stepMs: Int64 = 1000, through endMs: Int64) -> [(ms: Int64, assessment: Assessment)] {
        var analyzer = Analyzer()
        var out: [(Int64, Assessment)] = []
        var previous: Int64?
        for ms in stride(from: Int64(0), through: endMs, by: Int(stepMs)) {
            out.append((ms, analyzer.ingest(snapshot(at: ms, previousMs: previous))))
            previous = ms
        }
        return out
    }
}
