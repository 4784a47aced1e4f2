import AoftopModel
import AoftopPipeline
import AoftopRecording
import ArgumentParser
import FoundationEssentials
import Glibc

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a recording (or a Redis log alone) through the dashboard, or print its assessments as JSON.",
        discussion: """
        Keys: space pause/play, Left/Right one snapshot, [ ] one minute, { } ten minutes, n/N next/previous marker \
        (fork failure, threshold crossing, exhaustion), Home/End, < > speed, g go to a time. \
        --log replays a Redis/Valkey log when nothing was recorded: one frame per second that has lines aoftop \
        knows; the Redis and /proc panes say "not recorded". --json prints one assessment per snapshot, one JSON \
        object per line (the shape of `check --json`, docs/json.md). The file is never written.
        """)

    @Argument(help: ArgumentHelp("The recording (plain or gzip).", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Replay a Redis/Valkey log instead of a recording.", valueName: "path"))
    var log: String?

    @Option(help: ArgumentHelp("Playback speed, 1 to 64 (times recorded time).", valueName: "N"))
    var speed: Double = 1

    @Option(help: ArgumentHelp("Start at an ISO-8601 time, a time of day (HH:MM[:SS]) or an offset (+90s, 5m).", valueName: "time"))
    var start: String?

    @Flag(help: "No terminal: print one assessment per snapshot as a JSON line.")
    var json = false

    func validate() throws {
        guard (file == nil) != (log == nil) else {
            throw ValidationError(file == nil ? "give a recording FILE or --log PATH" : "give either a recording FILE or --log PATH, not both")
        }
        guard speed >= 1, speed <= 64 else { throw ValidationError("--speed must be between 1 and 64") }
    }

    func run() throws {
        if let log {
            try Self.replayLog(path: log, start: start, speed: speed, json: json)
        } else if let file {
            try Self.replayRecording(path: file, start: start, speed: speed, json: json)
        }
    }

    /// `note` is shown in the status bar when the dashboard opens (why this recording is playing).
    static func replayRecording(path: String, start: String?, speed: Double, json: Bool, note: String? = nil) throws {
        let preview: RecordingPreview
        do { preview = try RecordingReader.preview(path: path) } catch { throw fail("\(error)") }
        let startTime = try resolveStart(start, recordingStart: preview.firstSnapshot?.time ?? preview.header.started)
        if json {
            let reader: RecordingReader
            do { reader = try RecordingReader(path: path) } catch { throw fail("\(error)") }
            for warning in reader.warnings { printError("aoftop: \(path): \(warning)") }
            var lines = AssessmentLines(from: startTime)
            for index in 0..<reader.count {
                let snapshot: Snapshot
                do {
                    snapshot = try reader.snapshot(at: index)
                } catch {
                    printError("aoftop: \(error); skipped")
                    continue
                }
                try lines.add(snapshot)
            }
            lines.flush()
            return
        }
        let source: ReplaySource
        do {
            source = try ReplaySource(path: path, preview: preview, start: startTime, speed: speed,
                                      probe: AnalyzerProbe.factory)
        } catch {
            throw fail("\(error)")
        }
        defer { source.close() }
        let status = try DashboardRunner.run(source: source, mode: .replay, interval: preview.header.intervalSeconds ?? 1,
                                             note: note)
        if status != 0 { throw ExitCode(status) }
    }

    static func replayLog(path: String, start: String?, speed: Double, json: Bool) throws {
        let snapshots: [Snapshot]
        do { snapshots = try LogTimeline.build(path: path) } catch { throw fail(error.description) }
        guard let first = snapshots.first else {
            throw fail("\(path): no line aoftop recognises (fork failures, rewrites, refused clients, start-up…); nothing to replay")
        }
        let startTime = try resolveStart(start, recordingStart: first.time)
        if json {
            var lines = AssessmentLines(from: startTime)
            for snapshot in snapshots { try lines.add(snapshot) }
            lines.flush()
            return
        }
        let source = ReplaySource(frames: SnapshotFrames(snapshots), start: startTime, speed: speed, probe: AnalyzerProbe.factory)
        defer { source.close() }
        let status = try DashboardRunner.run(source: source, mode: .replay, interval: 1)
        if status != 0 { throw ExitCode(status) }
    }

    private static func resolveStart(_ text: String?, recordingStart: Timestamp) throws -> Timestamp? {
        guard let text else { return nil }
        guard let time = ReplayStart.resolve(text, recordingStart: recordingStart) else {
            throw fail("--start \(text): not a time (use 2026-11-21T17:39:52Z, 17:39:52, or an offset such as +90s or 5m)")
        }
        return time
    }
}
