import AoftopAnalysis
import AoftopModel
import Dashboard
import FoundationEssentials
import Glibc

/// The human-readable form of one snapshot: one block per source, a failed source saying why in one line.
enum SnapshotText {
    static func render(_ snapshot: Snapshot) -> String {
        var lines: [String] = []
        let source = snapshot.source
        var title = "aoftop snapshot  \(source.displayName)"
        if let server = source.server, let version = source.version { title += "  \(server) \(version)" }
        if let pid = source.pid { title += "  pid \(Format.pid(pid, namespacePid: snapshot.process.value?.namespaces?.innerPid))" }
        lines.append(title + "  \(snapshot.time.iso8601)")
        lines.append("")
        lines += redisLines(snapshot.redis)
        lines += processLines(snapshot.process)
        lines += logLines(snapshot.log)
        lines += aofDirectoryLines(snapshot.aofDirectory)
        lines += startupLines(snapshot.startup, configAnswers: snapshot.redis.value?.config.isOK ?? false)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first failed source as one line for standard error, or nil when all answered.
    static func firstFailure(_ snapshot: Snapshot) -> String? {
        if let reason = snapshot.redis.failureReason { return "redis: \(reason)" }
        if let reason = snapshot.process.failureReason { return "/proc: \(reason)" }
        if let reason = snapshot.log.failureReason { return "log: \(reason)" }
        return nil
    }

    private static func header<T>(_ name: String, _ reading: Reading<T>, _ detail: String = "") -> String {
        let label = padded(name, 9)
        switch reading {
        case .ok: return "\(label)ok" + (detail.isEmpty ? "" : "  \(detail)")
        case .failed(let reason): return "\(label)FAILED  \(reason)"
        case .notConfigured: return "\(label)not configured"
        }
    }

    private static func row(_ name: String, _ text: String) -> String {
        "  " + padded(name, 13) + text
    }

    private static func redisLines(_ reading: Reading<RedisSample>) -> [String] {
        let latency = reading.value?.infoLatencyMicros.map { "INFO \(micros($0))" } ?? ""
        var lines = [header("redis", reading, latency)]
        guard let redis = reading.value else { return lines }
        let config = redis.config.value
        let maxclients = config?.maxclients ?? redis.maxclients
        let hz = (config?.hz ?? redis.hz).map(String.init) ?? "?"
        lines.append(row("server", "\(redis.server ?? "redis") \(redis.version ?? "?")  role \(redis.role ?? "?")  uptime \(Format.duration(redis.uptimeSeconds.map(Double.init)))  hz \(hz)"))
        lines.append(row("clients", "connected \(Format.count(redis.connectedClients)) / maxclients \(Format.count(maxclients))  rejected \(Format.count(redis.rejectedConnections))  received \(Format.count(redis.totalConnectionsReceived))"))
        var aof = "enabled \(yesNo(redis.aofEnabled))"
        if redis.aofEnabled == true {
            aof += "  current \(Format.bytes(redis.aofCurrentSize))  base \(Format.bytes(redis.aofBaseSize))"
            if let current = redis.aofCurrentSize, let base = redis.aofBaseSize {
                aof += "  growth \(AofAssessment.growthPercent(current: current, base: base))%"
            }
            aof += "  threshold \(config?.autoAofRewritePercentage.map { "\($0)%" } ?? "?") (min \(Format.bytes(config?.autoAofRewriteMinSize)))"
        }
        lines.append(row("aof", aof))
        lines.append(row("rewrites", "in progress \(yesNo(redis.aofRewriteInProgress))  scheduled \(yesNo(redis.aofRewriteScheduled))  last \(redis.aofLastBgrewriteStatus ?? "?")  done \(Format.count(redis.aofRewrites))  consecutive failures \(Format.count(redis.aofRewritesConsecutiveFailures))"))
        lines.append(row("forks", "total \(Format.count(redis.totalForks))  latest \(redis.latestForkUsec.map(micros) ?? "?")  last bgsave \(redis.rdbLastBgsaveStatus ?? "?")  used memory \(Format.bytes(redis.usedMemory))"))
        switch redis.config {
        case .ok: lines.append(row("config", "ok  logfile \(config?.logfile.map { $0.isEmpty ? "(stdout)" : $0 } ?? "?")  dir \(config?.dir ?? "?")"))
        case .failed(let reason): lines.append(row("config", "unknown: \(reason)"))
        case .notConfigured: lines.append(row("config", "not asked"))
        }
        return lines
    }

    private static func processLines(_ reading: Reading<ProcSample>) -> [String] {
        var lines = [header("process", reading, reading.value.map { "pid \(Format.pid($0.pid, namespacePid: $0.namespaces?.innerPid)) \($0.command)" } ?? "")]
        guard let process = reading.value else { return lines }
        let fds = process.fds
        let anon = fds.anonInodes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append(row("fds", "total \(fds.total): sockets \(fds.sockets) (\(fds.listeningSockets) listening, \(fds.clientSockets) client), pipes \(fds.pipes) (\(fds.selfHeldPipePairs) self-held pairs), anon \(fds.anonInodeTotal)\(anon.isEmpty ? "" : " (\(anon))"), files \(fds.regularFiles), other \(fds.other)"))
        let holes = fds.holes.prefix(8).map(String.init).joined(separator: " ")
        let holeText = fds.holeCount == 0 ? "no free numbers below it"
            : "\(fds.holeCount) free below it (\(holes)\(fds.holeCount > 8 ? " …" : ""))"
        lines.append(row("fd numbers", "highest \(fds.highestFd), \(holeText); next fd \(fds.lowestFreeFd)"))
        lines.append(row("limits", "open files soft \(process.limits.soft.map(String.init) ?? "unlimited"), hard \(process.limits.hard.map(String.init) ?? "unlimited")"))
        lines.append(row("cpu", "\(Format.duration(Double(process.cpuTicks) / Double(max(process.clockTicksPerSecond, 1)))) total"))
        return lines
    }

    private static func logLines(_ reading: Reading<LogSample>) -> [String] {
        let localOffset = DashboardRunner.localUTCOffsetSeconds()
        var lines = [header("log", reading, reading.value.map { "\($0.path) (\(fileStateText($0.fileState)))" } ?? "")]
        guard let log = reading.value else { return lines }
        lines.append(row("read", "\(log.linesRead) lines, \(Format.bytes(Int64(log.bytesRead)))\(log.rotations > 0 ? ", \(log.rotations) rotations" : "")"))
        let kinds = log.totals.filter { $0.key != .other && $0.value > 0 }.sorted { $0.key < $1.key }
        lines.append(row("kinds", kinds.isEmpty ? "nothing aoftop watches for" : kinds.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")))
        for (index, event) in log.events.suffix(8).reversed().enumerated() {
            // Local time, as the server's own log writes it.
            let time = event.time.map { Format.timeOfDayMillis($0, offsetSeconds: localOffset) } ?? "            "
            let detail = event.error ?? event.fd.map { "fd=\($0)" } ?? event.growthPercent.map { "\($0)% growth" } ?? event.message
            lines.append(row(index == 0 ? "recent" : "", "\(time) \(padded(event.kind.rawValue, 22)) \(detail.prefix(80))"))
        }
        if log.droppedEvents > 0 { lines.append(row("", "(\(log.droppedEvents) more events not listed; counted above)")) }
        if let history = log.history { lines.append(row("since start", historyText(history))) }
        return lines
    }

    /// `following`, `waiting for file`, `closed` (a stream whose writer is gone).
    private static func fileStateText(_ state: LogSample.FileState) -> String {
        state == .streamEnded ? "closed" : state.rawValue.replacing("_", with: " ")
    }

    /// The log read back to the server's start line, or how far that got.
    private static func historyText(_ history: LogHistory) -> String {
        switch history.state {
        case .reading: return "reading the log back (\(Format.bytes(Int64(clamping: history.bytesRead))) so far)"
        case .failed: return "not read back: \(history.reason ?? "?")"
        case .complete, .startNotFound:
            var text = history.state == .complete
                ? "started \(history.processStart?.iso8601 ?? "?")" : "no start line (\(history.reason ?? "?"))"
            text += ": \(history.forkFailures ?? 0) fork failures"
            if let first = history.firstRefusal { text += ", refusing clients since \(first.iso8601)" }
            if let fd = history.lowestRefusedFd { text += ", lowest refused fd \(fd)" }
            return text + "  (\(history.files.joined(separator: ", ")))"
        }
    }

    /// What the process was started with, each setting with where it came from.
    private static func startupLines(_ reading: Reading<ServerStartup>, configAnswers: Bool) -> [String] {
        if case .notConfigured = reading { return [] }
        // Only needed while Redis cannot be asked: unknown then is no failure (a rewritten title is the default).
        if configAnswers, let reason = reading.failureReason {
            return [padded("startup", 9) + "not needed while CONFIG answers (\(reason))"]
        }
        let binary = reading.value?.binary.map { "\($0.server) \($0.version) (\($0.path))" } ?? ""
        var lines = [header("startup", reading, binary)]
        guard let startup = reading.value else { return lines }
        let file = startup.configFile.map { "\($0) (\(startup.configFileLocation?.rawValue ?? "?"))" }
            ?? (startup.configFileLocation == ConfigFileLocation.none ? "none (options and defaults only)" : "?")
        lines.append(row("config file", file))
        func setting<T>(_ name: String, _ value: Setting<T>?) -> String? {
            value.map { "\(name) \($0.value) (\($0.origin.rawValue)\($0.detail.map { " \($0)" } ?? ""))" }
        }
        let settings = [setting("maxclients", startup.maxclients), setting("logfile", startup.logfile),
                        setting("dir", startup.dir), setting("appendonly", startup.appendonly),
                        setting("auto-aof-rewrite-percentage", startup.autoAofRewritePercentage),
                        setting("hz", startup.hz)].compactMap { $0 }
        for (index, text) in settings.enumerated() { lines.append(row(index == 0 ? "settings" : "", text)) }
        for warning in startup.warnings { lines.append(row("warning", warning)) }
        return lines
    }

    private static func aofDirectoryLines(_ reading: Reading<AofDirectorySample>) -> [String] {
        if case .notConfigured = reading { return [] }
        return [header("aof dir", reading, reading.value.map {
            "\($0.path): \($0.files) files (\($0.incrFiles) incr), \(Format.bytes(Int64($0.totalBytes)))"
        } ?? "")]
    }

    private static func yesNo(_ value: Bool?) -> String { value.map { $0 ? "yes" : "no" } ?? Format.unknown }

    /// `850 µs`, `8.4 ms`, `1.2 s`.
    private static func micros(_ value: Int64) -> String {
        value < 1000 ? "\(value) µs" : value < 1_000_000 ? "\(Format.decimal(Double(value) / 1000, digits: 1)) ms"
                                                        : "\(Format.decimal(Double(value) / 1_000_000, digits: 1)) s"
    }

    /// `text` cut or padded with spaces to `width` characters, as NSString's `padding(toLength:withPad:startingAt:)`
    /// did (full Foundation only; the labels are ASCII, so characters and UTF-16 units agree).
    private static func padded(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - count)
    }
}
