import ArgumentParser
import FoundationEssentials
import Glibc
import RedisCollector

/// The redis-cli style flags that say which server to watch.
struct TargetOptions: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: "Server hostname or IP (default: 127.0.0.1).")
    var host: String?

    @Option(name: [.customShort("p"), .long], parsing: .unconditional, help: "Server port (default: 6379).")
    var port: Int?

    @Option(name: [.customShort("s"), .long], help: "Server unix socket (overrides host and port).")
    var socket: String?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535, not \(port)")
        }
    }

    var endpoint: RedisEndpoint {
        if let socket { return .unix(path: socket) }
        return .tcp(host: host ?? "127.0.0.1", port: port ?? 6379)
    }

    /// Whether the operator named a server (otherwise the dashboard may offer the demo).
    var isExplicit: Bool { host != nil || port != nil || socket != nil }

    var timeout: Double { connection.timeout }
    var clientListInterval: Double? { connection.clientListInterval }

    func credentials() throws -> RedisCredentials? { try connection.credentials() }
}
