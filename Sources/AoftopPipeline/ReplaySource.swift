import AoftopClock
import AoftopModel
import AoftopRecording
import Glibc
import Synchronization

/// Plays recorded snapshots in recorded time × speed, paced by the monotonic `now` given to `poll`.
///
/// Loading (indexing a recording, or parsing a log) and the marker pass run on a background thread; until the
/// frames are ready the first snapshot of the preview is shown, so a day-long file shows its first frame at once.
/// After any jump the snapshots of the preceding `historyWindowMs` (plus a few anchors, see
/// `ReplayIndex.anchors`) are emitted in order before the target, so the analysis at the target sees the history
/// it saw during recording. Thread-safe; `poll` and `control` never block on loading.
public final class ReplaySource: SnapshotSource, Sendable {
    /// Recorded time re-emitted before a jump target: the analysis keeps its last 120 s at full rate.
    public static let historyWindowMs: Int64 = 120_000
    public static let speedRange: ClosedRange<Double> = 1...64
    /// Snapshots emitted by one `poll` at most: a stalled host catches up gradually instead of freezing.
    static let maxPerPoll = 2_000
    static let maxWarningNotes = 10

    private struct State {
        var frames: (any ReplayFrames)?
        var index: ReplayIndex?
        var preview: Snapshot?
        var startTime: Timestamp?
        var current: Int?
        var playing: Bool
        var speed: Double
        /// Pacing: recorded time (ms) `anchorRecorded` was shown at monotonic time `anchorNow`.
        var anchorRecorded: Int64 = 0
        var anchorNow: Double?
        var pending: [SourceUpdate] = []
        var positionDirty = false
        var atEndReported = false
        var noted: Set<Int> = []
        var closed = false
        var failed = false
    }

    private let state: Mutex<State>

    /// Plays `frames` (already in memory, e.g. a log timeline). The marker pass runs in the background.
    public convenience init(frames: any ReplayFrames, start: Timestamp? = nil, speed: Double = 1,
                            probe: (@Sendable () -> any ReplayAnalysisProbe)? = nil) {
        self.init(preview: nil, start: start, speed: speed, probe: probe, load: { (frames, []) })
    }

    /// Opens a recording: reads its header and first snapshot now (throws `RecordingError` for a file that is
    /// empty, not a recording, a directory, of a newer version…), indexes the rest in the background.
    /// Pass the `preview` when the caller already read it (the header decides the interval), so it is not read twice.
    public convenience init(path: String, preview: RecordingPreview? = nil, start: Timestamp? = nil, speed: Double = 1,
                            probe: (@Sendable () -> any ReplayAnalysisProbe)? = nil) throws {
        let preview = try preview ?? RecordingReader.preview(path: path)
        self.init(preview: preview.firstSnapshot, start: start, speed: speed, probe: probe, load: {
            let reader = try RecordingReader(path: path)
            return (reader, reader.warnings)
        })
    }

    /// The general form: `load` runs on a background thread and returns the frames and any warnings to show.
    public init(preview: Snapshot?, start: Timestamp?, speed: Double,
                probe: (@Sendable () -> any ReplayAnalysisProbe)?,
                load: @escaping @Sendable () throws -> (any ReplayFrames, [String])) {
        state = Mutex(State(preview: preview, startTime: start, playing: true,
                            speed: min(max(speed, Self.speedRange.lowerBound), Self.speedRange.upperBound)))
        let started = DetachedThread.start(name: "aoftop-replay") { [self] in self.load(load, probe: probe) }
        if !started { // no thread to be had (the process at its thread limit): end as a failed load
            state.withLock { state in
                state.failed = true
                state.pending.append(.ended("cannot start a thread to load the recording"))
            }
        }
    }

