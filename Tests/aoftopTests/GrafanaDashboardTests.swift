import AoftopTestSupport
import Foundation
import Testing

/// `Resources/grafana/aoftop-dashboard.json`: well-formed for Grafana (ids, grid, datasource, the `instance`
/// variable), using only what docs/metrics.md documents, and every panel query answering with data from a real
/// Prometheus scraping a real `aoftop metrics` watching a real Redis, both calm and leaking.
@Suite struct GrafanaDashboardTests {
    static let dashboardFile = RepositoryPaths.root + "/Resources/grafana/aoftop-dashboard.json"
    /// The datasource every panel and target names: the dashboard's datasource variable.
    static let datasourceUID = "${datasource}"

    /// One target of one panel.
    struct PanelQuery: CustomStringConvertible {
        var panel: String
        var refId: String
        var expr: String
        var description: String { "panel \"\(panel)\" target \(refId): \(expr)" }
    }

    static func load() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dashboardFile))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object")
    }

    /// The panels, those nested in rows included (rows themselves left out).
    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        var panels: [[String: Any]] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            if panel["type"] as? String != "row" { panels.append(panel) }
            panels += panel["panels"] as? [[String: Any]] ?? []
        }
        return panels
    }

    static func queries(_ dashboard: [String: Any]) -> [PanelQuery] {
        panels(dashboard).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).map {
                PanelQuery(panel: panel["title"] as? String ?? "?", refId: $0["refId"] as? String ?? "?",
                           expr: $0["expr"] as? String ?? "")
            }
        }
    }

    static func variables(_ dashboard: [String: Any]) -> [String: [String: Any]] {
        let list = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
    }

    /// What Grafana sends for `expr` with `instances` selected: a multi-value variable in a regex matcher becomes
    /// `(a|b)` with each value regex-escaped (in a PromQL string, so the backslashes doubled); `$__rate_interval`
    /// and the other interval variables become fixed durations fitting the test's 1 s scrapes.
    static func expand(_ expr: String, instances: [String]) -> String {
        let special = Set("\\^$.|?*+()[]{}")
        let escaped = instances.map { value in
            value.map { character in special.contains(character) ? "\\\\" + String(character) : String(character) }.joined()
        }
        let regex = "(" + escaped.joined(separator: "|") + ")"
        var text = expr
        for (variable, value) in [("${instance}", regex), ("[[instance]]", regex), ("$instance", regex),
                                  ("$__rate_interval", "15s"), ("$__interval", "5s"), ("$__range", "5m")] {
            text = text.replacing(variable, with: value)
        }
        return text
    }

    @Test func expandEscapesInstancesLikeGrafana() {
        #expect(Self.expand(#"aoftop_up{instance=~"$instance"}"#, instances: ["cache-07.example:6379", "h:/run/r.sock"])
                == #"aoftop_up{instance=~"(cache-07\\.example:6379|h:/run/r\\.sock)"}"#)
        #expect(Self.expand("rate(x{instance=~\"${instance}\"}[$__rate_interval])", instances: ["a"]) == "rate(x{instance=~\"(a)\"}[15s])")
    }

    /// Grafana ≥ 9 imports it; panels have what Grafana needs to draw them (unique ids, a place on the grid, the
    /// datasource, targets), the variables exist, and every description says something.
    @Test func dashboardIsWellFormed() throws {
        let dashboard = try Self.load()
        #expect(dashboard["uid"] as? String == "aoftop")
        #expect(!(dashboard["title"] as? String ?? "").isEmpty)
        // Grafana 9.0 writes schema 36, 9.1–9.5 write 37: either imports into 9 and later without a migration.
        #expect([36, 37].contains(dashboard["schemaVersion"] as? Int ?? 0), "schemaVersion \(dashboard["schemaVersion"] ?? "none")")

        let variables = Self.variables(dashboard)
        let datasource = try #require(variables["datasource"], "no datasource variable: \(variables.keys.sorted())")
        #expect(datasource["type"] as? String == "datasource")
        #expect(datasource["query"] as? String == "prometheus")
        let instance = try #require(variables["instance"], "no instance variable: \(variables.keys.sorted())")
        #expect(instance["type"] as? String == "query")
        #expect(instance["multi"] as? Bool == true && instance["includeAll"] as? Bool == true, "instance must be multi-select with All")
        #expect((instance["datasource"] as? [String: Any])?["uid"] as? String == Self.datasourceUID)
        let variableQuery = instance["query"] as? String ?? ""
        #expect(variableQuery.hasPrefix("label_values(aoftop_") && variableQuery.hasSuffix(", instance)"), "\(variableQuery)")

        let panels = Self.panels(dashboard)
        #expect(panels.count >= 6, "\(panels.count) panels")
        var ids = Set<Int>()
        var boxes: [(title: String, x: Int, y: Int, w: Int, h: Int)] = []
        for panel in panels {
            let title = panel["title"] as? String ?? ""
            #expect(!title.isEmpty, "a panel without a title: id \(panel["id"] ?? "none")")
            let id = try #require(panel["id"] as? Int, "panel \"\(title)\" has no integer id")
            #expect(ids.insert(id).inserted, "panel id \(id) (\(title)) is used twice")
            #expect((panel["description"] as? String ?? "").count >= 80, "panel \"\(title)\": say what it shows and what to do when it is red")
            let datasource = panel["datasource"] as? [String: Any]
            #expect(datasource?["uid"] as? String == Self.datasourceUID && datasource?["type"] as? String == "prometheus",
                    "panel \"\(title)\" datasource \(String(describing: datasource))")
            let grid = try #require(panel["gridPos"] as? [String: Int], "panel \"\(title)\" has no gridPos")
            let (x, y, w, h) = (grid["x"] ?? -1, grid["y"] ?? -1, grid["w"] ?? 0, grid["h"] ?? 0)
            #expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, "panel \"\(title)\" gridPos \(grid)")
            boxes.append((title, x, y, w, h))
            if let repeated = panel["repeat"] as? String {
                #expect(variables[repeated] != nil, "panel \"\(title)\" repeats over $\(repeated), which is no variable")
            }

            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \"\(title)\" has no targets")
            var refIds = Set<String>()
            for target in targets {
                let refId = target["refId"] as? String ?? ""
                #expect(!refId.isEmpty && refIds.insert(refId).inserted, "panel \"\(title)\": refId \"\(refId)\" missing or repeated")
                #expect((target["datasource"] as? [String: Any])?["uid"] as? String == Self.datasourceUID, "panel \"\(title)\" target \(refId)")
                #expect(!(target["expr"] as? String ?? "").isEmpty, "panel \"\(title)\" target \(refId) has no expr")
            }
        }
        for (index, a) in boxes.enumerated() {
            for b in boxes[(index + 1)...] {
                let overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
                #expect(!overlap, "panels \"\(a.title)\" and \"\(b.title)\" overlap")
            }
        }

        // The exhaustion ETA: seconds, red under 10 minutes, orange under an hour.
        let eta = try #require(panels.first { $0["type"] as? String == "stat" && ($0["title"] as? String ?? "").contains("exhaustion") })
        let defaults = (eta["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any] ?? [:]
        #expect(defaults["unit"] as? String == "s")
        let steps = ((defaults["thresholds"] as? [String: Any])?["steps"] as? [[String: Any]] ?? [])
            .map { step in
                let value = (step["value"] as? Int) ?? (step["value"] as? Double).map { Int($0) }
                return "\(step["color"] as? String ?? "?")@\(value.map(String.init) ?? "base")"
            }
        #expect(steps == ["red@base", "orange@600", "green@3600"], "\(steps)")
    }

    /// Every metric, label and label value the queries use is one docs/metrics.md documents (so one the exporter
    /// serves), every aoftop series is filtered by the instance variable, and the label names aggregated by belong
    /// to the metrics aggregated.
    @Test func queriesUseOnlyDocumentedMetricsAndTheInstanceVariable() throws {
        let dashboard = try Self.load()
        let contract = try MetricsContract(
            metricsDoc: String(contentsOfFile: RepositoryPaths.root + "/docs/metrics.md", encoding: .utf8),
            jsonDoc: String(contentsOfFile: RepositoryPaths.root + "/docs/json.md", encoding: .utf8))
        let commonLabels = contract.perInstanceLabels.union(MetricsContract.prometheusLabels)
        let variableQuery = Self.variables(dashboard)["instance"]?["query"] as? String ?? ""
        let variableMetric = MetricReference.all(in: variableQuery).first?.name ?? "none"
        #expect(contract.metrics[variableMetric] != nil, "the instance variable reads \(variableMetric), which docs/metrics.md does not list")

        let queries = Self.queries(dashboard)
        let used = Set(queries.flatMap { MetricReference.all(in: $0.expr).map(\.name) })
        #expect(used.isSuperset(of: ["aoftop_open_fds", "aoftop_fd_effective_limit", "aoftop_fd_exhaustion_eta_seconds",
                                     "aoftop_pipe_leak", "aoftop_pipe_leak_attribution", "aoftop_fork_failures_total",
                                     "aoftop_aof_growth_ratio", "aoftop_aof_rewrite_threshold_ratio", "aoftop_clients",
                                     "aoftop_maxclients", "aoftop_rejected_connections_total"]),
                "panels not parsed, or one is missing: \(used.sorted())")
        for query in queries {
            let references = MetricReference.all(in: query.expr)
            #expect(!references.isEmpty, "\(query): no aoftop metric")
            var metricLabels = commonLabels
            for reference in references {
                guard let labels = contract.metrics[reference.name] else {
                    Issue.record("\(query): \(reference.name) is not in docs/metrics.md")
                    continue
                }
                metricLabels.formUnion(labels.keys)
                #expect(reference.matchers.contains { $0.label == "instance" && $0.op == "=~" && $0.value == "$instance" },
                        "\(query): \(reference.name) is not filtered by instance=~\"$instance\"")
                for matcher in reference.matchers where !commonLabels.contains(matcher.label) {
                    guard let values = labels[matcher.label] else {
                        Issue.record("\(query): \(reference.name) has no label \(matcher.label) (documented: \(labels.keys.sorted()))")
                        continue
                    }
                    if let value = matcher.value, !matcher.isRegex {
                        #expect(values.isEmpty || values.contains(value), "\(query): \(matcher.label)=\"\(value)\" is not documented")
                    }
                }
            }
            for label in Self.groupingLabels(query.expr) {
                #expect(metricLabels.contains(label), "\(query): groups by \(label), which none of its metrics has")
            }
        }
    }

    /// The label names in `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`.
    static func groupingLabels(_ expr: String) -> [String] {
        var labels: [String] = []
        let characters = Array(expr)
        var index = 0
        while index < characters.count {
            guard MetricReference.isNameCharacter(characters[index]) else { index += 1; continue }
            let start = index
            while index < characters.count, MetricReference.isNameCharacter(characters[index]) { index += 1 }
            let word = String(characters[start..<index])
            guard ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(word) else { continue }
            var open = index
            while open < characters.count, characters[open] == " " { open += 1 }
            guard open < characters.count, characters[open] == "(", let close = characters[open...].firstIndex(of: ")") else { continue }
            labels += String(characters[(open + 1)..<close]).split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            index = close + 1
        }
        return labels
    }

    @Test func groupingLabelsAreRead() {
        #expect(Self.groupingLabels("sum by (instance, kind) (rate(x[1m])) or on (instance) max without(type) (y) * 0")
                == ["instance", "kind", "instance", "type"])
    }

    /// Every panel query, as Grafana would send it with this Redis selected, answers with data from a real
    /// Prometheus: while all is well (the panels that only have something to say during a leak fall back to a
    /// value: the ETA to -1, "not rising", the pipes gained to 0), and during a real pipe leak (Redis 7 under the
    /// fork-failure shim), when the ETA, the leak's attribution and the fork failures show the leak itself.
    @Test func everyPanelQueryAnswersFromARealPrometheus() throws {
        _ = try #require(PrometheusServer.installed, PrometheusRulesTests.installHint)
        let queries = try Self.queries(Self.load())
        let fleet = try ScrapedRedis()
        let prometheus = fleet.prometheus, instance = fleet.instance
        let expanded = queries.map { (query: $0, expr: Self.expand($0.expr, instances: [instance])) }
        for (query, expr) in expanded {
            #expect(!expr.contains("$") && !expr.contains("[["), "\(query): a variable the test does not know: \(expr)")
        }
        #expect(fleet.waitUntilScraped(), "aoftop_up never arrived with instance=\(instance)")
        // An answer over 2 KB comes chunked (Go's net/http); HTTPGet must decode it, or every bigger panel reads empty.
        let everything = prometheus.query("{__name__=~\"aoftop_.+\"}")
        #expect(everything.status == "success" && everything.samples.count > 30, "\(everything.status) \(everything.error ?? "") \(everything.samples.count)")

        /// The queries whose answer is an error, or empty, or has no series of this instance.
        func silent() -> [String] {
            expanded.compactMap { query, expr in
                let answer = prometheus.query(expr)
                if answer.status != "success" { return "\(query)\n  \(answer.status): \(answer.error ?? "")" }
                let mine = answer.samples.filter { PrometheusServer.labels($0)["instance"] == instance }
                return mine.isEmpty ? "\(query)\n  no series for \(instance): \(answer.samples)" : nil
            }
        }
        func values(_ panelTitle: String, _ refId: String = "A") -> [(labels: [String: String], value: Double)] {
            guard let expr = expanded.first(where: { $0.query.panel.contains(panelTitle) && $0.query.refId == refId })?.expr else {
                Issue.record("no panel \"\(panelTitle)\" target \(refId)")
                return []
            }
            return prometheus.samples(expr).compactMap { sample in
                PrometheusServer.value(sample).map { (PrometheusServer.labels(sample), $0) }
            }.filter { $0.labels["instance"] == instance }
        }

        // Calm: every query answers (rates need two scrapes in their 15 s window).
        var missing: [String] = []
        #expect(RedisServer.waitUntil(timeout: 30, interval: 0.5) { missing = silent(); return missing.isEmpty },
                "while calm, queries without data:\n\(missing.joined(separator: "\n"))")
        #expect(RedisServer.waitUntil(timeout: 20, interval: 0.5) { values("exhaustion").map { $0.value } == [-1] },
                "the ETA stat never read -1 (not rising) while calm: \(values("exhaustion"))")
        #expect(values("Pipe leak suspected").map { $0.value } == [0], "\(values("Pipe leak suspected"))")
        #expect(values("Leaked pipes", "B").map { $0.value } == [0], "pipes gained while calm: \(values("Leaked pipes", "B"))")
        func pipes() -> Double { values("Open fds").first { $0.labels["type"] == "pipe" }?.value ?? 0 }
        let calmPipes = pipes()

        // Leaking: ~20 fds/s into an event loop of 1128; the panels must show it.
        try fleet.startLeaking()
        #expect(RedisServer.waitUntil(timeout: 60, interval: 0.5) { values("Pipe leak suspected").map { $0.value } == [1] },
                "the pipe leak never showed: \(values("Pipe leak suspected"))")
        #expect(RedisServer.waitUntil(timeout: 30, interval: 0.5) {
            values("Leaked pipes", "B").contains { !($0.labels["verdict"] ?? "").isEmpty && $0.value > 0 }
        }, "no attribution of the gained pipes: \(values("Leaked pipes", "B"))")
        #expect(RedisServer.waitUntil(timeout: 30, interval: 0.5) {
            values("Fork failures").contains { $0.labels["kind"] == "aof" && $0.value > 0 }
        }, "no AOF fork failures per second: \(values("Fork failures"))")
        // The ETA shows while the fds rise, and reads 0 (exhausted) once they are out: either way not the fallback.
        #expect(RedisServer.waitUntil(timeout: 60, interval: 0.5) { values("exhaustion").contains { $0.value >= 0 } },
                "the ETA stat never left -1 during the leak: \(values("exhaustion"))")
        #expect(RedisServer.waitUntil(timeout: 30, interval: 0.5) { pipes() >= calmPipes + 100 },
                "the pipe fds in the fd panel never rose by 100 from \(calmPipes): \(values("Open fds"))")
        #expect(RedisServer.waitUntil(timeout: 20, interval: 0.5) { missing = silent(); return missing.isEmpty },
                "during the leak, queries without data:\n\(missing.joined(separator: "\n"))")
    }
}
