import AoftopModel
import Foundation
@testable import StartupCollector
import Testing

@Suite("StartupSampler over a fake /proc")
struct StartupSamplerFakeProcTests {
    @Test func intactArgvWithARelativeConfigStartedFromTheParentsDirectory() throws {
        let start = try StartupTemporaryDirectory()
        try start.write("conf/redis.conf", "include conf/extra.conf\ndir data\nmaxclients 3000\ninclude ../conf/late.conf\n")
        try start.write("conf/extra.conf", "hz 25\nmaxclients 1\n")
        try start.write("conf/late.conf", "auto-aof-rewrite-min-size 32mb\n")
        let data = try start.makeDirectory("data")
        let proc = try FakeStartupProc()
        // Redis chdir()ed to `dir data`, so its own cwd no longer holds conf/redis.conf; its shell's does.
        try proc.addParent(pid: 50, cwd: start.path)
        try proc.add(pid: 100, arguments: ["redis-server", "conf/redis.conf", "--appendonly", "yes"], cwd: data, parent: 50)

        let startup = try #require(StartupSampler(procRoot: proc.root, systemdRoots: []).sample(pid: 100, startTicks: 100).value)
        #expect(startup.configFileLocation == .commandLine)
        #expect(startup.configFile == start.path + "/conf/redis.conf")
        #expect(startup.maxclients == Setting(3000, origin: .configFile, detail: start.path + "/conf/redis.conf:3"))
        #expect(startup.hz == Setting(25, origin: .configFile, detail: start.path + "/conf/extra.conf:1"))
        #expect(startup.autoAofRewriteMinSize?.value == 32 << 20)
        #expect(startup.appendonly == Setting(true, origin: .commandLine, detail: "--appendonly"))
        #expect(startup.dir == Setting(data, origin: .configFile, detail: start.path + "/conf/redis.conf:2"))
        #expect(startup.logfile == Setting("", origin: .defaultValue, detail: "default"))
        #expect(startup.autoAofRewritePercentage == Setting(100, origin: .defaultValue, detail: "default"))
        #expect(startup.appenddirname == nil) // version unknown
        #expect(startup.warnings == ["relative config file conf/redis.conf resolved against \(start.path), "
            + "its parent's working directory"])
    }

    @Test func optionsOnlyMeansNoConfigFileAndDefaults() throws {
        let cwd = try StartupTemporaryDirectory()
        let proc = try FakeStartupProc()
        try proc.add(pid: 7, arguments: ["redis-server", "--maxclients", "5000", "--appendonly", "yes"], cwd: cwd.path)
        let sampler = StartupSampler(procRoot: proc.root, systemdRoots: [])
        let startup = try #require(sampler.sample(pid: 7, startTicks: 100,
                                                  binary: ServerBinary(server: "redis", version: "7.0.15", path: "/x")).value)
        #expect(startup.configFileLocation == ConfigFileLocation.none)
        #expect(startup.configFile == nil)
        #expect(startup.maxclients == Setting(5000, origin: .commandLine, detail: "--maxclients"))
        #expect(startup.hz == Setting(10, origin: .defaultValue, detail: "default"))
        #expect(startup.autoAofRewriteMinSize?.value == 64 << 20)
        #expect(startup.dir?.value == cwd.path)
        #expect(startup.appenddirname == Setting("appendonlydir", origin: .defaultValue, detail: "default"))
        #expect(startup.binary?.version == "7.0.15")
        #expect(startup.warnings.isEmpty)
        let old = sampler.sample(pid: 7, startTicks: 100, binary: ServerBinary(server: "redis", version: "6.2.14", path: "/x"))
        #expect(old.value?.appenddirname == nil)
    }

    @Test func aRewrittenTitleWithoutUnitOrConfigIsAFailureWithTheHint() throws {
        let proc = try FakeStartupProc()
        try proc.addTitled(pid: 9, title: "redis-server *:7001", cwd: "/")
        let reading = StartupSampler(procRoot: proc.root, systemdRoots: []).sample(pid: 9, startTicks: nil)
        let reason = try #require(reading.failureReason)
        #expect(reason.contains("process title rewritten (set-proc-title yes)"))
        #expect(reason.hasSuffix("pass --config PATH"))
    }

    @Test func anExplicitConfigWinsAndSaysOverridesAreUnknown() throws {
        let dir = try StartupTemporaryDirectory()
        let file = try dir.write("r.conf", "maxclients 1234\n")
        let proc = try FakeStartupProc()
        try proc.addTitled(pid: 9, title: "redis-server 127.0.0.1:6379", cwd: dir.path)
        let startup = try #require(StartupSampler(procRoot: proc.root, explicitConfigFile: file, systemdRoots: [])
            .sample(pid: 9, startTicks: nil).value)
        #expect(startup.configFileLocation == .explicit)
        #expect(startup.maxclients?.value == 1234)
        #expect(startup.warnings.contains { $0.hasPrefix("command-line overrides unknown (process title rewritten") })
    }

    @Test func theSystemdUnitWithADropInWhenTheTitleIsRewritten() throws {
        let etc = try StartupTemporaryDirectory("etc")
        let lib = try StartupTemporaryDirectory("lib")
        let config = try etc.write("redis/redis.conf", "maxclients 100\nlogfile /var/log/redis/redis-server.log\n")
        try lib.write("redis-server.service",
                      "[Service]\nExecStart=/usr/bin/redis-server /nowhere.conf --supervised systemd\n")
        try etc.write("redis-server.service.d/override.conf",
                      "[Service]\nExecStart=\nExecStart=-/usr/bin/redis-server \(config) --maxclients 4000\n")
        let proc = try FakeStartupProc()
        try proc.addTitled(pid: 11, title: "/usr/bin/redis-server 127.0.0.1:6379", cwd: "/",
                           cgroup: "0::/system.slice/redis-server.service\n")
        let startup = try #require(StartupSampler(procRoot: proc.root, systemdRoots: [etc.path, lib.path])
            .sample(pid: 11, startTicks: nil).value)
        #expect(startup.configFileLocation == .systemdUnit)
        #expect(startup.configFile == config)
        #expect(startup.maxclients == Setting(4000, origin: .commandLine, detail: "--maxclients"))
        #expect(startup.logfile == Setting("/var/log/redis/redis-server.log", origin: .configFile, detail: config + ":2"))
    }

    @Test func aUnitThatRunsSomethingElseIsNotUsed() throws {
        let lib = try StartupTemporaryDirectory("lib")
        try lib.write("app.service", "[Service]\nExecStart=/usr/bin/python3 app.py\n")
        let proc = try FakeStartupProc()
        try proc.addTitled(pid: 12, title: "redis-server *:6379", cwd: "/", cgroup: "0::/system.slice/app.service\n")
        let reason = try #require(StartupSampler(procRoot: proc.root, systemdRoots: [lib.path])
            .sample(pid: 12, startTicks: nil).failureReason)
        #expect(reason.contains("not redis-server or valkey-server"))
    }

    @Test func aDeletedConfigFileIsNamedNotReplacedByDefaults() throws {
        let dir = try StartupTemporaryDirectory()
        let proc = try FakeStartupProc()
        try proc.add(pid: 13, arguments: ["redis-server", dir.path + "/gone.conf"], cwd: dir.path)
        let reading = StartupSampler(procRoot: proc.root, systemdRoots: []).sample(pid: 13, startTicks: nil)
        #expect(reading.failureReason == "config file \(dir.path)/gone.conf: deleted or moved after the server started")
    }

    @Test func anUnreadableConfigFileIsNamed() throws {
        // Root reads any mode, so the failures come from the path itself: a directory, and a file used as one.
        let dir = try StartupTemporaryDirectory()
        try dir.makeDirectory("conf.d")
        let plain = try dir.write("plain", "x")
        let proc = try FakeStartupProc()
        try proc.add(pid: 14, arguments: ["redis-server", dir.path + "/conf.d"], cwd: dir.path)
        try proc.add(pid: 15, arguments: ["redis-server", plain + "/redis.conf"], cwd: dir.path)
        let sampler = StartupSampler(procRoot: proc.root, systemdRoots: [])
        #expect(sampler.sample(pid: 14, startTicks: nil).failureReason == "config file \(dir.path)/conf.d: is a directory")
        #expect(sampler.sample(pid: 15, startTicks: nil).failureReason
            == "config file \(plain)/redis.conf: a path component is not a directory")
        #expect(FileError(errno: EACCES).description == "permission denied (run as the redis user or root)")
    }

    @Test func anUnreadableIncludeLeavesTheValuesItCouldSetUnknown() throws {
        let dir = try StartupTemporaryDirectory()
        try dir.makeDirectory("extra.conf") // EISDIR for root too
        let file = try dir.write("r.conf", "maxclients 10\ninclude \(dir.path)/extra.conf\nhz 50\n")
        let proc = try FakeStartupProc()
        try proc.add(pid: 16, arguments: ["redis-server", file], cwd: dir.path)
        let startup = try #require(StartupSampler(procRoot: proc.root, systemdRoots: []).sample(pid: 16, startTicks: nil).value)
        #expect(startup.maxclients == nil)
        #expect(startup.appendonly == nil)
        #expect(startup.hz?.value == 50)
        #expect(startup.warnings.contains { $0.contains("\(dir.path)/extra.conf (\(file):2): is a directory") })
        #expect(startup.warnings.contains { $0.hasPrefix("unknown because of unreadable config content: maxclients") })
    }

    @Test func readOncePerProcessThenOnlyStatForChangesAndDeletion() throws {
        let dir = try StartupTemporaryDirectory()
        let file = try dir.write("r.conf", "maxclients 10\n")
        let proc = try FakeStartupProc()
        try proc.add(pid: 17, arguments: ["redis-server", file], cwd: dir.path, startTicks: 100)
        let sampler = StartupSampler(procRoot: proc.root, systemdRoots: [])
        #expect(sampler.sample(pid: 17, startTicks: 100).value?.warnings == [])

        try dir.write("r.conf", "maxclients 99\n")
        var future = [timespec(tv_sec: time(nil) + 3600, tv_nsec: 0), timespec(tv_sec: time(nil) + 3600, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, file, &future, 0) == 0)
        let edited = try #require(sampler.sample(pid: 17, startTicks: 100).value)
        #expect(edited.maxclients?.value == 10) // the running server read 10
        #expect(edited.warnings == ["config file \(file) changed after the server started: the running values may differ"])

        try FileManager.default.removeItem(atPath: file)
        let deleted = try #require(sampler.sample(pid: 17, startTicks: 100).value)
        #expect(deleted.maxclients?.value == 10)
        #expect(deleted.warnings == ["config file \(file) deleted after the server started"])

        // A new process under the same pid is read afresh.
        #expect(sampler.sample(pid: 17, startTicks: 200).failureReason?.contains("deleted or moved") == true)
    }

    @Test func aConfigOlderThanTheStartHasNoWarningButANewerOneHas() throws {
        let dir = try StartupTemporaryDirectory()
        let file = try dir.write("r.conf", "maxclients 10\n")
        let now = Int64(Date().timeIntervalSince1970)
        let booted = try FakeStartupProc(bootTime: now - 1000) // started 999 s ago: the file is newer
        try booted.add(pid: 18, arguments: ["redis-server", file], cwd: dir.path, startTicks: 100)
        let stale = StartupSampler(procRoot: booted.root, systemdRoots: []).sample(pid: 18, startTicks: nil)
        #expect(stale.value?.warnings.contains { $0.contains("changed after the server started") } == true)
        let fresh = try FakeStartupProc(bootTime: now)
        try fresh.add(pid: 18, arguments: ["redis-server", file], cwd: dir.path, startTicks: 100)
        #expect(StartupSampler(procRoot: fresh.root, systemdRoots: []).sample(pid: 18, startTicks: nil).value?.warnings == [])
    }
}
