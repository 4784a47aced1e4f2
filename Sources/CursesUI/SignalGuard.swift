import CNcursesw
import Glibc
import Synchronization

// Signal handlers cannot capture context, so their state lives in globals that are safe to touch from a handler:
// lock-free atomics and a fixed table allocated before any handler is installed.

/// The last SIGINT/SIGTERM/SIGHUP received, 0 when none (the `volatile sig_atomic_t` of C).
private let pendingSignal = Atomic<Int32>(0)
/// True between `newterm` and `endwin`: the fatal handler restores the terminal only then.
private let cursesActive = Atomic<Bool>(false)
/// Set by the first fatal signal so a fault inside the handler (e.g. in `endwin`) does not recurse.
private let fatalInProgress = Atomic<Bool>(false)
/// The real stderr while stderr is captured, else -1.
private let savedStandardError = Atomic<Int32>(-1)
/// The unlinked file that collects stderr while curses owns the screen, else -1.
private let captureFile = Atomic<Int32>(-1)
/// The dispositions in place before `install`, indexed by signal number (restored by `uninstall`, and chained to
/// by the fatal handler so the Swift runtime's crash report still runs).
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let table = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(NSIG))
    table.initialize(repeating: sigaction(), count: Int(NSIG))
    return table
}()

/// Installs and removes the process-wide signal handlers that guarantee the terminal is given back.
enum SignalGuard {
    /// Signals that end the session politely: the handler only records them, `nextEvent` reports them.
    static let terminating: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// Faults (Swift traps raise SIGILL on x86 and SIGTRAP on arm64): restore the terminal, then die by the signal.
    static let fatal: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Installs the handlers. Called before `newterm`, which then leaves SIGINT/SIGTERM alone (ncurses only
    /// installs its own where the disposition is still the default); SIGWINCH and SIGTSTP stay with ncurses.
    static func install() {
        _ = previousActions // allocate outside any handler
        pendingSignal.store(0, ordering: .sequentiallyConsistent)
        fatalInProgress.store(false, ordering: .sequentiallyConsistent)
        for signal in terminating {
            // No SA_RESTART: a blocking read returns early so the signal is reported promptly.
            setHandler(signal, flagHandler, flags: 0)
        }
        for signal in fatal {
            // SA_ONSTACK lets a stack-overflow SIGSEGV run on the runtime's alternate stack if one is set up.
            setHandler(signal, fatalHandler, flags: Int32(SA_ONSTACK))
        }
    }

    /// Puts back the dispositions saved by `install`.
    static func uninstall() {
        for signal in terminating + fatal {
            _ = sigaction(signal, previousActions + Int(signal), nil)
        }
    }

    /// The signal received since the last call, if any.
    static func takePendingSignal() -> Int32? {
        let signal = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
        return signal == 0 ? nil : signal
    }



    static func setCursesActive(_ active: Bool) { cursesActive.store(active, ordering: .sequentiallyConsistent) }

    /// Whether curses was active; clears the flag, so exactly one caller runs `endwin`.
    static func takeCursesActive() -> Bool { cursesActive.exchange(false, ordering: .sequentiallyConsistent) }

    /// Sends stderr to an unlinked temporary file while curses owns the screen: a stray warning would otherwise
    /// garble the display, and a fatal error message would be drawn on the alternate screen and lost.
    static func captureStandardError() {
        var template = Array("/tmp/aoftop-stderr-XXXXXX".utf8CString)
        let file = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard file >= 0 else { return } // no capture is better than no dashboard
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let saved = dup(STDERR_FILENO)
        guard saved >= 0, dup2(file, STDERR_FILENO) >= 0 else {
            close(file)
            if saved >= 0 { close(saved) }
            return
        }
        savedStandardError.store(saved, ordering: .sequentiallyConsistent)
        captureFile.store(file, ordering: .sequentiallyConsistent)
    }

    static var isCapturingStandardError: Bool { captureFile.load(ordering: .sequentiallyConsistent) >= 0 }

    /// Puts the real stderr back and replays what was captured onto it (async-signal-safe).
    static func releaseStandardError() { replayCapturedStandardError() }
}

/// Async-signal-safe: dup2, lseek, read, write, close only.
private func replayCapturedStandardError() {
    let saved = savedStandardError.exchange(-1, ordering: .sequentiallyConsistent)
    let file = captureFile.exchange(-1, ordering: .sequentiallyConsistent)
    guard saved >= 0, file >= 0 else { return }
    _ = dup2(saved, STDERR_FILENO)
    close(saved)
    _ = lseek(file, 0, SEEK_SET)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
        while true {
            let count = read(file, buffer.baseAddress, buffer.count)
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
    close(file)
}

private func setHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void, flags: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = handler
    sigemptyset(&action.sa_mask)
    action.sa_flags = flags
    _ = sigaction(signal, &action, previousActions + Int(signal))
}

private let flagHandler: @convention(c) (Int32) -> Void = { signal in
    pendingSignal.store(signal, ordering: .sequentiallyConsistent)
}

/// Restores the terminal best-effort (`endwin` is not async-signal-safe, but the process is dying anyway), replays
/// the captured stderr (the "Fatal error: …" line) after it, then re-raises with the previous disposition so the
/// process dies by the same signal (and the Swift runtime's backtracer, if enabled, still reports).
private let fatalHandler: @convention(c) (Int32) -> Void = { signal in
    if !fatalInProgress.exchange(true, ordering: .sequentiallyConsistent) {
        if cursesActive.exchange(false, ordering: .sequentiallyConsistent) { _ = endwin() }
        replayCapturedStandardError()
    }
    var previous = previousActions[Int(signal)]
    let ignored = previous.sa_flags & Int32(SA_SIGINFO) == 0
        && unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) == 1 // SIG_IGN
    if ignored {
        // An ignored fault would return to the faulting instruction forever: die instead.
        previous = sigaction()
    }
    _ = sigaction(signal, &previous, nil)
    // Blocked until this handler returns, then delivered with the restored disposition.
    raise(signal)
}
