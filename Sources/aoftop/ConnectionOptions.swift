import ArgumentParser
import FoundationEssentials
import Glibc
import RedisCollector

/// How to log in to Redis, shared by every command that connects: the ACL user, where the password comes from,
/// the timeout.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "ACL user name (the password comes from REDISCLI_AUTH or --password-file).")
    var user: String?

    @Option(help: ArgumentHelp("Read the password from the first line of this file.", valueName: "path"))
    var passwordFile: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Connect and read timeout for Redis, in seconds.", valueName: "seconds"))
    var timeout: Double = 1.0

    @Flag(help: ArgumentHelp(
        "Also summarise CLIENT LIST (clients by address, name, library, idle time, db, command), at most every \(Int(ConnectionOptions.clientListSeconds)) s. Needs +client|list in the ACL."))
    var clientList = false

    /// How often `--client-list` reads: the reply lists every client (MBs at 10,000), built in Redis's one thread.
    static let clientListSeconds = 5.0

    /// `CollectionTarget.clientListInterval` for these options.
    var clientListInterval: Double? { clientList ? Self.clientListSeconds : nil }

    /// redis-cli's `-a` puts the password where `ps` shows it; refuse it with the alternatives instead of
    /// "unknown option".
    @Option(name: [.customShort("a"), .customLong("pass")], help: .hidden)
    var passwordOnCommandLine: String?

    func validate() throws {
        if passwordOnCommandLine != nil {
            throw ValidationError("a password on the command line is visible to every user in `ps`: use REDISCLI_AUTH or --password-file")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be between 0 and 60 seconds") }
    }

    func credentials() throws -> RedisCredentials? {
        try RedisCredentials.resolve(user: user, passwordFile: passwordFile,
                                     environment: Environment.current())
    }
}
