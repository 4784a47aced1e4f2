import ArgumentParser
import Glibc

/// Where this host's processes are read: `/proc`, or another mount of it (a sidecar or a `hostPID` pod that
/// mounts the host's `/proc` elsewhere, a bind mount).
struct HostOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Read processes from this proc file system instead of /proc (e.g. the host's /proc mounted into a container).",
        valueName: "dir"))
    var procRoot: String = "/proc"

    func validate() throws {
        var info = stat()
        guard stat(procRoot, &info) == 0 else {
            throw ValidationError("--proc-root \(procRoot): \(String(cString: strerror(errno)))")
        }
        // What every proc mount has and an ordinary directory does not (Glibc's module lacks statfs's f_type).
        guard access(procRoot + "/stat", R_OK) == 0, access(procRoot + "/meminfo", R_OK) == 0 else {
            throw ValidationError("--proc-root \(procRoot) is not a proc file system (mount -t proc proc DIR, or mount --bind /proc DIR)")
        }
    }
}
