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
        does not use, keeping a day at 1 s to about 7 MB gzip instead of ~25 MB (docs/benchmarks.md, Recordings).
        """)

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The recording to create (.gz: gzip).", valueName: "file"))
    var output: String

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
    }

    func run() throws {
        let credentials: RedisCredentials?
        do { credentials = try target.credentials() } catch { throw fail("\(error)") }
        StopSignals.install()
        let display = target.endpoint.description
        let header = RecordingHeader(aoftopVersion: AoftopCommand.version, host: HostName.current(), target: display,
                                     intervalSeconds: interval.seconds, started: SnapshotClock.system.now())
        let writer: RecordingWriter
        do {
            writer = try RecordingWriter(path: output, header: header,
                                         options: RecordingWriter.Options(excludeOtherFields: noInfoExtras))
        } catch {
            throw fail("\(error)")
        }
        let collection = process.collectionTarget(target, credentials: credentials)
        let (output, every, duration) = (output, interval.seconds, duration?.seconds)
        let failure = Mutex<String?>(nil)
        let worker = PeriodicWorker(name: "aoftop-record", interval: every)
        let started = worker.start { [worker] in
            let collector = SnapshotCollector(target: collection)
            var snapshots = 0
            return {
                let snapshot = collector.snapshot()
                do {
                    try writer.append(snapshot)
                } catch {
                    failure.withLock { $0 = "\(error)" }
                    worker.cancel()
                    return
                }
                snapshots += 1
                if snapshots == 1 {
                    let pidText = snapshot.source.pid.map { "pid \($0)" } ?? "pid unknown"
                    printError("recording \(display) (\(pidText)) to \(output) every \(Self.seconds(every)); Ctrl-C stops")
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
        do { try writer.close() } catch { closeFailure = "\(error)" }
        printError("\(writer.snapshotCount) snapshots, \(writer.bytesWritten) bytes")
        if let problem = problem ?? closeFailure { throw fail(problem) }
    }

    /// `1 s`, `0.5 s`, `2 min`.
    static func seconds(_ value: Double) -> String {
        if value >= 60, value.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(value / 60)) min" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\(value) s"
    }
}
