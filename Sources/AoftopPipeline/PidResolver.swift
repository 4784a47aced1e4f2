import ProcCollector
import RedisCollector

/// Finds the pid of the server behind an endpoint, so `/proc` can be read even when Redis refuses connections.
///
/// INFO's `process_id` is trusted only when that process exists here and holds the listening socket: behind
/// NAT or on another host the number means nothing locally, and in another pid namespace it is that namespace's
/// number, mapped to the host's through `NSpid`. Without INFO (Redis
/// unreachable, the very moment aoftop is needed) the owner of the listening socket is the answer.
struct PidResolver {
    enum Resolution: Equatable {
        case pid(Int32)
        case unknown(String)
    }

    let discovery: ProcessDiscovery

    /// - Parameters:
    ///   - infoPid: INFO's `process_id`: the server's pid in its own pid namespace.
    ///   - infoPort: INFO's `tcp_port`: the port it listens on in its own network namespace (a container's port
    ///     may be published under another number).
    func resolve(endpoint: RedisEndpoint, infoPid: Int32?, infoPort: Int? = nil) -> Resolution {
        switch endpoint {
        case .unix(let path):
            if let owner = discovery.pid(listeningOnUnixSocket: path) { return .pid(owner) }
            if let mapped = namespaced(infoPid: infoPid, port: nil, owner: nil) { return mapped }
            return .unknown("no local process listens on \(path) (or its fds are unreadable): pass --pid")
        case .tcp(let host, let port):
            let owner = discovery.pid(listeningOnTCPPort: port)
            if let infoPid, infoPid == owner { return .pid(infoPid) }
            // A server in a pid namespace of its own (a container, `unshare --pid`) calls itself by another number.
            if let mapped = namespaced(infoPid: infoPid, port: infoPort ?? port, owner: owner) { return mapped }
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

    /// The host pid of a server that INFO names by its pid inside another pid namespace: the one candidate
    /// listening on `port` in its own network namespace, or the listening socket's owner among them.
    private func namespaced(infoPid: Int32?, port: Int?, owner: Int32?) -> Resolution? {
        guard let infoPid else { return nil }
        var candidates = discovery.servers(innerPid: infoPid)
        if let port, candidates.count > 1 { candidates = candidates.filter { $0.tcpPorts.contains(port) } }
        if let owner, candidates.contains(where: { $0.pid == owner }) { return .pid(owner) }
        switch candidates.count {
        case 0: return nil
        case 1: return .pid(candidates[0].pid)
        default:
            let pids = candidates.map { String($0.pid) }.joined(separator: ", ")
            return .unknown("\(candidates.count) servers in other pid namespaces call themselves pid \(infoPid) "
                + "(host pids \(pids)): pass --pid with the host pid")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "0.0.0.0" || host == "::" || host.hasPrefix("127.")
    }
}
