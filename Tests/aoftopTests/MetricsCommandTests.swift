import AoftopTestSupport
import Foundation
import Testing

/// `aoftop metrics` as Prometheus sees it: the real binary against real servers, scraped over HTTP, values checked
/// against `/proc` and INFO, and `promtool check metrics` on what it serves.
@Suite struct MetricsCommandTests {
    @Test func scrapeMatchesProcAndInfoAndPassesPromtool() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let exporter = try MetricsExporter(["-p", String(server.port), "--interval", "250ms"])
        let labels = "instance=\"127.0.0.1:\(server.port)\",port=\"\(server.port)\""
        // Wait past warm-up (2 s of samples), so the absent ETA means "not rising", not "too early".
        var scrape = try exporter.scrape()
        try #require(RedisServer.waitUntil(timeout: 20) {
            scrape = try exporter.scrape()
            return scrape.value("aoftop_fd_growth_per_second{\(labels)}") != nil
        }, "no slope after 20 s:\n\(scrape.text)")

        #expect(scrape.response.status == 200)
        #expect(scrape.response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(scrape.value("aoftop_up{\(labels)}") == 1)
        #expect(scrape.value("aoftop_severity{\(labels)}") == 0)
        #expect(scrape.value("aoftop_instances") == 1)
        #expect(scrape.names.allSatisfy { !$0.hasPrefix("aoftop_fd_exhaustion_eta_seconds") }, "no ETA on a flat server")

        // /proc, counted independently (an idle server's fds do not move).
        #expect(scrape.value("aoftop_open_fds{\(labels),type=\"pipe\"}") == Double(server.countFds(withTargetPrefix: "pipe:")))
        #expect(scrape.value("aoftop_open_fds{\(labels),type=\"socket\"}") == Double(server.countFds(withTargetPrefix: "socket:")))
        let procTotal = (try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/fd")).count
        let byType = scrape.samples.filter { $0.key.hasPrefix("aoftop_open_fds{\(labels),") }.values.reduce(0, +)
        #expect(byType == Double(procTotal), "the types sum to the total")
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        let softLimit = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Double($0) })
        #expect(scrape.value("aoftop_fd_limit{\(labels),limit=\"rlimit\"}") == softLimit)

        // INFO and CONFIG, asked directly.
        let maxclients = try #require(Double(try server.cli(["CONFIG", "GET", "maxclients"]).split(separator: "\n").last ?? ""))
        #expect(scrape.value("aoftop_fd_limit{\(labels),limit=\"event_loop\"}") == maxclients + 128)
        let threshold = try #require(Double(try server.cli(["CONFIG", "GET", "auto-aof-rewrite-percentage"]).split(separator: "\n").last ?? ""))
        #expect(scrape.value("aoftop_aof_rewrite_threshold_ratio{\(labels)}") == threshold / 100)
        let info = try server.cli(["INFO", "server"])
        let version = try #require(info.split(separator: "\r\n").first { $0.hasPrefix("redis_version:") }?.dropFirst(14))
        #expect(scrape.value("aoftop_redis_info{\(labels),server=\"redis\",version=\"\(version)\"}") == 1)
        // aoftop's own connection is the one client of an idle server, on both sides.
        #expect(scrape.value("aoftop_client_sockets{\(labels)}") == 1)
        #expect(scrape.value("aoftop_fork_failures_total{\(labels),kind=\"aof\"}") == 0)

        let promtool = try #require(PrometheusRulesTests.promtool(), PrometheusRulesTests.installHint)
        let lint = try Subprocess.run(promtool, ["check", "metrics"], standardInput: Data(scrape.text.utf8))
        #expect(lint.status == 0, "promtool check metrics:\n\(lint.standardOutput)\(lint.standardError)\n\(scrape.text)")

        let index = try HTTPGet.fetch(port: exporter.port, path: "/")
        #expect(index.status == 200 && index.body.contains("/metrics"))
        #expect(try HTTPGet.fetch(port: exporter.port, path: "/nothing").status == 404)
        #expect(try exporter.scrape().value("aoftop_scrapes_total") ?? 0 >= 3)
    }

    @Test func scrapingDuringFdExhaustionStillWorks() throws {
        var options = RedisServerOptions()
        options.maxclients = 64 // setsize 192: exhausted within seconds
        options.openFilesLimit = 4096
        options.forkFailureShim = .failForksAndLeakPipes
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let exporter = try MetricsExporter(["-p", String(server.port), "--interval", "250ms"])
        let labels = "instance=\"127.0.0.1:\(server.port)\",port=\"\(server.port)\""
        _ = try exporter.scrape()
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        try #require(RedisServer.waitUntil(timeout: 30) { server.countFds(withTargetPrefix: "pipe:") >= 192 + 64 })

        var scrape = try exporter.scrape()
        try #require(RedisServer.waitUntil(timeout: 20) {
            scrape = try exporter.scrape()
            return scrape.value("aoftop_fd_exhaustion_eta_seconds{\(labels)}") == 0
        }, "never exhausted:\n\(scrape.text)")
        #expect(scrape.response.status == 200)
        #expect(scrape.value("aoftop_severity{\(labels)}") == 2)
        #expect(scrape.value("aoftop_pipe_leak{\(labels)}") == 1)
        #expect(scrape.value("aoftop_fd_limit_binding{\(labels),limit=\"event_loop\"}") == 1)
        #expect((scrape.value("aoftop_fd_spare{\(labels)}") ?? 99) <= 2)
        #expect((scrape.value("aoftop_fork_failures_total{\(labels),kind=\"aof\"}") ?? 0) > 10)
        #expect((scrape.value("aoftop_self_held_pipe_pairs{\(labels)}") ?? 0) >= 32)
        #expect(scrape.value("aoftop_finding{\(labels),code=\"fd-exhausted\"}") == 1, "\(scrape.text)")
        // The leak goes on (the shim leaks until RLIMIT); the count served lags /proc by at most one sample.
        let procPipes = Double(server.countFds(withTargetPrefix: "pipe:"))
        let served = try #require(scrape.value("aoftop_open_fds{\(labels),type=\"pipe\"}"))
        #expect(served <= procPipes && served >= procPipes - 200, "served \(served), /proc \(procPipes)")

        let promtool = try #require(PrometheusRulesTests.promtool(), PrometheusRulesTests.installHint)
        let lint = try Subprocess.run(promtool, ["check", "metrics"], standardInput: Data(scrape.text.utf8))
        #expect(lint.status == 0, "promtool check metrics:\n\(lint.standardOutput)\(lint.standardError)")
    }

    @Test func allFindsEveryLocalServer() throws {
        let first = try RedisServer.start()
        defer { first.stop() }
        let second = try RedisServer.start()
        defer { second.stop() }
        let exporter = try MetricsExporter(["--all", "--interval", "250ms"])
        var scrape = try exporter.scrape()
        let ups = [first, second].map { "aoftop_up{instance=\"127.0.0.1:\($0.port)\",port=\"\($0.port)\"}" }
        #expect(RedisServer.waitUntil(timeout: 20) {
            scrape = (try? exporter.scrape()) ?? scrape
            return ups.allSatisfy { scrape.value($0) == 1 }
        }, "\(scrape.text)")
    }

    @Test func portInUseIsOneLineAndExitOne() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        // The Redis port itself is taken.
        let result = try AoftopBinary.run(["metrics", "--listen", "127.0.0.1:\(server.port)", "-p", String(server.port)])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.standardError)")
        #expect(result.standardError.contains("cannot listen on 127.0.0.1:\(server.port): bind: Address already in use"),
                "\(result.standardError)")
    }
}

