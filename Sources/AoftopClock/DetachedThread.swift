import Glibc

/// A closure run once on a new detached thread (a pthread: no Foundation here).
public enum DetachedThread {
    /// Starts `body` on a thread named `name` (the kernel keeps 15 bytes of it); false when no thread could be
    /// created (a process at its thread limit), and then `body` never runs.
    @discardableResult
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        Job(name: name, body: body).detach()
    }

    /// The closure and its name, kept alive by the thread until it has run.
    private final class Job: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        // A method, not inline in `start`: there Swift 6.3's region analysis crashes on this pthread_create.
        func detach() -> Bool {
            var thread = pthread_t()
            let box = Unmanaged.passRetained(self)
            let started = pthread_create(&thread, nil, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                DetachedThread.nameThisThread(job.name)
                job.body()
                return nil
            }, box.toOpaque())
            guard started == 0 else {
                box.release()
                return false
            }
            pthread_detach(thread)
            return true
        }
    }

    /// What `pthread_setname_np` does, which Swift's Glibc module does not export (it needs `_GNU_SOURCE`).
    /// Names show in `top -H`, `ps -L` and core dumps; a failure only leaves the default name.
    fileprivate static func nameThisThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
