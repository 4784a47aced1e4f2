import AoftopModel

/// Keeps one `SocketLedger` per process (pid + start time) and takes its socket census for a sample, reading the
/// tables when `SocketTableRefresh` says they are due. Not thread-safe: the owning sampler serialises access.
final class SocketCensusTaker {
    /// A sampler usually watches one server; the cap only guards against unbounded growth.
    private static let maxLedgers = 16
    private var ledgers: [Int32: SocketLedger] = [:]

    /// The census of `inodes` (the sample's socket fds) of `pid`. `sampleCost`: what the sample took so far (ns), the
    /// budget the table reads are measured against; `now`: the monotonic clock in ns.
    func census(pid: Int32, startTicks: UInt64, inodes: [UInt64], sampleCost: UInt64, policy: SocketTableRefresh,
                relativeTo pidDir: Int32, buffer: ByteBuffer, now: () -> UInt64) -> SocketCensus {
        let ledger: SocketLedger
        if let known = ledgers[pid], known.startTicks == startTicks {
            ledger = known
        } else {
            if ledgers.count >= Self.maxLedgers { ledgers.removeAll() }
            ledger = SocketLedger(startTicks: startTicks)
            ledgers[pid] = ledger
        }
        ledger.track(inodes, sampleCost: sampleCost)
        let start = now()
        if !inodes.isEmpty && policy.isDue(now: start, lastReadAt: ledger.lastReadAt, lastReadCost: ledger.lastReadCost,
                                           costSinceRead: ledger.costSinceRead) {
            ledger.read(relativeTo: pidDir, buffer: buffer)
            ledger.noteRead(at: start, cost: now() &- start)
        }
        // No sockets: nothing to be stale about.
        let age = inodes.isEmpty ? 0 : ledger.lastReadAt.map { start > $0 ? Int((start - $0) / 1_000_000) : 0 } ?? 0
        return SocketCensusBuilder.census(of: ledger, tablesAgeMs: age)
    }
}
