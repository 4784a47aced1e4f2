import Glibc

/// A growable byte buffer that is reused across samples so reading `/proc` files allocates only when a file
/// is bigger than any seen before.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes of valid content from `base`.
    var count = 0

    init(capacity: Int = 16 * 1024) {
        self.capacity = max(capacity, 64)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    private func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    /// Replaces the content with the whole file `name` opened relative to `directory`; returns `errno` on failure.
    ///
    /// procfs files are generated a page at a time, so this reads until end of file rather than trusting `st_size`
    /// (which is 0 for them).
    func load(_ name: UnsafePointer<CChar>, relativeTo directory: Int32) -> Int32? {
        count = 0
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { return errno }
        defer { close(fd) }
        while true {
            if count == capacity { grow() }
            let n = read(fd, base + count, capacity - count)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return nil }
            count += n
        }
    }
}
