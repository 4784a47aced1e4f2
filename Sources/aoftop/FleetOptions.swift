import AoftopFleet
import AoftopPipeline
import ArgumentParser
import RedisCollector

/// Which instances a fleet command watches: the ones named (`-p 6379 -p 6380`, `-s /run/redis.sock`,
/// `10.0.0.5:6379`), or every local redis-server/valkey-server (`--all`, the default when none is named).
struct FleetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Instances: HOST:PORT, PORT or a unix socket path.", valueName: "instance"))
    var instances: [String] = []

    @Option(name: [.customShort("h"), .long], help: "Host for the -p ports (default: 127.0.0.1).")
    var host: String?

    @Option(name: [.customShort("p"), .customLong("port")], parsing: .unconditionalSingleValue, help: "An instance's port (repeatable).")
    var ports: [Int] = []

    @Option(name: [.customShort("s"), .customLong("socket")], help: "An instance's unix socket (repeatable).")
    var sockets: [String] = []

    @Flag(help: "Every local redis-server and valkey-server, found again every 10 s (the default with no instance named).")
    var all = false

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var local: HostOptions

    /// Accepted only to be refused clearly: a log (a file, or `-` for standard input) belongs to one server.
    @Option(help: .hidden)
    var log: String?

    func validate() throws {
        if log != nil {
            throw ValidationError("--log follows one server's log (dashboard, check, snapshot, record); this command watches several instances")
        }
        for port in ports where !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535, not \(port)")
        }
        if host != nil && ports.isEmpty { throw ValidationError("-h/--host needs at least one -p/--port") }
        if all && isNamed { throw ValidationError("name instances or use --all, not both") }
        for text in instances {
            if case .failure(let error) = InstanceAddress.parse(text) { throw ValidationError(error.description) }
        }
    }

    private var isNamed: Bool { !instances.isEmpty || !ports.isEmpty || !sockets.isEmpty }

    /// The named instances in the order given, without repeats; `nil` means every local one.
    var namedTargets: [FleetTarget]? {
        guard isNamed else { return nil }
        var endpoints = ports.map { RedisEndpoint.tcp(host: host ?? "127.0.0.1", port: $0) }
        endpoints += sockets.map { RedisEndpoint.unix(path: $0) }
        endpoints += instances.compactMap { try? InstanceAddress.parse($0).get() }
        var seen = Set<RedisEndpoint>()
        return endpoints.filter { seen.insert($0).inserted }.map(FleetTarget.init(endpoint:))
    }

    /// The collection settings shared by every instance (credentials, timeout).
    func collectionTemplate() throws -> CollectionTarget {
        CollectionTarget(endpoint: nil, credentials: try connection.credentials(), timeout: connection.timeout,
                         procRoot: local.procRoot, sysRoot: local.sysRoot, clientListInterval: connection.clientListInterval)
    }
}
