import AoftopClock
import AoftopModel
import AoftopPipeline
import ArgumentParser
import FoundationEssentials
import Glibc
import RedisCollector

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take one snapshot (INFO/CONFIG, /proc fd census, log tail) and print it.",
        discussion: """
        With only a port, the pid comes from INFO or from the owner of the listening socket, and the log path \
        from CONFIG GET logfile (relative to the server's directory). With --log - the log is read from standard \
        input until it ends or nothing arrives for 1 s (3 s for the first line; at most 30 s). Exit status: 0 when every source answered, 1 when one failed \
        (the rest is still printed).
        """)

    @OptionGroup var target: TargetOptions

    @OptionGroup var process: ProcessOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("How much of the existing log to read, in KiB.", valueName: "KiB"))
    var backlog: Int = 64

    @Flag(help: "Print the snapshot as JSON (the recording format).")
    var json = false

    /// How long `snapshot` waits for the log's read-back to the server's start line.
    static let historyWaitSeconds = 3.0
    /// A log on standard input is read until it ends, or until it has been quiet this long (`docker logs` without
    /// `-f` ends; `journalctl -f` never does), within `streamWaitSeconds`. A writer slowed by a busy host pauses
    /// between pipe buffers for far less than the quiet time.
    static let streamQuietSeconds = 1.0
    static let streamWaitSeconds = 30.0

    func validate() throws {
        guard (0...65536).contains(backlog) else { throw ValidationError("--backlog must be between 0 and 65536 KiB") }
    }

    func run() throws {
        let collectionTarget = process.collectionTarget(target, credentials: try resolvedCredentials(),
                                                        logBacklogBytes: backlog * 1024)
        let collector = SnapshotCollector(target: collectionTarget)
        var snapshot = collector.snapshot()
        // The log is read back on a thread of its own: give it a few seconds (1 GiB takes about one), then say how
        // far it got. A log on standard input is read for as long: until it ends or has nothing more for now.
        let started = MonotonicClock.now()
        var streamBytes: UInt64?
        var lastArrival = started
        while true {
            let now = MonotonicClock.now()
            let log = snapshot.log.value
            let readingBack = log?.history?.state == .reading && now < started + Self.historyWaitSeconds
            var streamDelivering = false
            if process.logFromStandardInput, let log, log.fileState != .streamEnded {
                if log.bytesRead != streamBytes { lastArrival = now }
                streamBytes = log.bytesRead
                // Nothing yet: a writer may take a moment to start (`docker logs` connecting), as long as a read-back.
                let quietFor = log.bytesRead == 0 ? Self.historyWaitSeconds : Self.streamQuietSeconds
                streamDelivering = now - lastArrival < quietFor && now < started + Self.streamWaitSeconds
            }
            guard readingBack || streamDelivering else { break }
            usleep(100_000)
            snapshot = collector.snapshot()
        }
        if json {
            var data = try AoftopJSON.encoder(pretty: true).encode(snapshot)
            data.append(0x0A)
            StandardOutput.write(data)
        } else {
            print(SnapshotText.render(snapshot), terminator: "")
        }
        if let failure = SnapshotText.firstFailure(snapshot) { throw fail(failure) }
    }

    private func resolvedCredentials() throws -> RedisCredentials? {
        do { return try target.credentials() } catch { throw fail("\(error)") }
    }
}
