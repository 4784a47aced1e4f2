import ArgumentParser
import Foundation
import RedisCollector

/// The redis-cli style flags that say which server to watch.
struct TargetOptions: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: "Server hostname or IP (default: 127.0.0.1).")
    var host: String?

    @Option(name: [.customShort("p"), .long], parsing: .unconditional, help: "Server port (default: 6379).")
    var port: Int?

    @Option(name: [.customShort("s"), .long], help: "Server unix socket (overrides host and port).")
    var socket: String?

    @Option(help: "ACL user name (the password comes from REDISCLI_AUTH or --password-file).")
    var user: String?

    @Option(help: ArgumentHelp("Read the password from the first line of this file.", valueName: "path"))
    var passwordFile: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Connect and read timeout for Redis, in seconds.", valueName: "seconds"))
    var timeout: Double = 1.0

    /// redis-cli's `-a` puts the password where `ps` shows it; refuse it with the alternatives instead of
    /// "unknown option".
    @Option(name: [.customShort("a"), .customLong("pass")], help: .hidden)
    var passwordOnCommandLine: String?

    func validate() throws {
        if passwordOnCommandLine != nil {
            throw ValidationError("a password on the command line is visible to every user in `ps`: use REDISCLI_AUTH or --password-file")
        }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535, not \(port)")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be between 0 and 60 seconds") }
    }

    var endpoint: RedisEndpoint {
        if let socket { return .unix(path: socket) }
        return .tcp(host: host ?? "127.0.0.1", port: port ?? 6379)
    }

    /// Whether the operator named a server (otherwise the dashboard may offer the demo).
    var isExplicit: Bool { host != nil || port != nil || socket != nil }

    func credentials() throws -> RedisCredentials? {
        try RedisCredentials.resolve(user: user, passwordFile: passwordFile,
                                     environment: ProcessInfo.processInfo.environment)
    }
}
