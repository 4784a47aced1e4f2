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
        input until it ends or pauses (at most 3 s). Exit status: 0 when every source answered, 1 when one failed \
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
        let deadline = MonotonicClock.now() + Self.historyWaitSeconds
        var streamBytes: UInt64?
        while MonotonicClock.now() < deadline {
            let log = snapshot.log.value
            let readingBack = log?.history?.state == .reading
            let streamDelivering = process.logFromStandardInput && log.map {
                $0.fileState != .streamEnded && ($0.bytesRead == 0 || $0.bytesRead != streamBytes)
            } ?? false
            guard readingBack || streamDelivering else { break }
            streamBytes = log?.bytesRead
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
