/// Where the server writes its log, from what `CONFIG GET` said.
///
/// Redis `fopen`s `logfile` for every line relative to its *current* directory, which is `dir` once the config
/// is loaded; `/proc/PID/cwd` is the authoritative answer when we can read it.
public enum LogPathResolver {
    public enum Resolution: Equatable, Sendable {
        case path(String)
        /// `logfile ""`: the lines go wherever the process's standard output goes.
        case standardOutput
        /// Why there is no file to follow, as one line for the log pane.
        case unavailable(String)
    }

    public static func resolve(logfile: String?, dir: String?, processWorkingDirectory: String?) -> Resolution {
        guard let logfile else {
            return .unavailable("log path unknown (no CONFIG GET, config file unknown): pass --log PATH or --config PATH")
        }
        if logfile.isEmpty { return .standardOutput }
        if logfile.hasPrefix("/") { return .path(logfile) }
        guard let base = processWorkingDirectory ?? dir else {
            return .unavailable("log path \"\(logfile)\" is relative and the server's directory is unknown: pass --log PATH")
        }
        return .path(join(base, logfile))
    }

    /// `dir` + `appenddirname` for Redis ≥ 7 multi-part AOF; nil before 7 (no `appenddirname`).
    public static func aofDirectory(dir: String?, appenddirname: String?, processWorkingDirectory: String?) -> String? {
        guard let appenddirname, !appenddirname.isEmpty else { return nil }
        if appenddirname.hasPrefix("/") { return appenddirname }
        guard let base = processWorkingDirectory ?? dir else { return nil }
        return join(base, appenddirname)
    }

    static func join(_ base: String, _ relative: String) -> String {
        var relative = Substring(relative)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}
