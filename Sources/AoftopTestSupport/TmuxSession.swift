import Foundation

/// A program running in a detached tmux pane on a private tmux server, for end-to-end terminal tests.
///
/// Each session has its own server (`tmux -L aoftop-<random> -f /dev/null`), so tests never touch the user's tmux
/// or each other, and no terminal is needed in the test process itself. The pane keeps its final screen after the
/// program exits (`remain-on-exit`), so tests can read what it left behind and its exit status.
public final class TmuxSession: @unchecked Sendable {
    // @unchecked: immutable after init apart from `killed`, which is guarded by `lock`.
    /// The `-L` socket name of this session's private server.
    public let socketName: String
    private let serverEnvironment: [String: String]
    private let lock = NSLock()
    private var killed = false

    private init(socketName: String, serverEnvironment: [String: String]) {
        self.socketName = socketName
        self.serverEnvironment = serverEnvironment
    }

    deinit { kill() }

    /// Starts `command` in a new `columns`×`rows` pane with `TERM=term`.
    ///
    /// `environment` is applied to the command only (through `env`), on top of a minimal server environment
    /// (`PATH`, `HOME`, `LANG=C.UTF-8`); the tmux server itself always runs in a UTF-8 locale, as it requires.
    /// `unsetEnvironment` names variables to remove (e.g. `LANG` to test a C locale).
    public static func start(command: [String], columns: Int = 80, rows: Int = 24, term: String = "xterm-256color",
                             environment: [String: String] = [:], unsetEnvironment: [String] = []) throws -> TmuxSession {
        let processEnvironment = ProcessInfo.processInfo.environment
        let serverEnvironment = [
            "PATH": processEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": processEnvironment["HOME"] ?? "/tmp",
            "LANG": "C.UTF-8",
        ]
        let session = TmuxSession(socketName: "aoftop-\(UInt64.random(in: 0...UInt64.max))", serverEnvironment: serverEnvironment)
        var paneCommand = ["/usr/bin/env"] + unsetEnvironment.flatMap { ["-u", $0] }
        paneCommand += environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        paneCommand += command
        _ = try session.tmux(["start-server", ";",
                              "set-option", "-g", "remain-on-exit", "on", ";",
                              "set-option", "-g", "default-terminal", term, ";",
                              "new-session", "-d", "-x", String(columns), "-y", String(rows),
                              paneCommand.map(shellQuoted).joined(separator: " ")])
        return session
    }

    /// Runs one tmux command against this session's server; throws when tmux fails.
    @discardableResult
    public func tmux(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run("tmux", ["-L", socketName, "-f", "/dev/null"] + arguments,
                                        environment: serverEnvironment, timeout: 30)
        guard result.status == 0 else {
            throw FixtureError("tmux \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// Sends tmux key names (`q`, `Space`, `Tab`, `BTab`, `Up`, `F1`, `NPage`, `Escape`, `C-c`, or a character).
    public func sendKeys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "0"] + keys)
    }

    /// Types `text` literally (no key-name lookup).
    public func sendLiteral(_ text: String) throws {
        try tmux(["send-keys", "-t", "0", "-l", text])
    }

    /// The visible screen as text, one line per row (trailing spaces trimmed by tmux); with `escapes`, including
    /// the SGR sequences for colours and attributes (`capture-pane -e`).
    public func capture(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", "0"] + (escapes ? ["-e"] : []))
    }

    /// Resizes the window (and so the pane): the program gets SIGWINCH.
    public func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", "0", "-x", String(columns), "-y", String(rows)])
    }

    /// Polls the screen every 50 ms until `predicate` holds; false after `timeout` seconds. Generous timeouts
    /// are fine: a passing test returns as soon as the screen is right.
    public func waitFor(timeout: Double = 30, escapes: Bool = false, _ predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let screen = try? capture(escapes: escapes), predicate(screen) { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    /// Waits until `text` appears on the screen.
    public func waitFor(text: String, timeout: Double = 30) -> Bool {
        waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// Appends everything the program writes to the pane to `path` (for counting bytes); nil stops piping.
    public func pipePaneToFile(_ path: String?) throws {
        if let path {
            try tmux(["pipe-pane", "-t", "0", "-o", "cat >> \(shellQuoted(path))"])
        } else {
            try tmux(["pipe-pane", "-t", "0"])
        }
    }

    /// True once the pane's program has exited.
    public var paneIsDead: Bool { (try? format("#{pane_dead}")) == "1" }

    /// The exit code of the pane's program once it has exited normally; nil while it runs or if a signal killed it.
    public var exitStatus: Int32? {
        guard paneIsDead, let status = try? format("#{pane_dead_status}") else { return nil }
        return Int32(status)
    }

    /// The pid of the pane's first process (the command given to `start`).
    public var panePID: pid_t? { (try? format("#{pane_pid}")).flatMap { pid_t($0) } }

    /// Waits until the pane's program has exited.
    public func waitForExit(timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if paneIsDead { return true }
            usleep(50_000)
        }
        return paneIsDead
    }

    /// Closes the pane's terminal (the program sees a hangup), keeping the server alive.
    public func killPane() throws {
        try tmux(["set-option", "-g", "remain-on-exit", "off", ";", "kill-pane", "-t", "0"])
    }

    /// Stops the private server and everything in it. Idempotent; also run on deinit.
    public func kill() {
        lock.lock()
        let alreadyKilled = killed
        killed = true
        lock.unlock()
        guard !alreadyKilled else { return }
        _ = try? Subprocess.run("tmux", ["-L", socketName, "-f", "/dev/null", "kill-server"],
                                environment: serverEnvironment, timeout: 30)
    }

    private func format(_ format: String) throws -> String {
        try tmux(["display-message", "-p", "-t", "0", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Quotes `argument` for `sh`: tmux runs the pane command through the shell.
func shellQuoted(_ argument: String) -> String {
    if !argument.isEmpty, argument.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) {
        return argument
    }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
