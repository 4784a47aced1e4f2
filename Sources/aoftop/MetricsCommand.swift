import AoftopClock
import AoftopFleet
import AoftopMetrics
import AoftopPipeline
import ArgumentParser
import FoundationEssentials
import Glibc

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Serve Prometheus metrics for every local Redis/Valkey server (or the ones named) over HTTP.",
        discussion: """
        Each instance is sampled on its own thread every --interval; GET /metrics renders the latest samples \
        without talking to Redis, so a scrape answers at once even while a server is out of fds. Metric names \
        and labels: docs/metrics.md; alert rules: Resources/prometheus/aoftop-rules.yml. Scrape with \
        honor_labels: true so the Redis `instance` label is kept. Stops on SIGINT/SIGTERM.
        """)

    @OptionGroup var fleet: FleetOptions

    @Option(help: ArgumentHelp("Address to serve on: IP:PORT, [IPv6]:PORT, or :PORT for every IPv4 interface.", valueName: "address"))
    var listen: String = "127.0.0.1:9187"

    @Option(parsing: .unconditional, help: ArgumentHelp("Time between samples of each instance.", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(seconds: 1)

    func validate() throws {
        if case .failure(let error) = ListenAddress.parse(listen) { throw ValidationError(error.description) }
        guard interval.seconds >= 0.1, interval.seconds <= 60 else {
            throw ValidationError("--interval must be between 100ms and 60s")
        }
    }

    func run() throws {
        let address = try ListenAddress.parse(listen).get()
        let template: CollectionTarget
        do { template = try fleet.collectionTemplate() } catch { throw fail("\(error)") }
        // Before any thread starts: a SIGTERM from here on ends the command cleanly (exit 0).
        StopSignals.install()
        let scope: FleetMonitor.Scope = fleet.namedTargets.map { .targets($0) } ?? .discovered(procRoot: fleet.local.procRoot)
        let monitor = FleetMonitor(scope: scope, collection: template, interval: interval.seconds)
        defer { monitor.stop() }
        let endpoint: MetricsEndpoint
        do { endpoint = try MetricsEndpoint(address: address, fleet: monitor, host: HostName.current() ?? "") } catch {
            throw fail("cannot listen on \(address): \(error)")
        }
        defer { endpoint.close() }
        let what = fleet.namedTargets.map { "\($0.count) named instance(s)" } ?? "every local redis-server/valkey-server (--all)"
        var bound = address
        bound.port = endpoint.port.map { UInt16($0) } ?? address.port // the real port when :0 was asked for
        printError("aoftop: serving metrics of \(what) at http://\(bound)/metrics")
        while StopSignals.sleep(until: MonotonicClock.now() + 3600) {}
    }
}
