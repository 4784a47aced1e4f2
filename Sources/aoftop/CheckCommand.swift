import AoftopAnalysis
import AoftopClock
import AoftopModel
import AoftopPipeline
import ArgumentParser
import FoundationEssentials
import Glibc
import RedisCollector

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
        let collection = process.collectionTarget(target, credentials: credentials)
        let samples = max(1, Int((duration.seconds / interval.seconds).rounded(.down)) + 1)
        let progress = ConditionLock<(count: Int, assessment: Assessment?)>((0, nil))
        let worker = PeriodicWorker(name: "aoftop-check", interval: interval.seconds)
        let started = worker.start { [worker] in
            let collector = SnapshotCollector(target: collection)
            var analyzer = Analyzer()
            return {
                let assessment = analyzer.ingest(collector.snapshot())
                let count = progress.update { progress in
                    progress = (progress.count + 1, assessment)
                    return progress.count
                }
                if count >= samples { worker.cancel() }
            }
        }
        guard started else { throw fail("cannot start the sampling thread", code: 3) }
        // The first sample is always taken (Ctrl-C before it ends the process, as without a handler); after it,
        // Ctrl-C ends sampling early and what was sampled is still assessed and printed.
        progress.wait { progress, _ in progress.count > 0 ? .done(()) : .wait(until: nil) }
        StopSignals.install()
        _ = StopSignals.wait(for: worker)
        worker.close()
        let assessment = progress.withLock { $0.assessment! }
        if json {
            var data = try AoftopJSON.encoder(pretty: true).encode(assessment)
            data.append(0x0A)
            StandardOutput.write(data)
        } else {
            print(assessment.checkLine)
        }
        throw ExitCode(assessment.exitCode)
    }
}
