import AoftopTestSupport
import Foundation
import Testing

/// Runs the built `aoftop` binary the way an operator or a monitoring system does.
enum AoftopBinary {
    /// Generous: every command here finishes in a few seconds; the limit only turns a hang into a failure.
    static let timeout = 30.0

    /// Runs `aoftop ARGS`; `environment` entries are added to a copy of ours without any `REDISCLI_AUTH`.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = timeout) throws -> Subprocess.Result {
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "REDISCLI_AUTH")
        base.merge(environment) { $1 }
        let result = try Subprocess.run(RepositoryPaths.aoftopBinary, arguments, environment: base, timeout: timeout)
        #expect(result.status < 128, "aoftop \(arguments.joined(separator: " ")) died of signal \(result.status - 128): \(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"), "aoftop crashed: \(result.standardError)")
        return result
    }
}

extension Subprocess.Result {
    var stdoutLines: [Substring] { standardOutput.split(separator: "\n", omittingEmptySubsequences: true) }
    var stderrLines: [Substring] { standardError.split(separator: "\n", omittingEmptySubsequences: true) }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "aoftop-cli-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
