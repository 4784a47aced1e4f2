import AoftopPipeline
import ArgumentParser
import Glibc
import RedisCollector

/// What to read on this host when discovery is not enough: the process, its log, its config file.
struct ProcessOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Read /proc for this pid instead of discovering it.")
    var pid: Int32?

    @Option(help: ArgumentHelp(
        "Follow this log instead of the one CONFIG GET logfile names; - reads it from standard input "
            + "(docker logs -f NAME 2>&1 | aoftop --log - -p PORT).",
        valueName: "path"))
    var log: String?

    @Option(help: ArgumentHelp(
        "The server's config file, for when Redis cannot be asked and its process title hides it (set-proc-title).",
        valueName: "path"))
    var config: String?

    @OptionGroup var local: HostOptions

    func validate() throws {
        if let pid, pid <= 0 { throw ValidationError("--pid must be a positive process id") }
        if let problem = Self.logArgumentProblem(CommandLine.arguments.dropFirst(), log: log) { throw ValidationError(problem) }
    }

    /// `--log -`: the log is standard input.
    var logFromStandardInput: Bool { log == StandardInputLog.argument }

    /// Why `--log` cannot be used as given: twice (the parser would keep the last silently), or `-` on a terminal
    /// or a closed standard input.
    static func logArgumentProblem(_ arguments: ArraySlice<String>, log: String?) -> String? {
        let options = arguments.prefix { $0 != "--" }
        if options.filter({ $0 == "--log" || $0.hasPrefix("--log=") }).count > 1 {
            return "--log given more than once: name one log (- for standard input)"
        }
        guard log == StandardInputLog.argument else { return nil }
        return StandardInputLog.problem()
    }

    /// Whether any of them was given (the dashboard then watches that one server).
    var isExplicit: Bool { pid != nil || log != nil || config != nil }

    /// The collection target for `target`'s server with these overrides.
    func collectionTarget(_ target: TargetOptions, credentials: RedisCredentials?, logBacklogBytes: Int = 64 * 1024) -> CollectionTarget {
        CollectionTarget(endpoint: target.endpoint, credentials: credentials, timeout: target.timeout, pid: pid,
                         logPath: logFromStandardInput ? nil : log, configFile: config, logBacklogBytes: logBacklogBytes,
                         procRoot: local.procRoot, sysRoot: local.sysRoot, clientListInterval: target.clientListInterval,
                         logStreamFd: logFromStandardInput ? STDIN_FILENO : nil)
    }
}

/// `--log -`: the Redis log piped in on standard input.
enum StandardInputLog {
    static let argument = "-"

    /// Why standard input cannot carry the log, or nil when it can (a pipe, a file, a socket).
    static func problem() -> String? {
        if fcntl(STDIN_FILENO, F_GETFL) < 0 { return "--log -: standard input is closed; pipe the log in, \(example)" }
        if isatty(STDIN_FILENO) == 1 { return "--log -: standard input is a terminal; pipe the log in, \(example)" }
        return nil
    }

    static let example = "e.g. docker logs -f NAME 2>&1 | aoftop --log - -p PORT"
}
