/// Lexical path helpers (no file system access).
enum Paths {
    static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// `path` against `base` when relative, then normalised.
    static func resolve(_ path: String, against base: String) -> String {
        normalize(isAbsolute(path) ? path : base + "/" + path)
    }

    /// Removes `.`, `..` and repeated slashes, as `getcwd` would show the result (lexically: a symlink is not
    /// followed, which `ConfigFileSystem.canonicalDirectory` does for directories that exist).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Glob metacharacters: Redis ≥ 7.0 expands an include path holding one of them.
    static func hasWildcard(_ path: String) -> Bool {
        path.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }
}
