import Glibc
@testable import StartupCollector
import Testing

/// A server in a mount namespace of its own names its files as it sees them; aoftop reads them through its
/// `/proc/PID/root`. A directory stands in for that root here; the end-to-end test uses a real namespace.
@Suite struct RootedFileSystemTests {
    @Test func configIncludesAndDirResolveInsideTheRoot() throws {
        let root = try StartupTemporaryDirectory("rooted")
        try root.write("etc/redis/redis.conf", "include conf.d/*.conf\ndir /data\nlogfile redis.log\n")
        try root.write("etc/redis/conf.d/limits.conf", "maxclients 500\n")
        try root.makeDirectory("data")
        // The same names on this side must not be read.
        let parser = RedisConfigParser(fileSystem: RootedFileSystem(root: root.path))
        let config = parser.load(configFile: "/etc/redis/redis.conf", startDirectory: "/etc/redis")
        #expect(config.files == ["/etc/redis/redis.conf", "/etc/redis/conf.d/limits.conf"])
        #expect(config.workingDirectory == "/data")
        if case .set(let directive) = config.lookup("maxclients") { #expect(directive.arguments == ["500"]) } else {
            Issue.record("maxclients not read through the root: \(config.lookup("maxclients"))")
        }
        #expect(config.unknown.isEmpty, "\(config.unknown)")
    }

    @Test func aMissingFileIsReportedByItsOwnName() throws {
        let root = try StartupTemporaryDirectory("rooted")
        let config = RedisConfigParser(fileSystem: RootedFileSystem(root: root.path))
            .load(configFile: "/etc/redis/redis.conf", startDirectory: "/")
        #expect(config.unknown.first?.path == "/etc/redis/redis.conf")
        #expect(config.unknown.first?.error?.errno == ENOENT)
    }

    @Test func aDirectoryOutsideTheRootDoesNotCount() throws {
        let root = try StartupTemporaryDirectory("rooted")
        let rooted = RootedFileSystem(root: root.path)
        #expect(rooted.canonicalDirectory("/tmp") == nil)  // exists here, not under the root
        try root.makeDirectory("var/lib/redis")
        #expect(rooted.canonicalDirectory("/var/lib/./redis/") == "/var/lib/redis")
    }
}
