import AoftopTestSupport
import Foundation
import Testing

/// A real Prometheus (Debian's package, which also gives promtool) scraping one `aoftop metrics` with the scrape
/// config docs/metrics.md gives, at test speed (scrapes and rule evaluations every second), queried through its
/// HTTP API. Stopped, and its data removed, on deinit.
final class PrometheusServer {
    static let binary = "/usr/bin/prometheus"

    /// `/usr/bin/prometheus` when installed (the Swift tests `#require` it with `PrometheusRulesTests.installHint`).
    static var installed: String? { FileManager.default.isExecutableFile(atPath: binary) ? binary : nil }

    let port: Int
    private let directory: String
    private let process: ChildProcess

    /// Starts Prometheus scraping `127.0.0.1:exporterPort` as job `aoftop` with `honor_labels: true`, loading
    /// `ruleFiles`.
    init(scraping exporterPort: Int, ruleFiles: [String] = []) throws {
        guard let binary = Self.installed else { throw FixtureError("\(Self.binary) not installed") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-prometheus-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let rules = ruleFiles.map { "'\($0)'" }.joined(separator: ", ")
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: [\(rules)]
        scrape_configs:
          - job_name: aoftop
            honor_labels: true
            static_configs:
              - targets: ['127.0.0.1:\(exporterPort)']
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        port = try Loopback.freePort()
        do {
            process = try ChildProcess(binary, [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ], environment: ["PATH": "/usr/bin:/bin"])
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        process.terminate()
        _ = process.waitForExit(timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The answer of `/api/v1/query`: `status` is `success` or `error` (then `error` says why, e.g. a parse
    /// error); `samples` the instant vector (`metric` labels and `value` [time, "number"]).
    struct Answer {
        var status: String
        var error: String?
        var samples: [[String: Any]]
    }

    /// An instant query at the current time.
    func query(_ expression: String) -> Answer {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let response = try? HTTPGet.fetch(port: port, path: "/api/v1/query?query=\(encoded)", timeout: 5) else {
            return Answer(status: "unreachable", error: "no answer from Prometheus on port \(port)", samples: [])
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] else {
            return Answer(status: "unparsable", error: "HTTP \(response.status): \(response.body.prefix(300))", samples: [])
        }
        let data = object["data"] as? [String: Any]
        return Answer(status: object["status"] as? String ?? "", error: object["error"] as? String,
                      samples: data?["result"] as? [[String: Any]] ?? [])
    }

    /// The samples of `expression`, or none when the query failed.
    func samples(_ expression: String) -> [[String: Any]] { query(expression).samples }

    static func labels(_ sample: [String: Any]) -> [String: String] { sample["metric"] as? [String: String] ?? [:] }

    static func value(_ sample: [String: Any]) -> Double? {
        (sample["value"] as? [Any])?.last.flatMap { $0 as? String }.flatMap(Double.init)
    }
}

/// The whole fleet path with real parts: a real Redis 7 under the fork-failure shim (`.failForksAndLeakPipes`: once
/// `startLeaking()` makes fork() fail and AOF rewrites due, every failed attempt leaks 2 pipe fds, ~20 fds/s),
/// maxclients 1000 (event loop setsize 1128, the binding limit below `ulimit -n` 4096), `aoftop metrics` sampling it
/// every 250 ms, and a Prometheus scraping that every second.
final class ScrapedRedis {
    let server: RedisServer
    let exporter: MetricsExporter
    let prometheus: PrometheusServer
    /// The Redis `instance` label aoftop serves (honor_labels keeps it).
    let instance: String

    init(ruleFiles: [String] = []) throws {
        var options = RedisServerOptions()
        options.maxclients = 1000
        options.openFilesLimit = 4096
        options.forkFailureShim = .failForksAndLeakPipes
        // Each part stops itself on deinit, also when a later one fails to start.
        server = try RedisServer.start(options)
        exporter = try MetricsExporter(["-p", String(server.port), "--interval", "250ms"])
        prometheus = try PrometheusServer(scraping: exporter.port, ruleFiles: ruleFiles)
        instance = MetricsExporter.instance(server.port)
    }

    /// Waits until Prometheus holds `aoftop_up` for this Redis, with its own `instance` label and job `aoftop`.
    func waitUntilScraped(timeout: Double = 30) -> Bool {
        RedisServer.waitUntil(timeout: timeout) {
            prometheus.samples("aoftop_up").contains {
                PrometheusServer.labels($0)["instance"] == instance && PrometheusServer.labels($0)["job"] == "aoftop"
            }
        }
    }

    /// fork() fails from now on, and an AOF rewrite is due on every cron tick: the pipes leak.
    func startLeaking() throws {
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
    }
}
