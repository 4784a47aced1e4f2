import AoftopModel

/// Symptoms of the EMFILE regime that need no Redis connection: a spinning CPU and a silent log.
public struct ProcessActivity: Sendable, Equatable, Codable {
    static let cpuWindowMs: Int64 = 5_000

    /// CPU use of the server over the last ~5 s, percent of one core; `nil` until two `/proc` samples.
    public var cpuPercent: Double?
    /// Seconds since the log last grew; `nil` without a log reading.
    public var logSilentSeconds: Double?

    public init(cpuPercent: Double? = nil, logSilentSeconds: Double? = nil) {
        self.cpuPercent = cpuPercent
        self.logSilentSeconds = logSilentSeconds
    }

    init(history: AnalysisHistory, now: Timestamp, logOK: Bool) {
        let samples = history.window(milliseconds: Self.cpuWindowMs).filter { $0.cpuTicks != nil }
        if let first = samples.first, let last = samples.last, last.time > first.time,
           let hz = last.clockTicksPerSecond, hz > 0, let a = first.cpuTicks, let b = last.cpuTicks, b >= a {
            cpuPercent = rounded(Double(b - a) / Double(hz) / last.time.seconds(since: first.time) * 100, 1)
        }
        if logOK, let activity = history.lastLogActivity {
            logSilentSeconds = rounded(max(0, now.seconds(since: activity)), 1)
        }
    }

    enum CodingKeys: String, CodingKey {
        case cpuPercent = "cpu_percent"
        case logSilentSeconds = "log_silent_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cpuPercent, forKey: .cpuPercent)
        try c.encode(logSilentSeconds, forKey: .logSilentSeconds)
    }
}
