import AoftopTestSupport
import Foundation
import Testing

/// `--log -`: the log of a server that logs to stdout (`logfile ""`, as container images and systemd units run it),
/// piped into aoftop through a real shell pipeline, counted exactly as the same lines in a file.
@Suite(.serialized) struct StandardInputLogEndToEndTests {
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text.prefix(2000))")
    }

    static func ping(_ port: Int) -> Bool {
        (try? Subprocess.run(RedisServer.redisCLIBinary, ["-p", String(port), "PING"], timeout: 5))?.standardOutput
            .hasPrefix("PONG") ?? false
    }

    static func cli(_ port: Int, _ arguments: [String]) throws {
        let result = try Subprocess.run(RedisServer.redisCLIBinary, ["-p", String(port)] + arguments, timeout: 20)
        try #require(result.status == 0, "redis-cli \(arguments): \(result.standardError)")
    }

    /// `redis-server --logfile "" … | tee FILE | aoftop record --log - …`, the server with the fork-failure shim and
    /// not daemonized: its AOF rewrites fail to fork, and the failures aoftop counts from standard input are the
    /// ones `aoftop scan` counts in the tee'd file, in the live totals and in the since-start history; the recording
    /// names its log `standard input`, ends `stream_ended` after the server is gone, and replays.
    @Test func forkFailuresReadFromStandardInputEqualTheTeedFilesCount() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try Loopback.freePort()
        let (teed, recording, aoftopPid, flag) = (directory.path + "/stdout.log", directory.path + "/piped.jsonl",
                                                  directory.path + "/aoftop.pid", directory.path + "/fail-fork")
        let server = [RedisServer.redisServerBinary, "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
                      "--logfile", "", "--daemonize", "no", "--appendonly", "yes", "--save", "", "--protected-mode", "no",
                      "--maxclients", "64"].map(Self.quoted).joined(separator: " ")
        let aoftop = [RepositoryPaths.aoftopBinary, "record", "-o", recording, "--interval", "250ms", "--log", "-",
                      "-p", String(port)].map(Self.quoted).joined(separator: " ")
        // Only redis-server gets the shim; aoftop's pid is kept to stop it like an operator (Ctrl-C).
        let pipeline = "LD_PRELOAD=\(Self.quoted(try ForkFailureShim.sharedObjectPath())) AOFTOP_FORKFAIL_FLAG=\(Self.quoted(flag)) "
            + "AOFTOP_FORKFAIL_LEAK=0 \(server) | tee \(Self.quoted(teed)) | \(aoftop) & echo $! > \(Self.quoted(aoftopPid)); wait $!"
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LD_PRELOAD")
        environment.removeValue(forKey: "REDISCLI_AUTH")
        let errors = directory.path + "/stderr"
        let errorFd = open(errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(errorFd >= 0)
        let shell = try ChildProcess("/bin/sh", ["-c", pipeline], environment: environment, fdMap: [2: errorFd])
        close(errorFd)
        defer {
            // Stopped already when all went well.
            _ = try? Subprocess.run(RedisServer.redisCLIBinary, ["-p", String(port), "SHUTDOWN", "NOSAVE"], timeout: 5)
            shell.terminate()
        }
        let stderrText = { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
        try #require(RedisServer.waitUntil(timeout: 15) { Self.ping(port) }, "server never answered: \(stderrText())")

        // The server is up (a real fork at start is unaffected): from now on every fork fails.
        try #require(FileManager.default.createFile(atPath: flag, contents: Data()))
        try Self.cli(port, ["CONFIG", "SET", "auto-aof-rewrite-min-size", "1"])
        try Self.cli(port, ["CONFIG", "SET", "auto-aof-rewrite-percentage", "1"])
        try Self.cli(port, ["SET", "aoftop:grow", String(repeating: "x", count: 4096)])
        let failureLine = "Can't rewrite append only file in background: fork"
        let teedText = { (try? String(contentsOfFile: teed, encoding: .utf8)) ?? "" }
        #expect(RedisServer.waitUntil(timeout: 20) { Exhaustion.count(failureLine, in: teedText()) >= 8 },
                "\(teedText().suffix(1500))")
        // The writer goes away: standard input ends, and the recording says so once aoftop has read it all.
        try Self.cli(port, ["SHUTDOWN", "NOSAVE"])
        let recorded = { (try? String(contentsOfFile: recording, encoding: .utf8)) ?? "" }
        #expect(RedisServer.waitUntil(timeout: 20) { recorded().contains("\"file_state\":\"stream_ended\"") },
                "stream never ended: \(stderrText())")
        let pidText = try String(contentsOfFile: aoftopPid, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(pid_t(pidText))
        kill(pid, SIGINT)
        let status = shell.waitForExit(timeout: 20)
        #expect(status == 0, "aoftop record: \(stderrText())")

        // The same lines in the file, counted by `aoftop scan`.
        let scan = try AoftopBinary.run(["scan", "--json", teed])
        #expect(scan.status == 0, "\(scan.standardError)")
        let kinds = try #require(try Self.json(scan.standardOutput)["kinds"] as? [String: Any])
        let scanned = try #require((kinds["aof-fork-failed"] as? [String: Any])?["count"] as? Int)
        #expect(scanned == Exhaustion.count(failureLine, in: teedText()))
        #expect(scanned >= 8)

        let lines = recorded().split(separator: "\n")
        let last = try Self.json(String(try #require(lines.last)))
        let log = try #require((last["log"] as? [String: Any])?["value"] as? [String: Any], "\(last["log"] ?? "")")
        #expect(log["path"] as? String == "standard input")
        #expect(log["file_state"] as? String == "stream_ended")
        let totals = try #require(log["totals"] as? [String: Int])
        #expect(totals["aof-fork-failed"] == scanned, "piped \(totals), file \(scanned)")
        let history = try #require(log["history"] as? [String: Any])
        #expect(history["state"] as? String == "complete", "the banner came through the pipe: \(history)")
        #expect(history["files"] as? [String] == ["standard input"])
        #expect((history["totals"] as? [String: Int])?["aof-fork-failed"] == scanned)
        #expect(history["version"] as? String != nil)

        // The recording replays: the last assessment counts the same failures since the start.
        let replay = try AoftopBinary.run(["replay", recording, "--json"], timeout: 60)
        #expect(replay.status == 0, "\(replay.standardError)")
        let assessment = try Self.json(String(try #require(replay.stdoutLines.last)))
        let forks = try #require(assessment["fork_failures"] as? [String: Any])
        #expect((forks["since_start"] as? [String: Any])?["total"] as? Int == scanned, "\(forks)")
        let sources = try #require((assessment["sources"] as? [String: Any])?["log"] as? [String: Any])
        #expect(sources["path"] as? String == "standard input")
        #expect(sources["file_state"] as? String == "stream_ended")
    }

    /// `check --log -` on a finished log piped in (`cat FILE |`): the check line names the source and that it ended,
    /// and the JSON counts the file's failures.
    @Test func checkCountsAPipedLogAndSaysItEnded() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path + "/redis.log"
        var text = "1:C 04 Dec 2026 10:00:00.000 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started\n"
        for s in 0..<7 {
            text += "1:M 04 Dec 2026 10:00:0\(s).000 # Can't rewrite append only file in background: fork: Cannot allocate memory\n"
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        // No server on this port: the log alone is assessed.
        let port = try Loopback.freePort()
        let line = try Subprocess.run("/bin/sh", ["-c", "cat \"$1\" | \"$0\" check --log - -p \"$2\" --duration 1s --interval 250ms",
                                                  RepositoryPaths.aoftopBinary, log, String(port)], timeout: 30)
        #expect(line.standardOutput.contains("; log: standard input (closed)"), "\(line.standardOutput)\(line.standardError)")
        let json = try Subprocess.run("/bin/sh", ["-c", "cat \"$1\" | \"$0\" check --log - -p \"$2\" --duration 1s --interval 250ms --json",
                                                  RepositoryPaths.aoftopBinary, log, String(port)], timeout: 30)
        let object = try Self.json(json.standardOutput)
        let forks = try #require(object["fork_failures"] as? [String: Any])
        #expect(forks["aof"] as? Int == 7, "\(forks)")
        #expect((forks["since_start"] as? [String: Any])?["total"] as? Int == 7, "\(forks)")
        let source = try #require((object["sources"] as? [String: Any])?["log"] as? [String: Any])
        #expect(source["status"] as? String == "ok")
        #expect(source["path"] as? String == "standard input")
        #expect(source["file_state"] as? String == "stream_ended")
    }

    /// `snapshot --log -` reads what is piped in until it ends, and names it.
    @Test func snapshotReadsAPipedLogToItsEnd() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path + "/redis.log"
        var text = ""
        for s in 0..<40_000 {
            text += "1:M 04 Dec 2026 10:\(String(format: "%02d:%02d", s / 600 % 60, s / 10 % 60)).000 # Can't rewrite append only file in background: fork: Cannot allocate memory\n"
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let port = try Loopback.freePort()
        let result = try Subprocess.run("/bin/sh", ["-c", "cat \"$1\" | \"$0\" snapshot --log - -p \"$2\"",
                                                    RepositoryPaths.aoftopBinary, log, String(port)], timeout: 30)
        #expect(result.standardOutput.contains("log      ok  standard input (closed)"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("aof-fork-failed 40000"), "\(result.standardOutput)")
    }

    // MARK: - The dashboard, keys from the terminal while the log comes through a pipe

    static func startDashboard(_ script: String, _ arguments: [String], columns: Int = 110, rows: Int = 32) throws -> TmuxSession {
        try TmuxSession.start(command: ["sh", "-c", script, RepositoryPaths.aoftopBinary] + arguments,
                              columns: columns, rows: rows, environment: ["SWIFT_BACKTRACE": "interactive=no"])
    }

    static func screen(_ session: TmuxSession) -> String { (try? session.capture()) ?? "(no screen)" }

    @Test func theDashboardFollowsAPipedLogAndItsKeysStillWork() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForks
        let server = try RedisServer.start(options)
        defer { server.stop() }
        // `tail -f` never ends by itself: the dashboard's exit status is printed from inside the pipeline.
        let session = try Self.startDashboard(
            "tail -n +1 -f \"$1\" | { \"$0\" --log - -p \"$2\" --interval 500ms; echo EXITED $?; }; exec sleep 3600",
            [server.logPath, String(server.port)])
        defer { session.kill() }
        #expect(session.waitFor { $0.contains("log stdin") && $0.contains("redis ok") }, "\(Self.screen(session))")
        #expect(session.waitFor(text: "standard input"), "the fork failures pane names its source: \(Self.screen(session))")

        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        #expect(session.waitFor { $0.contains("AOF fork fail") }, "\(Self.screen(session))")

        // Keys come from the terminal, not from the pipe.
        try session.sendKeys("?")
        #expect(session.waitFor(text: "any key closes it"), "help never opened: \(Self.screen(session))")
        try session.sendKeys("x")
        #expect(session.waitFor { !$0.contains("any key closes it") }, "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0", timeout: 15), "\(Self.screen(session))")
        // Back on the normal screen, the dashboard gone.
        let after = Self.screen(session)
        #expect(!after.contains("Fork failures"), "\(after)")
    }

    @Test func theDashboardSaysWhenStandardInputClosesAndKeepsTheFigures() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path + "/redis.log"
        var text = "1:C 04 Dec 2026 10:00:00.000 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started\n"
        for s in 0..<9 {
            text += "1:M 04 Dec 2026 10:00:0\(s).000 # Can't rewrite append only file in background: fork: Cannot allocate memory\n"
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let port = try Loopback.freePort()
        let session = try Self.startDashboard("cat \"$1\" | { \"$0\" --log - -p \"$2\" --interval 500ms; echo EXITED $?; }; exec sleep 3600",
                                              [log, String(port)])
        defer { session.kill() }
        #expect(session.waitFor { $0.contains("standard input closed") && $0.contains("since start 9") },
                "\(Self.screen(session))")
        // Still running, still answering keys after the stream ended.
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0", timeout: 15), "\(Self.screen(session))")
    }

    // MARK: - Refused, with one line

    @Test(arguments: [
        (["--all", "--log", "-"], "--log - is one server's log"),
        (["list", "--log", "-"], "--log follows one server's log"),
        (["metrics", "--log", "-"], "--log follows one server's log"),
        (["list", "-p", "6379", "-p", "6380", "--log", "/var/log/redis.log"], "this command watches several instances"),
        (["check", "--log", "-", "--log", "-"], "--log given more than once"),
        (["snapshot", "--log", "/tmp/a.log", "--log=-"], "--log given more than once"),
    ])
    func whereItCannotWorkItIsRefused(arguments: [String], message: String) throws {
        let result = try AoftopBinary.run(arguments, timeout: 15)
        #expect(result.status != 0 && result.status < 128, "\(arguments): \(result.status)")
        #expect(result.stderrLines.count == 1, "\(arguments): \(result.standardError)")
        #expect(result.stderrLines.first?.contains(message) == true, "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    /// Standard input a terminal: there is no log to read there (and the dashboard needs it for keys).
    @Test(arguments: [["check", "--log", "-", "-p", "1"], ["--log", "-", "-p", "1"], ["record", "-o", "/tmp/never-created.jsonl", "--log", "-"]])
    func aTerminalOnStandardInputIsRefused(arguments: [String]) throws {
        let session = try TmuxSession.start(command: ["sh", "-c", "\"$0\" \"$@\"; echo EXITED $?; exec sleep 3600",
                                                      RepositoryPaths.aoftopBinary] + arguments, columns: 200)
        defer { session.kill() }
        #expect(session.waitFor(text: "EXITED", timeout: 15), "\(Self.screen(session))")
        let screen = Self.screen(session)
        #expect(screen.contains("aoftop: --log -: standard input is a terminal; pipe the log in, e.g. docker logs -f NAME 2>&1 | aoftop --log - -p PORT"),
                "\(screen)")
        #expect(!screen.contains("EXITED 0"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-created.jsonl"))
    }

    /// No controlling terminal (setsid: cron, systemd, `ssh host cmd`): the dashboard cannot read keys; one line,
    /// no hang.
    @Test func withoutAControllingTerminalTheDashboardSaysSo() throws {
        let port = try Loopback.freePort()
        let result = try Subprocess.run("/usr/bin/setsid", ["-w", "/bin/sh", "-c", "echo line | \"$0\" --log - -p \"$1\"",
                                                            RepositoryPaths.aoftopBinary, String(port)], timeout: 20)
        #expect(result.status == 2, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.hasPrefix("aoftop: cannot open /dev/tty to read keys") == true, "\(result.standardError)")
    }
}
