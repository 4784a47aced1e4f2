import ArgumentParser
import Glibc

/// Prints `aoftop: MESSAGE` on standard error and exits with `code`: one clear line, no stack, no usage dump.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    printError("aoftop: \(message)")
    return ExitCode(code)
}

func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    // write(2) on fd 2: no shared FILE* (not concurrency-safe in Swift 6) and no buffering to lose on exit.
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if written <= 0 { break }
        offset += written
    }
}
