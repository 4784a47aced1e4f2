import Foundation
import StartupCollector

/// A fresh directory under /tmp, removed on deinit. Paths are canonical (no symlinks), as `getcwd` shows them.
final class StartupTemporaryDirectory {
    let path: String

    init(_ prefix: String = "startup") throws {
        var template = Array("/tmp/aoftop-\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StartupTestError("mkdtemp failed") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` at `relative` (creating directories); returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    @discardableResult
    func makeDirectory(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}

struct StartupTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An in-memory file system, so parser tests are pure.
struct MemoryFileSystem: ConfigFileSystem {
    var files: [String: [UInt8]] = [:]
    var directories: Set<String> = ["/"]
    var errors: [String: Int32] = [:]

    init(_ files: [String: String] = [:], directories: Set<String> = []) {
        self.files = files.mapValues { Array($0.utf8) }
        self.directories.formUnion(directories)
    }

    func read(_ path: String, limit: Int) -> Result<(bytes: [UInt8], truncated: Bool), FileError> {
        if let error = errors[path] { return .failure(FileError(errno: error)) }
        guard let bytes = files[path] else { return .failure(FileError(errno: ENOENT)) }
        return .success((Array(bytes.prefix(limit)), bytes.count > limit))
    }

    func glob(_ pattern: String) -> [String] {
        files.keys.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }.sorted()
    }

    func canonicalDirectory(_ path: String) -> String? {
        directories.contains(path) ? path : nil
    }
}
