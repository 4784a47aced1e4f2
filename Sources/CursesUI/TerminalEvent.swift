import TextGrid

/// What `Terminal.nextEvent` reports.
public enum TerminalEvent: Sendable, Hashable {
    case key(KeyEvent)
    /// The terminal has a new size (also sent for Ctrl-L, which asks for a full repaint).
    case resize(GridSize)
    /// SIGINT, SIGTERM or SIGHUP arrived: the host should `stop()` and exit with `128 + signal`.
    case signal(Int32)
    /// The terminal is gone (ssh dropped, tmux pane killed): stop without waiting for input.
    case hangup
}
