import AoftopClock
import CNcursesw
import Glibc
import Synchronization
import TextGrid

/// Only one curses session per process: ncurses state is global.
private let terminalInUse = Atomic<Bool>(false)

/// Where the keys come from.
public enum TerminalInput: Sendable {
    /// Standard input (stdin and stdout must both be the terminal).
    case standardInput
    /// `/dev/tty`, when standard input carries something else (`--log -`: the Redis log piped in). The screen is
    /// drawn on stdout when it is the terminal, else on `/dev/tty` too.
    case controllingTerminal
}

/// The screen, owned through ncurses: draws grids, reads keys, and always gives the terminal back.
///
/// Use from one thread. The host loop is: `start`, then `draw` / `nextEvent` until a quit key, `.signal` or
/// `.hangup`, then `stop()` (idempotent; also run on deinit) and exit with `Terminal.exitStatus(for:)`.
public final class Terminal {
    public let capabilities: TerminalCapabilities
    /// The screen size now (updated when `nextEvent` reports `.resize`).
    public private(set) var size: GridSize
    public var glyphs: Glyphs { capabilities.glyphs }

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let styles: RoleStyles
    private let colorsStarted: Bool
    private var lastGrid: Grid?
    private var stopped = false
    /// Consecutive reads that failed long before their timeout: a vanished tty fails instantly and forever.
    private var quickFailures = 0
    private var pendingMessages: [String] = []
    /// `/dev/tty` opened for `.controllingTerminal`, closed by `stop()`.
    private let tty: UnsafeMutablePointer<FILE>?

    /// Esc must not feel sluggish; 25 ms still joins the bytes of an escape sequence sent over ssh in one packet.
    public static let escapeDelayMilliseconds: Int32 = 25

    private init(screen: OpaquePointer, window: UnsafeMutablePointer<WINDOW>, capabilities: TerminalCapabilities,
                 colorsStarted: Bool, tty: UnsafeMutablePointer<FILE>?) {
        self.screen = screen
        self.tty = tty
        self.window = window
        self.capabilities = capabilities
        self.styles = capabilities.styles
        self.colorsStarted = colorsStarted
        self.size = GridSize(columns: Int(getmaxx(window)), rows: Int(getmaxy(window)))
    }

    deinit { stop() }

    /// Takes over the terminal on stdin/stdout, or with `.controllingTerminal` reads keys from `/dev/tty`.
    ///
    /// Every check that can fail runs before the screen is touched, so a failure leaves the terminal as it was
    /// and the error's `description` is a single printable line.
    public static func start(input: TerminalInput = .standardInput) throws -> Terminal {
        var tty: UnsafeMutablePointer<FILE>?
        switch input {
        case .standardInput:
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        case .controllingTerminal:
            // No controlling terminal (cron, systemd, `ssh host cmd` without -t, setsid): ENXIO.
            guard let file = fopen("/dev/tty", "r+e") else {
                throw TerminalError.noControllingTerminal(String(cString: strerror(errno)).lowercased())
            }
            tty = file
        }
        guard !terminalInUse.exchange(true, ordering: .sequentiallyConsistent) else {
            if let tty { fclose(tty) }
            throw TerminalError.alreadyStarted
        }
        do {
            return try startCurses(tty: tty)
        } catch {
            if let tty { fclose(tty) }
            terminalInUse.store(false, ordering: .sequentiallyConsistent)
            throw error
        }
    }

