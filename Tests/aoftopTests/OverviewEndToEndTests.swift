import Foundation
import Testing
import AoftopTestSupport

/// The overview screen as tmux shows it, read by column titles: numeric columns are right-aligned under their
/// title, SEVERITY is left-aligned. Rows are found by the instance's port, never by position: other tests'
/// servers run on this machine at the same time and `--all` lists them too.
struct OverviewScreen {
    let lines: [[Character]]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    var header: [Character]? {
        lines.first { String($0).contains("INSTANCE") && String($0).contains("SEVERITY") }
    }

    var isOverview: Bool { header != nil }

    /// The index of the table row of `127.0.0.1:PORT`.
    func rowIndex(port: Int) -> Int? {
        let name = "127.0.0.1:\(port) "
        return lines.firstIndex { line in
            let text = String(line)
            return (text.hasPrefix("  ") || text.hasPrefix("> ")) && text.contains(name)
        }
    }

    func row(port: Int) -> String? { rowIndex(port: port).map { String(lines[$0]) } }

    func isSelected(port: Int) -> Bool { row(port: port)?.hasPrefix(">") ?? false }

    /// The `width` characters ending where `title` ends in the header (a right-aligned column), trimmed.
    func rightAligned(_ title: String, width: Int, port: Int) -> String? {
        guard let header, let index = rowIndex(port: port), let end = Self.end(of: title, in: header) else { return nil }
        let line = lines[index]
        let start = max(0, end - width)
        guard end <= line.count else { return line.count > start ? String(line[start...]).trimmingCharacters(in: .whitespaces) : "" }
        return String(line[start..<end]).trimmingCharacters(in: .whitespaces)
    }

    func pipes(port: Int) -> Int? {
        rightAligned("PIPES", width: 6, port: port).flatMap { Int($0.filter(\.isNumber)) }
    }

    func eta(port: Int) -> String? { rightAligned("ETA", width: 9, port: port) }

    func severity(port: Int) -> String? {
        guard let header, let index = rowIndex(port: port), let end = Self.end(of: "SEVERITY", in: header) else { return nil }
        let line = lines[index]
        let start = end - "SEVERITY".count
        guard start < line.count else { return nil }
        return String(line[start...].prefix { $0 != " " })
    }

    /// Whether the instance name of `port`'s row is drawn dim (SGR 2), from a `capture-pane -e` screen: the SGR
    /// parameters set since the last reset before the name. `nil` when the row is not there.
    static func nameIsDim(port: Int, escaped: String) -> Bool? {
        let name = "127.0.0.1:\(port)"
        for line in escaped.split(separator: "\n") {
            guard let range = line.range(of: name), !(line[range.upperBound...].first?.isNumber ?? false) else { continue }
            var dim = false
            for sequence in line[..<range.lowerBound].split(separator: "\u{1B}[").dropFirst() {
                guard let end = sequence.firstIndex(of: "m") else { continue }
                let parameters = sequence[..<end].split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                if parameters.contains(0) { dim = false }
                if parameters.contains(2) { dim = true }
                if parameters.contains(22) { dim = false }
            }
            return dim
        }
        return nil
    }

    static func end(of title: String, in line: [Character]) -> Int? {
        String(line).range(of: title).map { String(line)[..<$0.upperBound].count }
    }
}

@Suite(.serialized) struct OverviewEndToEndTests {
    /// `aoftop ARGS` in tmux in a pid namespace of its own with a fresh `/proc`, so discovery sees no server but
    /// the ones started inside (`--kill-child`: when the pane goes, everything in the namespace goes). `script`
    /// runs first inside the namespace (e.g. starting a server).
    static func startInOwnPidNamespace(_ arguments: [String], script: String = "", columns: Int = 100, rows: Int = 32,
                                       directory: String = NSTemporaryDirectory()) throws -> TmuxSession {
        // Outer sh: $1 the directory, then the binary and its arguments; the inner sh gets the binary as $0.
        let outer = "cd \"$1\" && shift && unshare --pid --fork --mount-proc --kill-child sh -c \"$AOFTOP_NS_SCRIPT\" \"$@\"; echo EXITED $?; exec sleep 3600"
        return try TmuxSession.start(command: ["sh", "-c", outer, "sh", directory, RepositoryPaths.aoftopBinary] + arguments,
                                     columns: columns, rows: rows,
                                     environment: ["SWIFT_BACKTRACE": "interactive=no", "AOFTOP_NS_SCRIPT": script + "\n\"$0\" \"$@\""])
    }

