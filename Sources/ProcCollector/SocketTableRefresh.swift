/// When `ProcSampler` reads the socket tables (`net/tcp`, `net/tcp6`, `net/unix`) for the socket census.
///
/// Why not always: those tables list every socket of the network namespace, and the kernel formats them a row at a
/// time. Measured (`docs/benchmarks.md`, SocketCensusBenchmark), reading them costs about as much as the whole fd
/// census at 10,000 sockets and more at 19,000, so reading them on every sample would double aoftop's hot loop.
/// What a socket is (its role, its peer) never changes and is cached, so between reads only its state, queues and
/// the roles of sockets opened since (`unresolved`) wait for the next read; `SocketCensus.tablesAgeMs` says how long.
public enum SocketTableRefresh: Sendable, Equatable {
    /// No socket census: `ProcSample.sockets` stays nil and the sample costs what the fd census costs.
    case off
    /// Read the tables on every sample: always current, up to twice the cost (tests, benchmarks).
    case everySample
    /// Read the tables when the time spent reading them stays within `fraction` of the time spent on the rest of
    /// the samples since the last read, and in any case once they are `maxAgeSeconds` old. With `fraction` 0.5 a
    /// sample costs at most 1.5× the fd census on average; the age bound wins only for a process with few fds in a
    /// namespace with very many sockets, where a read is cheap next to a second of sampling anyway.
    case budget(fraction: Double, maxAgeSeconds: Double)

    /// Half the fd census's time, and never older than 10 s.
    public static let standard = SocketTableRefresh.budget(fraction: 0.5, maxAgeSeconds: 10)

    /// Whether a sample that costs `costSinceRead` ns since the last read (which cost `lastReadCost` ns, at
    /// `lastReadAt`) should read the tables at `now`.
    func isDue(now: UInt64, lastReadAt: UInt64?, lastReadCost: UInt64, costSinceRead: UInt64) -> Bool {
        switch self {
        case .off: return false
        case .everySample: return true
        case .budget(let fraction, let maxAgeSeconds):
            guard let lastReadAt else { return true }
            if Double(now &- lastReadAt) >= maxAgeSeconds * 1e9 { return true }
            return Double(costSinceRead) * fraction >= Double(lastReadCost)
        }
    }
}
