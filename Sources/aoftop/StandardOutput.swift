import FoundationEssentials
import Glibc

/// Bytes to fd 1 with `write(2)`: `FileHandle` is in full Foundation only, which would link ICU into the static
/// binary (docs/architecture.md). Retries short writes and EINTR; any other error (a closed pipe) drops the rest.
enum StandardOutput {
    static func write(_ data: Data) {
        data.withUnsafeBytes { write($0) }
    }

    static func write(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Glibc.write(1, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            next += written
            left -= written
        }
    }
}

/// The process environment from `environ`: `ProcessInfo` is in full Foundation only.
enum Environment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                // The first of duplicate names wins, as with getenv(3).
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return result
    }
}
