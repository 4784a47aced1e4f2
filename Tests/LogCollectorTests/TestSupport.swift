import AoftopModel
import Foundation
@testable import LogCollector

/// A fresh directory per test (suites run in parallel).
func makeTempDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-log-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// Appends raw bytes to a file (creating it), the way Redis appends a line.
func append(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

func append(_ path: String, _ text: String) throws { try append(path, Array(text.utf8)) }

func time(_ iso: String) -> Timestamp { Timestamp(iso8601: iso)! }

func lines(_ poll: LogPoll) -> [String] { poll.lines.map { String(decoding: $0, as: UTF8.self) } }

extension LogLineParser {
    mutating func parse(bytes: [UInt8]) -> LogEvent { bytes.withUnsafeBytes { parse($0) } }
}
