import AoftopModel
import AoftopPipeline
import AoftopRecording
import ArgumentParser
import Foundation
import Glibc
import RedisCollector

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
        let collector = SnapshotCollector(target: process.collectionTarget(target, credentials: credentials))

        let start = MonotonicClock.now()
        var snapshots = 0
        var failure: String?
        while StopSignals.received == 0 {
            let snapshot = collector.snapshot()
            do {
                try writer.append(snapshot)
            } catch {
                failure = "\(error)"
                break
            }
            snapshots += 1
            if snapshots == 1 {
                let pidText = snapshot.source.pid.map { "pid \($0)" } ?? "pid unknown"
                printError("recording \(display) (\(pidText)) to \(output) every \(Self.seconds(interval.seconds)); Ctrl-C stops")
            }
            let next = start + Double(snapshots) * interval.seconds
            if let duration, next - start > duration.seconds + 1e-9 { break }
            if !StopSignals.sleep(until: next) { break }
        }
        var closeFailure: String?
        do { try writer.close() } catch { closeFailure = "\(error)" }
        printError("\(writer.snapshotCount) snapshots, \(writer.bytesWritten) bytes")
        if let problem = failure ?? closeFailure { throw fail(problem) }
    }

    /// `1 s`, `0.5 s`, `2 min`.
    static func seconds(_ value: Double) -> String {
        if value >= 60, value.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(value / 60)) min" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\(value) s"
    }
}
