import AoftopModel
import Glibc

/// Opens the server's own paths (`logfile`, `dir`, `appenddirname` from CONFIG or its config file) from aoftop's
/// side: as named, or through `/proc/PID/root` when the server has a mount namespace of its own (a container, a
/// systemd unit with `PrivateTmp=`, `unshare --mount`) and the name there means another file.
///
/// The path opened is the path shown, so a log read through the root says so: `/proc/4242/root/data/redis.log`.
struct ProcessPaths {
    /// `PROC/PID/root`; nil when the server sees aoftop's file system (or its namespace cannot be told).
    let root: String?

    static let host = ProcessPaths(root: nil)

    init(root: String?) { self.root = root }

    init(procRoot: String, process: ProcSample?) {
        guard let process, process.namespaces?.ownMountNamespace == true else { root = nil; return }
        root = "\(procRoot)/\(process.pid)/root"
    }

    /// The path aoftop opens for the server's absolute `path`. The plain name when it is the same file from both
    /// sides (a systemd unit's private `/tmp` leaves `/var/log` shared): that reads better and survives a restart.
    func hostPath(_ path: String) -> String {
        guard let root, path.hasPrefix("/") else { return path }
        let inside = root + path
        var own = stat(), theirs = stat()
        if stat(path, &own) == 0, stat(inside, &theirs) == 0, own.st_dev == theirs.st_dev, own.st_ino == theirs.st_ino {
            return path
        }
        return inside
    }
}
