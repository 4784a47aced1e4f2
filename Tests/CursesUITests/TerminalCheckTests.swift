import AoftopTestSupport
import Foundation
import Testing

/// End-to-end: the real TerminalCheck binary in a private tmux server.
/// Waits are generous hang guards; a passing test returns as soon as the screen is right. Serialized: a dozen
/// tmux servers polled at once starve a 2-core machine and prove nothing more.
@Suite(.serialized) struct TerminalCheckTests {
    static let binary: String = {
        let candidates = [RepositoryPaths.productsDirectory,
                          URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path,
                          RepositoryPaths.root + "/.build/debug"]
        return candidates.map { $0 + "/TerminalCheck" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? candidates[0] + "/TerminalCheck"
    }()

    /// Runs TerminalCheck under `sh`, which prints `EXITED <status>` afterwards, like a shell prompt coming back,
    /// then keeps the pane alive (`trap : INT` keeps sh itself alive through Ctrl-C, as an interactive shell would) so tmux's "Pane is dead" notice cannot scroll that line away.
    static func start(_ arguments: [String] = [], term: String = "xterm-256color", columns: Int = 80, rows: Int = 24,
                      environment: [String: String] = [:], unset: [String] = []) throws -> TmuxSession {
        var environment = environment
        environment["SWIFT_BACKTRACE"] = "interactive=no" // the crash report must not wait for a key
        return try TmuxSession.start(command: ["sh", "-c", "trap : INT; \"$0\" \"$@\"; echo EXITED $?; exec sleep 3600", binary] + arguments,
                                     columns: columns, rows: rows, term: term, environment: environment,
                                     unsetEnvironment: unset)
    }

    /// Running and not a zombie (an orphan may wait for a container's pid 1 to reap it).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    static func pid(on screen: String) -> pid_t? {
        guard let range = screen.range(of: #"pid (\d+)"#, options: .regularExpression) else { return nil }
        return pid_t(screen[range].dropFirst(4))
    }

    /// Asserts the program is gone and the shell got a clean screen back: no leftover drawing.
    static func expectRestored(_ session: TmuxSession, status: Int32, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(session.waitFor(text: "EXITED \(status)"), sourceLocation: sourceLocation)
        let screen = try session.capture()
        #expect(!screen.contains("last key:"), "alternate screen left behind:\n\(screen)", sourceLocation: sourceLocation)
        // Only what was printed to stderr (replayed after the restore) and the shell's line remain.
        let lines = screen.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.allSatisfy { $0.hasPrefix("TerminalCheck: ") || $0 == "EXITED \(status)" }, "\(screen)",
                sourceLocation: sourceLocation)
        #expect(lines.contains("TerminalCheck: stderr while drawing"), "\(screen)", sourceLocation: sourceLocation)
    }

