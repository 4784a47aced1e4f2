/// Why the dashboard cannot take over the terminal; `description` is the one line to print.
public enum TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// stdin or stdout is not a terminal (a pipe, a cron job, `ssh host aoftop` without `-t`).
    case notATerminal
    case termUnset
    case unknownTerminal(String)
    /// setupterm found no terminfo database at all.
    case noTerminfoDatabase(String)
    /// A terminal such as `dumb` that cannot move the cursor.
    case cannotAddressCursor(String)
    case alreadyStarted
    case initializationFailed(String)
    /// Keys were to come from `/dev/tty` (standard input carries something else) and it cannot be opened.
    case noControllingTerminal(String)

    public var description: String {
        switch self {
        case .notATerminal:
            "aoftop: the dashboard needs a terminal; use \"aoftop snapshot\" or \"aoftop check\" in scripts"
        case .termUnset:
            "aoftop: TERM is not set: set TERM (e.g. xterm-256color)"
        case .unknownTerminal(let term):
            "aoftop: unknown terminal type \"\(term)\": set TERM (e.g. xterm-256color)"
        case .noTerminfoDatabase(let term):
            "aoftop: no terminfo database found for \"\(term)\": install ncurses-base or set TERMINFO"
        case .cannotAddressCursor(let term):
            "aoftop: terminal type \"\(term)\" cannot position the cursor: set TERM (e.g. xterm-256color)"
        case .alreadyStarted:
            "aoftop: the terminal is already in use by another Terminal instance"
        case .initializationFailed(let term):
            "aoftop: cannot initialise terminal type \"\(term)\""
        case .noControllingTerminal(let reason):
            "aoftop: cannot open /dev/tty to read keys (\(reason)): run it in a terminal, or use \"aoftop check\" or \"aoftop record\" in scripts"
        }
    }
}
