import AoftopModel
import AoftopPipeline
import AoftopRecording
import ArgumentParser
import Foundation
import RedisCollector

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The live dashboard (the default): sockets vs pipes, AOF growth, fork failures, fd-exhaustion ETA.",
        discussion: """
        Keys: q quit, space pause, Tab focus, Up Down PgUp PgDn scroll events, +/- interval, r record, 1-4 zoom, ? help. \
        With no -h/-p/-s and nothing answering on 127.0.0.1:6379, it plays the bundled incident recording instead.
        """)

    @OptionGroup var target: TargetOptions

    @Option(parsing: .unconditional, help: "Read /proc for this pid instead of discovering it.")
    var pid: Int32?

    @Option(help: ArgumentHelp("Follow this log instead of the one CONFIG GET logfile names.", valueName: "path"))
    var log: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Time between samples (e.g. 1s, 500ms).", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 1)

    func validate() throws {
        if let pid, pid <= 0 { throw ValidationError("--pid must be a positive process id") }
        guard interval.seconds >= 0.25, interval.seconds <= 10 else {
            throw ValidationError("--interval must be between 250ms and 10s")
        }
    }

    func run() throws {
        if !target.isExplicit, pid == nil, log == nil, !Self.somethingAnswers(target.endpoint) {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw fail("nothing answers on \(target.endpoint) and the dashboard needs a terminal: name a server with -h HOST -p PORT or -s SOCKET, and use \"aoftop check\" or \"aoftop snapshot\" in scripts", code: 2)
            }
            let demo: String
            do { demo = try DemoRecording.path() } catch {
                throw fail("nothing answers on \(target.endpoint), and \(error.description)")
            }
            printError("aoftop: nothing answers on \(target.endpoint); playing the bundled incident recording (aoftop demo). Watch a server with -h HOST -p PORT or -s SOCKET.")
            try ReplayCommand.replayRecording(path: demo, start: nil, speed: 4, json: false,
                                              note: "demo: nothing answers on \(target.endpoint) (use -h/-p/-s)")
            return
        }
        let credentials: RedisCredentials?
        do { credentials = try target.credentials() } catch { throw fail("\(error)") }
        let collectionTarget = CollectionTarget(endpoint: target.endpoint, credentials: credentials,
                                                timeout: target.timeout, pid: pid, logPath: log)
        let sampleInterval = interval.seconds
        let source = LiveSource(
            interval: sampleInterval,
            makeCollector: { SnapshotCollector(target: collectionTarget) },
            recordingPath: { Self.recordingPath(for: $0) },
            header: { snapshot, interval in
                RecordingHeader(aoftopVersion: AoftopCommand.version, host: ProcessInfo.processInfo.hostName,
                                target: snapshot.source.displayName, intervalSeconds: interval, started: snapshot.time)
            })
        let status = try DashboardRunner.run(source: source, mode: .live, interval: sampleInterval)
        if status != 0 { throw ExitCode(status) }
    }

    /// `aoftop-127.0.0.1-6379-20261121-174101.jsonl.gz` in the current directory.
    static func recordingPath(for snapshot: Snapshot) -> String {
        let name = snapshot.source.displayName.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
        let stamp = snapshot.time.iso8601.prefix(19).filter { $0.isNumber }
        let date = "\(stamp.prefix(8))-\(stamp.dropFirst(8))"
        return FileManager.default.currentDirectoryPath + "/aoftop-\(String(name))-\(date).jsonl.gz"
    }

    /// A connect (not a command) with a short timeout: enough to tell "no server here" from "a server".
    static func somethingAnswers(_ endpoint: RedisEndpoint) -> Bool {
        guard let connection = try? RedisConnection(endpoint: endpoint, timeout: 0.5) else { return false }
        connection.close()
        return true
    }
}
