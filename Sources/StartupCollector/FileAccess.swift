#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read, as an `errno`; its description is the tail of a one-line message.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errno: Int32

    public init(errno: Int32) { self.errno = errno }

    public var description: String {
        switch errno {
        case EACCES, EPERM: "permission denied (run as the redis user or root)"
        case ENOENT: "not found"
        case EISDIR: "is a directory"
        case ENOTDIR: "a path component is not a directory"
        default: String(cString: strerror(errno))
        }
    }
}

/// What the config reader needs from a file system. A protocol so parser tests run on an in-memory tree.
public protocol ConfigFileSystem: Sendable {
    /// The file's bytes (at most `limit`; `truncated` says whether there was more).
    func read(_ path: String, limit: Int) -> Result<(bytes: [UInt8], truncated: Bool), FileError>
    /// Paths matching a glob pattern, sorted (Glibc `glob` order); empty when none match.
    func glob(_ pattern: String) -> [String]
    /// The canonical path of an existing directory (`realpath`), as `getcwd` would report it after `chdir`.
    func canonicalDirectory(_ path: String) -> String?
}

/// The real file system, through Glibc.
public struct LocalFileSystem: ConfigFileSystem {
    public init() {}

    public func read(_ path: String, limit: Int) -> Result<(bytes: [UInt8], truncated: Bool), FileError> {
        FileReading.read(path, limit: limit)
    }

    public func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }

    public func canonicalDirectory(_ path: String) -> String? {
        guard FileReading.isDirectory(path), let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Small Glibc file helpers: the module avoids Foundation.
enum FileReading {
    /// Reads a regular file (or a `/proc` pseudo-file) up to `limit` bytes. Never blocks on a FIFO.
    static func read(_ path: String, limit: Int) -> Result<(bytes: [UInt8], truncated: Bool), FileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(FileError(errno: errno)) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failure(FileError(errno: errno)) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(FileError(errno: EISDIR))
        default: return .failure(FileError(errno: EINVAL))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count <= limit {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(FileError(errno: errno))
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
        }
        let truncated = bytes.count > limit
        if truncated { bytes.removeSubrange(limit...) }
        return .success((bytes, truncated))
    }

    static func readText(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], FileError> {
        read(path, limit: limit).map(\.bytes)
    }

    static func readLink(_ path: String) -> Result<String, FileError> {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return .failure(FileError(errno: errno)) }
        return .success(String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    static func status(_ path: String) -> Result<stat, FileError> {
        var status = stat()
        guard stat(path, &status) == 0 else { return .failure(FileError(errno: errno)) }
        return .success(status)
    }

    static func isDirectory(_ path: String) -> Bool {
        guard case .success(let status) = status(path) else { return false }
        return status.st_mode & S_IFMT == S_IFDIR
    }

    static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}

/// The file system as a process in another mount namespace sees it, reached through its `/proc/PID/root`: paths
/// stay the server's own (what its config and CONFIG say), only opening goes through the root.
public struct RootedFileSystem: ConfigFileSystem {
    /// `/proc/PID/root` (under the proc root in use).
    public var root: String
    public var base: any ConfigFileSystem

    public init(root: String, base: any ConfigFileSystem = LocalFileSystem()) {
        self.root = root
        self.base = base
    }

    public func read(_ path: String, limit: Int) -> Result<(bytes: [UInt8], truncated: Bool), FileError> {
        base.read(root + path, limit: limit)
    }

    public func glob(_ pattern: String) -> [String] {
        base.glob(root + pattern).map { String($0.dropFirst(root.count)) }
    }

    /// Lexical, not `realpath`: the root is a magic link that `realpath` would resolve to aoftop's own `/`, and
    /// a symbolic link inside the namespace names a path there.
    public func canonicalDirectory(_ path: String) -> String? {
        let normalized = Paths.normalize(path)
        return base.canonicalDirectory(root + normalized) == nil ? nil : normalized
    }
}
