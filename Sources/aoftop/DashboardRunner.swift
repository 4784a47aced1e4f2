import AoftopClock
import AoftopModel
import AoftopPipeline
import ArgumentParser
import CursesUI
import Dashboard
import Glibc
import TextGrid

/// Runs an ncurses screen until the operator quits: one source and its dashboard (`run(source:…)`), or the
/// overview of many instances (`OverviewProgram`).
///
/// The loop: drain the sources (never blocks), feed the state, render into a `Grid` when something changed, let
/// the terminal draw the changed rows, wait up to 100 ms for a key. Collection happens on the sources' own
/// threads, so a hung Redis never freezes the keys.
enum DashboardRunner {
    /// Returns the process exit status (0 on `q`, 128 + signal on SIGINT/SIGTERM/SIGHUP).
    /// `note` opens the status bar (e.g. why the demo is playing); `keys` is `.controllingTerminal` when standard
    /// input carries the log (`--log -`).
    static func run(source: any SnapshotSource, mode: DashboardMode, interval: Double, note: String? = nil,
                    keys: TerminalInput = .standardInput) throws -> Int32 {
        try run(SingleDashboard(source: source, mode: mode, interval: interval, note: note), keys: keys)
    }

    /// Drives `program` until it asks to quit or a signal ends it; always closes it and restores the terminal.
    static func run(_ program: any DashboardProgram, keys: TerminalInput = .standardInput) throws -> Int32 {
        let terminal: Terminal
        do {
            terminal = try Terminal.start(input: keys)
        } catch let error as TerminalError {
            program.close()
            printError(error.description) // already "aoftop: …"
            throw ExitCode(2)
        }
        defer {
            program.close()
            terminal.stop()
        }
        if program.start(size: terminal.size, time: SnapshotClock.system.now()) { return 0 }
        var lastTick = MonotonicClock.now()
        var dirty = true

        while true {
            let now = MonotonicClock.now()
            let polled = program.poll(now: now)
            if polled.quit { return 0 }
            dirty = dirty || polled.changed
            if now - lastTick >= 1 {
                if program.handle(.tick(SnapshotClock.system.now())) { return 0 }
                lastTick = now
                dirty = true
            }
            if dirty {
                terminal.draw(program.render(size: terminal.size, glyphs: terminal.glyphs))
                dirty = false
            }
            switch terminal.nextEvent(timeoutMilliseconds: 100) {
            case .key(let key)?:
                if program.handle(.key(key)) { return 0 }
                dirty = true
            case .resize(let size)?:
                if program.handle(.resize(size)) { return 0 }
                dirty = true
            case .signal(let signal)?:
                return Terminal.exitStatus(for: signal)
            case .hangup?:
                return Terminal.exitStatus(for: SIGHUP)
            case nil:
                break
            }
        }
    }

    static func message(for sourceUpdate: SourceUpdate) -> DashboardMessage {
        switch sourceUpdate {
        case .snapshot(let snapshot): return .snapshot(snapshot)
        case .position(let position):
            return .timeline(Timeline(
                position: position.time, start: position.start, end: position.end, speed: position.speed,
                playing: position.playing,
                markers: position.markers.map { TimelineMarker(time: $0.time, kind: markerKind($0.kind)) }))
        case .recording(.off): return .recording(.off)
        case .recording(.recording(let path)): return .recording(.recording(path: path))
        case .recording(.failed(let reason)): return .recording(.failed(reason))
        case .note(let text): return .note(text)
        case .ended(let reason): return .sourceEnded(reason: reason)
        }
    }

    static func control(for effect: DashboardEffect) -> SourceControl? {
        switch effect {
        case .quit: return nil
        case .setPaused(let paused): return .setPaused(paused)
        case .setInterval(let interval): return .setInterval(interval)
        case .toggleRecording: return .toggleRecording
        case .replayStep(let count): return .step(count)
        case .replaySeek(let seconds): return .seek(by: seconds)
        case .replaySeekTo(let time): return .seekTo(time)
        case .replayJump(let direction): return .jumpToMarker(forward: direction == .next)
        case .replayHome: return .home
        case .replayEnd: return .end
        case .replaySpeed(let multiplier): return .speed(multiplier)
        }
    }

    private static func markerKind(_ kind: ReplayMarker.Kind) -> TimelineMarker.Kind {
        switch kind {
        case .forkFailure: .forkFailure
        case .thresholdCrossing: .thresholdCrossing
        case .exhaustion: .exhaustion
        }
    }

    /// The local zone's offset now; the dashboard shows times as the server's log does (local time).
    static func localUTCOffsetSeconds() -> Int {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return parts.tm_gmtoff
    }
}
