#if canImport(Glibc)
import Glibc
#endif

/// A regular file opened read-only, read with `pread` (never mapped: a file truncated under a mapping raises
/// SIGBUS, a short `pread` is only a short read).
struct ServerBinaryFile {
    let descriptor: Int32
    /// The size when opened.
    let size: UInt64

    /// Opens `path`; the failure is an `errno` (`EISDIR` for a directory, `EINVAL` for a device or FIFO).
    static func open(_ path: String) -> Result<ServerBinaryFile, ServerBinaryErrno> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(ServerBinaryErrno(code: errno)) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let error = errno
            Glibc.close(fd)
            return .failure(ServerBinaryErrno(code: error))
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            Glibc.close(fd)
            return .failure(ServerBinaryErrno(code: kind == S_IFDIR ? EISDIR : EINVAL))
        }
        return .success(ServerBinaryFile(descriptor: fd, size: UInt64(max(0, status.st_size))))
    }

    func close() { Glibc.close(descriptor) }

    /// Reads up to `count` bytes at `offset` into the start of `buffer`, retrying short reads until the end of file;
    /// returns how many bytes were read (fewer than `count` only at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: UInt64) -> Result<Int, ServerBinaryErrno> {
        guard let base = buffer.baseAddress else { return .success(0) }
        let wanted = min(count, buffer.count)
        var done = 0
        while done < wanted {
            let got = pread(descriptor, base + done, wanted - done, off_t(offset + UInt64(done)))
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(ServerBinaryErrno(code: errno))
            }
            if got == 0 { break }
            done += got
        }
        return .success(done)
    }

    /// Reads exactly `count` bytes at `offset`, or `nil` past the end of the file (a failed read is an `errno`).
    func bytes(at offset: UInt64, count: Int) -> Result<[UInt8]?, ServerBinaryErrno> {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset else { return .success(nil) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { read(into: $0, count: count, at: offset) }
        switch got {
        case let .failure(error): return .failure(error)
        case let .success(read): return .success(read == count ? bytes : nil)
        }
    }
}

/// An `errno` from opening or reading the binary.
struct ServerBinaryErrno: Error {
    let code: Int32
}