    private static func startCurses(tty: UnsafeMutablePointer<FILE>?) throws -> Terminal {
        let input = tty ?? aoftop_stdin()
        let output = tty == nil || isatty(STDOUT_FILENO) == 1 ? aoftop_stdout() : tty
        // Before anything else: ncurses picks its character handling from the locale at initialisation.
        setlocale(LC_ALL, "")
        guard let termPointer = getenv("TERM"), termPointer.pointee != 0 else { throw TerminalError.termUnset }
        let term = String(cString: termPointer)

        // setupterm reports an unknown TERM as a value; initscr would print and exit(1) instead.
        var status: Int32 = 0
        guard setupterm(nil, fileno(output), &status) == OK else {
            throw status == -1 ? TerminalError.noTerminfoDatabase(term) : TerminalError.unknownTerminal(term)
        }
        let probe = TerminfoProbe()
        guard probe.canAddressCursor else { throw TerminalError.cannotAddressCursor(term) }
        let capabilities = TerminalCapabilities.decide(
            term: term, colors: probe.colors, noColor: getenv("NO_COLOR").map { String(cString: $0) },
            codeset: String(cString: nl_langinfo(nl_item(CODESET))))

        // Handlers first, so newterm sees SIGINT/SIGTERM taken and does not install its own exit-on-signal ones.
        SignalGuard.install()
        guard let screen = newterm(nil, output, input), let window = aoftop_stdscr() else {
            SignalGuard.uninstall()
            throw TerminalError.initializationFailed(term)
        }
        SignalGuard.setCursesActive(true)
        SignalGuard.captureStandardError()

        cbreak()              // keys arrive one by one; Ctrl-C still raises SIGINT (unlike raw mode)
        noecho()
        nonl()                // Enter reads as \r and output newlines are not translated
        keypad(window, true)  // arrows and function keys as KEY_* codes
        intrflush(window, false)
        leaveok(window, true) // the cursor is hidden, so ncurses need not move it back after each update
        _ = curs_set(0)       // ERR on terminals without civis (vt100): harmless
        set_escdelay(escapeDelayMilliseconds)
        for (sequence, code) in KeyDecoder.extraSequences where key_defined(sequence) <= 0 {
            _ = define_key(sequence, code) // only where TERM's entry leaves the sequence unbound
        }

        var colorsStarted = false
        if capabilities.colorMode != .none, has_colors(), start_color() == OK {
            // -1 is the terminal's own background, right for light and dark themes; black if unsupported.
            let background: Int16 = use_default_colors() == OK ? -1 : 0
            for color in TerminalColor.allCases {
                init_pair(RoleStyles.pairNumber(for: color), color.rawValue, background)
            }
            colorsStarted = true
        }
        return Terminal(screen: screen, window: window, capabilities: capabilities, colorsStarted: colorsStarted, tty: tty)
    }

    /// Draws `grid` (clipped to the screen), rewriting only the rows that changed since the last draw.
    public func draw(_ grid: Grid) {
        guard !stopped else { return }
        let rows: [Int]
        if let lastGrid, lastGrid.size == grid.size {
            rows = grid.changedRows(since: lastGrid)
        } else {
            // New grid size, a resize or Ctrl-L: clear what the old grid may have left outside the new one.
            werase(window)
            rows = Array(0..<grid.size.rows)
        }
        let visibleRows = min(grid.size.rows, size.rows), visibleColumns = min(grid.size.columns, size.columns)
        var line = [cchar_t](repeating: cchar_t(), count: max(visibleColumns, 1))
        for row in rows where row < visibleRows {
            let count = fillLine(&line, from: grid, row: row, columns: visibleColumns)
            // add_wchnstr does not move the cursor, so writing the bottom-right cell never scrolls the screen.
            _ = mvwadd_wchnstr(window, Int32(row), 0, line, Int32(count))
        }
        lastGrid = grid
        wnoutrefresh(window)
        doupdate()
    }

    /// Converts one grid row to curses cells; returns how many were filled.
    private func fillLine(_ line: inout [cchar_t], from grid: Grid, row: Int, columns: Int) -> Int {
        var count = 0
        var column = 0
        while column < columns {
            let cell = grid[row, column]
            var scalar = cell.scalar
            if cell.isContinuation {
                // Reached only when the wide character before it could not be drawn: keep the columns aligned.
                scalar = " "
            } else if !Self.drawable(scalar, wide: column + 1 < grid.size.columns && grid[row, column + 1].isContinuation) {
                scalar = "?"
            }
            let style = styles.style(for: cell.role)
            var characters: [wchar_t] = [wchar_t(bitPattern: scalar.value), 0]
            setcchar(&line[count], &characters, attributes(style.attributes),
                     colorsStarted ? RoleStyles.pairNumber(for: style.color) : 0, nil)
            count += 1
            let drawnWidth = scalar.value == cell.scalar.value && !cell.isContinuation ? CharacterWidth.of(scalar) : 1
            // The right half of a drawn wide character is marked by ncurses itself; skip our continuation cell.
            column += max(1, drawnWidth)
        }
        return count
    }

    /// Whether the locale draws `scalar` in the columns the grid gave it (never in a `LANG=C` locale for
    /// non-ASCII, never when libc and TextGrid disagree about its width).
    static func drawable(_ scalar: Unicode.Scalar, wide: Bool) -> Bool {
        if scalar.value >= 0x20 && scalar.value < 0x7F { return true }
        return aoftop_wcwidth(wchar_t(bitPattern: scalar.value)) == (wide ? 2 : 1)
    }

