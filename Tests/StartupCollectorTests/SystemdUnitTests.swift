@testable import StartupCollector
import Testing

@Suite("systemd unit files")
struct SystemdUnitTests {
    @Test func execStartWordsAndPrefixes() {
        #expect(SystemdUnit.commandWords("-/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd")
            == ["/usr/bin/redis-server", "/etc/redis/redis.conf", "--supervised", "systemd"])
        #expect(SystemdUnit.commandWords(#"+!/usr/bin/redis-server "/etc/my redis.conf" --logfile 'a b'"#)
            == ["/usr/bin/redis-server", "/etc/my redis.conf", "--logfile", "a b"])
        #expect(SystemdUnit.commandWords("@/usr/bin/redis-server redis-server /etc/r.conf")
            == ["redis-server", "/etc/r.conf"])
        #expect(SystemdUnit.commandWords("   ") == nil)
    }

    @Test func continuationLinesAndComments() {
        let lines = SystemdUnit.logicalLines("# c\n; c\n[Service]\nExecStart=/usr/bin/redis-server \\\n  /etc/r.conf\n")
        #expect(lines == ["[Service]", "ExecStart=/usr/bin/redis-server  /etc/r.conf"])
    }

    @Test func dropInsOverrideAndAnEmptyExecStartResets() throws {
        let lib = try StartupTemporaryDirectory("lib")
        let etc = try StartupTemporaryDirectory("etc")
        try lib.write("redis-server.service", """
            [Unit]
            Description=Redis
            ExecStart=/not/in/service/section
            [Service]
            ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd
            WorkingDirectory=/var/lib/redis
            """)
        try lib.write("redis-server.service.d/10-limits.conf", "[Service]\nLimitNOFILE=65535\n")
        try etc.write("redis-server.service.d/override.conf",
                      "[Service]\nExecStart=\nExecStart=/usr/bin/redis-server /srv/redis.conf --maxclients 4000\n")
        let unit = try SystemdUnit.load("redis-server.service", roots: [etc.path, lib.path]).get()
        #expect(unit.path == lib.path + "/redis-server.service")
        #expect(unit.dropIns == [lib.path + "/redis-server.service.d/10-limits.conf",
                                 etc.path + "/redis-server.service.d/override.conf"])
        #expect(unit.execStart == ["/usr/bin/redis-server", "/srv/redis.conf", "--maxclients", "4000"])
        #expect(unit.workingDirectory == "/var/lib/redis")
    }

    @Test func instancesUseTheTemplateAndItsSpecifiers() throws {
        let lib = try StartupTemporaryDirectory("lib")
        try lib.write("redis-server@.service", "[Service]\nExecStart=/usr/bin/redis-server /etc/redis/redis-%i.conf\n")
        let unit = try SystemdUnit.load("redis-server@6380.service", roots: [lib.path]).get()
        #expect(unit.execStart == ["/usr/bin/redis-server", "/etc/redis/redis-6380.conf"])
        #expect(throws: (any Error).self) { try SystemdUnit.load("nope.service", roots: [lib.path]).get() }
    }
}
