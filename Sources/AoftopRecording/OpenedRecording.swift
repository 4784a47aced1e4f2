#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A recording file opened read-only, with its text stream: plain, or inflated when the file starts with the gzip
/// magic bytes `1f 8b` (the content decides, not the name, so a renamed file still reads).
final class OpenedRecording {
    let file: OwnedDescriptor
    let isCompressed: Bool
    let text: any ByteSource

    init(path: String) throws(RecordingError) {
        let fd = try FileIO.openRegularFileForReading(path)
        var magic: [UInt8] = [0, 0]
        let n = magic.withUnsafeMutableBytes { FileIO.readFully(fd, into: $0.baseAddress!, count: 2, at: 0) }
        guard n >= 0 else {
            let code = errno
            close(fd)
            throw .system(path, "cannot read", code)
        }
        file = OwnedDescriptor(fd)
        isCompressed = n == 2 && magic == [0x1f, 0x8b]
        text = isCompressed ? try GzipByteSource(fd: fd, path: path) : PlainByteSource(fd: fd, path: path)
    }
}
