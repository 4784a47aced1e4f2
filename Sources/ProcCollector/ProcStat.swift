/// The fields aoftop needs from `/proc/PID/stat`.
struct ProcStat: Equatable {
    var command: String
    var startTicks: UInt64
    var cpuTicks: UInt64

    /// Parses `/proc/PID/stat`. `comm` may contain spaces and `)` (a process can name itself `a) b`), so the
    /// fields are counted from the LAST `)`. Returns nil for anything that does not look like a stat line.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ProcStat? {
        guard let open = bytes.firstIndex(of: 0x28), let close = bytes.lastIndex(of: 0x29), open < close else {
            return nil
        }
        var ranges: [Range<Int>] = []
        // After ") ": field 3 (state) is token 0, so field N is token N - 3.
        ProcBytes.tokens(bytes, close + 1, ProcBytes.lineEnd(bytes, from: close + 1), limit: 20, into: &ranges)
        guard ranges.count >= 20,
              let utime = ProcBytes.decimal(bytes, ranges[11].lowerBound, ranges[11].upperBound),
              let stime = ProcBytes.decimal(bytes, ranges[12].lowerBound, ranges[12].upperBound),
              let start = ProcBytes.decimal(bytes, ranges[19].lowerBound, ranges[19].upperBound) else { return nil }
        let (cpu, overflow) = utime.addingReportingOverflow(stime)
        guard !overflow else { return nil }
        return ProcStat(command: ProcBytes.string(bytes, (open + 1)..<close), startTicks: start, cpuTicks: cpu)
    }
}
