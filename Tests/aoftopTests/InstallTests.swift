import AoftopTestSupport
import Foundation
import Testing

/// `scripts/install` into a temporary prefix: every file in its place, the man pages render and cover every
/// subcommand `aoftop --help` lists.
@Suite struct InstallTests {
    static let script = RepositoryPaths.root + "/scripts/install"

    static let completionFiles = [
        "share/bash-completion/completions/aoftop",
        "share/zsh/site-functions/_aoftop",
        "share/fish/vendor_completions.d/aoftop.fish",
    ]

    static func install(_ arguments: [String]) throws -> Subprocess.Result {
        _ = try StaticBuild.binary() // builds once per test process; scripts/install's own build is then a no-op
        let result = try Subprocess.run(Self.script, arguments, timeout: 600)
        try #require(result.status == 0, "scripts/install \(arguments.joined(separator: " ")): \(result.standardError.suffix(2000))")
        return result
    }

    @Test func everyFileInPlaceAndTheManPagesRender() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let prefix = directory.path + "/prefix"
        _ = try Self.install([prefix])
        let subcommands = try HelpText.subcommands(of: RepositoryPaths.aoftopBinary)

        let binary = prefix + "/bin/aoftop"
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        let installed = try Data(contentsOf: URL(fileURLWithPath: binary))
        let built = try Data(contentsOf: URL(fileURLWithPath: try StaticBuild.binary()))
        #expect(installed == built, "bin/aoftop is the stripped static binary")
        let version = try Subprocess.run(binary, ["--version"], environment: StaticBinaryTests.bareEnvironment, timeout: 30)
        #expect(version.status == 0 && !version.standardOutput.isEmpty, "\(version.standardError)")

        for file in Self.completionFiles {
            let text = (try? String(contentsOfFile: prefix + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.isEmpty, "\(file) missing or empty")
            for name in subcommands { #expect(text.contains(name), "\(file) does not name \(name)") }
        }

        let manDirectory = prefix + "/share/man/man1"
        let pages = try FileManager.default.contentsOfDirectory(atPath: manDirectory).sorted()
        #expect(Set(pages) == Set(["aoftop.1"] + subcommands.map { "aoftop.\($0).1" }), "\(pages)")
        for page in pages {
            let text = try Self.render(manDirectory + "/" + page)
            #expect(text.contains("NAME") && text.contains("SYNOPSIS") && text.contains("DESCRIPTION"), "\(page):\n\(text.prefix(600))")
        }
        // The main page holds every subcommand and its options.
        let main = try Self.render(manDirectory + "/aoftop.1")
        let mainSource = try String(contentsOfFile: manDirectory + "/aoftop.1", encoding: .utf8)
        for name in subcommands {
            #expect(mainSource.contains(".It Em \(name)\n"), "aoftop.1 has no entry for \(name)")
            #expect(main.contains(name), "aoftop.1 does not mention \(name)")
        }
        #expect(main.contains("--duration"), "subcommand options are on the main page")

        // man(1) itself, as an operator runs it: `man aoftop.check` finds the installed page.
        let man = try Subprocess.run("/usr/bin/man", ["-P", "cat", "aoftop.check"],
                                     environment: ["PATH": "/usr/bin:/bin", "MANPATH": prefix + "/share/man", "MANWIDTH": "80"],
                                     timeout: 30)
        #expect(man.status == 0, "\(man.standardError)")
        #expect(man.standardOutput.contains("aoftop check"), "\(man.standardOutput.prefix(400))")
    }

    @Test func destdirStagesUnderItsPrefix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stage = directory.path + "/stage"
        _ = try Self.install(["--destdir", stage, "/opt/aoftop-test-prefix"])
        for file in ["bin/aoftop", "share/man/man1/aoftop.1"] + Self.completionFiles {
            #expect(FileManager.default.fileExists(atPath: stage + "/opt/aoftop-test-prefix/" + file), "\(file) not staged")
        }
        #expect(!FileManager.default.fileExists(atPath: "/opt/aoftop-test-prefix"), "--destdir wrote outside the stage")
    }

    @Test func badArgumentsAreOneLineAndExit2() throws {
        for arguments in [["relative/prefix"], ["--bogus"], ["/a", "/b"], ["--destdir"]] {
            let result = try Subprocess.run(Self.script, arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.stderrLines.count == 1 || result.stderrLines.count == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    /// ArgumentParser's generate-manual keeps only ASCII: a help text with `↑` or `×` would lose them silently
    /// in the man page. A failure here names the text to rewrite in ASCII.
    @Test func helpTextsAreASCIIForTheManPage() throws {
        let dump = try AoftopBinary.run(["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.standardError)")
        let nonASCII = dump.standardOutput.split(separator: "\n").flatMap { $0.split(separator: "\"") }
            .filter { !$0.allSatisfy(\.isASCII) }
        #expect(nonASCII.isEmpty, "help texts with characters the man page drops: \(nonASCII)")
    }

    /// The page as `man` shows it, through groff with every warning on; a warning fails the test.
    static func render(_ page: String) throws -> String {
        let result = try Subprocess.run("/usr/bin/groff", ["-mandoc", "-Tutf8", "-ww", "-P-cbou", page],
                                        environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"], timeout: 30)
        #expect(result.status == 0, "groff \(page): \(result.standardError)")
        #expect(result.standardError.isEmpty, "groff warns on \(page): \(result.standardError)")
        return result.standardOutput
    }
}
