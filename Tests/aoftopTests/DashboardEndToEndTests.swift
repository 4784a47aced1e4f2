import Foundation
import Testing
import AoftopTestSupport

/// The real `aoftop` binary in a real terminal (tmux) against a real Redis: what an operator sees.
@Suite(.serialized) struct DashboardEndToEndTests {
    /// Runs aoftop under `sh`, which prints `EXITED <status>` when it returns, like a shell prompt coming back.
    static func startDashboard(_ arguments: [String], columns: Int = 100, rows: Int = 32,
                               directory: String = NSTemporaryDirectory()) throws -> TmuxSession {
        try TmuxSession.start(command: ["sh", "-c", "cd \"$1\" && shift && \"$0\" \"$@\"; echo EXITED $?; exec sleep 3600",
                                        RepositoryPaths.aoftopBinary, directory] + arguments,
                              columns: columns, rows: rows, environment: ["SWIFT_BACKTRACE": "interactive=no"])
    }

    /// The number after `label` at the start of a screen row (`pipes        89    +86 …` → 89).
    static func number(afterRowLabel label: String, in screen: String) -> Int? {
        for line in screen.split(separator: "\n") where line.hasPrefix(label + " ") {
            let digits = line.dropFirst(label.count).drop { $0 == " " }.prefix { $0.isNumber || $0 == "," }
            return Int(digits.filter(\.isNumber))
        }
        return nil
    }

