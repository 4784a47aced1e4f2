import AoftopTestSupport
import Foundation
import Testing

/// Bad command lines end with a clear error and a non-zero status, never a crash or a hang.
@Suite struct ArgumentTests {
    @Test(arguments: [
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--port", "abc"], "'abc' is invalid for '--port"),
        (["--bogus"], "Unknown option '--bogus'"),
        (["--timeout=-1"], "--timeout must be between 0 and 60 seconds"),
        (["--timeout", "0"], "--timeout must be between 0 and 60 seconds"),
        (["--pid", "-5"], "--pid"),
    ])
    func wrongFlagsFailWithAClearFirstLine(flags: [String], message: String) throws {
        for command in ["snapshot", "check"] {
            let result = try AoftopBinary.run([command] + flags)
            #expect(result.status != 0 && result.status < 128)
            #expect(result.standardOutput.isEmpty)
            let first = try #require(result.stderrLines.first)
            #expect(first.hasPrefix("aoftop: ") && first.contains(message), "\(command) \(flags): \(first)")
            #expect(result.stderrLines.count == 1, "\(command) \(flags): \(result.standardError)")
        }
    }

    /// `--timeout -1` (with a space, as people type it): the negative number must reach validation and be
    /// reported as out of range, not as a missing value.
    @Test func negativeTimeoutIsReportedAsOutOfRange() throws {
        let result = try AoftopBinary.run(["check", "--timeout", "-1"])
        #expect(result.status != 0 && result.status < 128)
        let first = try #require(result.stderrLines.first)
        #expect(first.contains("--timeout must be between 0 and 60 seconds"), "\(first)")
    }

    @Test func durationsAreValidated() throws {
        for flags in [["--duration", "soon"], ["--interval", "1ms"], ["--duration", "2h"]] {
            let result = try AoftopBinary.run(["check"] + flags)
            #expect(result.status != 0 && result.status < 128)
            #expect(result.stderrLines.first?.hasPrefix("aoftop: ") ?? false, "\(flags): \(result.standardError)")
        }
    }

    @Test func helpWorksAndDashHIsTheHost() throws {
        let top = try AoftopBinary.run(["--help"])
        #expect(top.status == 0)
        #expect(top.standardOutput.contains("snapshot") && top.standardOutput.contains("check") && top.standardOutput.contains("scan"))
        for command in ["snapshot", "check", "scan"] {
            let help = try AoftopBinary.run([command, "--help"])
            #expect(help.status == 0, "\(command) --help")
            #expect(help.standardOutput.contains("USAGE"), "\(command) --help")
        }
        // `-h` takes a host: with an unreachable one it is a connection failure, not help.
        let port = try Loopback.freePort()
        let host = try AoftopBinary.run(["snapshot", "-h", "127.0.0.1", "-p", String(port), "--timeout", "1"])
        #expect(host.status == 1)
        #expect(!host.standardOutput.contains("USAGE"))
        #expect(host.standardOutput.contains("127.0.0.1:\(port)"))
        let missing = try AoftopBinary.run(["snapshot", "-h"])
        #expect(missing.status != 0 && missing.stderrLines.first?.contains("Missing value") ?? false, "\(missing.standardError)")
    }

    @Test func versionIsPrinted() throws {
        let result = try AoftopBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(!result.standardOutput.isEmpty)
    }
}
