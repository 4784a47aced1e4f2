import AoftopPipeline
import ArgumentParser
import RedisCollector

/// What to read on this host when discovery is not enough: the process, its log, its config file.
struct ProcessOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Read /proc for this pid instead of discovering it.")
    var pid: Int32?

    @Option(help: ArgumentHelp("Follow this log instead of the one CONFIG GET logfile names.", valueName: "path"))
    var log: String?

    @Option(help: ArgumentHelp(
        "The server's config file, for when Redis cannot be asked and its process title hides it (set-proc-title).",
        valueName: "path"))
    var config: String?

    @OptionGroup var local: HostOptions

    func validate() throws {
        if let pid, pid <= 0 { throw ValidationError("--pid must be a positive process id") }
    }

    /// Whether any of them was given (the dashboard then watches that one server).
    var isExplicit: Bool { pid != nil || log != nil || config != nil }

    /// The collection target for `target`'s server with these overrides.
    func collectionTarget(_ target: TargetOptions, credentials: RedisCredentials?, logBacklogBytes: Int = 64 * 1024) -> CollectionTarget {
        CollectionTarget(endpoint: target.endpoint, credentials: credentials, timeout: target.timeout, pid: pid,
                         logPath: log, configFile: config, logBacklogBytes: logBacklogBytes,
                         procRoot: local.procRoot, clientListInterval: target.clientListInterval)
    }
}
