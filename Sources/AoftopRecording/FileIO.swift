#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the syscalls the recording code needs, with the EINTR and short-transfer loops in one place.
enum FileIO {
    /// Writes all of `bytes` at `offset` (pwrite, so a failed write can be truncated away without seeking);
    /// returns 0 or the errno that stopped it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) -> Int32 {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return n == 0 ? EIO : errno
            }
        }
        return 0
    }

    /// Reads up to `count` bytes into `buffer`; 0 at end of file; -1 with errno set on error.
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        while true {
            let n = read(fd, buffer, count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Reads exactly `count` bytes at `offset` unless the file is shorter; returns the bytes read or -1 with errno.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: UInt64) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                return -1
            }
        }
        return done
    }

    /// Opens `path` read-only and makes sure it is a regular file. `O_NONBLOCK` so a FIFO cannot hang the open.
    static func openRegularFileForReading(_ path: String) throws(RecordingError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .system(path, "cannot open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .system(path, "cannot stat", code)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            throw RecordingError(path: path, reason: type == S_IFDIR ? "is a directory, not a recording"
                                                                      : "not a regular file, not a recording")
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return fd
    }
}

/// A file descriptor closed when the last owner lets go; immutable, so it can be shared across threads
/// (pread on it is thread-safe).
final class OwnedDescriptor: Sendable {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