/// `aoftop metrics` running as a child on a free port; stopped with SIGTERM on deinit.
final class MetricsExporter {
    let port: Int
    private let process: ChildProcess

    init(_ arguments: [String]) throws {
        port = try AoftopBinary.unusedPort()
        process = try ChildProcess(RepositoryPaths.aoftopBinary, ["metrics", "--listen", "127.0.0.1:\(port)"] + arguments,
                                   environment: ProcessInfo.processInfo.environment)
        let port = self.port
        guard RedisServer.waitUntil(timeout: 20, { (try? HTTPGet.fetch(port: port, path: "/", timeout: 2)) != nil }) else {
            throw FixtureError("aoftop metrics did not listen on \(port)")
        }
    }

    deinit {
        process.terminate()
        #expect(process.waitForExit(timeout: 10) == 0, "SIGTERM ends aoftop metrics with status 0")
    }

    func scrape() throws -> Scrape {
        Scrape(response: try HTTPGet.fetch(port: port, path: "/metrics"))
    }
}

/// A parsed exposition: `name{labels}` → value, labels as served.
struct Scrape {
    let response: HTTPGet.Response
    let samples: [String: Double]

    init(response: HTTPGet.Response) {
        self.response = response
        var samples: [String: Double] = [:]
        for line in response.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    var text: String { response.body }
    var names: [String] { Array(samples.keys) }
    func value(_ series: String) -> Double? { samples[series] }
}
