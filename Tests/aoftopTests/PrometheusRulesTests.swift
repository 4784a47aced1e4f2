import AoftopTestSupport
import Foundation
import Testing

/// `Resources/prometheus/aoftop-rules.yml`: promtool accepts it, its unit tests (`aoftop-rules.test.yml`) pass, and
/// it uses only the metrics, labels and label values that docs/metrics.md promises the exporter serves.
@Suite struct PrometheusRulesTests {
    static let rulesFile = RepositoryPaths.root + "/Resources/prometheus/aoftop-rules.yml"
    /// Every promtool unit-test file shipped beside the rules (`*.test.yml`): aoftop-rules.test.yml (15 s
    /// evaluations) and aoftop-slow-leak.test.yml (days of 5-minute samples).
    static var rulesTestFiles: [String] {
        let directory = RepositoryPaths.root + "/Resources/prometheus"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".test.yml") }.sorted().map { directory + "/" + $0 }
    }
    static let installHint: Comment =
        "promtool not found on PATH: install Debian's prometheus package (apt-get install --no-install-recommends prometheus)"

    /// `promtool` on `PATH`, or nil.
    static func promtool() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/promtool" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func promtoolIsInstalled() {
        #expect(Self.promtool() != nil, Self.installHint)
    }

    @Test func rulesPassPromtoolCheck() throws {
        let promtool = try #require(Self.promtool(), Self.installHint)
        let result = try Subprocess.run(promtool, ["check", "rules", Self.rulesFile])
        #expect(result.status == 0, "promtool check rules failed:\n\(result.standardOutput)\(result.standardError)")
    }

    @Test func rulesPassTheirUnitTests() throws {
        let promtool = try #require(Self.promtool(), Self.installHint)
        let files = Self.rulesTestFiles
        #expect(files.map { ($0 as NSString).lastPathComponent }.contains("aoftop-slow-leak.test.yml"), "\(files)")
        let result = try Subprocess.run(promtool, ["test", "rules"] + files)
        #expect(result.status == 0, "promtool test rules failed:\n\(result.standardOutput)\(result.standardError)")
        // One SUCCESS per file: a file promtool skipped would not count.
        #expect(result.standardOutput.components(separatedBy: "SUCCESS").count - 1 == files.count,
                "\(result.standardOutput)\(result.standardError)")
    }

    /// A metric renamed in the contract, a label or a label value the exporter does not serve, breaks this test
    /// instead of leaving an alert that silently never fires.
    @Test func rulesUseOnlyDocumentedMetricsLabelsAndValues() throws {
        let contract = try MetricsContract(
            metricsDoc: String(contentsOfFile: RepositoryPaths.root + "/docs/metrics.md", encoding: .utf8),
            jsonDoc: String(contentsOfFile: RepositoryPaths.root + "/docs/json.md", encoding: .utf8))
        #expect(contract.metrics.count >= 15, "docs/metrics.md tables not parsed: \(contract.metrics.keys.sorted())")
        #expect(contract.perInstanceLabels == ["instance", "port"], "\(contract.perInstanceLabels)")

        let rules = try String(contentsOfFile: Self.rulesFile, encoding: .utf8)
        let references = MetricReference.all(in: rules)
        let used = Set(references.map(\.name))
        #expect(used.isSuperset(of: ["aoftop_pipe_leak", "aoftop_fd_exhaustion_eta_seconds", "aoftop_fork_failures_total",
                                     "aoftop_finding", "aoftop_up", "aoftop_sample_age_seconds"]),
                "rules file not parsed: \(used.sorted())")

        for reference in references {
            guard let labels = contract.metrics[reference.name] else {
                Issue.record("aoftop-rules.yml uses \(reference.name), which docs/metrics.md does not list")
                continue
            }
            for matcher in reference.matchers {
                if contract.perInstanceLabels.contains(matcher.label) || MetricsContract.prometheusLabels.contains(matcher.label) {
                    continue
                }
                guard let values = labels[matcher.label] else {
                    Issue.record("aoftop-rules.yml selects \(reference.name){\(matcher.label)…}; docs/metrics.md gives it labels \(labels.keys.sorted())")
                    continue
                }
                guard let value = matcher.value, !value.isEmpty else { continue }
                let wanted = matcher.isRegex ? value.split(separator: "|").map(String.init) : [value]
                for item in wanted {
                    #expect(values.contains(item),
                            "aoftop-rules.yml selects \(reference.name){\(matcher.label)\(matcher.op)\"\(value)\"}; documented values: \(values.sorted())")
                }
            }
        }
    }

    @Test func contractParserReadsLabelsAndSelectors() {
        let contract = MetricsContract(metricsDoc: """
            | label | value |
            |---|---|
            | `instance` | `127.0.0.1:6379` |

            | name | type | labels | meaning |
            |---|---|---|---|
            | `aoftop_x_total` | counter | `kind` = `aof`, `rdb` | x |
            | `aoftop_finding` | gauge | `code` = a finding code (`pipe-leak`, … see docs/json.md) | y |

            | name | type | meaning |
            |---|---|---|
            | `aoftop_instances` | gauge | n |
            """, jsonDoc: "## Finding codes\n\n`redis-2857`, `fd-exhausted`\n(critical)\n\n`fd-exhausted` reads `fd limit reached`\n")
        #expect(contract.perInstanceLabels == ["instance"])
        #expect(contract.metrics["aoftop_x_total"] == ["kind": ["aof", "rdb"]])
        #expect(contract.metrics["aoftop_finding"] == ["code": ["pipe-leak", "redis-2857", "fd-exhausted"]])
        #expect(contract.metrics["aoftop_instances"] == [:])

        let references = MetricReference.all(in: """
            expr: max without (code) (aoftop_finding{code=~"a|b"}) or up{job="aoftop"} # xaoftop_no aoftop:rec
            {{ printf `aoftop_open_fds{type="pipe",instance=%q}` }} aoftop_up
            """)
        #expect(references.map(\.name) == ["aoftop_finding", "aoftop_open_fds", "aoftop_up"])
        #expect(references[0].matchers == [.init(label: "code", op: "=~", value: "a|b")])
        #expect(references[1].matchers == [.init(label: "type", op: "=", value: "pipe"), .init(label: "instance", op: "=", value: nil)])
        #expect(references[2].matchers.isEmpty)
    }
}