    private func attributes(_ attributes: TextAttributes) -> attr_t {
        var result = aoftop_a_normal()
        if attributes.contains(.bold) { result |= aoftop_a_bold() }
        if attributes.contains(.dim) { result |= aoftop_a_dim() }
        if attributes.contains(.reverse) { result |= aoftop_a_reverse() }
        if attributes.contains(.underline) { result |= aoftop_a_underline() }
        return result
    }

    /// Waits up to `timeoutMilliseconds` (negative: forever) for a key, a resize or a signal; nil on timeout or
    /// on a key the dashboard does not use.
    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        guard !stopped else { return .hangup }
        if let signal = SignalGuard.takePendingSignal() { return .signal(signal) }
        wtimeout(window, Int32(clamping: timeoutMilliseconds))
        let started = MonotonicClock.milliseconds()
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        let error = errno
        if let signal = SignalGuard.takePendingSignal() { return .signal(signal) }
        switch result {
        case KEY_CODE_YES:
            quickFailures = 0
            if Int32(character) == KEY_RESIZE { return resized() }
            return KeyDecoder.decode(keyCode: Int32(character)).map(TerminalEvent.key)
        case OK:
            quickFailures = 0
            if character == 12 { // Ctrl-L: the screen may be garbled by another program; repaint everything
                clearok(aoftop_curscr(), true)
                return resized()
            }
            return KeyDecoder.decode(character: UInt32(character)).map(TerminalEvent.key)
        default:
            if error == EIO { return .hangup }
            let elapsed = MonotonicClock.milliseconds() - started
            let quick = timeoutMilliseconds < 0 || elapsed * 2 < timeoutMilliseconds
            quickFailures = quick ? quickFailures + 1 : 0
            // A signal or a Ctrl-Z/fg cycle interrupts a read once or twice; only a dead tty does it repeatedly.
            if quickFailures >= 5 { return .hangup }
            if quick && timeoutMilliseconds != 0 { usleep(10_000) } // never spin, whatever the tty does
            return nil
        }
    }

    private func resized() -> TerminalEvent {
        size = GridSize(columns: Int(getmaxx(window)), rows: Int(getmaxy(window)))
        lastGrid = nil
        return .resize(size)
    }

    /// Gives the terminal back: leaves curses mode (alternate screen, cursor, tty modes), restores the signal
    /// dispositions and prints what was written to stderr meanwhile. Idempotent.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if SignalGuard.takeCursesActive() { endwin() }
        delscreen(screen)
        if let tty { fclose(tty) }
        SignalGuard.releaseStandardError()
        SignalGuard.uninstall()
        pendingMessages.forEach(Self.writeStandardError)
        pendingMessages = []
        terminalInUse.store(false, ordering: .sequentiallyConsistent)
    }

    /// Prints `message` (plus a newline) to stderr once the screen is given back, so it is not drawn over by
    /// curses and lost with the alternate screen; immediately if the terminal is already stopped. Also
    /// appears if the process then dies of a fatal signal.
    public func printAfterStop(_ message: String) {
        let text = message.hasSuffix("\n") ? message : message + "\n"
        // While curses is active stderr goes to the capture file, which `stop()` and the fatal handler replay;
        // without a capture file (mkstemp failed) the message waits in memory for `stop()`.
        guard stopped || SignalGuard.isCapturingStandardError else {
            pendingMessages.append(text)
            return
        }
        Self.writeStandardError(text)
    }

    private static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { break }
            offset += written
        }
    }

    /// The conventional exit status for a session ended by `signal` (`128 + signal`; 0 for none).
    public static func exitStatus(for signal: Int32?) -> Int32 {
        guard let signal else { return 0 }
        return 128 + signal
    }
}

/// Terminfo facts read between `setupterm` and `newterm`.
private struct TerminfoProbe {
    let colors: Int
    let canAddressCursor: Bool

    init() {
        colors = Int(tigetnum("colors"))
        // tigetstr returns NULL for an absent capability and (char *)-1 for a name that is not a string capability.
        let cup = tigetstr("cup")
        canAddressCursor = cup != nil && Int(bitPattern: cup) != -1
    }
}
