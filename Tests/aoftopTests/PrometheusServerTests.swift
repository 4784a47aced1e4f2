import AoftopTestSupport
import Foundation
import Testing

/// The whole fleet path with real parts: a leaking Redis, `aoftop metrics`, and a real Prometheus (Debian's
/// package, which also gives promtool) scraping it with the documented config and evaluating the shipped rules.
/// It proves what unit tests with hand-written series cannot: the rules match the series aoftop really serves,
/// labels included.
@Suite struct PrometheusServerTests {
    static let binary = "/usr/bin/prometheus"

    @Test func theShippedRulesFireOnWhatAoftopServes() throws {
        let prometheus = try #require(FileManager.default.isExecutableFile(atPath: Self.binary) ? Self.binary : nil,
                                      PrometheusRulesTests.installHint)
        var options = RedisServerOptions()
        options.maxclients = 1000
        options.openFilesLimit = 4096
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let exporter = try MetricsExporter(["-p", String(server.port), "--interval", "250ms"])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-prometheus-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let rules = RepositoryPaths.root + "/Resources/prometheus/aoftop-rules.yml"
        // The scrape config docs/metrics.md gives, at test speed.
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ['\(rules)']
        scrape_configs:
          - job_name: aoftop
            honor_labels: true
            static_configs:
              - targets: ['127.0.0.1:\(exporter.port)']
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try Loopback.freePort()
        let process = try ChildProcess(prometheus, [
            "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], environment: ["PATH": "/usr/bin:/bin"])
        defer {
            process.terminate()
            _ = process.waitForExit(timeout: 10)
        }
        let instance = MetricsExporter.instance(server.port)
        func query(_ expression: String) -> [[String: Any]] {
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            guard let response = try? HTTPGet.fetch(port: port, path: "/api/v1/query?query=\(encoded)", timeout: 5),
                  let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
                  let data = object["data"] as? [String: Any] else { return [] }
            return data["result"] as? [[String: Any]] ?? []
        }
        func labels(_ sample: [String: Any]) -> [String: String] { sample["metric"] as? [String: String] ?? [:] }

        // honor_labels keeps the Redis instance label; the job is Prometheus's.
        #expect(RedisServer.waitUntil(timeout: 30) {
            query("aoftop_up").contains { labels($0)["instance"] == instance && labels($0)["job"] == "aoftop" }
        }, "aoftop_up never arrived with instance=\(instance)")

        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        // The rule group evaluates every 15 s; RedisPipeLeak waits 30 s before firing, so pending is what shows first.
        var alerts: [[String: Any]] = []
        #expect(RedisServer.waitUntil(timeout: 60, interval: 0.5) {
            alerts = query("ALERTS{alertname=\"RedisPipeLeak\"}")
            return alerts.contains { labels($0)["instance"] == instance }
        }, "RedisPipeLeak never pending for \(instance): \(query("ALERTS"))")
        let alert = try #require(alerts.first { labels($0)["instance"] == instance })
        #expect(labels(alert)["severity"] == "critical")
        #expect(labels(alert)["port"] == String(server.port))
        #expect(["pending", "firing"].contains(labels(alert)["alertstate"] ?? ""), "\(alert)")
        // And the fork-failure counter moved in Prometheus's eyes (the backlog at start was not counted).
        #expect(RedisServer.waitUntil(timeout: 30) {
            query("increase(aoftop_fork_failures_total{kind=\"aof\"}[1m]) > 0").contains { labels($0)["instance"] == instance }
        }, "no increase of aoftop_fork_failures_total seen by Prometheus")
    }
}
