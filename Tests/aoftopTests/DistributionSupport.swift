import AoftopTestSupport
import Foundation
import Testing

/// The static release binary, built by `scripts/build-static` — the command scripts/test runs before `swift test`
/// (so there it is a no-op) and scripts/install runs. Built at most once per test process, whichever suite asks first.
enum StaticBuild {
    private static let built: Result<String, FixtureError> = {
        let script = RepositoryPaths.root + "/scripts/build-static"
        // A first static release build takes minutes on 2 cores; the limit only turns a hang into a failure.
        let result: Subprocess.Result
        do { result = try Subprocess.run(script, [], timeout: 1800) } catch {
            return .failure(FixtureError("\(script): \(error)"))
        }
        guard result.status == 0, let path = result.stdoutLines.last.map(String.init), path.hasPrefix("/") else {
            return .failure(FixtureError("\(script) failed (\(result.status)): \(result.standardError.suffix(2000))"))
        }
        return .success(path)
    }()

    /// The path of the stripped static binary, `.build-static/aoftop`.
    static func binary() throws -> String { try built.get() }
}

/// What `aoftop --help` lists, read the way a person reads it, so new subcommands are covered without editing tests.
enum HelpText {
    /// The names in the SUBCOMMANDS section: lines indented by exactly two spaces (continuations are deeper).
    static func subcommands(_ help: String) -> [String] {
        var inSection = false
        var names: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "SUBCOMMANDS:" {
                inSection = true
                continue
            }
            guard inSection else { continue }
            if line.allSatisfy({ $0 == " " }) { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            names.append(String(name))
        }
        return names
    }

    /// `subcommands` of `binary --help`; fails the test unless the section is found (and holds the default command).
    static func subcommands(of binary: String) throws -> [String] {
        let help = try Subprocess.run(binary, ["--help"], timeout: 30)
        try #require(help.status == 0, "\(help.standardError)")
        let names = subcommands(help.standardOutput)
        try #require(names.contains("dashboard"), "no SUBCOMMANDS section parsed from:\n\(help.standardOutput)")
        return names
    }
}

/// A copy of this process's environment for helper shells, with HOME and XDG directories inside `directory`
/// (fish writes its history and universal variables there).
func isolatedEnvironment(in directory: String) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["HOME"] = directory
    environment["XDG_CONFIG_HOME"] = directory + "/config"
    environment["XDG_DATA_HOME"] = directory + "/data"
    environment["XDG_CACHE_HOME"] = directory + "/cache"
    return environment
}
