import AoftopTestSupport
import Foundation
import Testing

/// The whole fleet path with real parts: a leaking Redis, `aoftop metrics`, and a real Prometheus (Debian's
/// package, which also gives promtool) scraping it with the documented config and evaluating the shipped rules.
/// It proves what unit tests with hand-written series cannot: the rules match the series aoftop really serves,
/// labels included. (The setup, ScrapedRedis, is shared with GrafanaDashboardTests.)
@Suite struct PrometheusServerTests {
    @Test func theShippedRulesFireOnWhatAoftopServes() throws {
        _ = try #require(PrometheusServer.installed, PrometheusRulesTests.installHint)
        let fleet = try ScrapedRedis(ruleFiles: [PrometheusRulesTests.rulesFile])
        let prometheus = fleet.prometheus, instance = fleet.instance
        func labels(_ sample: [String: Any]) -> [String: String] { PrometheusServer.labels(sample) }

        // honor_labels keeps the Redis instance label; the job is Prometheus's.
        #expect(fleet.waitUntilScraped(), "aoftop_up never arrived with instance=\(instance)")

        try fleet.startLeaking()
        // The rule group evaluates every 15 s; RedisPipeLeak waits 30 s before firing, so pending is what shows first.
        var alerts: [[String: Any]] = []
        #expect(RedisServer.waitUntil(timeout: 60, interval: 0.5) {
            alerts = prometheus.samples("ALERTS{alertname=\"RedisPipeLeak\"}")
            return alerts.contains { labels($0)["instance"] == instance }
        }, "RedisPipeLeak never pending for \(instance): \(prometheus.samples("ALERTS"))")
        let alert = try #require(alerts.first { labels($0)["instance"] == instance })
        #expect(labels(alert)["severity"] == "critical")
        #expect(labels(alert)["port"] == String(fleet.server.port))
        #expect(["pending", "firing"].contains(labels(alert)["alertstate"] ?? ""), "\(alert)")
        // And the fork-failure counter moved in Prometheus's eyes (the backlog at start was not counted).
        #expect(RedisServer.waitUntil(timeout: 30) {
            prometheus.samples("increase(aoftop_fork_failures_total{kind=\"aof\"}[1m]) > 0").contains { labels($0)["instance"] == instance }
        }, "no increase of aoftop_fork_failures_total seen by Prometheus")
    }
}
