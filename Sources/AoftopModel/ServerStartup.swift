/// Where a server setting's value came from. Every value the analysis uses without Redis says which of these it is,
/// so a pane can show "maxclients 2000 (config file)" and an operator knows how far to trust it.
public enum SettingOrigin: String, Sendable, Codable, CaseIterable {
    /// `CONFIG GET`, in this snapshot.
    case config
    /// `INFO`, in this snapshot.
    case info
    /// `CONFIG`/`INFO` read earlier from this same process (Redis cannot be asked now).
    case lastKnown = "last-known"
    /// What the process did: a refused client's fd number, the limits it logged at start.
    case evidence
    /// A `--name value` argument the server was started with.
    case commandLine = "command-line"
    /// The server's config file (or a file it includes).
    case configFile = "config-file"
    /// That version's compiled-in default (the directive appears nowhere).
    case defaultValue = "default"
}

/// One setting and where it came from.
public struct Setting<Value: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    public var value: Value
    public var origin: SettingOrigin
    /// Where exactly: `/etc/redis/redis.conf:231`, `--maxclients`, `Redis 7.0 default`.
    public var detail: String?

    public init(_ value: Value, origin: SettingOrigin, detail: String? = nil) {
        self.value = value
        self.origin = origin
        self.detail = detail
    }
}

/// How the config file of a running server was found.
public enum ConfigFileLocation: String, Sendable, Codable {
    /// The operator named it (`--config PATH`).
    case explicit
    /// The first argument in `/proc/PID/cmdline` (only while the server has not rewritten its process title).
    case commandLine = "command-line"
    /// `ExecStart=` of the systemd unit the process runs in (from `/proc/PID/cgroup`).
    case systemdUnit = "systemd-unit"
    /// Started without a config file (the real command line shows only options).
    case none
}

/// The server binary's own identity, read from the file at `/proc/PID/exe` without running it.
public struct ServerBinary: Sendable, Codable, Equatable {
    /// `redis` or `valkey`.
    public var server: String
    /// The server's own version (Valkey's, not the `redis_version` it also carries).
    public var version: String
    public var path: String

    public init(server: String, version: String, path: String) {
        self.server = server
        self.version = version
        self.path = path
    }
}

/// What a server process was started with, read without a Redis connection: its binary, its config file (with
/// `include`s), its command-line overrides and that version's defaults for what neither sets. This is what
/// aoftop knows when it is started while Redis already refuses every client.
public struct ServerStartup: Sendable, Codable, Equatable {
    public var binary: ServerBinary?
    /// The config file as the server read it (absolute), `nil` when started without one or not found.
    public var configFile: String?
    /// How `configFile` was found; `nil` when neither a file nor its absence could be established.
    public var configFileLocation: ConfigFileLocation?
    public var maxclients: Setting<Int>?
    /// `""` means standard output.
    public var logfile: Setting<String>?
    public var dir: Setting<String>?
    public var appendonly: Setting<Bool>?
    public var appenddirname: Setting<String>?
    public var autoAofRewritePercentage: Setting<Int>?
    public var autoAofRewriteMinSize: Setting<Int64>?
    public var hz: Setting<Int>?
    /// What could not be read or may be stale, one line each (`include /etc/redis/extra.conf: permission denied`,
    /// `/etc/redis/redis.conf changed after the server started`, `config file deleted after start`).
    public var warnings: [String]

    public init(binary: ServerBinary? = nil, configFile: String? = nil, configFileLocation: ConfigFileLocation? = nil,
                maxclients: Setting<Int>? = nil, logfile: Setting<String>? = nil, dir: Setting<String>? = nil,
                appendonly: Setting<Bool>? = nil, appenddirname: Setting<String>? = nil,
                autoAofRewritePercentage: Setting<Int>? = nil, autoAofRewriteMinSize: Setting<Int64>? = nil,
                hz: Setting<Int>? = nil, warnings: [String] = []) {
        self.binary = binary
        self.configFile = configFile
        self.configFileLocation = configFileLocation
        self.maxclients = maxclients
        self.logfile = logfile
        self.dir = dir
        self.appendonly = appendonly
        self.appenddirname = appenddirname
        self.autoAofRewritePercentage = autoAofRewritePercentage
        self.autoAofRewriteMinSize = autoAofRewriteMinSize
        self.hz = hz
        self.warnings = warnings
    }

    private enum CodingKeys: String, CodingKey {
        case binary, maxclients, logfile, dir, appendonly, appenddirname, hz, warnings
        case configFile = "config_file"
        case configFileLocation = "config_file_location"
        case autoAofRewritePercentage = "auto_aof_rewrite_percentage"
        case autoAofRewriteMinSize = "auto_aof_rewrite_min_size"
    }
}
