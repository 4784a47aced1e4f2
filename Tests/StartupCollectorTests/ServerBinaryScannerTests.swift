@testable import StartupCollector
import Testing

/// The version rule on synthetic read-only data, fed in every possible split into two chunks (a string cut across
/// chunks must read the same).
@Suite struct ServerBinaryScannerTests {
    /// Strings as a linker lays them out: NUL-terminated, sometimes right after a binary constant.
    static func rodata(_ strings: [String], prefix: [UInt8] = []) -> [UInt8] {
        prefix + strings.flatMap { Array($0.utf8) + [0] }
    }

    static func identify(_ bytes: [UInt8]) -> ServerBinaryScanner.Identity? {
        var answers: [ServerBinaryScanner.Identity?] = []
        for split in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 97)) {
            var scanner = ServerBinaryScanner()
            bytes.withUnsafeBytes {
                scanner.feed(UnsafeRawBufferPointer(rebasing: $0[0..<split]))
                scanner.feed(UnsafeRawBufferPointer(rebasing: $0[split...]))
            }
            scanner.endOfRange()
            answers.append(scanner.identity())
        }
        #expect(Set(answers.map { $0.map { "\($0.server) \($0.version)" } ?? "none" }).count == 1)
        return answers.first ?? nil
    }

    /// Debian 7.0.15: `since` versions of commands, jemalloc's version with its own Git suffix, and the build id
    /// right after the double 2147483647.0 (its last byte is an `A`).
    @Test func redisAmongCommandVersions() {
        let bytes = Self.rodata(["7.0.0", "7.0.1", "jemalloc-5.3.0", "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c",
                                 "7.0.15", "redis_version:%s\r\nredis_git_sha1:%s\r\n", "2.6.0"])
            + [0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff, 0xff, 0xdf, 0x41] + Self.rodata(["7.0.151790282056000000000", "%llx"])
        #expect(Self.identify(bytes) == .init(server: "redis", version: "7.0.15"))
    }

    /// Valkey 7.2.5+: `REDIS_VERSION` 7.2.4 and the compiler's 10.2.1 are decoys; the build id names Valkey's own.
    @Test func valkeyOwnVersion() {
        let bytes = Self.rodata(["valkey_version:%s", "redis_version:%s", "7.2.4", "10.2.1", "7.2.5",
                                 "valkey7.2.5buildhost-1717171717012345678"])
        #expect(Self.identify(bytes) == .init(server: "valkey", version: "7.2.5"))
    }

    /// Redis ≤ 2.6 has no build-id literal; its banner concatenates the version.
    @Test func redis26Banner() {
        let bytes = Self.rodata(["redis_version:%s\r\n", "Server started, Redis version 2.6.17", "2.6.17", "1.2.3"])
        #expect(Self.identify(bytes) == .init(server: "redis", version: "2.6.17"))
    }

    /// A client links the build id but holds no server format strings; a library version alone is no answer.
    @Test func notAServer() {
        #expect(Self.identify(Self.rodata(["valkey_version:", "8.1.8", "valkey8.1.8host-178179948040112800000000"])) == nil)
        #expect(Self.identify(Self.rodata(["redis_version:%s", "5.3.0", "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e5"])) == nil)
        #expect(Self.identify([]) == nil)
        #expect(Self.identify([UInt8](repeating: 0x37, count: 200_000)) == nil)
    }
}
