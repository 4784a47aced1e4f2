import AoftopModel
import Glibc

/// Counts a Redis 7 `appendonlydir`: each failed rewrite attempt leaves a new `*.incr.aof`, so during a fork
/// failure storm the file count is the visible symptom.
public struct AofDirectoryCounter: Sendable {
    public init() {}

    /// Entries (files only, not `.`/`..`), `*.incr.aof` files and their total size in bytes.
    public func sample(path: String) -> Reading<AofDirectorySample> {
        guard let dir = opendir(path) else {
            let error = errno
            switch error {
            case ENOENT: return .failed("AOF directory \(path) does not exist")
            case EACCES, EPERM: return .failed("cannot read AOF directory \(path): permission denied (run aoftop as the redis user or root)")
            default: return .failed("cannot read AOF directory \(path): \(String(cString: strerror(error)))")
            }
        }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var files = 0, incr = 0
        var bytes: UInt64 = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            files += 1
            if name.count > 9 && name.suffix(9).elementsEqual(".incr.aof".utf8) { incr += 1 }
            var st = stat()
            // A file removed between readdir and fstatat (Redis deletes old incr files) just adds no bytes.
            let cName = name.map { CChar(bitPattern: $0) } + [0]
            if fstatat(fd, cName, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG {
                bytes += UInt64(st.st_size)
            }
        }
        return .ok(AofDirectorySample(path: path, files: files, incrFiles: incr, totalBytes: bytes))
    }
}
