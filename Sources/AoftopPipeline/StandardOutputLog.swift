import AoftopModel
import ProcCollector
import RedisCollector

/// What the log pane says for a server that logs to standard output (`logfile ""`, as official container images
/// and many systemd units run it): where the lines go on this host, and the exact command that pipes them into
/// aoftop (`--log -`), from the log's start so the since-start counts are whole.
enum StandardOutputLog {
    static let preamble = "Redis logs to standard output (logfile \"\")"

    /// `--log` takes `-` for standard input; the rest of the command names the same server as this aoftop.
    static func guidance(_ destination: LogDestination, endpoint: RedisEndpoint?, pid: Int32?) -> String {
        let aoftop = (["aoftop", "--log", "-"] + targetArguments(endpoint: endpoint, pid: pid)).joined(separator: " ")
        let since = destination.startedAt
        switch (destination.supervisor, destination.output) {
        case (_, .devNull):
            return "\(preamble), which goes to /dev/null: nothing keeps it; restart it with logfile PATH "
                + "(CONFIG SET cannot change logfile)"
        case (_, .closed):
            return "\(preamble), and its standard output is closed: nothing keeps it; restart it with logfile PATH"
        case (_, .terminal(let tty)):
            return "\(preamble), to the terminal \(tty): nothing keeps it; restart it with logfile PATH, or "
                + "redis-server ... | tee redis.log | \(aoftop)"
        case (.systemdService(let unit), _):
            let from = since.map { " --since @\($0)" } ?? ""
            return "\(preamble), which systemd sends to the journal: journalctl -f -o cat -u \(unit)\(from) | \(aoftop)"
        case (.container(let runtime, let id), _):
            let from = since.map { " --since \($0)" } ?? ""
            let command = runtime == .containerd ? "nerdctl" : runtime.rawValue
            return "\(preamble), which the container runtime keeps: \(command) logs -f\(from) \(id.prefix(12)) 2>&1 | \(aoftop)"
        case (.kubernetesPod(let uid, _), _):
            let from = since.map { " --since-time=\(Timestamp(millisecondsSince1970: $0 * 1000).iso8601)" } ?? ""
            let pod = destination.hostName ?? "POD"
            return "\(preamble), which Kubernetes keeps (pod uid \(uid)): kubectl logs -f\(from) \(pod) "
                + "(add -n NAMESPACE -c CONTAINER) | \(aoftop)"
        case (.unknown, .unreadable(let reason)):
            return "\(preamble) and \(reason): pipe the log in: ... | \(aoftop)"
        case (.unknown, .socket):
            return "\(preamble), into a socket: pipe the same output into \(aoftop)"
        case (.unknown, .pipe), (.unknown, .file):
            return "\(preamble), into a pipe: pipe the same output into \(aoftop)"
        }
    }

    private static func targetArguments(endpoint: RedisEndpoint?, pid: Int32?) -> [String] {
        switch endpoint {
        case .tcp(let host, let port)?:
            return (host == "127.0.0.1" ? [] : ["-h", host]) + ["-p", String(port)]
        case .unix(let path)?:
            return ["-s", path]
        case nil:
            return pid.map { ["--pid", String($0)] } ?? []
        }
    }
}
