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
        let labels = MetricsExporter.labels(server.port)
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

        // /proc, counted independently. Other suites running now may connect to every local server (list, --all,
        // the overview), so sockets are compared once the counts agree on a quiet moment, within a generous wait.
        #expect(scrape.value("aoftop_open_fds{\(labels),type=\"pipe\"}") == Double(server.countFds(withTargetPrefix: "pipe:")))
        var procSockets = 0
        #expect(try RedisServer.waitUntil(timeout: 20, interval: 0.3) {
            scrape = try exporter.scrape()
            procSockets = server.countFds(withTargetPrefix: "socket:")
            return scrape.value("aoftop_open_fds{\(labels),type=\"socket\"}") == Double(procSockets)
        }, "sockets served \(String(describing: scrape.value("aoftop_open_fds{\(labels),type=\"socket\"}"))), /proc \(procSockets)")
        var procTotal = 0
        #expect(try RedisServer.waitUntil(timeout: 20, interval: 0.3) {
            scrape = try exporter.scrape()
            procTotal = (try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/fd")).count
            return scrape.samples.filter { $0.key.hasPrefix("aoftop_open_fds{\(labels),") }.values.reduce(0, +) == Double(procTotal)
        }, "the types sum to the total (/proc \(procTotal))")
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
        // Client sockets as INFO counts them (aoftop's own connection included), on a quiet moment.
        #expect(try RedisServer.waitUntil(timeout: 20, interval: 0.3) {
            scrape = try exporter.scrape()
            let info = try server.cli(["INFO", "clients"])
            let clients = info.split(separator: "\r\n").first { $0.hasPrefix("connected_clients:") }?.dropFirst(18)
            // redis-cli's own connection is counted by INFO but gone before the next sample.
            return clients.flatMap { Double($0) }.map { $0 - 1 } == scrape.value("aoftop_client_sockets{\(labels)}")
        }, "client sockets never matched INFO connected_clients")
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
        let labels = MetricsExporter.labels(server.port)
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
        let ups = [first, second].map { "aoftop_up{\(MetricsExporter.labels($0.port))}" }
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

/// `aoftop metrics` running as a child, listening on a port the kernel picks (read from its first stderr line,
/// so no other test can take it in between); stopped with SIGTERM on deinit.
final class MetricsExporter {
    let port: Int
    private let process: ChildProcess

    /// The `instance` label of a local server on `port`: aoftop names it after this host.
    static func instance(_ port: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ":\(port)"
    }

    static func labels(_ port: Int) -> String { "instance=\"\(instance(port))\",port=\"\(port)\"" }

    init(_ arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-metrics-\(UUID().uuidString).err").path
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FixtureError("cannot create \(log)") }
        defer {
            close(fd)
            unlink(log)
        }
        let child = try ChildProcess(RepositoryPaths.aoftopBinary, ["metrics", "--listen", "127.0.0.1:0"] + arguments,
                                     environment: ProcessInfo.processInfo.environment, fdMap: [2: fd])
        process = child
        var announced: Int?
        _ = RedisServer.waitUntil(timeout: 20) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            announced = text.split(separator: "\n").first { $0.contains("serving metrics") }
                .flatMap { $0.split(separator: ":").last?.split(separator: "/").first }.flatMap { Int($0) }
            return announced != nil || !child.isRunning
        }
        guard let announced else {
            throw FixtureError("aoftop metrics did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        port = announced
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
