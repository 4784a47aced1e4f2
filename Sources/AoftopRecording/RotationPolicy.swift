/// When a rotating recording closes its file and starts the next: once the file has reached `maxBytes` (bytes
/// in the file, compressed size for gzip) or has been open `maxAge` seconds, whichever comes first. Pure: the
/// writer asks before each snapshot, so a file ends at most one line past its size limit.
public struct RotationPolicy: Sendable, Equatable {
    /// Rotate once the file holds this many bytes; nil: no size limit.
    public var maxBytes: UInt64?
    /// Rotate once the file has been open this many seconds (monotonic); nil: no age limit.
    public var maxAge: Double?

    public init(maxBytes: UInt64? = nil, maxAge: Double? = nil) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    /// Whether the file should be closed before the next snapshot is written.
    /// - Parameters:
    ///   - bytesWritten: bytes in the file now, header included.
    ///   - snapshots: snapshots in the file; a file without one is never rotated (a limit smaller than the header
    ///     would otherwise start a new file before every snapshot and never write one).
    ///   - openedAt, now: monotonic seconds.
    public func shouldRotate(bytesWritten: UInt64, snapshots: Int, openedAt: Double, now: Double) -> Bool {
        guard snapshots > 0 else { return false }
        if let maxBytes, bytesWritten >= maxBytes { return true }
        if let maxAge, now - openedAt >= maxAge { return true }
        return false
    }
}

/// Which files of a rotated set to delete before the next file is started, so that with it at most `keep` files
/// and `maxTotalBytes` remain. Pure: the recorder lists the directory and deletes what this returns.
public struct RetentionPolicy: Sendable, Equatable {
    /// A finished file of the set, as found in the directory.
    public struct File: Sendable, Hashable {
        public var name: RecordingFileName
        public var size: UInt64

        public init(name: RecordingFileName, size: UInt64) {
            self.name = name
            self.size = size
        }
    }

    /// Files of the set, the one being written included; nil: no count limit.
    public var keep: Int?
    /// Bytes of the set, the one being written included (counted at its size limit); nil: no size limit.
    public var maxTotalBytes: UInt64?

    public init(keep: Int? = nil, maxTotalBytes: UInt64? = nil) {
        self.keep = keep
        self.maxTotalBytes = maxTotalBytes
    }

    /// The files to delete, oldest first: the oldest by the start time in their names (the order of `ls`) until
    /// the rest leave room for one more file that may grow to `reservingBytes` (the rotation size limit, 0 if none).
    /// Never a newer file while an older one is kept.
    public func filesToDelete(_ files: [File], reservingBytes: UInt64) -> [File] {
        let oldestFirst = files.sorted { $0.name < $1.name }
        let countLimit = keep.map { max($0 - 1, 0) } ?? Int.max
        let byteLimit = maxTotalBytes.map { $0 > reservingBytes ? $0 - reservingBytes : 0 } ?? UInt64.max
        var total = oldestFirst.reduce(UInt64(0)) { $0 &+ $1.size }
        var remaining = oldestFirst.count
        var deleted: [File] = []
        for file in oldestFirst {
            guard remaining > countLimit || total > byteLimit else { break }
            deleted.append(file)
            remaining -= 1
            total -= file.size
        }
        return deleted
    }
}
