import AoftopModel
import AoftopRecording
import RedisCollector
import Foundation
import Synchronization

/// Live snapshots: a background thread runs a `SnapshotCollector` every `interval` and queues the results, so a
/// hung Redis (up to its timeout) or a large fd scan never blocks the keyboard. It also tees the snapshots to a
/// recording while the operator asks for one.
public final class LiveSource: SnapshotSource, Sendable {
    private struct State {
        var queue: [SourceUpdate] = []
        var interval: Double
        var paused = false
        var closed = false
        var recorder: RecordingWriter?
        var recordingRequested = false
    }

    private let state: Mutex<State>
    private let wake = NSCondition()
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
        let thread = Thread { [self] in self.run(collector: makeCollector()) }
        thread.name = "aoftop-live-source"
        thread.start()
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
            case .setPaused(let paused): state.paused = paused
            case .setInterval(let interval): state.interval = min(max(interval, 0.05), 60)
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
                }
            default: break
            }
        }
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    public func close() {
        let recorder = state.withLock { state -> RecordingWriter? in
            state.closed = true
            // A snapshot still in flight (a hung Redis, up to its timeout) must not open a file nobody closes.
            state.recordingRequested = false
            defer { state.recorder = nil }
            return state.recorder
        }
        try? recorder?.close()
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    private func run(collector: SnapshotCollector) {
        var next = MonotonicClock.now()
        while true {
            let (closed, paused, interval) = state.withLock { ($0.closed, $0.paused, $0.interval) }
            if closed { return }
            if !paused {
                let snapshot = collector.snapshot()
                state.withLock { state in
                    guard !state.closed else { return }
                    state.queue.append(.snapshot(snapshot))
                    tee(snapshot, into: &state)
                }
            }
            next = max(next + interval, MonotonicClock.now())
            wake.lock()
            _ = wake.wait(until: Date(timeIntervalSinceNow: max(0, next - MonotonicClock.now())))
            wake.unlock()
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
