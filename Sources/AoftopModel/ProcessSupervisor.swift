/// What started and supervises a process, read from its control group path (`/proc/PID/cgroup`): where its
/// standard output ends up when Redis logs there (`logfile ""`).
public enum ProcessSupervisor: Sendable, Equatable {
    /// A systemd service: stdout goes to the journal unless the unit says otherwise.
    case systemdService(unit: String)
    /// A container; `runtime` names the command that shows its output (`docker`, `podman`, `nerdctl`).
    case container(runtime: ContainerRuntime, id: String)
    /// A Kubernetes pod's container (its output is in `kubectl logs` and the node's `/var/log/pods`).
    case kubernetesPod(uid: String, containerId: String?)
    case unknown

    public enum ContainerRuntime: String, Sendable, Equatable {
        case docker, podman, containerd
    }

    /// Every path of a `cgroup` file (v1 rows `N:controllers:/path`, the v2 row `0::/path`), the most telling match
    /// first: Kubernetes, then a container, then a systemd service (a container's scope sits inside a service's
    /// slice, never the other way round).
    public static func parse(cgroup bytes: [UInt8]) -> ProcessSupervisor {
        let paths = rows(cgroup: bytes).map(\.path)
        let components = paths.flatMap { $0.split(separator: "/").map(String.init) }
        if let pod = components.lazy.compactMap(podUid).first {
            let container = components.lazy.compactMap { containerId($0)?.id }.first
            return .kubernetesPod(uid: pod, containerId: container)
        }
        if let found = components.lazy.compactMap(containerId).first {
            return .container(runtime: found.runtime, id: found.id)
        }
        // cgroup v1 with the docker driver: `/docker/<id>`.
        for path in paths {
            let parts = path.split(separator: "/")
            if let i = parts.firstIndex(of: "docker"), i + 1 < parts.count, isContainerId(parts[i + 1]) {
                return .container(runtime: .docker, id: String(parts[i + 1]))
            }
        }
        if let unit = serviceUnit(cgroup: bytes) { return .systemdService(unit: unit) }
        return .unknown
    }

    /// The systemd service the process runs in (also when a container runs inside it), from the unified (v2) or
    /// the `name=systemd` (v1) hierarchy.
    public static func serviceUnit(cgroup bytes: [UInt8]) -> String? {
        for row in rows(cgroup: bytes) where row.controllers.isEmpty || row.controllers == "name=systemd" {
            if let unit = row.path.split(separator: "/").last(where: { $0.hasSuffix(".service") }) { return String(unit) }
        }
        return nil
    }

    /// The rows of a `cgroup` file: `N:controllers:/path` (v1) or `0::/path` (v2); anything else is skipped.
    private static func rows(cgroup bytes: [UInt8]) -> [(controllers: String, path: String)] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let fields = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { return nil }
            return (String(decoding: fields[1], as: UTF8.self), String(decoding: fields[2], as: UTF8.self))
        }
    }

    /// `kubepods-burstable-pod<uid>.slice` (systemd driver, `_` for `-` in the uid) or `pod<uid>` (cgroupfs).
    private static func podUid(_ component: String) -> String? {
        var uid: Substring
        if component.hasPrefix("kubepods"), let marker = component.ranges(of: "-pod").last {
            uid = component[marker.upperBound...]
        } else if component.hasPrefix("pod") {
            uid = component.dropFirst("pod".count)
        } else {
            return nil
        }
        if uid.hasSuffix(".slice") { uid = uid.dropLast(".slice".count) }
        guard uid.count >= 32 else { return nil }
        return String(uid.replacing("_", with: "-"))
    }

    /// `docker-<id>.scope`, `libpod-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`.
    private static func containerId(_ component: String) -> (runtime: ContainerRuntime, id: String)? {
        guard component.hasSuffix(".scope") else { return nil }
        let name = component.dropLast(".scope".count)
        let prefixes: [(String, ContainerRuntime)] = [("docker-", .docker), ("libpod-", .podman),
                                                       ("cri-containerd-", .containerd), ("crio-", .containerd)]
        for (prefix, runtime) in prefixes where name.hasPrefix(prefix) {
            let id = name.dropFirst(prefix.count)
            if isContainerId(id) { return (runtime, String(id)) }
        }
        return nil
    }

    private static func isContainerId(_ text: Substring) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit }
    }
}
