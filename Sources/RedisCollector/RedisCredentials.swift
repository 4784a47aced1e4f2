import Glibc

/// User and password for `AUTH`. The password never leaves this module except inside the AUTH command:
/// `description`, `debugDescription` and `customMirror` redact it, and it is not part of any `Snapshot`.
public struct RedisCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
                                CustomReflectable {
    /// ACL user (Redis ≥ 6); `nil` sends the one-argument `AUTH password`.
    public var user: String?
    let password: String

    public init(user: String? = nil, password: String) {
        self.user = user
        self.password = password
    }

    /// The credentials the way redis-cli finds them: `passwordFile` (first line, trailing CR/LF stripped) wins
    /// over the `REDISCLI_AUTH` environment variable; `nil` when neither is given (no AUTH is sent).
    /// Passwords are never taken from argv, where `ps` would show them.
    public static func resolve(user: String?, passwordFile: String?,
                               environment: [String: String]) throws -> RedisCredentials? {
        if let passwordFile {
            return RedisCredentials(user: user, password: try readFirstLine(of: passwordFile))
        }
        if let password = environment["REDISCLI_AUTH"], !password.isEmpty {
            return RedisCredentials(user: user, password: password)
        }
        return nil
    }

    /// `AUTH password` or `AUTH user password`.
    var authCommand: [String] { user.map { ["AUTH", $0, password] } ?? ["AUTH", password] }

    public var description: String {
        "RedisCredentials(user: \(user.map { "\"\($0)\"" } ?? "default"), password: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["user": user as Any, "password": "<redacted>"], displayStyle: .struct)
    }

    private static func readFirstLine(of path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RedisError.credentials("cannot read password file \(path): \(errorText(errno))") }
        defer { close(fd) }
        // A password file is one short line; reading a bounded prefix also guards against `/dev/zero` and such.
        var bytes = [UInt8](repeating: 0, count: 4096)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw RedisError.credentials("cannot read password file \(path): \(errorText(errno))")
            }
            filled += count
            if bytes[..<filled].contains(10) { break }
        }
        var line = bytes[..<filled].prefix { $0 != 10 }
        if line.last == 13 { line = line.dropLast() }
        guard !line.isEmpty else { throw RedisError.credentials("password file \(path) is empty") }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw RedisError.credentials("password file \(path) is not valid UTF-8")
        }
        return text
    }
}
