#if canImport(Glibc)
import Glibc
#endif
import AoftopModel

/// What a server process was started with, read from `/proc`, its config files and its systemd unit: the
/// settings aoftop needs when Redis refuses every client. Files are read once per process (pid + start ticks);
/// later samples only `stat` them to flag a config deleted or edited since the start.
///
/// Not thread-safe: one owner calls `sample`.
public final class StartupSampler {
    private let locator: ConfigSourceLocator
    private let parser: RedisConfigParser
    private var cached: (identity: Identity, entry: Entry)?

    public init(procRoot: String = "/proc", explicitConfigFile: String? = nil,
                systemdRoots: [String] = ConfigSourceLocator.defaultSystemdRoots,
                fileSystem: any ConfigFileSystem = LocalFileSystem()) {
        locator = ConfigSourceLocator(procRoot: procRoot, explicitConfigFile: explicitConfigFile,
                                      systemdRoots: systemdRoots)
        parser = RedisConfigParser(fileSystem: fileSystem)
    }

    /// `binary`, when known, is copied in and decides whether `appenddirname` has a default (Redis ≥ 7.0, Valkey).
    /// `fileRoot` (`/proc/PID/root`) is where the server's own paths are opened when it has a mount namespace of
    /// its own; the config file the operator named with `--config` is a path of aoftop's and read as given.
    public func sample(pid: Int32, startTicks: UInt64?, binary: ServerBinary? = nil,
                       fileRoot: String? = nil) -> Reading<ServerStartup> {
        let identity = Identity(pid: pid, startTicks: startTicks)
        let entry: Entry
        if let cached, cached.identity == identity {
            entry = cached.entry
        } else {
            entry = load(pid: pid, startTicks: startTicks, fileRoot: fileRoot)
            cached = (identity, entry)
        }
        switch entry {
        case .failed(let reason):
            return .failed(reason)
        case .loaded(let loaded):
            var startup = ServerStartup(binary: binary, configFile: loaded.configFile,
                                        configFileLocation: loaded.location, warnings: loaded.warnings)
            StartupSettings.fill(&startup, from: loaded.config, defaultDirectory: loaded.defaultDirectory,
                                 binary: binary)
            startup.warnings += Self.staleness(of: loaded.config.files, mainFile: loaded.configFile,
                                               startedAt: loaded.startedAt, root: loaded.fileRoot ?? "")
            return .ok(startup)
        }
    }

    private struct Identity: Equatable {
        var pid: Int32
        var startTicks: UInt64?
    }

    private struct Loaded {
        var location: ConfigFileLocation
        var configFile: String?
        var config: ParsedConfig
        var defaultDirectory: String?
        var warnings: [String]
        /// Seconds since the epoch; `nil` when `/proc/stat` or the process's `stat` could not be read.
        var startedAt: Double?
        /// The `/proc/PID/root` the files were read through; nil: as named.
        var fileRoot: String?
    }

    private enum Entry {
        case loaded(Loaded)
        case failed(String)
    }

    private func load(pid: Int32, startTicks: UInt64?, fileRoot: String?) -> Entry {
        let source: ConfigSource
        switch locator.locate(pid: pid) {
        case .unknown(let reason): return .failed(reason)
        case .found(let found): source = found
        }
        let root = source.location == .explicit ? nil : fileRoot
        var parser = self.parser
        var viewNote: [String] = []
        if let root {
            parser.fileSystem = RootedFileSystem(root: root, base: parser.fileSystem)
            viewNote = ["config read inside the server's mount namespace, through \(root)"]
        }
        switch StartupConfigLoader(parser: parser).load(source) {
        case .failure(let failure):
            return .failed(failure.reason + (root.map { " (through \($0))" } ?? ""))
        case .success(let result):
            return .loaded(Loaded(location: source.location, configFile: result.configFile, config: result.config,
                                  defaultDirectory: source.currentDirectory ?? result.startDirectory,
                                  warnings: viewNote + source.warnings + result.warnings + result.config.warnings,
                                  startedAt: startTime(pid: pid, startTicks: startTicks), fileRoot: root))
        }
    }

    private func startTime(pid: Int32, startTicks: UInt64?) -> Double? {
        let procRoot = locator.procRoot
        guard let boot = FileReading.readText(procRoot + "/stat").ok.flatMap(BootTime.parse),
              let ticks = startTicks ?? FileReading.readText("\(procRoot)/\(pid)/stat").ok
                .flatMap(ProcessStat.parse)?.startTicks else { return nil }
        let hertz = sysconf(Int32(_SC_CLK_TCK))
        return Double(boot) + Double(ticks) / Double(hertz > 0 ? hertz : 100)
    }

    /// One `stat` per file read. A file Redis read cannot have been missing at start (it exits then), so a
    /// missing one was deleted since; a modification time after the start means the running server may differ.
    private static func staleness(of files: [String], mainFile: String?, startedAt: Double?, root: String) -> [String] {
        var warnings: [String] = []
        for path in files {
            let what = path == mainFile ? "config file \(path)" : "included file \(path)"
            switch FileReading.status(root + path) {
            case .failure(let error) where error.errno == ENOENT:
                warnings.append("\(what) deleted after the server started")
            case .failure:
                continue
            case .success(let status):
                let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
                // btime is whole seconds, so the start time is known only to within one second.
                if let startedAt, modified > startedAt + 1 {
                    warnings.append("\(what) changed after the server started: the running values may differ")
                }
            }
        }
        return warnings
    }
}
