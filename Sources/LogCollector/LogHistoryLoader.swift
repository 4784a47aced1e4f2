import AoftopClock
import AoftopModel
import Synchronization

/// Reads a log's history on a thread of its own, so that the first frame and the first `check` verdict never
/// wait for a large log; `current` says how far it got (`reading` with the bytes read so far) until it is done.
public final class LogHistoryLoader: Sendable {
    private let state: Mutex<LogHistory>

    /// Starts reading at once; see `LogHistoryReader.read` for `initial`.
    public init(path: String, initial: InitialLogFile?, pid: Int32?, reader: LogHistoryReader = LogHistoryReader()) {
        state = Mutex(LogHistory(state: .reading, pid: pid, files: [path]))
        let started = DetachedThread.start(name: "aoftop-log-history") { [self] in
            let history = reader.read(path: path, initial: initial, pid: pid) { bytes in
                self.state.withLock { $0.bytesRead = bytes }
            }
            self.state.withLock { $0 = history }
        }
        if !started {
            state.withLock { $0 = LogHistory(state: .failed, reason: "cannot start a thread to read the log back", pid: pid, files: [path]) }
        }
    }

    /// What is known now.
    public var current: LogHistory { state.withLock { $0 } }
}
