import AoftopAnalysis
import AoftopModel

/// One line of the overview: the shared `InstanceRow` (the same cells as `aoftop list`), plus what the dashboard
/// knows beyond one assessment. A gone server keeps its last figures under `GONE`; a paused, stale or half-blind
/// instance (Redis or `/proc` failing) is greyed and its diagnosis cell says why first.
public struct OverviewRow: Sendable, Equatable {
    public var row: InstanceRow
    /// Greyed: gone, paused, no recent sample, or Redis or `/proc` failing.
    public var degraded: Bool
    public var gone: Bool

    public var name: String { row.name }

    init(_ instance: OverviewInstance, now: Timestamp?, timeZoneOffsetSeconds: Int) {
        let dashboard = instance.dashboard
        let member = instance.member
        if let since = instance.goneSince {
            gone = true
            degraded = true
            // The figures when it was last seen alive; no ETA for a process that is not there, so it sorts after
            // every live one with a trend.
            let last = instance.lastAlive
            row = InstanceRow(name: member.name, pid: member.pid, ports: member.ports, assessment: last ?? dashboard.assessment)
            row.urgency = instance.urgency
            row[.eta] = "-"
            row[.severity] = "GONE"
            let time = { Format.timeOfDay($0, offsetSeconds: timeZoneOffsetSeconds) }
            row[.diagnosis] = last.map { "gone, last seen \(time($0.time)): \($0.diagnosis)" }
                ?? "gone: not found since \(time(since))"
            return
        }
        row = InstanceRow(name: member.name, pid: member.pid, ports: member.ports, assessment: dashboard.assessment)
        gone = false
        var notes: [String] = []
        if dashboard.paused {
            notes.append("paused")
        } else if let now, let time = dashboard.snapshot?.time, now.seconds(since: time) > max(5, 3 * dashboard.interval) {
            notes.append("no new sample for \(Format.age(now.seconds(since: time)))")
        } else if let now, dashboard.snapshot == nil, let since = instance.watchedSince,
                  now.seconds(since: since) > max(5, 3 * dashboard.interval) {
            // A sampler stuck on its very first read (a /proc or Redis call that never returns) says so too.
            notes.append("no sample yet after \(Format.age(now.seconds(since: since)))")
        }
        let diagnosis = row[.diagnosis]
        let redisFailure = dashboard.redisFreshness.failure
        let procFailure = dashboard.processFreshness.failure
        if let reason = redisFailure, !diagnosis.contains(reason) { notes.append("redis: \(reason)") }
        if let reason = procFailure, !diagnosis.contains(reason) { notes.append("/proc: \(Hints.explain(reason))") }
        if !notes.isEmpty { row[.diagnosis] = notes.joined(separator: "; ") + " — " + diagnosis }
        degraded = !notes.isEmpty || redisFailure != nil || procFailure != nil
    }
}
