import AoftopAnalysis
import AoftopModel
import TextGrid

/// Rows 1–2: who is watched (host:port, version, pid, uptime, role), the mode and sample time; then the state of
/// each source, failures first and spelled out.
enum HeaderBar {
    static func draw(_ state: DashboardState, size: GridSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(size: size)
        let width = size.columns
        let snapshot = state.snapshot
        let redis = snapshot?.redis.value

        // Right: mode badge and sample time, fixed width so nothing moves.
        let (badge, badgeRole) = modeBadge(state)
        let time = snapshot.map {
            width >= 110 ? Format.dateTime($0.time, offsetSeconds: state.timeZoneOffsetSeconds)
                         : Format.timeOfDay($0.time, offsetSeconds: state.timeZoneOffsetSeconds)
        } ?? "--:--:--"
        let timeStart = grid.writeRightAligned(time, row: 0, rightEdge: width, role: .normal)
        let badgeStart = grid.writeRightAligned(" \(badge) ", row: 0, rightEdge: timeStart - 1, role: badgeRole)

        var parts: [(String, CellRole)] = [("aoftop ", .header)]
        parts.append((snapshot?.source.displayName ?? "waiting for data", .normal))
        let server = redis?.server ?? snapshot?.source.server ?? state.assessment?.server ?? "redis"
        let version = redis?.version ?? snapshot?.source.version ?? state.assessment?.version
        parts.append(("  \(server) \(version ?? Format.unknown)", .normal))
        let pid = snapshot?.process.value?.pid ?? redis?.processId ?? snapshot?.source.pid
        parts.append(("  pid \(Format.pid(pid, namespacePid: snapshot?.process.value?.namespaces?.innerPid))", .normal))
        parts.append(("  up \(redis?.uptimeSeconds.map { Format.duration(Double($0)) } ?? Format.unknown)", .dim))
        if let role = redis?.role { parts.append(("  \(role)", .dim)) }
        var column = 0
        for (text, role) in parts {
            column += grid.write(text, row: 0, column: column, role: role, maxWidth: max(0, badgeStart - 1 - column))
        }

        // Row 2: sources, failures first; right side: interval or ended.
        var right = state.mode == .live ? "every \(Format.seconds(state.interval))" : ""
        if state.sourceEnded { right = state.mode == .replay ? "end of recording" : "source ended" }
        var rightStart = width
        if !right.isEmpty { rightStart = grid.writeRightAligned(right, row: 1, rightEdge: width, role: state.sourceEnded ? .warn : .dim) }
        var items: [(String, CellRole)] = []
        if let stale = staleness(state) { items.append((stale, .critical)) }
        items += sourceItems(state)
        column = 0
        for (index, (text, role)) in items.enumerated() {
            let separator = index == 0 ? "" : "  "
            let available = rightStart - 1 - column
            let entry = separator + text
            // Whole items only, except a first item too long for the row, which is cut with an ellipsis.
            if CharacterWidth.of(entry) > available {
                if index == 0 { grid.write(Drawing.fit(entry, available, ellipsis: glyphs.ellipsis), row: 1, column: 0, role: role) }
                break
            }
            column += grid.write(entry, row: 1, column: column, role: role)
        }
        return grid
    }

    static func modeBadge(_ state: DashboardState) -> (String, CellRole) {
        if state.paused { return ("PAUSED", .warn) }
        switch state.mode {
        case .live: return ("LIVE", .ok)
        case .replay: return ("REPLAY", .selected)
        }
    }

    /// Live only: no snapshot for much longer than the interval means the sampler itself is stuck.
    static func staleness(_ state: DashboardState) -> String? {
        guard state.mode == .live, !state.paused, let now = state.now, let time = state.snapshot?.time else { return nil }
        let age = now.seconds(since: time)
        guard age > max(5, 3 * state.interval) else { return nil }
        return "no new snapshot for \(Format.age(age))"
    }

    static func sourceItems(_ state: DashboardState) -> [(String, CellRole)] {
        guard state.snapshot != nil else { return [("waiting for the first snapshot", .dim)] }
        let sources: [(String, SourceFreshness, String)] = [
            ("redis", state.redisFreshness, "unreachable"),
            ("/proc", state.processFreshness, "unreadable"),
            ("log", state.logFreshness, "unreadable"),
        ]
        var failed: [(String, CellRole)] = []
        var fine: [(String, CellRole)] = []
        for (name, freshness, verb) in sources {
            if let reason = freshness.failure {
                let age = freshness.failingSeconds(at: state.clock).map { " \(Format.age($0))" } ?? ""
                if name == "/proc", Hints.explain(reason) != reason {
                    failed.append(("\(name): \(Hints.explain(reason))", .warn))
                } else {
                    failed.append(("\(name): \(verb)\(age) (\(reason))", .warn))
                }
            } else if name == "log", let log = state.snapshot?.log.value, log.path == LogSample.standardInput {
                fine.append(log.fileState == .streamEnded ? ("log: stdin closed", .warn) : ("log stdin", .ok))
            } else if !freshness.configured {
                fine.append(("\(name) off", .dim))
            } else {
                fine.append(("\(name) ok", .ok))
            }
        }
        return failed + fine
    }
}
