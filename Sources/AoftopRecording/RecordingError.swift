import FoundationEssentials
import Glibc

/// Why a recording could not be written or read: one line an operator can act on.
public struct RecordingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The recording file concerned.
    public let path: String
    /// The reason without the path, e.g. `the file is empty`.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `PATH: reason`.
    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }

    static func system(_ path: String, _ action: String, _ code: Int32 = errno) -> RecordingError {
        RecordingError(path: path, reason: "\(action): \(String(cString: strerror(code)))")
    }
}