/// What docs/metrics.md promises: each metric's own labels with their documented values (empty when free-form).
struct MetricsContract {
    /// Labels Prometheus adds itself: the target's `job`/`instance`, and `exported_instance` without honor_labels.
    static let prometheusLabels: Set<String> = ["job", "instance", "exported_instance"]

    var metrics: [String: [String: Set<String>]] = [:]
    var perInstanceLabels: Set<String> = []

    /// Reads the Markdown tables: `| label | value |` rows give the per-instance labels, `| name | … |` rows the
    /// metrics; a labels cell reads `` `kind` = `aof`, `rdb` ``. A cell that points at docs/json.md takes its
    /// values from there too (the finding codes).
    init(metricsDoc: String, jsonDoc: String) {
        let findingCodes = Self.findingCodes(jsonDoc)
        var header: [String] = []
        for line in metricsDoc.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { header = []; continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if header.isEmpty { header = cells; continue }
            if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }
            guard let first = cells.first.flatMap({ Self.codeSpans($0).first }) else { continue }
            if header.first == "label" {
                perInstanceLabels.insert(first.text)
            } else if header.first == "name", first.text.hasPrefix("aoftop_") {
                var labels: [String: Set<String>] = [:]
                if let column = header.firstIndex(of: "labels"), column < cells.count {
                    var current: String?
                    for span in Self.codeSpans(cells[column]) {
                        if span.isLabel { current = span.text; labels[span.text] = [] }
                        else if let current { labels[current]?.insert(span.text) }
                    }
                    if let current, cells[column].contains("docs/json.md") { labels[current]?.formUnion(findingCodes) }
                }
                metrics[first.text] = labels
            }
        }
    }

    /// The backticked words of a table cell; `isLabel` when `=` follows (`` `kind` = ``).
    static func codeSpans(_ cell: String) -> [(text: String, isLabel: Bool)] {
        var spans: [(text: String, isLabel: Bool)] = []
        var rest = Substring(cell)
        while let open = rest.firstIndex(of: "`") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "`") else { break }
            rest = rest[rest.index(after: close)...]
            spans.append((String(rest.base[afterOpen..<close]), rest.drop { $0 == " " }.hasPrefix("=")))
        }
        return spans
    }

    /// The first paragraph under docs/json.md's "## Finding codes".
    static func findingCodes(_ jsonDoc: String) -> Set<String> {
        guard let heading = jsonDoc.range(of: "## Finding codes\n") else { return [] }
        let body = jsonDoc[heading.upperBound...].drop { $0 == "\n" }
        let paragraph = body.range(of: "\n\n").map { body[..<$0.lowerBound] } ?? body
        return Set(codeSpans(String(paragraph)).map(\.text))
    }
}

/// An `aoftop_…` metric named in a rules file (PromQL or an annotation's query template) and the label
/// matchers written right after it.
struct MetricReference: Equatable {
    struct Matcher: Equatable {
        var label: String
        var op: String
        /// The quoted value; nil for a template placeholder (`instance=%q`).
        var value: String?
        var isRegex: Bool { op.hasSuffix("~") }
    }

    var name: String
    var matchers: [Matcher]

    static func isNameCharacter(_ c: Character) -> Bool { c == "_" || c == ":" || (c.isASCII && (c.isLetter || c.isNumber)) }

    static func all(in text: String) -> [MetricReference] {
        let chars = Array(text)
        var references: [MetricReference] = []
        var i = 0
        while i < chars.count {
            guard isNameCharacter(chars[i]) else { i += 1; continue }
            let start = i
            while i < chars.count, isNameCharacter(chars[i]) { i += 1 }
            let name = String(chars[start..<i])
            // Recording rules (`level:metric:operation`) and other words are not exporter metrics.
            guard name.hasPrefix("aoftop_"), !name.contains(":") else { continue }
            var matchers: [Matcher] = []
            if i < chars.count, chars[i] == "{", let close = chars[i...].firstIndex(of: "}") {
                matchers = parseMatchers(String(chars[(i + 1)..<close]))
                i = close + 1
            }
            references.append(MetricReference(name: name, matchers: matchers))
        }
        return references
    }

    /// `label op "value"` pairs separated by commas (values here never contain commas or quotes).
    static func parseMatchers(_ body: String) -> [Matcher] {
        body.split(separator: ",").compactMap { part in
            let part = part.trimmingCharacters(in: .whitespaces)
            guard let opStart = part.firstIndex(where: { "=!".contains($0) }) else { return nil }
            let label = part[..<opStart].trimmingCharacters(in: .whitespaces)
            let afterOp = part[opStart...]
            let op = ["=~", "!~", "!=", "="].first { afterOp.hasPrefix($0) } ?? "="
            let raw = afterOp.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
            let value = raw.hasPrefix("\"") && raw.hasSuffix("\"") && raw.count >= 2 ? String(raw.dropFirst().dropLast()) : nil
            return Matcher(label: label, op: op, value: value)
        }
    }
}
