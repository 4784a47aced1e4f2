/// Where one config line came from.
public enum ConfigLineSource: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A line of the config file or of a file it includes (1-based line number).
    case file(path: String, line: Int)
    /// A `--name value` argument.
    case commandLine(option: String)

    /// `/etc/redis/redis.conf:231` or `--maxclients`.
    public var description: String {
        switch self {
        case let .file(path, line): "\(path):\(line)"
        case let .commandLine(option): option
        }
    }
}

/// One config line as Redis applied it.
public struct ConfigDirective: Sendable, Equatable {
    /// Lower-cased, as Redis compares names.
    public var name: String
    public var arguments: [String]
    public var source: ConfigLineSource

    public init(name: String, arguments: [String], source: ConfigLineSource) {
        self.name = name
        self.arguments = arguments
        self.source = source
    }
}

/// Config content that exists but could not be read (an unreadable include, the config piped on stdin): any
/// directive not set again after it may have a different value.
public struct UnknownContent: Sendable, Equatable {
    /// How many directives were applied before it.
    public var position: Int
    /// One line: `include /etc/redis/extra.conf: permission denied (…)`.
    public var reason: String
    /// The unreadable file, when it is one.
    public var path: String?
    public var error: FileError?
}

/// The outcome of reading a server's config the way Redis did at start.
public struct ParsedConfig: Sendable, Equatable {
    /// In the order Redis applied them; the last of a name wins.
    public var directives: [ConfigDirective] = []
    public var unknown: [UnknownContent] = []
    /// Problems that did not stop the reading, one line each.
    public var warnings: [String] = []
    /// Every file read, in order (for staleness checks).
    public var files: [String] = []
    /// The working directory after every `dir` directive: what `CONFIG GET dir` reported at start. `nil` when
    /// the start directory is unknown and a `dir` was relative (or none was given).
    public var workingDirectory: String?
    /// A relative include or `dir` was resolved against the start directory (so a wrong guess of it matters).
    public var dependsOnStartDirectory = false

    public init() {}

    /// What the config says about one directive.
    public enum Lookup: Equatable, Sendable {
        case set(ConfigDirective)
        /// Appears nowhere: the compiled-in default applies.
        case absent
        /// Not set after some content that could not be read: it may be set there.
        case unknown(String)
    }

    /// The last occurrence of `name` (lower case), unless unreadable content came after it.
    public func lookup(_ name: String) -> Lookup {
        let last = directives.lastIndex { $0.name == name }
        if let blind = unknown.last, blind.position > (last ?? -1) { return .unknown(blind.reason) }
        return last.map { .set(directives[$0]) } ?? .absent
    }
}
