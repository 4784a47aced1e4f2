import AoftopAnalysis
import AoftopModel
import AoftopPipeline
import RedisCollector
import ArgumentParser
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Sample for a short while, assess, print one line (or JSON) and exit 0/1/2/3 like a monitoring plugin.",
        discussion: """
        Exit status: 0 ok, 1 warning, 2 critical, 3 unknown. The text line carries perfdata after `|`. \
        A 60 fds/s pipe leak is recognised within about 3 s, so the default --duration 5s is enough to catch one \
        in progress; a longer duration gives a steadier ETA. JSON fields are documented in docs/json.md.
        """)

    @OptionGroup var target: TargetOptions

    @OptionGroup var process: ProcessOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("How long to sample (e.g. 5s, 500ms, 1m).", valueName: "duration"))
    var duration: DurationArgument = DurationArgument(seconds: 5)

    @Option(parsing: .unconditional, help: ArgumentHelp("Time between samples.", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 0.5)

    @Flag(help: "Print the assessment as JSON (docs/json.md).")
    var json = false

    func validate() throws {
        guard duration.seconds <= 3600 else { throw ValidationError("--duration must be at most 1h") }
        guard interval.seconds >= 0.05, interval.seconds <= 60 else {
            throw ValidationError("--interval must be between 50ms and 60s")
        }
    }

    func run() throws {
        let credentials: RedisCredentials?
        do { credentials = try target.credentials() } catch { throw fail("\(error)", code: 3) }
        let collector = SnapshotCollector(target: process.collectionTarget(target, credentials: credentials))
        var analyzer = Analyzer()
        let samples = max(1, Int((duration.seconds / interval.seconds).rounded(.down)) + 1)
        var assessment = analyzer.ingest(collector.snapshot())
        let start = MonotonicClock.now()
        // Ctrl-C ends sampling early; what was sampled is still assessed and printed.
        StopSignals.install()
        for index in 1..<samples {
            guard StopSignals.sleep(until: start + Double(index) * interval.seconds) else { break }
            assessment = analyzer.ingest(collector.snapshot())
        }
        if json {
            var data = try AoftopJSON.encoder(pretty: true).encode(assessment)
            data.append(0x0A)
            FileHandle.standardOutput.write(data)
        } else {
            print(assessment.checkLine)
        }
        throw ExitCode(assessment.exitCode)
    }
}
