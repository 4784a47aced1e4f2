import AoftopClock
import AoftopModel
import AoftopPipeline
import AoftopRecording
import ArgumentParser
import FoundationEssentials
import Glibc
import RedisCollector
import Synchronization

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record snapshots to a file without a terminal (for nohup/systemd); replay it with `aoftop replay`.",
        discussion: """
        Samples like the dashboard (INFO/CONFIG, /proc fd census, the log) every --interval and appends one JSON \
        line per snapshot (docs/recording-format.md). A name ending in .gz is gzip, flushed per line. The file is \
        created with mode 0600 and never overwritten. Stops after --duration, or cleanly on SIGINT, SIGTERM or \
        SIGHUP (the gzip stream is finished, the file synced). --no-info-extras leaves out the INFO fields aoftop \
        does not use, keeping a day at 1 s to about 7 MB gzip instead of ~25 MB (docs/benchmarks.md, Recordings). \
        --directory DIR (instead of -o) records for as long as it runs, as a systemd service does: gzip files \
        named after the instance and their start time in UTC, DIR/aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz. \
        A new file starts once the current one reaches --rotate-size (default \(defaultRotateSize)) or \
        --rotate-age; each file is a whole recording that `aoftop replay FILE` plays on its own. Before each new \
        file the oldest files of this instance in DIR are deleted so that, with it, at most --keep files \
        (default \(defaultKeep)) and --max-total bytes remain: with no flags, \(defaultKeep) x \
        \(defaultRotateSize). Other instances' files and files not named this way are never touched. A write that \
        fails (disk full) ends the file at its last whole snapshot, and record exits 1 with one line; a restart \
        (systemd Restart=on-failure) deletes old files first, within the same limits.
        """)

    /// With `--directory` and no `--rotate-size`: at ~7-25 MB a day, a few days per file.
    static let defaultRotateSize = SizeArgument(bytes: 64 << 20)
    /// With `--directory` and no `--keep`.
    static let defaultKeep = 10

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The recording to create (.gz: gzip).", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Record into a rotating set of gzip files in this existing directory instead of -o.",
                               valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("With --directory: a new file once the current one holds this many bytes, compressed (K, M, G: 1024-based). Default \(defaultRotateSize).",
                               valueName: "size"))
    var rotateSize: SizeArgument?

    @Option(help: ArgumentHelp("With --directory: a new file once the current one is this old (e.g. 1h, 1d). Default: none.",
                               valueName: "duration"))
    var rotateAge: DurationArgument?

    @Option(help: ArgumentHelp("With --directory: at most N files of this instance, the current one included; the oldest are deleted. Default \(defaultKeep).",
                               valueName: "N"))
    var keep: Int?

    @Option(help: ArgumentHelp("With --directory: at most this many bytes of this instance's files, the current one counted at --rotate-size. Default: none.",
                               valueName: "size"))
    var maxTotal: SizeArgument?

    @OptionGroup var target: TargetOptions

    @OptionGroup var process: ProcessOptions

    @Option(help: ArgumentHelp("Time between snapshots.", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 1)

    @Option(help: ArgumentHelp("Stop after this long (default: until a signal).", valueName: "duration"))
    var duration: DurationArgument?

    @Flag(help: "Leave out the INFO fields aoftop does not use (much smaller recordings).")
    var noInfoExtras = false

    func validate() throws {
        guard interval.seconds >= 0.05, interval.seconds <= 3600 else {
            throw ValidationError("--interval must be between 50ms and 1h")
        }
        if let duration, duration.seconds <= 0 { throw ValidationError("--duration must be positive") }
        switch (output, directory) {
        case (nil, nil): throw ValidationError("give -o FILE or --directory DIR")
        case (.some, .some): throw ValidationError("-o FILE and --directory DIR exclude each other")
        case (.some, nil):
            if rotateSize != nil || rotateAge != nil || keep != nil || maxTotal != nil {
                throw ValidationError("--rotate-size, --rotate-age, --keep and --max-total need --directory (-o writes one file)")
            }
        case (nil, .some):
            if let rotateSize, rotateSize.bytes < 1024 { throw ValidationError("--rotate-size must be at least 1K") }
            if let rotateAge, rotateAge.seconds < 1 { throw ValidationError("--rotate-age must be at least 1s") }
            if let keep, keep < 1 { throw ValidationError("--keep must be at least 1") }
            let size = rotateSize ?? Self.defaultRotateSize
            if let maxTotal, maxTotal.bytes < size.bytes {
                throw ValidationError("--max-total must be at least --rotate-size (\(size))")
            }
        }
    }

    func run() throws {
        let credentials: RedisCredentials?
        do { credentials = try target.credentials() } catch { throw fail("\(error)") }
        StopSignals.install()
        let display = target.endpoint.description
        let header = RecordingHeader(aoftopVersion: AoftopCommand.version, host: HostName.current(), target: display,
                                     intervalSeconds: interval.seconds, started: SnapshotClock.system.now())
        let options = RecordingWriter.Options(excludeOtherFields: noInfoExtras)
        let sink: any RecordingSink
        do {
            if let directory {
                let set = RotatingRecording.Configuration(
                    directory: directory, instance: display, header: header,
                    rotation: RotationPolicy(maxBytes: (rotateSize ?? Self.defaultRotateSize).bytes, maxAge: rotateAge?.seconds),
                    retention: RetentionPolicy(keep: keep ?? Self.defaultKeep, maxTotalBytes: maxTotal?.bytes),
                    options: options)
                sink = try RotatingRecording(set, wallClock: SnapshotClock.system.now, monotonicClock: MonotonicClock.now,
                                             events: Self.report)
            } else {
                sink = try RecordingWriter(path: output ?? "", header: header, options: options)
            }
        } catch {
            throw fail("\(error)")
        }
        let collection = process.collectionTarget(target, credentials: credentials)
        let (every, duration) = (interval.seconds, duration?.seconds)
        let failure = Mutex<String?>(nil)
        let worker = PeriodicWorker(name: "aoftop-record", interval: every)
        let started = worker.start { [worker] in
            let collector = SnapshotCollector(target: collection)
            var snapshots = 0
            return {
                let snapshot = collector.snapshot()
                do {
                    try sink.append(snapshot)
                } catch {
                    failure.withLock { $0 = "\(error)" }
                    worker.cancel()
                    return
                }
                snapshots += 1
                if snapshots == 1 {
                    let pidText = snapshot.source.pid.map { "pid \($0)" } ?? "pid unknown"
                    printError("recording \(display) (\(pidText)) to \(sink.currentPath ?? "?") every \(Self.seconds(every)); Ctrl-C stops")
                }
                if let duration, Double(snapshots) * every > duration + 1e-9 { worker.cancel() }
            }
        }
        if !started { failure.withLock { $0 = "cannot start the sampling thread" } }
        _ = StopSignals.wait(for: worker)
        // The snapshot under way is written before the file is closed.
        worker.close()
        let problem = failure.withLock { $0 }
        var closeFailure: String?
        do { try sink.close() } catch { closeFailure = "\(error)" }
        printError("\(sink.snapshotCount) snapshots, \(sink.bytesWritten) bytes\(sink.fileCount.map { " in \($0) file\($0 == 1 ? "" : "s")" } ?? "")")
        if let problem = problem ?? closeFailure { throw fail(problem) }
    }

    /// One line on stderr (the journal, under systemd) per file started after the first and per file deleted.
    static func report(_ event: RotatingRecording.Event) {
        switch event {
        case .started(let path, let file):
            if file > 1 { printError("continuing in \(path)") }
        case .deleted(let path):
            printError("deleted old recording \(path)")
        case .problem(let message):
            printError("aoftop: \(message)")
        }
    }

    /// `1 s`, `0.5 s`, `2 min`.
    static func seconds(_ value: Double) -> String {
        if value >= 60, value.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(value / 60)) min" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\(value) s"
    }
}

/// Where `record` writes: one file (`-o`) or a rotating set (`--directory`).
protocol RecordingSink: Sendable {
    func append(_ snapshot: Snapshot) throws
    func close() throws
    var snapshotCount: Int { get }
    var bytesWritten: UInt64 { get }
    /// The file being written.
    var currentPath: String? { get }
    /// Files written, for a set; nil for one file.
    var fileCount: Int? { get }
}

extension RecordingWriter: RecordingSink {
    var currentPath: String? { path }
    var fileCount: Int? { nil }
}

extension RotatingRecording: RecordingSink {
    var fileCount: Int? { Optional(filesCreated) }
}
