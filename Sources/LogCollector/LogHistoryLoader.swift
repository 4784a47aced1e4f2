import AoftopModel
import Glibc
import Synchronization

/// Reads a log's history on a thread of its own, so that the first frame and the first `check` verdict never
/// wait for a large log; `current` says how far it got (`reading` with the bytes read so far) until it is done.
public final class LogHistoryLoader: Sendable {
    private let state: Mutex<LogHistory>

    /// Starts reading at once. `descriptor` is owned by the loader (`nil`: nothing at `path` yet).
    public init(descriptor: Int32?, path: String, limit: Int64, pid: Int32?, reader: LogHistoryReader = LogHistoryReader()) {
        state = Mutex(LogHistory(state: .reading, pid: pid, files: [path]))
        let job = Job { [self] in
            let history = reader.read(descriptor: descriptor, path: path, limit: limit, pid: pid) { bytes in
                self.state.withLock { $0.bytesRead = bytes }
            }
            self.state.withLock { $0 = history }
        }
        if !job.detach() {
            if let descriptor { close(descriptor) }
            state.withLock { $0 = LogHistory(state: .failed, reason: "cannot start a thread to read the log back", pid: pid, files: [path]) }
        }
    }

    /// What is known now.
    public var current: LogHistory { state.withLock { $0 } }
}

/// A closure run once on a detached pthread (the loader must not need Foundation's `Thread`).
private final class Job: @unchecked Sendable {
    // @unchecked: `body` is only read by the one thread that runs it.
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func detach() -> Bool {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self)
        let started = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.body()
            return nil
        }, box.toOpaque())
        guard started == 0 else {
            box.release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
