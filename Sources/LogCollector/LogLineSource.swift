import AoftopModel

/// Where a `LogSampler`'s lines come from: a file followed by name (`LogFollower`) or an open stream such as standard
/// input (`LogStream`). Both cut their bytes with `LineSplitter`, and the sampler classifies their lines alike.
public protocol LogLineSource: AnyObject {
    /// The path, or `standard input`: `LogSample.path`.
    var name: String { get }
    /// Rotations seen since the source started (always 0 for a stream).
    var rotations: Int { get }
    /// During an `onLine` call: the line was already in the log when the source started (a file's backlog).
    var lineIsBacklog: Bool { get }
    /// Reads what is new, within the source's per-poll bound, and calls `onLine` for each complete line (without
    /// its newline; the bytes are only valid during the call). Never blocks.
    func poll(_ onLine: (UnsafeRawBufferPointer) -> Void) -> LogPollStatus
}

extension LogLineSource {
    /// Reads what is new and returns the complete lines as owned bytes.
    public func poll() -> LogPoll {
        var lines: [[UInt8]] = []
        let status = poll { lines.append(Array($0)) }
        return LogPoll(lines: lines, status: status)
    }
}

extension LogFollower: LogLineSource {
    public var name: String { path }
}
