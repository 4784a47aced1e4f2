import AoftopModel
import Glibc
import Synchronization

/// A recording split into a set of files in one directory, for a recorder that runs for months: each file is a
/// whole recording of its own (header, snapshots, gzip trailer) named by `RecordingFileName` after the instance
/// and its start time; `rotation` says when the next one starts, `retention` how many of the set stay.
///
/// Before each file is created the set's oldest files are deleted to make room for it (so a recorder restarted
/// again and again cannot pile up files either); only this instance's files, recognised by their exact name
/// pattern, ever are. The file being written is never a candidate. Thread-safe: appends are serialised.
public final class RotatingRecording: Sendable {
    public struct Configuration: Sendable {
        /// Where the set lives; must exist.
        public var directory: String
        /// The instance as displayed (`127.0.0.1:6379`): the files' names carry it.
        public var instance: String
        /// Line 1 of every file; `started` is replaced by each file's own start.
        public var header: RecordingHeader
        public var rotation: RotationPolicy
        public var retention: RetentionPolicy
        /// `compressed` nil means gzip.
        public var options: RecordingWriter.Options

        public init(directory: String, instance: String, header: RecordingHeader, rotation: RotationPolicy,
                    retention: RetentionPolicy, options: RecordingWriter.Options = RecordingWriter.Options()) {
            self.directory = directory
            self.instance = instance
            self.header = header
            self.rotation = rotation
            self.retention = retention
            self.options = options
        }
    }

    /// What the set did, for the operator's log.
    public enum Event: Sendable, Equatable {
        /// File number `file` (1 for the first this recorder made) was created and is now written.
        case started(path: String, file: Int)
        /// An old file of the set was deleted by retention.
        case deleted(path: String)
        /// Retention could not list or delete (recording goes on); one line.
        case problem(String)
    }

    private struct State: Sendable {
        var writer: RecordingWriter?
        var openedAt = 0.0
        var closed = false
        var files = 0
        var closedSnapshots = 0
        var closedBytes: UInt64 = 0
    }

    public let configuration: Configuration
    private let wallClock: @Sendable () -> Timestamp
    private let monotonicClock: @Sendable () -> Double
    private let events: @Sendable (Event) -> Void
    private let state = Mutex(State())

    /// Checks the directory, applies retention and creates the first file. Throws `RecordingError`.
    /// - Parameters:
    ///   - wallClock: names and headers (the start time of each file).
    ///   - monotonicClock: file ages for `rotation.maxAge`, in seconds.
    public init(_ configuration: Configuration, wallClock: @escaping @Sendable () -> Timestamp,
                monotonicClock: @escaping @Sendable () -> Double,
                events: @escaping @Sendable (Event) -> Void = { _ in }) throws {
        var configuration = configuration
        if configuration.options.compressed == nil { configuration.options.compressed = true }
        self.configuration = configuration
        self.wallClock = wallClock
        self.monotonicClock = monotonicClock
        self.events = events
        var info = stat()
        guard stat(configuration.directory, &info) == 0 else {
            throw RecordingError.system(configuration.directory, "cannot use as the recording directory")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw RecordingError(path: configuration.directory, reason: "not a directory")
        }
        try state.withLock { state in try startNextFile(&state) }
    }

    deinit { try? close() }

    /// The file being written (nil once closed or after a failed rotation).
    public var currentPath: String? { state.withLock { $0.writer?.path } }

    /// Files created by this recorder.
    public var filesCreated: Int { state.withLock { $0.files } }

    /// Snapshots written, all files together.
    public var snapshotCount: Int { state.withLock { $0.closedSnapshots + ($0.writer?.snapshotCount ?? 0) } }

    /// Bytes written, all files together (compressed size for gzip).
    public var bytesWritten: UInt64 { state.withLock { $0.closedBytes + ($0.writer?.bytesWritten ?? 0) } }

