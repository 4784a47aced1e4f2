import AoftopDemoData
import Glibc

/// The incident recording `aoftop demo` plays: `$AOFTOP_DEMO` when set, otherwise the copy compiled into the binary
/// (`AoftopDemoData`), so an `aoftop` copied alone to a server has it too.
enum DemoRecording {
    static let fileName = "demo-incident.jsonl.gz"
    static let environmentVariable = "AOFTOP_DEMO"

    /// Why no recording can be played; `description` is the line to print (without the `aoftop: ` prefix).
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// A path the recording reader can open: `$AOFTOP_DEMO`, or the built-in copy written once to an anonymous
    /// in-memory file (`memfd_create`) and opened as `/proc/self/fd/N`: no temporary file to clean up.
    static func path(environment: [String: String] = Environment.current()) throws(Unavailable) -> String {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            guard isFile(explicit) else {
                throw Unavailable(description: "\(environmentVariable)=\(explicit) is not a readable file: unset it to play the built-in demo recording")
            }
            return explicit
        }
        return try builtInCopy()
    }

    private static func builtInCopy() throws(Unavailable) -> String {
        let bytes = EmbeddedDemoRecording.bytes
        let fd = memfdCreate(fileName)
        guard fd >= 0 else {
            throw Unavailable(description: "cannot unpack the built-in demo recording (memfd_create: \(String(cString: strerror(errno)))); set \(environmentVariable)=/path/to/\(fileName)")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw Unavailable(description: "cannot unpack the built-in demo recording (write: \(reason)); set \(environmentVariable)=/path/to/\(fileName)")
            }
            offset += written
        }
        // The fd stays open for the life of the process: the reader opens the path again (preview, then replay).
        return "/proc/self/fd/\(fd)"
    }

    /// `memfd_create(2)` (glibc ≥ 2.27), looked up at run time: Swift's Glibc module hides `_GNU_SOURCE`
    /// declarations. -1 with `errno` set when it is missing or fails.
    private static func memfdCreate(_ name: String) -> Int32 {
        typealias Function = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else {
            errno = ENOSYS
            return -1
        }
        let closeOnExec: UInt32 = 1 // MFD_CLOEXEC
        return unsafeBitCast(symbol, to: Function.self)(name, closeOnExec)
    }

    /// Exists (symlinks followed), is no directory, and is readable: what `FileManager`'s `fileExists(atPath:
    /// isDirectory:)` and `isReadableFile(atPath:)` checked, with `stat(2)` and `access(2)`.
    private static func isFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return info.st_mode & S_IFMT != S_IFDIR && access(path, R_OK) == 0
    }
}