    @Test func drawsRolesAndGlyphsAndQuitsCleanly() throws {
        let session = try Self.start()
        #expect(session.waitFor(text: "last key: none"))
        let screen = try session.capture()
        #expect(screen.contains("size 80x24 TERM xterm-256color colors 256 pid"))
        #expect(screen.contains(" normal dim header selected ok warn critical chart key"))
        #expect(screen.contains("glyphs ┌───┐ ▁▂▃▄▅▆▇█ ███┃░░░ wide 日本é|\n"))
        // The bottom-right cell is drawn and the screen did not scroll: the title is still on the first row.
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "TerminalCheck")
        #expect(lines.count >= 24 && lines[23].hasSuffix("#"))
        #expect(lines[23].hasPrefix("q quits"))
        #expect(!screen.contains("stderr while drawing"))
        try session.sendKeys("q")
        try Self.expectRestored(session, status: 0)
        let after = try session.capture()
        #expect(after.contains("TerminalCheck: stderr while drawing\nTerminalCheck: quit\nEXITED 0\n"), "\(after)")
    }

    @Test(arguments: [
        ("Up", "up"), ("Down", "down"), ("Left", "left"), ("Right", "right"),
        ("F1", "F1"), ("F5", "F5"), ("F12", "F12"), ("Tab", "tab"), ("BTab", "backTab"), ("Home", "home"),
        ("End", "end"), ("NPage", "pageDown"), ("PPage", "pageUp"), ("Escape", "escape"), ("Enter", "enter"),
        ("BSpace", "backspace"), ("é", "character(é)"), ("x", "character(x)"), ("Space", "character( )"),
    ])
    func decodesKeys(_ key: String, _ expected: String) throws {
        let session = try Self.start()
        #expect(session.waitFor(text: "last key: none"))
        try session.sendKeys(key)
        #expect(session.waitFor(text: "last key: \(expected)\n"), "\(key): \((try? session.capture()) ?? "")")
        try session.sendKeys("q")
        try Self.expectRestored(session, status: 0)
    }

    @Test func redrawsAtTheNewSizeAfterResize() throws {
        let session = try Self.start()
        #expect(session.waitFor(text: "size 80x24"))
        try session.resize(columns: 40, rows: 12)
        #expect(session.waitFor { $0.contains("size 40x12") })
        let small = try session.capture().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(small.count >= 12 && small[11].hasPrefix("q quits") && small[11].hasSuffix("#"))
        #expect(small.allSatisfy { $0.count <= 40 })
        try session.resize(columns: 100, rows: 30)
        #expect(session.waitFor { $0.contains("size 100x30") })
        let large = try session.capture().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(large.count >= 30 && large[29].hasPrefix("q quits") && large[29].count == 100)
        // Nothing of the small layout is left in the middle of the screen.
        #expect(large[11].trimmingCharacters(in: .whitespaces).isEmpty)
        try session.sendKeys("q")
        try Self.expectRestored(session, status: 0)
    }

    @Test(arguments: [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP)])
    func signalsRestoreTheTerminalAndExitWithTheSignalStatus(_ name: String, _ signal: Int32) throws {
        let session = try Self.start()
        #expect(session.waitFor(text: "last key: none"))
        let pid = try #require(Self.pid(on: try session.capture()))
        #expect(kill(pid, signal) == 0, "\(name)")
        try Self.expectRestored(session, status: 128 + signal)
    }

    @Test func controlCIsSIGINT() throws {
        let session = try Self.start()
        #expect(session.waitFor(text: "last key: none"))
        try session.sendKeys("C-c")
        try Self.expectRestored(session, status: 130)
    }

    @Test(arguments: [[], ["--ignore-sighup"]])
    func closingTheTerminalEndsTheProgramWithoutSpinning(_ arguments: [String]) throws {
        // With SIGHUP ignored, only the failing reads tell the program its terminal is gone.
        let session = try Self.start(arguments)
        #expect(session.waitFor(text: "last key: none"))
        let pid = try #require(Self.pid(on: try session.capture()))
        try session.killPane()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, Self.isAlive(pid) { usleep(50_000) }
        #expect(!Self.isAlive(pid), "TerminalCheck still running after its terminal closed")
    }

    @Test func crashRestoresTheTerminalAndPrintsTheErrorAfterIt() throws {
        let session = try Self.start(["crash"], rows: 60)
        // SIGILL on x86_64, SIGTRAP on arm64: either way the shell sees death by signal (> 128).
        #expect(session.waitFor { $0.contains("EXITED 132") || $0.contains("EXITED 133") })
        let screen = try session.capture()
        #expect(screen.contains("Fatal error: TerminalCheck crash requested"), "\(screen)")
        #expect(!screen.contains("last key:"), "\(screen)")
    }

    @Test(arguments: ["xterm", "xterm-256color", "screen", "tmux-256color", "linux", "vt100"])
    func worksOnCommonTerminalTypes(_ term: String) throws {
        let session = try Self.start(term: term)
        #expect(session.waitFor(text: "last key: none"), "\(term)")
        let screen = try session.capture()
        let expectedMode = term.hasSuffix("256color") ? "256" : term == "vt100" ? "none" : "eight"
        #expect(screen.contains("size 80x24 TERM \(term) colors \(expectedMode) pid"), "\(screen)")
        #expect(screen.contains(" normal dim header selected ok warn critical chart key"))
        try session.sendKeys("Up")
        #expect(session.waitFor(text: "last key: up"), "\(term)")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"))
        if term != "vt100" && term != "linux" { // these have no alternate screen: the last frame stays, by design
            try Self.expectRestored(session, status: 0)
        }
    }

    @Test(arguments: [
        ("nonexistent", #"aoftop: unknown terminal type "nonexistent": set TERM (e.g. xterm-256color)"#),
        ("dumb", #"aoftop: terminal type "dumb" cannot position the cursor: set TERM (e.g. xterm-256color)"#),
        ("", "aoftop: TERM is not set: set TERM (e.g. xterm-256color)"),
    ])
    func unusableTermPrintsOneLineAndExitsNonZero(_ term: String, _ message: String) throws {
        let session = try term.isEmpty ? Self.start(columns: 120, unset: ["TERM"]) : Self.start(term: term, columns: 120)
        #expect(session.waitFor(text: "EXITED 2"))
        let lines = try session.capture().split(separator: "\n").map(String.init)
        #expect(lines == [message, "EXITED 2"])
    }

    @Test func withoutATerminalItRefusesWithOneLine() throws {
        let result = try Subprocess.run(Self.binary, [], environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == #"aoftop: the dashboard needs a terminal; use "aoftop snapshot" or "aoftop check" in scripts"# + "\n")
    }

    @Test func noColorMeansNoColourSequences() throws {
        let coloured = try Self.start()
        #expect(coloured.waitFor(text: "last key: none"))
        // Sanity check for the assertion below: with colour, capture -e does show colour SGRs (3x foreground).
        #expect(Self.hasColour(try coloured.capture(escapes: true)))

        let session = try Self.start(environment: ["NO_COLOR": "1"])
        #expect(session.waitFor(text: "last key: none"))
        let screen = try session.capture(escapes: true)
        #expect(screen.contains("colors none"))
        #expect(!Self.hasColour(screen), "\(screen.debugDescription)")
        #expect(screen.contains("\u{1B}[")) // attributes (bold, reverse) are still there
    }

    /// Whether an SGR sequence in `screen` sets a foreground or background colour.
    static func hasColour(_ screen: String) -> Bool {
        var rest = screen[...]
        while let start = rest.range(of: "\u{1B}[") {
            let tail = rest[start.upperBound...]
            guard let end = tail.firstIndex(of: "m") else { break }
            let parameters = tail[..<end].split(separator: ";").compactMap { Int($0) }
            if parameters.contains(where: { (30...49).contains($0) && $0 != 39 && $0 != 49 || (90...107).contains($0) }) {
                return true
            }
            rest = tail[end...]
        }
        return false
    }

    @Test(arguments: [["LANG": "C"], ["LC_ALL": "C"]])
    func cLocaleGetsASCIIGlyphs(_ environment: [String: String]) throws {
        let session = try Self.start(environment: environment, unset: ["LC_ALL", "LC_CTYPE", "LANG"])
        #expect(session.waitFor(text: "last key: none"))
        let screen = try session.capture()
        #expect(screen.contains("glyphs +---+ _.-~=*#@ ###|... wide ? ? ?|\n"), "\(screen)")
        #expect(!screen.contains("┌"))
        try session.sendKeys("q")
        try Self.expectRestored(session, status: 0)
    }

    /// Standard input is a pipe (`aoftop --log -`): keys come from /dev/tty, the pipe's bytes are left to the program,
    /// and the terminal is restored as usual; with stdout redirected too, the screen is drawn on /dev/tty.
    @Test(arguments: ["", " > /dev/null"])
    func keysComeFromTheTerminalWhileStandardInputIsAPipe(_ redirect: String) throws {
        var environment: [String: String] = ["SWIFT_BACKTRACE": "interactive=no"]
        environment["TC"] = Self.binary
        let session = try TmuxSession.start(
            command: ["sh", "-c", "{ printf 'hello'; exec sleep 3600; } | { \"$TC\" --tty-keys\(redirect); echo EXITED $?; }; exec sleep 3600"],
            environment: environment)
        defer { session.kill() }
        #expect(session.waitFor(text: "last key: none"), "\((try? session.capture()) ?? "")")
        try session.sendKeys("a")
        #expect(session.waitFor(text: "last key: character(a)"), "\((try? session.capture()) ?? "")")
        #expect(session.waitFor(text: "stdin bytes 5"), "curses must not read the pipe: \((try? session.capture()) ?? "")")
        try session.sendKeys("Up")
        #expect(session.waitFor(text: "last key: up"), "\((try? session.capture()) ?? "")")
        try session.sendKeys("q")
        try Self.expectRestored(session, status: 0)
    }

    /// No controlling terminal (setsid, cron, systemd): one line, exit 2, nothing drawn, no hang.
    @Test func keysFromTheTerminalWithoutOneFailWithOneLine() throws {
        let result = try Subprocess.run("/usr/bin/setsid", ["-w", "/bin/sh", "-c", "echo log | \"$0\" --tty-keys", Self.binary],
                                        environment: ["TERM": "xterm-256color", "PATH": "/usr/bin:/bin"], timeout: 20)
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("aoftop: cannot open /dev/tty to read keys ("), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }
}
