import AoftopModel

/// How a running server was started, as far as it can be told from outside: the config file it read (maybe
/// relative), its command-line overrides, and where relative paths may resolve.
public struct ConfigSource: Sendable, Equatable {
    public var location: ConfigFileLocation
    /// As given: relative to the directory the server started in unless absolute; `nil` for `.none`.
    public var configFile: String?
    /// `nil` when only the file is known (`--config` given and the process title rewritten, no unit).
    public var commandLine: ServerCommandLine?
    /// Where the server may have started, most likely first (relative paths resolve against it until a `dir`).
    public var startDirectories: [String]
    /// `/proc/PID/cwd` now: the last `dir` the server applied, which tells which start directory was right.
    public var currentDirectory: String?
    /// Caveats found on the way, one line each.
    public var warnings: [String]

    public init(location: ConfigFileLocation, configFile: String?, commandLine: ServerCommandLine?,
                startDirectories: [String], currentDirectory: String?, warnings: [String] = []) {
        self.location = location
        self.configFile = configFile
        self.commandLine = commandLine
        self.startDirectories = startDirectories
        self.currentDirectory = currentDirectory
        self.warnings = warnings
    }
}

/// Finds how a server process was started: the operator's `--config`, else its argv (while the title is not
/// rewritten), else its systemd unit's `ExecStart=`.
public struct ConfigSourceLocator: Sendable {
    public var procRoot: String
    public var explicitConfigFile: String?
    /// Where unit files are looked up, highest priority first.
    public var systemdRoots: [String]

    public static let defaultSystemdRoots = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system",
                                             "/usr/lib/systemd/system"]

    public init(procRoot: String = "/proc", explicitConfigFile: String? = nil,
                systemdRoots: [String] = ConfigSourceLocator.defaultSystemdRoots) {
        self.procRoot = procRoot
        self.explicitConfigFile = explicitConfigFile
        self.systemdRoots = systemdRoots
    }

    public enum Lookup: Sendable, Equatable {
        case found(ConfigSource)
        /// One line an operator can act on.
        case unknown(String)
    }

    public func locate(pid: Int32) -> Lookup {
        let process = "\(procRoot)/\(pid)"
        let currentDirectory = try? FileReading.readLink(process + "/cwd").get()
        let parentDirectory = FileReading.readText(process + "/stat").ok.flatMap(ProcessStat.parse)
            .flatMap { try? FileReading.readLink("\(procRoot)/\($0.parentPid)/cwd").get() }
        var processDirectories = [currentDirectory, parentDirectory].compactMap { $0 }
        if processDirectories.count == 2, processDirectories[0] == processDirectories[1] { processDirectories.removeLast() }

        var warnings: [String] = []
        var commandLine: ServerCommandLine?
        var titleNote: String?
        switch FileReading.readText(process + "/cmdline") {
        case .failure(let error):
            titleNote = "cannot read \(process)/cmdline: \(error)"
        case .success(let bytes):
            switch ProcessCommandLine.decode(bytes) {
            case .arguments(let argv)?: commandLine = ServerCommandLine(arguments: argv)
            case .rewrittenTitle(let title)?:
                titleNote = "process title rewritten (set-proc-title yes): \"\(title)\""
            case nil: titleNote = "\(process)/cmdline is empty (the process is exiting)"
            }
        }

        // The unit is consulted only when argv is lost; it is what systemd ran, not necessarily what is running.
        var unitSource: ConfigSource?
        var unitNote: String?
        if commandLine == nil {
            switch systemdSource(process: process, currentDirectory: currentDirectory) {
            case .success(let source): unitSource = source
            case .failure(let note): unitNote = note.text
            }
        }

        if let explicit = explicitConfigFile {
            let path = Paths.isAbsolute(explicit) ? explicit
                : Paths.resolve(explicit, against: FileReading.currentDirectory() ?? "/")
            let known = commandLine ?? unitSource?.commandLine
            if known == nil {
                warnings.append("command-line overrides unknown (\(titleNote ?? "no command line")); "
                    + "values are the config file's")
            }
            let starts = unitSource?.startDirectories ?? processDirectories
            return .found(ConfigSource(location: .explicit, configFile: path, commandLine: known,
                                       startDirectories: starts, currentDirectory: currentDirectory,
                                       warnings: warnings + (unitSource?.warnings ?? [])))
        }
        if let commandLine {
            return .found(ConfigSource(location: commandLine.configFile == nil ? .none : .commandLine,
                                       configFile: commandLine.configFile, commandLine: commandLine,
                                       startDirectories: processDirectories, currentDirectory: currentDirectory))
        }
        if let unitSource { return .found(unitSource) }
        let why = [titleNote, unitNote].compactMap { $0 }.joined(separator: "; ")
        return .unknown("config file unknown: \(why): pass --config PATH")
    }

    private struct Note: Error { var text: String }

    private func systemdSource(process: String, currentDirectory: String?) -> Result<ConfigSource, Note> {
        guard let cgroup = FileReading.readText(process + "/cgroup").ok,
              let unitName = ControlGroup.serviceUnit(cgroup) else {
            return .failure(Note(text: "not started by a systemd service"))
        }
        let unit: SystemdUnit
        switch SystemdUnit.load(unitName, roots: systemdRoots) {
        case .success(let loaded): unit = loaded
        case .failure(.notFound): return .failure(Note(text: "unit file of \(unitName) not found"))
        case .failure(.unreadable(let path, let error)): return .failure(Note(text: "\(path): \(error)"))
        }
        guard let argv = unit.execStart else { return .failure(Note(text: "\(unit.path) has no ExecStart=")) }
        let executable = Paths.lastComponent(argv[0])
        guard executable.hasPrefix("redis-server") || executable.hasPrefix("valkey-server") else {
            return .failure(Note(text: "ExecStart= of \(unitName) runs \(argv[0]), not redis-server or valkey-server"))
        }
        var warnings = unit.warnings
        if argv.contains(where: { $0.contains("$") }) {
            warnings.append("ExecStart= of \(unitName) uses environment variables, read unexpanded")
        }
        let commandLine = ServerCommandLine(arguments: argv)
        // systemd starts services in WorkingDirectory= (default: the root directory).
        let start = unit.workingDirectory.map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }
            .flatMap { Paths.isAbsolute($0) ? $0 : nil } ?? "/"
        return .success(ConfigSource(location: commandLine.configFile == nil ? .none : .systemdUnit,
                                     configFile: commandLine.configFile, commandLine: commandLine,
                                     startDirectories: [start], currentDirectory: currentDirectory,
                                     warnings: warnings))
    }
}

extension Result {
    var ok: Success? { try? get() }
}
