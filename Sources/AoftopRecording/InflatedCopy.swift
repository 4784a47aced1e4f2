import FoundationEssentials
import Glibc

/// An unlinked temporary file holding the inflated text of a gzip recording.
///
/// Why: deflate cannot be entered in the middle, so seeking in the .gz itself would mean inflating from the start
/// on every seek (or keeping 32 KiB windows per checkpoint). Inflating once into a file gives the same O(1)
/// `pread` seeks as a plain recording, with memory bounded by the page cache instead of the heap. The file is
/// unlinked at once, so nothing is left behind even after `kill -9`; it lives in `$TMPDIR` (default /tmp) with mode
/// 0600 and costs about as much disk as the plain recording would (~0.5 GB for a day at 1 Hz).
final class InflatedCopy {
    let file: OwnedDescriptor
    private let recordingPath: String

    init(recordingPath: String) throws(RecordingError) {
        self.recordingPath = recordingPath
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/aoftop-replay-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .system(recordingPath, "cannot create a temporary file in \(directory) to inflate into") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        file = OwnedDescriptor(fd)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(RecordingError) {
        let code = FileIO.writeAll(file.fd, bytes, at: offset)
        guard code == 0 else {
            throw .system(recordingPath, "cannot write the inflated copy to \(FileManager.default.temporaryDirectory.path)", code)
        }
    }
}