    /// `ETA    13 s to fd exhaustion` → 13.
    static func etaSeconds(in screen: String) -> Double? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("ETA ") && $0.contains("to fd exhaustion") }),
              let range = line.range(of: "ETA") else { return nil }
        let number = line[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }

    @Test func leakOnScreenFollowsProcAndTheTerminalComesBackClean() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForksAndLeakPipes
        options.maxclients = 200
        options.openFilesLimit = 4096
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let session = try Self.startDashboard(["-p", String(server.port), "--interval", "500ms"])
        defer { session.kill() }

        #expect(session.waitFor { $0.contains("redis ok") && $0.contains("/proc ok") && $0.contains("log ok") },
                "dashboard never showed all sources: \(Self.screen(session))")
        try server.triggerAutomaticRewrites()
        try server.setForkFailure(true)

        // The ETA appears and counts down while the leak runs.
        var etas: [Double] = []
        let sawCountdown = RedisServer.waitUntil(timeout: 30, interval: 0.5) {
            if let eta = Self.etaSeconds(in: (try? session.capture()) ?? ""), etas.last != eta { etas.append(eta) }
            return etas.count >= 3 && zip(etas, etas.dropFirst()).filter { $0 > $1 }.count >= 2
        }
        #expect(sawCountdown, "ETAs seen: \(etas); screen: \(Self.screen(session))")
        let screen = try session.capture()
        #expect(screen.contains("AOF fork fail  Cannot allocate memory"), "\(screen)")
        #expect(screen.contains("event loop 328"), "\(screen)")
        #expect(screen.contains("LEAK"), "\(screen)")

        // Once the leak stops, the pipe count on screen is exactly what /proc says.
        try server.setForkFailure(false)
        let matched = RedisServer.waitUntil(timeout: 20, interval: 0.5) {
            let onScreen = Self.number(afterRowLabel: "pipes", in: (try? session.capture()) ?? "")
            return onScreen != nil && onScreen == server.countFds(withTargetPrefix: "pipe:")
        }
        #expect(matched, "screen \(Self.number(afterRowLabel: "pipes", in: Self.screen(session)) ?? -1) vs /proc \(server.countFds(withTargetPrefix: "pipe:"))")

        // Too small a terminal says so; back to full size redraws the panes.
        try session.resize(columns: 40, rows: 12)
        #expect(session.waitFor(text: "(now 40×12)"), "\(Self.screen(session))")
        try session.resize(columns: 100, rows: 32)
        #expect(session.waitFor(text: "Sockets vs pipes"), "\(Self.screen(session))")

        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"), "\(Self.screen(session))")
        let after = try session.capture()
        #expect(!after.contains("Sockets vs pipes"), "the alternate screen was not left: \(after)")
    }

    @Test func rRecordsToAPrivateFileThatReplays() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let directory = server.directory + "/recordings"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let session = try Self.startDashboard(["-p", String(server.port), "--interval", "500ms"], directory: directory)
        defer { session.kill() }
        #expect(session.waitFor(text: "redis ok"), "\(Self.screen(session))")
        try session.sendKeys("r")
        #expect(session.waitFor(text: "REC"), "\(Self.screen(session))")
        Thread.sleep(forTimeInterval: 2)
        try session.sendKeys("r")
        #expect(session.waitFor(text: "recorded"), "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"))

        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let file = try #require(files.first { $0.hasPrefix("aoftop-127.0.0.1-\(server.port)-") && $0.hasSuffix(".jsonl.gz") }, "\(files)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let replay = try Subprocess.run(RepositoryPaths.aoftopBinary, ["replay", directory + "/" + file, "--json"], timeout: 30)
        #expect(replay.status == 0, "\(replay.standardError)")
        #expect(replay.standardOutput.split(separator: "\n").count >= 3, "\(replay.standardOutput)")
    }

    @Test func deadRedisGreysItsPaneAndTheRestStaysLive() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let session = try Self.startDashboard(["-p", String(server.port), "--interval", "500ms"])
        defer { session.kill() }
        #expect(session.waitFor(text: "redis ok"), "\(Self.screen(session))")
        let pid = server.pid
        kill(pid, SIGSTOP) // a hung Redis: connections accepted by the kernel, never answered
        defer { kill(pid, SIGCONT) }
        #expect(session.waitFor(timeout: 30) { $0.contains("redis") && $0.contains("timed out") },
                "\(Self.screen(session))")
        // /proc still reads the stopped process; keys still work while Redis hangs.
        let degraded = Self.screen(session)
        #expect(Self.number(afterRowLabel: "pipes", in: degraded) == 2, "\(degraded)")
        #expect(!degraded.contains("/proc failing"), "\(degraded)")
        try session.sendKeys("?")
        #expect(session.waitFor { $0.lowercased().contains("help") }, "\(Self.screen(session))")
        try session.sendKeys("Escape")
        kill(pid, SIGCONT)
        #expect(session.waitFor(text: "redis ok", timeout: 30), "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"))
    }

    /// Whether anything accepts connections on 127.0.0.1:6379 (then `aoftop` with no flags watches it instead).
    static var defaultPortIsFree: Bool {
        guard let fd = try? Loopback.connect(port: 6379, timeout: 1) else { return true }
        close(fd)
        return false
    }

    @Test(.enabled(if: defaultPortIsFree, "something listens on 6379"))
    func noTargetPlaysTheBundledIncidentAndSaysWhy() throws {
        // In a pid namespace of its own: discovery must not see the servers other tests run meanwhile.
        let session = try OverviewEndToEndTests.startInOwnPidNamespace([], columns: 120, rows: 36)
        defer { session.kill() }
        #expect(session.waitFor { $0.contains("REPLAY") && $0.contains("demo: nothing answers on 127.0.0.1:6379") },
                "\(Self.screen(session))")
        try session.sendKeys("End")
        #expect(session.waitFor(text: "EXHAUSTED"), "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"))
        #expect(Self.screen(session).contains("playing the bundled incident recording"), "\(Self.screen(session))")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let session = try Self.startDashboard(["-p", String(server.port)])
        defer { session.kill() }
        #expect(session.waitFor(text: "redis ok"))
        let aoftop = try #require(Self.aoftopPid(parent: session.panePID))
        kill(aoftop, SIGTERM)
        #expect(session.waitFor(text: "EXITED 143"), "\(Self.screen(session))")
        #expect(!Self.screen(session).contains("Sockets vs pipes"))
    }

    @Test func noTerminalGivesOneLine() throws {
        let result = try Subprocess.run(RepositoryPaths.aoftopBinary, ["-p", "1", "--timeout", "0.2"], timeout: 30)
        #expect(result.status == 2)
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        #expect(result.standardError.contains("terminal"))
        #expect(!result.standardError.hasPrefix("aoftop: aoftop:"), "one prefix: \(result.standardError)")
    }

    /// The screen now, or "" when tmux cannot be read (for failure messages).
    static func screen(_ session: TmuxSession) -> String { (try? session.capture()) ?? "" }

    /// The aoftop process under the pane's `sh`.
    static func aoftopPid(parent: pid_t?) -> pid_t? {
        guard let parent else { return nil }
        let children = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { pid_t($0) }.first { child in
            ((try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? "").hasPrefix("aoftop")
        }
    }
}
