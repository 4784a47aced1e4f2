import AoftopFleet
import AoftopModel
import AoftopPipeline
import AoftopRecording
import ArgumentParser
import Dashboard
import FoundationEssentials
import Glibc
import RedisCollector

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The live dashboard (the default): sockets vs pipes, AOF growth, fork failures, fd-exhaustion ETA.",
        discussion: """
        Keys: q quit, space pause, Tab focus, Up Down PgUp PgDn scroll events, +/- interval, r record, \
        \(PaneList.standard.zoomKeys) zoom, ? help. \
        With --all, or with no -h/-p/-s/--pid/--log/--config and two or more local servers running: an overview of every \
        local redis-server/valkey-server, most urgent first (Up/Down select, Enter opens one, Esc comes back). With \
        one server running, its dashboard (Esc shows the overview). With none, the server on 127.0.0.1:6379, or \
        when nothing answers there the bundled incident recording. With --log - the log comes from standard input \
        (docker logs -f NAME 2>&1 | aoftop --log - -p PORT) and the keys from /dev/tty.
        """)

    @OptionGroup var target: TargetOptions

    @OptionGroup var process: ProcessOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Time between samples (e.g. 1s, 500ms).", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 1)

    @Flag(help: "Every local redis-server/valkey-server in one overview table, most urgent first (Enter opens one).")
    var all = false

    func validate() throws {
        if all, process.logFromStandardInput {
            throw ValidationError("--log - is one server's log: it cannot go with --all, which watches every local server")
        }
        if all, target.isExplicit || process.isExplicit {
            throw ValidationError("--all watches every local server: leave out -h/-p/-s/--pid/--log/--config")
        }
        guard interval.seconds >= 0.25, interval.seconds <= 10 else {
            throw ValidationError("--interval must be between 250ms and 10s")
        }
    }

    func run() throws {
        let named = target.isExplicit || process.isExplicit
        if all || !named {
            let servers = FleetDiscovery.targets(procRoot: process.local.procRoot)
            if all || !servers.isEmpty {
                try runOverview(servers, open: !all && servers.count == 1 ? servers.first?.name : nil)
                return
            }
        }
        if !named, !Self.somethingAnswers(target.endpoint) {
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
        let collectionTarget = process.collectionTarget(target, credentials: credentials)
        let sampleInterval = interval.seconds
        let source = Self.liveSource(collectionTarget, interval: sampleInterval)
        // With the log on standard input, the keys come from /dev/tty.
        let status = try DashboardRunner.run(source: source, mode: .live, interval: sampleInterval,
                                             keys: process.logFromStandardInput ? .controllingTerminal : .standardInput)
        if status != 0 { throw ExitCode(status) }
    }

    /// The overview of `servers` (and of any found later), or with `open`, that instance's dashboard first.
    private func runOverview(_ servers: [FleetTarget], open: String?) throws {
        let credentials: RedisCredentials?
        do { credentials = try target.credentials() } catch { throw fail("\(error)") }
        let template = CollectionTarget(endpoint: nil, credentials: credentials, timeout: target.timeout,
                                        procRoot: process.local.procRoot, sysRoot: process.local.sysRoot, clientListInterval: target.clientListInterval)
        let sampleInterval = interval.seconds
        let program = OverviewProgram(targets: servers, open: open, interval: sampleInterval, procRoot: template.procRoot) {
            Self.liveSource($0.collectionTarget(template), interval: sampleInterval)
        }
        let status = try DashboardRunner.run(program)
        if status != 0 { throw ExitCode(status) }
    }

    /// Live snapshots of one server, recorded on `r` to `recordingPath(for:)`.
    static func liveSource(_ collectionTarget: CollectionTarget, interval: Double) -> LiveSource {
        LiveSource(
            interval: interval,
            makeCollector: { SnapshotCollector(target: collectionTarget) },
            recordingPath: { Self.recordingPath(for: $0) },
            header: { snapshot, interval in
                RecordingHeader(aoftopVersion: AoftopCommand.version, host: HostName.current(),
                                target: snapshot.source.displayName, intervalSeconds: interval, started: snapshot.time)
            })
    }

    /// `aoftop-127.0.0.1-6379-20261121-174101.jsonl.gz` in the current directory.
    static func recordingPath(for snapshot: Snapshot) -> String {
        let name = RecordingFileName(instance: snapshot.source.displayName, started: snapshot.time)
        return FileManager.default.currentDirectoryPath + "/" + name.fileName
    }

    /// A connect (not a command) with a short timeout: enough to tell "no server here" from "a server".
    static func somethingAnswers(_ endpoint: RedisEndpoint) -> Bool {
        guard let connection = try? RedisConnection(endpoint: endpoint, timeout: 0.5) else { return false }
        connection.close()
        return true
    }
}
