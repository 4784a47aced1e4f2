/// A forward-only stream of the recording's text bytes: the file itself, or the file inflated.
protocol ByteSource: AnyObject {
    /// Fills the start of `buffer` with the next bytes and returns how many; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RecordingError) -> Int
    /// What went wrong below the text (a gzip stream cut short, corrupt compressed data), once the end is reached.
    var notes: [String] { get }
}

/// The bytes of a plain recording, read with read(2).
final class PlainByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    let notes: [String] = []

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RecordingError) -> Int {
        let n = FileIO.readSome(fd, into: buffer.baseAddress!, count: buffer.count)
        guard n >= 0 else { throw .system(path, "cannot read") }
        return n
    }
}
