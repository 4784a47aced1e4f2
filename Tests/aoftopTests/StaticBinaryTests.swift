import AoftopTestSupport
import Foundation
import Testing

/// The binary `scripts/build-static` makes for servers without Swift: what it links, and that it works copied alone.
@Suite struct StaticBinaryTests {
    /// Libraries every Debian host has: libc6 (libc, libm, libpthread, libdl, librt, the loader), libtinfo6 and
    /// libncursesw6 (ncurses), zlib1g (Essential), libstdc++6 and libgcc-s1 (which apt itself needs).
    static let allowedLibraries: Set<String> = [
        "linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
        "libncursesw.so.6", "libtinfo.so.6", "libz.so.1", "libstdc++.so.6", "libgcc_s.so.1",
    ]
    /// What a Swift toolchain would have to provide: the runtime, Foundation, Dispatch, ICU.
    static let swiftRuntimePrefixes = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libicu"]

    /// The minimal environment of `env -i PATH=/usr/bin:/bin`: nothing that could point at /opt/swift.
    static let bareEnvironment = ["PATH": "/usr/bin:/bin"]

    @Test func lddListsOnlyLibrariesEveryDebianHas() throws {
        let binary = try StaticBuild.binary()
        let ldd = try Subprocess.run("/usr/bin/ldd", [binary], environment: Self.bareEnvironment, timeout: 30)
        #expect(ldd.status == 0, "\(ldd.standardError)")
        #expect(!ldd.standardOutput.contains("not found"), "\(ldd.standardOutput)")
        // "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)", "\t/lib64/ld-linux-x86-64.so.2 (0x…)"
        let names = ldd.stdoutLines.compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { String($0.split(separator: "/").last ?? $0) }
        }
        try #require(names.contains("libncursesw.so.6"), "ldd output not understood: \(ldd.standardOutput)")
        for name in names {
            #expect(!Self.swiftRuntimePrefixes.contains { name.hasPrefix($0) }, "Swift runtime library linked dynamically: \(name)")
            #expect(Self.allowedLibraries.contains(name) || name.hasPrefix("ld-linux"),
                    "\(name) is not on every Debian host:\n\(ldd.standardOutput)")
        }
    }

    /// Shipped modules import FoundationEssentials, never full Foundation: that brought ICU's data (34 MB) into
    /// the binary an operator copies to every Redis host (66 MB then, about 23 MB without it, 18.7 MB without
    /// SwiftNIO too). The goal is 20 MB; a size above it is a dependency or an import that came back.
    @Test func noFullFoundationAndNoICU() throws {
        let binary = try StaticBuild.binary()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: binary)[.size] as? Int)
        #expect(size <= 20_000_000, "\(binary) is \(size) bytes: did full Foundation (ICU), SwiftNIO or another large dependency come back?")
        let sources = RepositoryPaths.root + "/Sources"
        for module in try FileManager.default.contentsOfDirectory(atPath: sources) where module != "AoftopTestSupport" {
            guard let files = FileManager.default.enumerator(atPath: sources + "/" + module) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: sources + "/" + module + "/" + file, encoding: .utf8)
                let imports = text.split(separator: "\n").filter { $0.hasPrefix("import Foundation") || $0.contains(" import Foundation") }
                #expect(imports.allSatisfy { $0.hasSuffix("FoundationEssentials") }, "\(module)/\(file): \(imports)")
            }
        }
    }

    @Test func copiedAloneItRunsVersionAndChecksARealRedis() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let copy = try Self.copyAlone(to: directory)

        let version = try Subprocess.run(copy, ["--version"], environment: Self.bareEnvironment, timeout: 30)
        let expected = try Subprocess.run(RepositoryPaths.aoftopBinary, ["--version"], timeout: 30)
        #expect(version.status == 0, "\(version.standardError)")
        #expect(version.standardOutput == expected.standardOutput)
        #expect(!version.standardOutput.isEmpty)

        let server = try RedisServer.start()
        defer { server.stop() }
        let check = try Subprocess.run(copy, ["check", "-p", String(server.port), "--duration", "1s", "--interval", "250ms"],
                                       environment: Self.bareEnvironment, timeout: 30)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(check.stdoutLines.count == 1)
        let line = try #require(check.stdoutLines.first)
        #expect(line.hasPrefix("OK - "), "\(line)")
        #expect(line.contains(";;\(64 + 128)"), "the event-loop limit came from the real server: \(line)")
        #expect(line.contains("pipes="), "the /proc census ran: \(line)")
        #expect(check.standardError.isEmpty, "\(check.standardError)")
    }

    /// The demo recording is compiled in: the copy plays exactly what `Resources/` holds, with no file beside it.
    @Test func copiedAloneItPlaysTheBuiltInDemo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.expectPlaysTheBuiltInDemo(try Self.copyAlone(to: directory))
    }

    /// `binary demo --json`, with nothing beside it and a bare environment, prints exactly what a replay of
    /// `Resources/demo-incident.jsonl.gz` does.
    static func expectPlaysTheBuiltInDemo(_ binary: String) throws {
        let demo = try Subprocess.run(binary, ["demo", "--json"], environment: bareEnvironment, timeout: 60)
        #expect(demo.status == 0, "\(demo.standardError)")
        #expect(demo.standardError.isEmpty, "\(demo.standardError)")
        let direct = try Subprocess.run(RepositoryPaths.aoftopBinary,
                                        ["replay", RepositoryPaths.root + "/Resources/demo-incident.jsonl.gz", "--json"], timeout: 60)
        try #require(direct.status == 0, "\(direct.standardError)")
        #expect(demo.stdoutLines.count > 100)
        #expect(demo.standardOutput == direct.standardOutput, "\(binary): the built-in recording differs from Resources/demo-incident.jsonl.gz")
    }

    /// `aoftop` with no arguments over a non-interactive ssh: one line saying what to do, whether or not a Redis
    /// happens to answer on 6379 here.
    @Test func copiedAloneWithoutATerminalItSaysWhatToDo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let copy = try Self.copyAlone(to: directory)
        let result = try Subprocess.run(copy, [], environment: Self.bareEnvironment, timeout: 30)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("aoftop: "), "\(result.standardError)")
        #expect(result.standardError.contains("terminal"), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
    }

    /// Copies the static binary, and only it, into `directory`.
    static func copyAlone(to directory: TemporaryDirectory) throws -> String {
        let copy = directory.path + "/aoftop"
        try FileManager.default.copyItem(atPath: try StaticBuild.binary(), toPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
        try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["aoftop"])
        return copy
    }
}
