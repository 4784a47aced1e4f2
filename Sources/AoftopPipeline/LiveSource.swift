import AoftopClock
import AoftopModel
import AoftopRecording
import Synchronization

/// Live snapshots: a `PeriodicWorker` runs a `SnapshotCollector` every `interval` and queues the results, so a
/// hung Redis (up to its timeout) or a large fd scan never blocks the keyboard. It also tees the snapshots to a
/// recording while the operator asks for one.
public final class LiveSource: SnapshotSource, Sendable {
    private struct State {
        var queue: [SourceUpdate] = []
        /// For the recording header; the worker keeps its own copy for pacing.
        var interval: Double
        var closed = false
        var recorder: RecordingWriter?
        var recordingRequested = false
    }

    private let state: Mutex<State>
    private let worker: PeriodicWorker
    private let recordingPath: @Sendable (Snapshot) -> String
    private let header: @Sendable (Snapshot, Double) -> RecordingHeader

    /// - Parameters:
    ///   - makeCollector: builds the collector on the sampling thread (collectors are single-owner).
    ///   - recordingPath: the file `r` records to, given the first snapshot (so names can carry host and port).
    ///   - header: the recording header for that file.
    public init(interval: Double, makeCollector: @escaping @Sendable () -> SnapshotCollector,
                recordingPath: @escaping @Sendable (Snapshot) -> String,
                header: @escaping @Sendable (Snapshot, Double) -> RecordingHeader) {
        self.state = Mutex(State(interval: interval))
        self.recordingPath = recordingPath
        self.header = header
        worker = PeriodicWorker(name: "aoftop-live", interval: interval)
        let started = worker.start { [self] in
            let collector = makeCollector()
            return { self.sample(collector) }
        }
        if !started { state.withLock { $0.queue.append(.note("cannot start the sampling thread")) } }
    }

    public func poll(now: Double) -> [SourceUpdate] {
        state.withLock { state in
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }

    public func control(_ control: SourceControl, now: Double) {
        state.withLock { state in
            switch control {
            case .setPaused(let paused):
                if paused { worker.pause() } else { worker.resume() }
            case .setInterval(let interval):
                state.interval = min(max(interval, 0.05), 60)
                worker.setInterval(state.interval)
            case .toggleRecording:
                if let recorder = state.recorder {
                    let result = Result { try recorder.close() }
                    state.recorder = nil
                    state.recordingRequested = false
                    if case .failure(let error) = result {
                        state.queue.append(.recording(.failed("closing \(recorder.path): \(error)")))
                    } else {
                        state.queue.append(.recording(.off))
                        state.queue.append(.note("recorded \(recorder.snapshotCount) snapshots to \(recorder.path)"))
                    }
                } else {
                    state.recordingRequested = true // opened with the next snapshot, which names the file
                    worker.wake() // so the file starts now, not an interval later
                }
            default: break
            }
        }
    }

    /// Returns at once: the quit key must not wait for a snapshot in flight (a hung Redis, up to its timeout),
    /// which is then dropped.
    public func close() {
        let recorder = state.withLock { state -> RecordingWriter? in
            state.closed = true
            // A snapshot still in flight must not open a file nobody closes.
            state.recordingRequested = false
            defer { state.recorder = nil }
            return state.recorder
        }
        try? recorder?.close()
        worker.cancel()
    }

    private func sample(_ collector: SnapshotCollector) {
        let snapshot = collector.snapshot()
        state.withLock { state in
            guard !state.closed else { return }
            state.queue.append(.snapshot(snapshot))
            tee(snapshot, into: &state)
        }
    }

    /// Writes the snapshot to the recording, opening it first when one was requested.
    private func tee(_ snapshot: Snapshot, into state: inout State) {
        if state.recordingRequested, state.recorder == nil {
            let path = recordingPath(snapshot)
            do {
                state.recorder = try RecordingWriter(path: path, header: header(snapshot, state.interval))
                state.queue.append(.recording(.recording(path: path)))
            } catch {
                state.recordingRequested = false
                state.queue.append(.recording(.failed("\(error)")))
                return
            }
        }
        guard let recorder = state.recorder else { return }
        do {
            try recorder.append(snapshot)
        } catch {
            try? recorder.close()
            state.recorder = nil
            state.recordingRequested = false
            state.queue.append(.recording(.failed("\(error)")))
        }
    }
}
