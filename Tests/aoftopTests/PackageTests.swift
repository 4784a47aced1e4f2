import AoftopTestSupport
import Foundation
import Testing

/// `scripts/package-deb`: the .deb it builds passes lintian, installs with dpkg into an empty root (its maintainer
/// scripts included), and puts the binary, man pages, completions, rules and systemd units where the tools that
/// use them look; its Depends are the packages of the libraries the binary links.
@Suite struct PackageTests {
    static let script = RepositoryPaths.root + "/scripts/package-deb"

    @Test func lintianFindsNoErrors() throws {
        let package = try DebianPackage.path()
        let lintian = "/usr/bin/lintian"
        try #require(FileManager.default.isExecutableFile(atPath: lintian), "lintian missing: scripts/test installs it")
        // Exit status 2 is only "tags at or above --fail-on"; read the tags instead, and show them all on failure.
        let result = try Subprocess.run(lintian, ["--fail-on", "none", package], timeout: 600)
        #expect(result.status == 0, "lintian could not check \(package): \(result.standardError)")
        let errors = result.stdoutLines.filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "lintian errors:\n\(result.standardOutput)")
        // Warnings are allowed; these were cheap to fix and must not come back.
        for tag in ["bad-whatis-entry", "bash-completion-with-hashbang", "no-copyright-file", "no-changelog",
                    "file-in-etc-not-marked-as-conffile", "binary-without-manpage"] {
            #expect(!result.standardOutput.contains(" \(tag)"), "lintian:\n\(result.standardOutput)")
        }
    }

    /// `dpkg --root` into an empty root. The root holds no package, so the Depends cannot be met: --force-depends.
    /// The maintainer scripts run outside the root (--force-script-chrootless: the root has no /bin/sh), with
    /// DPKG_ROOT set, as Debian's scripts for building systems from nothing do; they create the aoftop user and
    /// /var/lib/aoftop inside the root, again on a reinstall, and a purge removes what the package made.
    @Test func installsIntoAnEmptyRootAndPurgesCleanly() throws {
        let package = try DebianPackage.path()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try DebianPackage.install(package, into: directory.path + "/root")

        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        let user = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("aoftop:") }, "postinst made no aoftop user: \(passwd)")
        let fields = user.split(separator: ":", omittingEmptySubsequences: false)
        #expect(fields.count == 7 && fields[5] == "/var/lib/aoftop" && fields[6] == "/usr/sbin/nologin", "\(user)")
        let uid = try #require(fields.count > 2 ? Int(fields[2]) : nil)
        #expect(uid > 0 && uid < 1000, "a system user: \(user)")
        let state = try FileManager.default.attributesOfItem(atPath: root + "/var/lib/aoftop")
        #expect((state[.posixPermissions] as? Int) == 0o750, "\(state)")
        #expect((state[.ownerAccountID] as? Int) == uid, "/var/lib/aoftop belongs to aoftop: \(state)")

        let conffiles = try Subprocess.run("/usr/bin/dpkg-query", ["--admindir=" + root + "/var/lib/dpkg", "--showformat=${Conffiles}", "--show", "aoftop"], timeout: 30)
        #expect(conffiles.standardOutput.contains("/etc/default/aoftop "), "\(conffiles.standardOutput)\(conffiles.standardError)")

        // Idempotent: a second install (dpkg runs prerm upgrade, postinst configure VERSION) changes nothing.
        let again = try DebianPackage.dpkg(root, ["-i", package])
        #expect(again.status == 0, "reinstall: \(again.standardError)")
        #expect(try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8) == passwd)

        try Data().write(to: URL(fileURLWithPath: root + "/var/lib/aoftop/a-recording.jsonl.gz"))
        let purge = try DebianPackage.dpkg(root, ["--purge", "aoftop"])
        #expect(purge.status == 0, "purge: \(purge.standardError)")
        for path in ["/usr/bin/aoftop", "/etc/default/aoftop", "/lib/systemd/system/aoftop-metrics.service", "/var/lib/aoftop",
                     "/usr/share/aoftop", "/usr/share/doc/aoftop"] {
            #expect(!FileManager.default.fileExists(atPath: root + path), "\(path) left after purge")
        }
    }

    @Test func theInstalledBinaryIsTheStaticOneAndRuns() throws {
        let root = try DebianPackage.installedRoot()
        let binary = root + "/usr/bin/aoftop"
        let installed = try Data(contentsOf: URL(fileURLWithPath: binary))
        #expect(installed == (try Data(contentsOf: URL(fileURLWithPath: try StaticBuild.binary()))), "/usr/bin/aoftop is the stripped static binary")

        let version = try Subprocess.run(binary, ["--version"], environment: StaticBinaryTests.bareEnvironment, timeout: 30)
        let expected = try Subprocess.run(RepositoryPaths.aoftopBinary, ["--version"], timeout: 30)
        #expect(version.status == 0, "\(version.standardError)")
        #expect(!version.standardOutput.isEmpty && version.standardOutput == expected.standardOutput)
        let field = try DebianPackage.field("Version")
        #expect(field + "\n" == version.standardOutput, "the package's version is the program's: \(field) vs \(version.standardOutput)")
        let architecture = try DebianPackage.field("Architecture")
        let package = try DebianPackage.path()
        #expect(package.hasSuffix("/aoftop_\(field)_\(architecture).deb"), "\(package)")

        try StaticBinaryTests.expectPlaysTheBuiltInDemo(binary)
    }

    /// Each tool asked the way it searches, pointed at the root only where it has a way to be: man's -M, bash-completion's
    /// XDG_DATA_DIRS, fish's XDG_DATA_DIRS (and the binary on PATH); zsh's own $fpath must hold Debian's vendor directory.
    @Test func manPagesAndCompletionsAreWhereTheToolsLook() throws {
        let root = try DebianPackage.installedRoot()
        let subcommands = try HelpText.subcommands(of: RepositoryPaths.aoftopBinary).filter { $0 != "help" }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        for page in ["aoftop"] + subcommands.map({ "aoftop.\($0)" }) {
            let man = try Subprocess.run("/usr/bin/man", ["-M", root + "/usr/share/man", "-w", page],
                                         environment: ["PATH": "/usr/bin:/bin"], timeout: 30)
            #expect(man.status == 0 && man.standardOutput == root + "/usr/share/man/man1/\(page).1.gz\n",
                    "man -w \(page): \(man.standardOutput)\(man.standardError)")
        }
        // whatis/apropos index a subcommand's page under the name man is asked for.
        let whatis = try Subprocess.run("/usr/bin/lexgrog", [root + "/usr/share/man/man1/aoftop.check.1.gz"], timeout: 30)
        #expect(whatis.standardOutput.contains("aoftop.check - "), "\(whatis.standardOutput)\(whatis.standardError)")
        let rendered = try Subprocess.run("/usr/bin/man", ["-M", root + "/usr/share/man", "-P", "cat", "aoftop.check"],
                                          environment: ["PATH": "/usr/bin:/bin", "MANWIDTH": "80"], timeout: 30)
        #expect(rendered.status == 0 && rendered.standardOutput.contains("aoftop check ["), "\(rendered.standardOutput.prefix(600))")

        var environment = isolatedEnvironment(in: directory.path)
        environment["XDG_DATA_DIRS"] = root + "/usr/share"
        let bashCompletion = "/usr/share/bash-completion/bash_completion"
        try #require(FileManager.default.fileExists(atPath: bashCompletion), "bash-completion missing: scripts/test installs it")
        let bash = try Subprocess.run("/bin/bash", ["--norc", "--noprofile", "-c", ". \(bashCompletion); __load_completion aoftop && complete -p aoftop"],
                                      environment: environment, timeout: 30)
        #expect(bash.status == 0 && bash.standardOutput.contains(" aoftop"), "bash-completion does not find it: \(bash.standardOutput)\(bash.standardError)")

        environment["PATH"] = root + "/usr/bin:/usr/bin:/bin"
        let fish = try Subprocess.run("/usr/bin/fish", ["-c", "complete -C 'aoftop '"], environment: environment, timeout: 30)
        let offered = Set(fish.stdoutLines.map { String($0.split(separator: "\t").first ?? $0) })
        #expect(fish.status == 0 && subcommands.allSatisfy(offered.contains), "fish does not find it: \(offered.sorted()) \(fish.standardError)")

        let vendor = "/usr/share/zsh/vendor-completions"
        let fpath = try Subprocess.run("/usr/bin/zsh", ["-fc", "print -l $fpath"], timeout: 30)
        #expect(fpath.stdoutLines.contains(Substring(vendor)), "zsh's $fpath: \(fpath.standardOutput)")
        let compinit = try Subprocess.run("/usr/bin/zsh", ["-fc", "fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[aoftop]", "zsh", root + vendor],
                                          environment: isolatedEnvironment(in: directory.path), timeout: 30)
        #expect(compinit.standardOutput == "_aoftop\n", "compinit does not pick up \(vendor)/_aoftop: \(compinit.standardOutput)\(compinit.standardError)")
    }

    /// Everything in Resources/prometheus, every Resources/grafana/*.json and the units, byte for byte.
    @Test func resourcesAndUnitsAreShipped() throws {
        let root = try DebianPackage.installedRoot()
        var expected: [(String, String)] = [
            ("Resources/systemd/aoftop-metrics.service", "/lib/systemd/system/aoftop-metrics.service"),
            ("Resources/systemd/aoftop-record@.service", "/lib/systemd/system/aoftop-record@.service"),
            ("Resources/systemd/aoftop.default", "/etc/default/aoftop"),
            ("Resources/systemd/aoftop.sysusers", "/usr/lib/sysusers.d/aoftop.conf"),
            ("Resources/systemd/aoftop.tmpfiles", "/usr/lib/tmpfiles.d/aoftop.conf"),
            ("Resources/debian/copyright", "/usr/share/doc/aoftop/copyright"),
        ]
        let resources = RepositoryPaths.root + "/Resources"
        let rules = try FileManager.default.contentsOfDirectory(atPath: resources + "/prometheus")
        #expect(rules.contains("aoftop-rules.yml"))
        expected += rules.map { ("Resources/prometheus/" + $0, "/usr/share/aoftop/prometheus/" + $0) }
        let dashboards = ((try? FileManager.default.contentsOfDirectory(atPath: resources + "/grafana")) ?? []).filter { $0.hasSuffix(".json") }
        expected += dashboards.map { ("Resources/grafana/" + $0, "/usr/share/aoftop/grafana/" + $0) }
        for (source, installed) in expected {
            let want = try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.root + "/" + source))
            let have = try? Data(contentsOf: URL(fileURLWithPath: root + installed))
            #expect(have == want, "\(installed) is not \(source)")
        }
        if dashboards.isEmpty {
            #expect(!FileManager.default.fileExists(atPath: root + "/usr/share/aoftop/grafana"))
        }
        #expect(FileManager.default.fileExists(atPath: root + "/usr/share/doc/aoftop/changelog.gz"))
    }

    /// systemd-analyze verify on the units as installed: every directive known and valid, the man pages of
    /// Documentation= found (MANPATH, in the root), the ExecStart binary present and executable. verify looks
    /// for the binary on the host, so the copies checked name the root's /usr/bin/aoftop; nothing else changes.
    /// The template is checked as three instances: a port, HOST:PORT and an escaped socket path. A directive
    /// systemd does not know is only a warning (status 0), so the output must be empty too.
    @Test func systemdAnalyzeVerifiesTheUnits() throws {
        let root = try DebianPackage.installedRoot()
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze missing: scripts/test installs systemd")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let units = directory.path + "/units"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        func copy(_ unit: String, as name: String) throws -> String {
            let text = try String(contentsOfFile: root + "/lib/systemd/system/" + unit, encoding: .utf8)
            #expect(text.contains("/usr/bin/aoftop "), "\(unit) runs /usr/bin/aoftop")
            let path = units + "/" + name
            try text.replacingOccurrences(of: "/usr/bin/aoftop ", with: root + "/usr/bin/aoftop ").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // FILE:NAME loads FILE as the unit NAME: the template as an instance, as systemd instantiates it.
        let template = try copy("aoftop-record@.service", as: "aoftop-record@.service")
        let checked = [
            try copy("aoftop-metrics.service", as: "aoftop-metrics.service"),
            template + ":aoftop-record@6379.service",
            template + ":aoftop-record@127.0.0.1:6379.service",
            template + ":aoftop-record@run-redis-redis\\x2dserver.sock.service",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["MANPATH"] = root + "/usr/share/man"
        for unit in checked {
            let result = try Subprocess.run(analyze, ["verify", unit], environment: environment, timeout: 60)
            #expect(result.status == 0 && result.standardOutput.isEmpty && result.standardError.isEmpty,
                    "systemd-analyze verify \(unit):\n\(result.standardOutput)\(result.standardError)")
        }
        // The check can fail: without the man pages, Documentation= does not resolve.
        environment["MANPATH"] = directory.path
        let unfound = try Subprocess.run(analyze, ["verify", checked[0]], environment: environment, timeout: 60)
        #expect(unfound.status != 0 && unfound.standardError.contains("man aoftop"), "\(unfound.standardError)")

        let metrics = try String(contentsOfFile: root + "/lib/systemd/system/aoftop-metrics.service", encoding: .utf8)
        let record = try String(contentsOfFile: root + "/lib/systemd/system/aoftop-record@.service", encoding: .utf8)
        for (name, text) in [("metrics", metrics), ("record", record)] {
            let directives = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
            for line in ["User=aoftop", "AmbientCapabilities=CAP_SYS_PTRACE", "CapabilityBoundingSet=CAP_SYS_PTRACE",
                         "ProtectSystem=strict", "NoNewPrivileges=yes", "MemoryDenyWriteExecute=yes",
                         "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "EnvironmentFile=-/etc/default/aoftop"] {
                #expect(directives.contains(line), "\(name): no \(line)")
            }
            // aoftop must see other users' processes and talk to Redis on the host's network.
            #expect(!text.contains("\nProtectProc=invisible") && !text.contains("\nPrivateNetwork=yes") && !text.contains("\nProcSubset=pid"), "\(name)")
        }
        #expect(metrics.contains("ExecStart=/usr/bin/aoftop metrics --listen ${AOFTOP_LISTEN} $AOFTOP_METRICS_ARGS"))
        #expect(metrics.contains("Environment=AOFTOP_LISTEN=127.0.0.1:9187"))
        #expect(record.contains("StateDirectory=aoftop\n"))
        for flag in ["--rotate-size", "--rotate-age", "--keep", "--directory"] {
            #expect(record.contains(flag), "aoftop-record@.service has no \(flag): the disk could fill")
        }
    }

    /// Depends: lists exactly the packages that ship the libraries the binary's NEEDED entries name, found here
    /// independently of dpkg-shlibdeps: objdump, then ldd for each library's path, then dpkg -S for its package.
    @Test func dependsAreThePackagesOfTheLinkedLibraries() throws {
        let root = try DebianPackage.installedRoot()
        let binary = root + "/usr/bin/aoftop"
        let objdump = try Subprocess.run("/usr/bin/objdump", ["-p", binary], timeout: 30)
        try #require(objdump.status == 0, "\(objdump.standardError)")
        let needed = objdump.stdoutLines.filter { $0.contains("NEEDED") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        try #require(needed.contains("libc.so.6"), "\(objdump.standardOutput.prefix(2000))")
        let ldd = try Subprocess.run("/usr/bin/ldd", [binary], environment: StaticBinaryTests.bareEnvironment, timeout: 30)
        var paths: [String: String] = [:]
        for line in ldd.stdoutLines { // "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)", "\t/lib64/ld-linux-x86-64.so.2 (0x…)"
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.count >= 3, words[1] == "=>" { paths[words[0]] = words[2] }
            else if let first = words.first, first.hasPrefix("/") { paths[(first as NSString).lastPathComponent] = first }
        }
        var packages = Set<String>()
        for library in needed {
            let path = try #require(paths[library], "ldd does not resolve \(library): \(ldd.standardOutput)")
            // dpkg knows a file by the path its package ships: /lib/… or /usr/lib/… (merged /usr), or the real file.
            var owner: String?
            for candidate in [path, "/usr" + path, (path as NSString).resolvingSymlinksInPath] where owner == nil {
                let search = try Subprocess.run("/usr/bin/dpkg", ["-S", candidate], timeout: 30)
                if search.status == 0 { owner = search.stdoutLines.first.map(String.init) }
            }
            let line = try #require(owner, "no package ships \(path)")
            packages.insert(String(line.prefix { $0 != ":" }))
        }
        let depends = try DebianPackage.field("Depends")
        let named = Set(depends.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces).prefix { $0 != " " && $0 != ":" }) })
        #expect(named == packages, "Depends: \(depends); the binary links \(needed) from \(packages.sorted())")
        for clause in depends.split(separator: ",") {
            #expect(clause.contains("(>= "), "a versioned dependency from the shlibs/symbols files: \(clause)")
        }
    }

    @Test func badArgumentsAreOneLineAndExit2() throws {
        for arguments in [["--bogus"], ["stray"], ["--output-dir"], ["--output-dir", ""]] {
            let result = try Subprocess.run(Self.script, arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.stderrLines.count == 1 || result.stderrLines.count == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }
}

/// The .deb, built by `scripts/package-deb` at most once per test process into `.build-deb/tests`, and one root it
/// is installed into for the tests that only read.
enum DebianPackage {
    private static let built: Result<String, FixtureError> = {
        do { _ = try StaticBuild.binary() } catch { return .failure(FixtureError("\(error)")) } // the build, once
        let output = RepositoryPaths.root + "/.build-deb/tests"
        let result: Subprocess.Result
        do { result = try Subprocess.run(PackageTests.script, ["--output-dir", output], timeout: 1800) } catch {
            return .failure(FixtureError("\(PackageTests.script): \(error)"))
        }
        guard result.status == 0, let path = result.stdoutLines.last.map(String.init), path.hasSuffix(".deb") else {
            return .failure(FixtureError("scripts/package-deb failed (\(result.status)): \(result.standardError.suffix(2000))"))
        }
        return .success(path)
    }()

    static func path() throws -> String { try built.get() }

    private static let root: Result<String, FixtureError> = {
        do {
            let root = RepositoryPaths.root + "/.build-deb/tests/root" // replaced by each test process, never piling up
            try? FileManager.default.removeItem(atPath: root)
            return .success(try install(try path(), into: root))
        } catch {
            return .failure(FixtureError("\(error)"))
        }
    }()

    /// A root with the package installed, shared by the tests that only read it (`.build-deb/tests/root`).
    static func installedRoot() throws -> String { try root.get() }

    /// Installs `package` into a new, empty root at `root`: all dpkg needs there is an empty status file.
    static func install(_ package: String, into root: String) throws -> String {
        try FileManager.default.createDirectory(atPath: root + "/var/lib/dpkg", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: root + "/var/lib/dpkg/status"))
        let result = try dpkg(root, ["-i", package])
        guard result.status == 0 else { throw FixtureError("dpkg --root \(root) -i \(package): \(result.standardError)") }
        return root
    }

    static func dpkg(_ root: String, _ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run("/usr/bin/dpkg", ["--root=" + root, "--force-script-chrootless", "--force-depends"] + arguments,
                           environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], timeout: 120)
    }

    /// A control field of the built package (`dpkg-deb -f`).
    static func field(_ name: String) throws -> String {
        let result = try Subprocess.run("/usr/bin/dpkg-deb", ["-f", try path(), name], timeout: 30)
        try #require(result.status == 0, "\(result.standardError)")
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
