#if canImport(Glibc)
import Glibc
#endif

/// Reads what a located server read at start, choosing its start directory when that matters.
struct StartupConfigLoader {
    var parser: RedisConfigParser

    struct Loaded {
        var config: ParsedConfig
        /// Absolute, when there is one.
        var configFile: String?
        var startDirectory: String?
        var warnings: [String]
    }

    /// `.failure` is the one-line reason for a config file that is known but cannot be read.
    ///
    /// The start directory is not recorded anywhere: Redis `chdir`s to each `dir` while reading, so the
    /// process's cwd now is the last `dir`, and its parent's cwd is often where it was started. Each candidate
    /// is tried; the one whose reading ends in the process's cwd now is the one Redis used.
    func load(_ source: ConfigSource) -> Result<Loaded, Failure> {
        let commandLine = source.commandLine
        let candidates: [String?] = source.startDirectories.isEmpty ? [nil] : source.startDirectories
        var firstReadable: (Loaded, Int)?
        var firstFailure: Failure?
        for (index, start) in candidates.enumerated() {
            var configFile = source.configFile
            if let file = configFile, !Paths.isAbsolute(file) {
                guard let start else {
                    return .failure(Failure("config file \(file) is relative and the server's start directory is unknown: pass --config PATH"))
                }
                configFile = Paths.resolve(file, against: start)
            }
            let config = parser.load(configFile: configFile, configFromStdin: commandLine?.configFromStdin ?? false,
                                     overrides: commandLine?.overrides ?? [], startDirectory: start)
            if let configFile, let unreadable = config.unknown.first(where: { $0.path == configFile && $0.error != nil }),
               let error = unreadable.error {
                if firstFailure == nil { firstFailure = Failure(Self.describe(configFile, error)) }
                continue
            }
            let loaded = Loaded(config: config, configFile: configFile, startDirectory: start, warnings: [])
            if source.currentDirectory != nil, config.workingDirectory == source.currentDirectory {
                return .success(note(loaded, source: source, candidate: index, verified: true))
            }
            if firstReadable == nil { firstReadable = (loaded, index) }
        }
        if let (loaded, index) = firstReadable {
            return .success(note(loaded, source: source, candidate: index, verified: false))
        }
        return .failure(firstFailure ?? Failure("config file \(source.configFile ?? "?") cannot be read"))
    }

    struct Failure: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A running server opened this file at start (Redis exits otherwise), so "not found" means it went away.
    static func describe(_ path: String, _ error: FileError) -> String {
        switch error.errno {
        case ENOENT: "config file \(path): deleted or moved after the server started"
        default: "config file \(path): \(error)"
        }
    }

    /// Says which start directory was used when it changes the result (a relative config path, include or
    /// `dir`), and when it could not be confirmed.
    private func note(_ loaded: Loaded, source: ConfigSource, candidate: Int, verified: Bool) -> Loaded {
        var loaded = loaded
        let relativeFile = source.configFile.map { !Paths.isAbsolute($0) } ?? false
        guard let start = loaded.startDirectory, relativeFile || loaded.config.dependsOnStartDirectory else {
            return loaded
        }
        let which = source.location == .systemdUnit ? "the unit's working directory"
            : candidate == 0 ? "the process's working directory" : "its parent's working directory"
        if !verified, let current = source.currentDirectory {
            loaded.warnings.append("start directory not confirmed (the config does not lead to the process's "
                + "working directory \(current)): relative paths resolved against \(start), \(which)")
        } else if candidate > 0, relativeFile, let file = source.configFile {
            loaded.warnings.append("relative config file \(file) resolved against \(start), \(which)")
        }
        return loaded
    }
}
