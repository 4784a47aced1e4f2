import ProcCollector
import RedisCollector

/// Finds the pid of the server behind an endpoint, so `/proc` can be read even when Redis refuses connections.
///
/// INFO's `process_id` is trusted only when that process exists here and holds the listening socket: behind
/// NAT, in another pid namespace or on another host the number means nothing locally. Without INFO (Redis
/// unreachable, the very moment aoftop is needed) the owner of the listening socket is the answer.
struct PidResolver {
    enum Resolution: Equatable {
        case pid(Int32)
        case unknown(String)
    }

    let discovery: ProcessDiscovery

    func resolve(endpoint: RedisEndpoint, infoPid: Int32?) -> Resolution {
        switch endpoint {
        case .unix(let path):
            if let owner = discovery.pid(listeningOnUnixSocket: path) { return .pid(owner) }
            return .unknown("no local process listens on \(path) (or its fds are unreadable): pass --pid")
        case .tcp(let host, let port):
            let owner = discovery.pid(listeningOnTCPPort: port)
            if let infoPid, infoPid == owner { return .pid(infoPid) }
            if Self.isLoopback(host), let owner { return .pid(owner) }
            // Another user's server: its fds (hence its sockets) are unreadable, but its name is not. Take INFO's
            // pid so the /proc pane says "permission denied" with what to do, not "no process listens".
            if owner == nil, Self.isLoopback(host), let infoPid, discovery.serverCommand(pid: infoPid) != nil {
                return .pid(infoPid)
            }
            if owner == nil, infoPid != nil, !Self.isLoopback(host) {
                return .unknown("\(host) is not this machine: /proc and the log are read where aoftop runs; run it on the server or pass --pid")
            }
            return .unknown("no local process listens on port \(port) (or its fds are unreadable): pass --pid")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "0.0.0.0" || host == "::" || host.hasPrefix("127.")
    }
}
