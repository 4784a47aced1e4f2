import AoftopAnalysis
import AoftopClock
import AoftopFleet
import AoftopModel
import AoftopPipeline
import ArgumentParser
import Dashboard
import FoundationEssentials
import Glibc

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every local Redis/Valkey server (or the ones named): fds, limit, ETA and severity, most urgent first.",
        discussion: """
        All instances are sampled at the same time, each on its own thread, for --duration (a 60 fds/s leak gets \
        an ETA after about 3 s); an instance that does not answer costs no more than the others' duration. \
        On a terminal the table is cut to its width the way the overview is (instance, pipes, ETA and severity \
        always); piped, every column is printed in full. Exit status: 0 when instances were listed, 1 when none \
        was found. JSON fields: docs/json.md.
        """)

    @OptionGroup var fleet: FleetOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("How long to sample (0 for a single snapshot, no ETA).", valueName: "duration"))
    var duration: DurationArgument = DurationArgument(seconds: 3)

    @Option(parsing: .unconditional, help: ArgumentHelp("Time between samples.", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 0.5)

    @Flag(help: "Print the instances as a JSON array (docs/json.md).")
    var json = false

    func validate() throws {
        guard duration.seconds <= 600 else { throw ValidationError("--duration must be at most 10m") }
        guard interval.seconds >= 0.05, interval.seconds <= 60 else {
            throw ValidationError("--interval must be between 50ms and 60s")
        }
    }

    func run() throws {
        let template: CollectionTarget
        do { template = try fleet.collectionTemplate() } catch { throw fail("\(error)") }
        let targets = fleet.namedTargets ?? FleetDiscovery.targets(procRoot: fleet.local.procRoot)
        guard !targets.isEmpty else {
            if json { print("[]") }
            throw fail("no redis-server or valkey-server process found (name instances with -p PORT, -s SOCKET or HOST:PORT)")
        }
        // Ctrl-C ends sampling early; what was sampled is still listed.
        StopSignals.install()
        let monitor = FleetMonitor(scope: .targets(targets), collection: template, interval: interval.seconds)
        defer { monitor.stop() }
        _ = StopSignals.sleep(until: MonotonicClock.now() + duration.seconds)
        var entries = monitor.entries
        // Every instance gets at least its first snapshot (up to the Redis timeout) unless the operator interrupts.
        let deadline = MonotonicClock.now() + template.timeout * 2 + 1
        while entries.contains(where: { $0.reading == nil }), MonotonicClock.now() < deadline,
              StopSignals.sleep(until: MonotonicClock.now() + 0.05) {
            entries = monitor.entries
        }
        let listed = entries.map(ListedInstance.init).sorted { $0.urgency < $1.urgency }
        if json {
            var data = try AoftopJSON.encoder(pretty: true).encode(listed)
            data.append(0x0A)
            StandardOutput.write(data)
        } else {
            // On a terminal each row is cut to its width (a wrapped diagnosis breaks the columns); piped, nothing is cut.
            for line in InstanceRow.table(listed.map(\.row), width: Self.terminalColumns() ?? 0) { print(line) }
        }
    }
}

extension ListCommand {
    /// The terminal's width when standard output is one.
    static func terminalColumns() -> Int? {
        var size = winsize()
        guard isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// One instance of `aoftop list --json`: who it is, then the assessment's figures (docs/json.md).
struct ListedInstance: Encodable {
    var instance: String
    var port: Int?
    var ports: [Int]
    var pid: Int32?
    var samples: Int
    var assessment: Assessment?

    init(_ entry: FleetMonitor.Entry) {
        instance = entry.target.name
        port = entry.target.port
        ports = entry.target.ports
        pid = entry.reading?.assessment.pid ?? entry.target.pid
        samples = entry.reading?.sampleCount ?? 0
        assessment = entry.reading?.assessment
    }

    var urgency: Urgency { Urgency(assessment: assessment, name: instance) }

    var row: InstanceRow {
        InstanceRow(name: instance, pid: pid, ports: ports, assessment: assessment,
                    pendingReason: "no snapshot yet: Redis did not answer within the timeout")
    }

    enum CodingKeys: String, CodingKey {
        case instance, port, ports, pid, samples, severity, version, fds, limit, eta, clients, sockets, leak, diagnosis, sources, assessment
        case forkFailures = "fork_failures"
        case forkReadiness = "fork_readiness"
        case namespacePid = "namespace_pid"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instance, forKey: .instance)
        try c.encode(port, forKey: .port)
        try c.encode(ports, forKey: .ports)
        try c.encode(pid, forKey: .pid)
        try c.encode(assessment?.namespacePid, forKey: .namespacePid)
        try c.encode(samples, forKey: .samples)
        try c.encode(assessment?.severity ?? .unknown, forKey: .severity)
        try c.encode(assessment?.version, forKey: .version)
        try c.encode(assessment?.fds, forKey: .fds)
        try c.encode(assessment?.limit, forKey: .limit)
        try c.encode(assessment?.eta, forKey: .eta)
        try c.encode(assessment?.clients, forKey: .clients)
        try c.encode(assessment?.sockets, forKey: .sockets)
        try c.encode(assessment?.leak, forKey: .leak)
        try c.encode(assessment?.forkFailures, forKey: .forkFailures)
        try c.encode(assessment?.forkReadiness, forKey: .forkReadiness)
        try c.encode(assessment?.diagnosis, forKey: .diagnosis)
        try c.encode(assessment?.sources, forKey: .sources)
    }
}
