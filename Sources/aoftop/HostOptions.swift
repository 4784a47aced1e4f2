import ArgumentParser
import Glibc

/// Where this host's processes are read: `/proc`, or another mount of it (a sidecar or a `hostPID` pod that
/// mounts the host's `/proc` elsewhere, a bind mount), and the `/sys` that goes with it (`/proc/PID/cgroup` names
/// cgroups as that host's `/sys/fs/cgroup` has them).
struct HostOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Read processes from this proc file system instead of /proc (e.g. the host's /proc mounted into a container).",
        valueName: "dir"))
    var procRoot: String = "/proc"

    @Option(help: ArgumentHelp(
        "Read memory cgroups and transparent huge pages from this sysfs instead of /sys (with --proc-root, the same host's /sys).",
        valueName: "dir"))
    var sysRoot: String = "/sys"

    func validate() throws {
        var info = stat()
        guard stat(procRoot, &info) == 0 else {
            throw ValidationError("--proc-root \(procRoot): \(String(cString: strerror(errno)))")
        }
        // What every proc mount has and an ordinary directory does not (Glibc's module lacks statfs's f_type).
        guard access(procRoot + "/stat", R_OK) == 0, access(procRoot + "/meminfo", R_OK) == 0 else {
            throw ValidationError("--proc-root \(procRoot) is not a proc file system (mount -t proc proc DIR, or mount --bind /proc DIR)")
        }
        guard access(sysRoot + "/kernel", F_OK) == 0 else {
            throw ValidationError("--sys-root \(sysRoot) is not a sysfs (mount -t sysfs sysfs DIR, or mount --bind /sys DIR)")
        }
    }
}
