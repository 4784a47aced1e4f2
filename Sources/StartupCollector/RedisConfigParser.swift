/// Reads redis.conf the way Redis does (`loadServerConfig` + `loadServerConfigFromString`): files read in
/// `fgets` chunks, lines tokenized by `sdssplitargs`, names case-insensitive, `include` expanded in place (with
/// globs, Redis ≥ 7.0), `dir` changing the directory that later relative includes resolve against, and
/// command-line overrides applied last. Nothing here stops on bad input: what cannot be read is reported.
public struct RedisConfigParser: Sendable {
    public var fileSystem: any ConfigFileSystem
    /// Redis has no limit (a cycle overflows its stack), so a deeper chain means files changed since the start.
    public var maxIncludeDepth = 16
    public var fileSizeLimit = 16 << 20

    public init(fileSystem: any ConfigFileSystem = LocalFileSystem()) {
        self.fileSystem = fileSystem
    }

    /// Everything a server read at start: its config file (absolute, or nil), standard input (unknown content),
    /// then the command-line overrides. `startDirectory` is where relative paths resolve until a `dir` line.
    public func load(configFile: String?, configFromStdin: Bool = false, overrides: [ConfigOverride] = [],
                     startDirectory: String?) -> ParsedConfig {
        var state = State(config: ParsedConfig(), directory: startDirectory.map(canonical))
        if let configFile { include(configFile, from: nil, depth: 0, state: &state) }
        if configFromStdin {
            state.markUnknown("config read from standard input (redis-server -): its content is unknown")
        }
        for override in overrides {
            let source = ConfigLineSource.commandLine(option: override.option)
            apply(ArraySlice(override.line.utf8), source: source, depth: 0, state: &state)
        }
        state.config.workingDirectory = state.directory
        return state.config
    }

    /// One file's text on its own (no command line): for tests and for reading a config the operator points at.
    public func parse(text: String, path: String, startDirectory: String?) -> ParsedConfig {
        var state = State(config: ParsedConfig(), directory: startDirectory.map(canonical))
        state.stack = [path]
        state.config.files = [path]
        process(Array(text.utf8), path: path, depth: 0, state: &state)
        state.config.workingDirectory = state.directory
        return state.config
    }

    private struct State {
        var config: ParsedConfig
        var directory: String?
        /// Still the start directory (no absolute `dir` seen yet).
        var atStart = true
        var stack: [String] = []

        mutating func markUnknown(_ reason: String, path: String? = nil, error: FileError? = nil) {
            config.unknown.append(UnknownContent(position: config.directives.count, reason: reason, path: path,
                                                 error: error))
            config.warnings.append(reason)
        }
    }

    /// An include pattern (or the config file itself, which Redis reads through the same function).
    private func include(_ pattern: String, from source: ConfigLineSource?, depth: Int, state: inout State) {
        let label = source.map { "include \(pattern) (\($0))" } ?? "config file \(pattern)"
        let resolved: String
        if Paths.isAbsolute(pattern) {
            resolved = Paths.normalize(pattern)
        } else if let directory = state.directory {
            resolved = Paths.resolve(pattern, against: directory)
            if state.atStart { state.config.dependsOnStartDirectory = true }
        } else {
            state.markUnknown("\(label): relative path and the server's start directory is unknown")
            return
        }
        guard depth <= maxIncludeDepth else {
            state.markUnknown("\(label): includes nested deeper than \(maxIncludeDepth), not read")
            return
        }
        // A pattern matching nothing is skipped by Redis too (an empty conf.d is fine).
        let paths = Paths.hasWildcard(resolved) ? fileSystem.glob(resolved) : [resolved]
        for path in paths {
            guard !state.stack.contains(path) else {
                state.config.warnings.append("\(label): include cycle through \(path), not followed")
                continue
            }
            let name = source.map { "include \(path) (\($0))" } ?? "config file \(path)"
            switch fileSystem.read(path, limit: fileSizeLimit) {
            case .failure(let error):
                state.markUnknown("\(name): \(error)", path: path, error: error)
            case .success(let (bytes, truncated)):
                state.config.files.append(path)
                state.stack.append(path)
                process(bytes, path: path, depth: depth, state: &state)
                state.stack.removeLast()
                if truncated {
                    state.markUnknown("\(name): larger than \(fileSizeLimit >> 20) MiB, the rest not read")
                }
            }
        }
    }

    private func process(_ bytes: [UInt8], path: String, depth: Int, state: inout State) {
        for line in ConfigText.lines(bytes) {
            let source = ConfigLineSource.file(path: path, line: line.number)
            if line.hadNUL {
                state.config.warnings.append("\(source): NUL byte, the rest of the line ignored (as Redis does)")
            }
            apply(line.bytes[...], source: source, depth: depth, state: &state)
        }
    }

    private func apply(_ raw: ArraySlice<UInt8>, source: ConfigLineSource, depth: Int, state: inout State) {
        let line = ConfigText.trimmed(raw)
        guard let first = line.first, first != UInt8(ascii: "#") else { return }
        guard let words = ConfigArguments.split(line) else {
            state.config.warnings.append("\(source): unbalanced quotes, line ignored (Redis would refuse it)")
            return
        }
        guard let nameBytes = words.first else { return }
        let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
        let arguments = words.dropFirst().map { String(decoding: $0, as: UTF8.self) }
        if name == "include", arguments.count == 1 {
            include(arguments[0], from: source, depth: depth + 1, state: &state)
            return
        }
        if name == "dir", arguments.count == 1 {
            // Redis chdir()s right here, so later relative includes (and the final `dir`) start from it.
            if Paths.isAbsolute(arguments[0]) {
                state.atStart = false
            } else if state.atStart {
                state.config.dependsOnStartDirectory = true
            }
            if Paths.isAbsolute(arguments[0]) || state.directory != nil {
                state.directory = canonical(Paths.resolve(arguments[0], against: state.directory ?? "/"))
            } else {
                state.directory = nil
            }
        }
        state.config.directives.append(ConfigDirective(name: name, arguments: arguments, source: source))
    }

    private func canonical(_ path: String) -> String {
        fileSystem.canonicalDirectory(path) ?? Paths.normalize(path)
    }
}