    /// Waits (up to `timeout` seconds) until the frames are loaded and the marker pass is done; for tests and
    /// `--json`. Returns false on timeout or a load failure.
    public func waitUntilIndexed(timeout: Double) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            let (indexed, failed) = state.withLock { ($0.index != nil, $0.failed) }
            if indexed { return true }
            if failed { return false }
            usleep(2_000)
        }
        return false
    }

    /// The markers found so far (empty until the pass is done).
    public var markers: [ReplayMarker] { state.withLock { $0.index?.markers ?? [] } }

    public func poll(now: Double) -> [SourceUpdate] {
        state.withLock { state in
            var out = state.pending
            state.pending.removeAll()
            guard let frames = state.frames else {
                if let preview = state.preview {
                    out.append(.snapshot(preview))
                    state.preview = nil
                }
                return out
            }
            if frames.count == 0 {
                if !state.atEndReported {
                    state.atEndReported = true
                    out.append(.ended("the recording holds no snapshots"))
                }
                return out
            }
            if state.current == nil {
                let target = state.startTime.flatMap { frames.index(atOrBefore: $0) } ?? 0
                move(to: target, frames: frames, state: &state, out: &out)
                rebase(now: now, frames: frames, state: &state)
            }
            if state.playing { advance(now: now, frames: frames, state: &state, out: &out) }
            if state.positionDirty, let position = position(frames: frames, state: state) {
                out.append(.position(position))
                state.positionDirty = false
            }
            return out
        }
    }

    public func control(_ control: SourceControl, now: Double) {
        state.withLock { state in
            switch control {
            case .setPaused(let paused):
                state.playing = !paused
                state.positionDirty = true
            case .speed(let multiplier):
                state.speed = min(max(multiplier, Self.speedRange.lowerBound), Self.speedRange.upperBound)
                state.positionDirty = true
            default:
                break
            }
            guard let frames = state.frames, frames.count > 0, let current = state.current else { return }
            var out: [SourceUpdate] = []
            switch control {
            case .setPaused, .speed:
                break
            case .step(let count):
                state.playing = false
                move(to: clamp(current + count, frames), frames: frames, state: &state, out: &out)
            case .seek(by: let seconds):
                let target = frames.time(at: current).adding(milliseconds: Int64((seconds * 1000).rounded()))
                move(to: frames.index(atOrBefore: target) ?? 0, frames: frames, state: &state, out: &out)
            case .seekTo(let time):
                move(to: frames.index(atOrBefore: time) ?? 0, frames: frames, state: &state, out: &out)
            case .jumpToMarker(let forward):
                let here = frames.time(at: current)
                let markers = state.index?.markers ?? []
                let marker = forward ? markers.first { $0.time > here } : markers.last { $0.time < here }
                if let marker, let target = frames.index(atOrBefore: marker.time) {
                    state.playing = false
                    move(to: target, frames: frames, state: &state, out: &out)
                } else {
                    out.append(.note(markers.isEmpty ? "no markers in this recording" + (state.index == nil ? " yet (still indexing)" : "")
                                                     : forward ? "no later marker" : "no earlier marker"))
                }
            case .home:
                move(to: 0, frames: frames, state: &state, out: &out)
            case .end:
                state.playing = false
                move(to: frames.count - 1, frames: frames, state: &state, out: &out)
            case .setInterval, .toggleRecording:
                break
            }
            state.pending += out
            rebase(now: now, frames: frames, state: &state)
        }
    }

    public func close() {
        state.withLock { $0.closed = true }
    }

    // MARK: - Loading

    private func load(_ load: @Sendable () throws -> (any ReplayFrames, [String]),
                      probe: (@Sendable () -> any ReplayAnalysisProbe)?) {
        let frames: any ReplayFrames
        do {
            let (loaded, warnings) = try load()
            frames = loaded
            state.withLock { state in
                state.frames = loaded
                for warning in warnings.prefix(Self.maxWarningNotes) { state.pending.append(.note(warning)) }
                if warnings.count > Self.maxWarningNotes {
                    state.pending.append(.note("… and \(warnings.count - Self.maxWarningNotes) more warnings"))
                }
            }
        } catch {
            state.withLock { state in
                state.failed = true
                state.pending.append(.ended("\(error)"))
            }
            return
        }
        var indexer = ReplayIndexer(probe: probe?())
        for position in 0..<frames.count {
            if position % 256 == 0, state.withLock({ $0.closed }) { return }
            indexer.add(try? frames.snapshot(at: position))
        }
        let index = indexer.index
        state.withLock { state in
            state.index = index
            state.positionDirty = true
        }
    }

    // MARK: - Playback (caller holds the lock)

    private func clamp(_ index: Int, _ frames: any ReplayFrames) -> Int { min(max(index, 0), frames.count - 1) }

    private func rebase(now: Double, frames: any ReplayFrames, state: inout State) {
        guard let current = state.current else { return }
        state.anchorRecorded = frames.time(at: current).millisecondsSince1970
        state.anchorNow = now
    }

    /// Emits what is due at `now`; at the last snapshot, stops and reports the end once.
    private func advance(now: Double, frames: any ReplayFrames, state: inout State, out: inout [SourceUpdate]) {
        guard var current = state.current else { return }
        let anchorNow = state.anchorNow ?? now
        let playhead = state.anchorRecorded + Int64(((now - anchorNow) * state.speed * 1000).rounded(.down))
        var shownTime = frames.time(at: current).millisecondsSince1970
        var emitted = 0
        while current + 1 < frames.count, emitted < Self.maxPerPoll {
            // A clock stepped back inside the recording: treat that snapshot as due right after the previous one.
            let due = max(frames.time(at: current + 1).millisecondsSince1970, shownTime)
            guard due <= playhead else { break }
            current += 1
            shownTime = due
            emit(current, frames: frames, state: &state, out: &out)
            emitted += 1
        }
        if emitted > 0 {
            state.current = current
            state.positionDirty = true
        }
        if emitted == Self.maxPerPoll {
            // Could not keep up: continue from here rather than pile up.
            state.anchorRecorded = shownTime
            state.anchorNow = now
        }
        if current == frames.count - 1 {
            state.playing = false
            state.positionDirty = true
            if !state.atEndReported {
                state.atEndReported = true
                out.append(.ended(nil))
            }
        }
    }

    /// Shows snapshot `target`: the ones in between when it is just ahead, else the history window before it.
    private func move(to target: Int, frames: any ReplayFrames, state: inout State, out: inout [SourceUpdate]) {
        state.positionDirty = true
        if target < frames.count - 1 { state.atEndReported = false }
        let targetTime = frames.time(at: target).millisecondsSince1970
        let windowStartTime = targetTime - Self.historyWindowMs
        if let current = state.current, target == current { return }
        if let current = state.current, target > current,
           frames.time(at: current).millisecondsSince1970 >= windowStartTime {
            // Close ahead: play the snapshots in between, exactly as during recording.
            for position in (current + 1)...target { emit(position, frames: frames, state: &state, out: &out) }
        } else {
            var windowStart = frames.index(atOrBefore: Timestamp(millisecondsSince1970: windowStartTime - 1)).map { $0 + 1 } ?? 0
            windowStart = min(windowStart, target)
            let anchors: [Int]
            if let index = state.index {
                windowStart = max(windowStart, index.segmentStart(of: target))
                anchors = index.anchors(before: windowStart)
            } else {
                // Not indexed yet: at least start the analysis again from the beginning.
                anchors = windowStart > 0 ? [0] : []
            }
            for position in anchors + Array(windowStart...target) { emit(position, frames: frames, state: &state, out: &out) }
        }
        state.current = target
    }

    private func emit(_ position: Int, frames: any ReplayFrames, state: inout State, out: inout [SourceUpdate]) {
        if state.noted.contains(position) { return } // a corrupt line, already reported
        do {
            out.append(.snapshot(try frames.snapshot(at: position)))
        } catch {
            if state.noted.insert(position).inserted {
                let reason = (error as? RecordingError)?.reason ?? "\(error)"
                out.append(.note("\(reason); skipped"))
            }
        }
    }

    private func position(frames: any ReplayFrames, state: State) -> ReplayPosition? {
        guard let current = state.current else { return nil }
        return ReplayPosition(index: current, count: frames.count, time: frames.time(at: current),
                              start: frames.time(at: 0), end: frames.time(at: frames.count - 1),
                              speed: state.speed, playing: state.playing, markers: state.index?.markers ?? [])
    }
}