    /// Appends one snapshot, first starting the next file when `rotation` says so. Throws `RecordingError` (disk
    /// full, the next file cannot be created…); the file that failed is closed at its last whole snapshot.
    public func append(_ snapshot: Snapshot) throws {
        try state.withLock { state in
            guard !state.closed else {
                throw RecordingError(path: configuration.directory, reason: "recording already closed")
            }
            guard let writer = state.writer else {
                throw RecordingError(path: configuration.directory, reason: "recording stopped after an earlier error")
            }
            if configuration.rotation.shouldRotate(bytesWritten: writer.bytesWritten, snapshots: writer.snapshotCount,
                                                   openedAt: state.openedAt, now: monotonicClock()) {
                try finishFile(&state)
                try startNextFile(&state)
            }
            do {
                try state.writer!.append(snapshot)
            } catch {
                // Seal it now (the gzip trailer after the last whole line): nothing more goes into this file.
                try? finishFile(&state)
                throw error
            }
        }
    }

    /// Ends the file being written (gzip trailer, fsync). Idempotent.
    public func close() throws {
        try state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            try finishFile(&state)
        }
    }

    private func finishFile(_ state: inout State) throws {
        guard let writer = state.writer else { return }
        state.writer = nil
        state.closedSnapshots += writer.snapshotCount
        defer { state.closedBytes += writer.bytesWritten }
        try writer.close()
    }

    /// Retention for one more file, then that file.
    private func startNextFile(_ state: inout State) throws {
        let files: [RetentionPolicy.File]
        do {
            files = try listSet()
        } catch {
            events(.problem("\(error) (old recordings not deleted)"))
            files = []
        }
        applyRetention(files)
        let started = wallClock()
        let base = RecordingFileName(instance: configuration.instance, started: started,
                                     compressed: configuration.options.compressed ?? true)
        // Two files in one second (a tiny size limit, a quick restart): a sequence number above any of that
        // second, even one retention just deleted, so the newest file always sorts last.
        let taken = files.filter { $0.name.stamp == base.stamp }.map(\.name.sequence).max()
        var name = base.withSequence(taken.map { $0 + 1 } ?? 0)
        while exists(path(name.fileName)), name.sequence < 100_000 { name = base.withSequence(name.sequence + 1) }
        var header = configuration.header
        header.started = started
        let writer = try RecordingWriter(path: path(name.fileName), header: header, options: configuration.options)
        state.writer = writer
        state.openedAt = monotonicClock()
        state.files += 1
        events(.started(path: writer.path, file: state.files))
    }

    private func applyRetention(_ files: [RetentionPolicy.File]) {
        let reserve = configuration.rotation.maxBytes ?? 0
        for file in configuration.retention.filesToDelete(files, reservingBytes: reserve) {
            let target = path(file.name.fileName)
            if unlink(target) == 0 {
                events(.deleted(path: target))
            } else if errno != ENOENT {
                // Gone meanwhile (an operator, another tool) is what was wanted; anything else is reported.
                events(.problem("\(RecordingError.system(target, "cannot delete"))"))
            }
        }
    }

    /// This instance's recordings in the directory: regular files whose names parse, nothing else.
    private func listSet() throws(RecordingError) -> [RetentionPolicy.File] {
        guard let directory = opendir(configuration.directory) else {
            throw .system(configuration.directory, "cannot list")
        }
        defer { closedir(directory) }
        var files: [RetentionPolicy.File] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            guard let name = RecordingFileName.parse(entryName, instance: configuration.instance),
                  name.fileName == entryName else { continue }
            var info = stat()
            // lstat: a symlink is not ours to delete, whatever its name.
            guard lstat(path(entryName), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            files.append(RetentionPolicy.File(name: name, size: UInt64(info.st_size)))
        }
        return files
    }

    private func path(_ fileName: String) -> String {
        configuration.directory.hasSuffix("/") ? configuration.directory + fileName
                                                : configuration.directory + "/" + fileName
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
