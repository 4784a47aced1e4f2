import Glibc

/// Finds a server's log when neither CONFIG nor its start-up settings name it (Redis refuses connections and its
/// process title hides its config file): among the usual places, the most recently written file whose last lines
/// come from this pid (`PID:M …` or logfmt `pid=PID`). A name alone is never enough: the lines must be the process's.
enum LogDiscovery {
    /// Where packaged and hand-started servers log.
    static func candidateDirectories(workingDirectory: String?) -> [String] {
        [workingDirectory, "/var/log/redis", "/var/log/valkey", "/var/log"].compactMap { $0 }
    }

    static let tailBytes = 64 * 1024

    /// `pid` is the one the log's lines carry (the server's own, inside a pid namespace); the directories are
    /// the server's, opened through `paths`.
    static func find(pid: Int32, workingDirectory: String?, paths: ProcessPaths = .host) -> String? {
        var best: (path: String, mtime: Int64)?
        for directory in candidateDirectories(workingDirectory: workingDirectory) {
            for path in logFiles(in: paths.hostPath(directory), onlyRedisNamed: directory == "/var/log") {
                var info = stat()
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
                let mtime = Int64(info.st_mtim.tv_sec)
                guard best.map({ mtime > $0.mtime }) ?? true, tail(path, size: Int64(info.st_size), hasLinesOf: pid) else { continue }
                best = (path, mtime)
            }
        }
        return best?.path
    }

    /// `*.log` files of `directory` (in `/var/log` itself only `redis*`/`valkey*` ones: it holds every other log too).
    static func logFiles(in directory: String, onlyRedisNamed: Bool) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".log") else { continue }
            if onlyRedisNamed, !(name.hasPrefix("redis") || name.hasPrefix("valkey")) { continue }
            out.append(directory.hasSuffix("/") ? directory + name : directory + "/" + name)
        }
        return out
    }

    static func tail(_ path: String, size: Int64, hasLinesOf pid: Int32) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let start = max(0, size - Int64(tailBytes))
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard got > 0 else { return false }
        let legacy = Array("\n\(pid):".utf8)
        let logfmt = Array("pid=\(pid) ".utf8)
        let text = bytes[0..<got]
        return contains(text, legacy) || contains(text, logfmt)
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