    static func screen(_ session: TmuxSession) -> String { (try? session.capture()) ?? "" }

    /// Moves the cursor onto `port`'s row: Home, then down one row at a time (each move waited for).
    static func select(port: Int, in session: TmuxSession) throws -> Bool {
        try session.sendKeys("Home")
        for _ in 0..<64 {
            let before = screen(session)
            if OverviewScreen(before).isSelected(port: port) { return true }
            try session.sendKeys("j")
            _ = session.waitFor(timeout: 5) { $0 != before }
        }
        return OverviewScreen(screen(session)).isSelected(port: port)
    }

    @Test func allListsEveryServerPutsTheLeakOnTopAndEachInstanceOpensAndDegradesAlone() throws {
        var leakyOptions = RedisServerOptions()
        leakyOptions.forkFailureShim = .failForksAndLeakPipes
        leakyOptions.maxclients = 200
        leakyOptions.openFilesLimit = 4096
        let leaky = try RedisServer.start(leakyOptions)
        defer { leaky.stop() }
        let calm = try RedisServer.start()
        defer { calm.stop() }
        let hung = try RedisServer.start()
        defer {
            kill(hung.pid, SIGCONT)
            hung.stop()
        }
        let session = try DashboardEndToEndTests.startDashboard(["--all", "--interval", "500ms"], columns: 120, rows: 40)
        defer { session.kill() }
        let ports = [leaky.port, calm.port, hung.port]
        #expect(session.waitFor { screen in
            let overview = OverviewScreen(screen)
            return ports.allSatisfy { overview.severity(port: $0) == "OK" }
        }, "\(Self.screen(session))")

        // The leak: its row rises above the other two, with an ETA.
        try leaky.triggerAutomaticRewrites()
        try leaky.setForkFailure(true)
        var lastETA: String?
        let onTop = session.waitFor(timeout: 60) { screen in
            let overview = OverviewScreen(screen)
            guard let top = overview.rowIndex(port: leaky.port), let a = overview.rowIndex(port: calm.port),
                  let b = overview.rowIndex(port: hung.port), let eta = overview.eta(port: leaky.port) else { return false }
            lastETA = eta
            return top < a && top < b && (eta == "EXHAUSTED" || eta.first?.isNumber == true)
        }
        #expect(onTop, "ETA \(lastETA ?? "none"): \(Self.screen(session))")
        #expect(OverviewScreen(Self.screen(session)).severity(port: calm.port) == "OK")

        // Enter on it: its full dashboard, with history already there; Esc comes back.
        #expect(try Self.select(port: leaky.port, in: session), "\(Self.screen(session))")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains("Sockets vs pipes") && $0.contains("127.0.0.1:\(leaky.port)") && $0.contains("esc overview") },
                "\(Self.screen(session))")
        #expect(session.waitFor { $0.contains("AOF fork fail") && $0.contains("event loop 328") }, "\(Self.screen(session))")
        try session.sendKeys("Escape")
        #expect(session.waitFor { OverviewScreen($0).isSelected(port: leaky.port) && !$0.contains("Sockets vs pipes") },
                "\(Self.screen(session))")

        // The leak stopped: its row's pipe count is what /proc/PID/fd says.
        try leaky.setForkFailure(false)
        var seen: (Int?, Int) = (nil, 0)
        let matched = RedisServer.waitUntil(timeout: 30, interval: 0.5) {
            seen = (OverviewScreen(Self.screen(session)).pipes(port: leaky.port), leaky.countFds(withTargetPrefix: "pipe:"))
            return seen.0 == seen.1
        }
        #expect(matched, "screen \(seen.0 ?? -1) vs /proc \(seen.1): \(Self.screen(session))")
        #expect((seen.0 ?? 0) > 10, "the leaked pipes: \(seen.0 ?? -1)")

        // A hung Redis greys its own row only; keys keep working meanwhile.
        kill(hung.pid, SIGSTOP)
        #expect(session.waitFor(timeout: 30) { OverviewScreen($0).row(port: hung.port)?.contains("timed out") ?? false },
                "\(Self.screen(session))")
        let escaped = try session.capture(escapes: true)
        #expect(OverviewScreen.nameIsDim(port: hung.port, escaped: escaped) == true, "the hung row is not dim: \(escaped.debugDescription)")
        #expect(OverviewScreen.nameIsDim(port: calm.port, escaped: escaped) == false, "the calm row is dim: \(escaped.debugDescription)")
        #expect(OverviewScreen.nameIsDim(port: leaky.port, escaped: escaped) == false, "the leaky row is dim: \(escaped.debugDescription)")
        let degraded = OverviewScreen(Self.screen(session))
        #expect(!(degraded.row(port: calm.port)?.contains("timed out") ?? true))
        #expect(!(degraded.row(port: leaky.port)?.contains("timed out") ?? true))
        try session.sendKeys("?")
        #expect(session.waitFor(text: "select an instance"), "\(Self.screen(session))")
        try session.sendKeys("Escape")
        #expect(session.waitFor { OverviewScreen($0).isOverview }, "\(Self.screen(session))")
        kill(hung.pid, SIGCONT)
        #expect(session.waitFor(timeout: 30) { OverviewScreen($0).severity(port: hung.port) == "OK" }, "\(Self.screen(session))")

        // A server that goes away stays listed as gone (rediscovery runs every 10 s).
        calm.stop()
        #expect(session.waitFor(timeout: 40) { OverviewScreen($0).severity(port: calm.port) == "GONE" }, "\(Self.screen(session))")

        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"), "\(Self.screen(session))")
        #expect(!Self.screen(session).contains("INSTANCE"), "the alternate screen was not left: \(Self.screen(session))")
    }

    @Test func allWithATargetIsRefusedAndWithoutATerminalGivesOneLine() throws {
        for flags in [["--all", "-p", "6379"], ["dashboard", "--all", "--pid", "5"], ["--all", "--log", "/tmp/x.log"]] {
            let result = try AoftopBinary.run(flags)
            #expect(result.status == 64, "\(flags): \(result.status)")
            #expect(result.stderrLines.count == 1 && result.standardError.contains("--all watches every local server"),
                    "\(flags): \(result.standardError)")
        }
        let result = try AoftopBinary.run(["--all"])
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 1 && result.standardError.contains("terminal"), "\(result.standardError)")
    }

    @Test func noFlagsWithTwoServersRunningShowsTheOverview() throws {
        let first = try RedisServer.start()
        defer { first.stop() }
        let second = try RedisServer.start()
        defer { second.stop() }
        let session = try DashboardEndToEndTests.startDashboard([], columns: 120, rows: 36)
        defer { session.kill() }
        #expect(session.waitFor { screen in
            let overview = OverviewScreen(screen)
            return overview.isOverview && overview.severity(port: first.port) == "OK" && overview.severity(port: second.port) == "OK"
        }, "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"), "\(Self.screen(session))")
    }

    @Test func noFlagsWithOneServerOpensItsDashboardAndEscShowsTheOneRowOverview() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try Loopback.freePort()
        let script = """
        redis-server --port \(port) --bind 127.0.0.1 --dir \(directory.path) --save '' --appendonly no --logfile \(directory.path)/redis.log &
        i=0; while ! redis-cli -p \(port) ping >/dev/null 2>&1 && [ $i -lt 400 ]; do i=$((i+1)); sleep 0.05; done
        """
        let session = try Self.startInOwnPidNamespace(["--interval", "500ms"], script: script, columns: 100, rows: 30)
        defer { session.kill() }
        #expect(session.waitFor { $0.contains("Sockets vs pipes") && $0.contains("127.0.0.1:\(port)") && $0.contains("redis ok") },
                "\(Self.screen(session))")
        try session.sendKeys("Escape")
        #expect(session.waitFor { screen in
            let overview = OverviewScreen(screen)
            return overview.isOverview && overview.isSelected(port: port) && screen.contains("1 instance ")
        }, "\(Self.screen(session))")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "Sockets vs pipes"), "\(Self.screen(session))")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"), "\(Self.screen(session))")
    }
}
