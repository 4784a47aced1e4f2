import AoftopPipeline
import ProcCollector
import RedisCollector

/// One instance to watch: how to reach it and what discovery learnt about it.
public struct FleetTarget: Sendable, Equatable {
    /// `127.0.0.1:6379`, `/run/redis.sock` or `pid 1838`: the key of the instance everywhere (labels, rows).
    public var name: String
    public var endpoint: RedisEndpoint?
    /// The server process when discovered (or given); otherwise found from the endpoint's listening socket.
    public var pid: Int32?
    /// TCP ports the process listens on (discovery), or the endpoint's port.
    public var ports: [Int]

    public init(name: String, endpoint: RedisEndpoint?, pid: Int32?, ports: [Int]) {
        self.name = name
        self.endpoint = endpoint
        self.pid = pid
        self.ports = ports
    }

    /// A target the operator named.
    public init(endpoint: RedisEndpoint) {
        var ports: [Int] = []
        if case .tcp(_, let port) = endpoint { ports = [port] }
        self.init(name: endpoint.description, endpoint: endpoint, pid: nil, ports: ports)
    }

    /// A discovered server: reached on 127.0.0.1 at its lowest TCP port, else at its first unix socket; a server
    /// whose sockets cannot be read (another user's, without root) is watched through `/proc` by pid alone.
    public init(server: ServerProcess) {
        let endpoint: RedisEndpoint?
        if let port = server.tcpPorts.first {
            endpoint = .tcp(host: "127.0.0.1", port: port)
        } else if let path = server.unixSockets.first(where: { $0.hasPrefix("/") }) {
            endpoint = .unix(path: path)
        } else {
            endpoint = nil
        }
        self.init(name: endpoint?.description ?? "pid \(server.pid)", endpoint: endpoint, pid: server.pid,
                  ports: server.tcpPorts)
    }

    /// The first port, the `port` label and column; `nil` for a socket-only target.
    public var port: Int? { ports.first }

    /// The collectors' settings for this instance; `template` carries credentials, timeout and proc root.
    /// The pid is pinned only when there is no endpoint: otherwise the collector follows INFO's `process_id`
    /// and the listening socket, so a restarted server is found again under the same name.
    public func collectionTarget(_ template: CollectionTarget) -> CollectionTarget {
        var target = template
        target.endpoint = endpoint
        target.pid = endpoint == nil ? pid : template.pid
        return target
    }
}

public enum FleetDiscovery {
    /// Every local redis-server/valkey-server as a target, in pid order. Two processes can never claim the same
    /// listener, but a socket-less one is named by pid, so names stay unique.
    public static func targets(procRoot: String = "/proc") -> [FleetTarget] {
        ProcessDiscovery(procRoot: procRoot).servers().map(FleetTarget.init(server:))
    }
}
