import ArgumentParser

@main
struct AoftopCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "aoftop",
        abstract: "Watch a Redis/Valkey server's fds, pipes, AOF rewrites and fork failures; predict fd exhaustion.",
        discussion: """
        Target flags follow redis-cli: -h HOST, -p PORT, -s SOCKET, --user USER; the password comes from \
        REDISCLI_AUTH or --password-file, never from the command line. --help shows help (-h is the host).
        """,
        version: version,
        subcommands: [DashboardCommand.self, SnapshotCommand.self, CheckCommand.self, ListCommand.self, MetricsCommand.self, ScanCommand.self, RecordCommand.self, ReplayCommand.self, DemoCommand.self],
        defaultSubcommand: DashboardCommand.self,
        helpNames: [.long])

    /// Like ArgumentParser's `main()`, but a usage error is one line on stderr (`aoftop: …`), not the error plus a
    /// usage dump: over a slow ssh link at 3 a.m. the line that matters must not scroll away. Help and version
    /// output are unchanged.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if error is ExitCode || code == .success {
                exit(withError: error)
            }
            printError("aoftop: \(message(for: error)) (see aoftop --help)")
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
