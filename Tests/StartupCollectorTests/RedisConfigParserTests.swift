import Glibc
@testable import StartupCollector
import Testing

@Suite("redis.conf parsing as Redis does it")
struct RedisConfigParserTests {
    func value(_ config: ParsedConfig, _ name: String) -> [String]? {
        if case .set(let directive) = config.lookup(name) { return directive.arguments }
        return nil
    }

    func source(_ config: ParsedConfig, _ name: String) -> String? {
        if case .set(let directive) = config.lookup(name) { return directive.source.description }
        return nil
    }

    @Test func commentsBlankLinesCaseAndLastWins() {
        let text = """
            # maxclients 1
              # indented comment
            
            MaxClients 100
            hz 20
            maxclients   200\r
            APPENDONLY yes
            """
        let config = RedisConfigParser(fileSystem: MemoryFileSystem()).parse(text: text, path: "/etc/r.conf",
                                                                             startDirectory: "/")
        #expect(value(config, "maxclients") == ["200"])
        #expect(source(config, "maxclients") == "/etc/r.conf:6")
        #expect(value(config, "appendonly") == ["yes"])
        #expect(config.lookup("logfile") == .absent)
        #expect(config.warnings.isEmpty)
    }

    @Test func invalidQuotesAreReportedAndSkipped() {
        let text = "logfile \"a\"b\nmaxclients 5\nlogfile 'x\n"
        let config = RedisConfigParser(fileSystem: MemoryFileSystem()).parse(text: text, path: "/r.conf",
                                                                             startDirectory: "/")
        #expect(config.lookup("logfile") == .absent)
        #expect(value(config, "maxclients") == ["5"])
        #expect(config.warnings.count == 2)
        #expect(config.warnings.first?.hasPrefix("/r.conf:1: unbalanced quotes") == true)
    }

    @Test func junkNeverCrashesAndNULCutsTheLineLikeFgets() {
        var junk: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        junk += Array("\nmaxclients 77\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 300_000) + [10]
        junk += Array("hz 5\0garbage\nappendonly yes\n".utf8)
        junk += Array("logfile x\0y\r\n".utf8) + Array(repeating: 0, count: 5000) + Array("\nmaxmemory 1\n".utf8)
        let fs = MemoryFileSystem()
        var parser = RedisConfigParser(fileSystem: fs)
        parser.fileSizeLimit = 1 << 20
        let config = parser.parse(text: String(decoding: junk, as: UTF8.self), path: "/j.conf", startDirectory: "/")
        #expect(value(config, "maxclients") == ["77"])
        // The NUL swallowed the newline, so Redis itself reads "hz 5appendonly yes" (and would refuse to start).
        #expect(value(config, "hz") == ["5appendonly", "yes"])
        #expect(value(config, "appendonly") == nil)
        // Likewise across a run of NULs longer than one fgets chunk.
        #expect(value(config, "logfile") == ["xmaxmemory", "1"])
        #expect(config.warnings.contains { $0.contains("NUL byte") })
    }

    @Test func aNULWithoutNewlineInItsChunkJoinsTheNextLine() {
        // fgets reads "hz 5\0xx\n" as one chunk; sdscat keeps "hz 5", the newline is lost, so Redis sees "hz 5hz 6".
        let lines = ConfigText.lines(Array("hz 5\0xx\nhz 6\nmaxclients 3\n".utf8))
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["hz 5hz 6", "maxclients 3"])
        #expect(lines.map(\.number) == [1, 3])
    }

    @Test func relativeIncludesFollowTheDirectoryRedisChangedTo() {
        let fs = MemoryFileSystem([
            "/etc/redis/redis.conf": "include before.conf\ndir /var/lib/redis\ninclude after.conf\nmaxclients 5\n",
            "/start/before.conf": "hz 11\nmaxclients 1\n",
            "/var/lib/redis/after.conf": "appendonly yes\n",
            "/etc/redis/after.conf": "appendonly no\n",
        ], directories: ["/start", "/var/lib/redis"])
        let config = RedisConfigParser(fileSystem: fs).load(configFile: "/etc/redis/redis.conf", startDirectory: "/start")
        #expect(value(config, "hz") == ["11"])
        #expect(source(config, "hz") == "/start/before.conf:1")
        #expect(value(config, "appendonly") == ["yes"])
        #expect(value(config, "maxclients") == ["5"])
        #expect(config.workingDirectory == "/var/lib/redis")
        #expect(config.files == ["/etc/redis/redis.conf", "/start/before.conf", "/var/lib/redis/after.conf"])
        #expect(config.dependsOnStartDirectory)
    }

    @Test func aRelativeDirResolvesAgainstTheCurrentDirectory() {
        let fs = MemoryFileSystem(["/c.conf": "dir data\ndir ../logs/./x\n"], directories: ["/s/logs/x"])
        let config = RedisConfigParser(fileSystem: fs).load(configFile: "/c.conf", startDirectory: "/s")
        #expect(config.workingDirectory == "/s/logs/x")
    }

    @Test func globIncludesInOrderAndAnEmptyGlobIsFine() {
        let fs = MemoryFileSystem([
            "/r.conf": "include /etc/conf.d/*.conf\ninclude /empty/*.conf\nhz 7\n",
            "/etc/conf.d/20-b.conf": "maxclients 20\n",
            "/etc/conf.d/10-a.conf": "maxclients 10\nhz 3\n",
        ])
        let config = RedisConfigParser(fileSystem: fs).load(configFile: "/r.conf", startDirectory: "/")
        #expect(value(config, "maxclients") == ["20"])
        #expect(value(config, "hz") == ["7"])
        #expect(config.warnings.isEmpty)
    }

    @Test func includeCyclesAndDeepChainsStop() {
        var files = ["/a.conf": "include /b.conf\nmaxclients 1\n", "/b.conf": "include /a.conf\nhz 2\n"]
        for depth in 0..<30 { files["/d\(depth).conf"] = "include /d\(depth + 1).conf\n" }
        let parser = RedisConfigParser(fileSystem: MemoryFileSystem(files))
        let cycle = parser.load(configFile: "/a.conf", startDirectory: "/")
        #expect(value(cycle, "maxclients") == ["1"])
        #expect(value(cycle, "hz") == ["2"])
        #expect(cycle.warnings.contains { $0.contains("include cycle") })
        let deep = parser.load(configFile: "/d0.conf", startDirectory: "/")
        #expect(deep.warnings.contains { $0.contains("nested deeper than 16") })
        #expect(deep.files.count == 17)
    }

    @Test func anUnreadableIncludeMakesEarlierValuesUnknownNotDefaults() {
        var fs = MemoryFileSystem(["/r.conf": "maxclients 5\ninclude /secret.conf\ninclude /gone.conf\nhz 9\n"])
        fs.errors["/secret.conf"] = EACCES
        let config = RedisConfigParser(fileSystem: fs).load(configFile: "/r.conf", startDirectory: "/")
        guard case .unknown(let reason) = config.lookup("maxclients") else {
            Issue.record("maxclients should be unknown")
            return
        }
        #expect(reason.contains("/gone.conf"))
        #expect(config.lookup("appendonly") != .absent) // could be in either file
        #expect(value(config, "hz") == ["9"]) // set after both
        #expect(config.warnings.contains { $0.contains("/secret.conf") && $0.contains("run as the redis user or root") })
        #expect(config.warnings.contains { $0.contains("/gone.conf (/r.conf:3): not found") })
    }

    @Test func commandLineOverridesComeAfterTheFile() {
        let fs = MemoryFileSystem(["/r.conf": "maxclients 5\nappendonly no\ndir /data\n"], directories: ["/data", "/tmp"])
        let commandLine = ServerCommandLine(arguments: ["redis-server", "/r.conf", "--maxclients", "2000",
                                                        "--appendonly", "yes", "--dir", "/tmp"])
        let config = RedisConfigParser(fileSystem: fs).load(configFile: "/r.conf", overrides: commandLine.overrides,
                                                            startDirectory: "/")
        #expect(value(config, "maxclients") == ["2000"])
        #expect(source(config, "maxclients") == "--maxclients")
        #expect(value(config, "appendonly") == ["yes"])
        #expect(config.workingDirectory == "/tmp")
    }

    @Test func standardInputIsUnknownContentBeforeTheOverrides() {
        let commandLine = ServerCommandLine(arguments: ["redis-server", "-", "--maxclients", "3"])
        #expect(commandLine.configFromStdin)
        let config = RedisConfigParser(fileSystem: MemoryFileSystem()).load(
            configFile: nil, configFromStdin: true, overrides: commandLine.overrides, startDirectory: "/")
        #expect(value(config, "maxclients") == ["3"])
        guard case .unknown(let reason) = config.lookup("hz") else {
            Issue.record("hz should be unknown")
            return
        }
        #expect(reason.contains("standard input"))
    }
}

@Suite("redis-server command line")
struct ServerCommandLineTests {
    @Test func configFileThenOptionsWithSeveralValues() {
        let line = ServerCommandLine(arguments: ["/usr/bin/redis-server", "./redis.conf", "--save", "900", "1",
                                                 "--maxclients", "2000", "--logfile", "my log \"1\".txt"])
        #expect(line.configFile == "./redis.conf")
        #expect(line.overrides == [
            ConfigOverride(option: "--save", line: #"save "900" "1" "#),
            ConfigOverride(option: "--maxclients", line: #"maxclients "2000" "#),
            ConfigOverride(option: "--logfile", line: #"logfile "my log \"1\".txt" "#),
        ])
    }

    @Test func containerStyleOptionsOnly() {
        let line = ServerCommandLine(arguments: ["redis-server", "--appendonly", "yes", "--maxclients", "5000"])
        #expect(line.configFile == nil)
        #expect(line.overrides.map(\.option) == ["--appendonly", "--maxclients"])
    }

    @Test func nameAndValueInOneArgument() {
        let line = ServerCommandLine(arguments: ["redis-server", "--port 6380", "--hz", "20"])
        #expect(line.overrides.map(\.line) == ["port 6380 ", #"hz "20" "#])
    }

    @Test func aValueMayStartWithDashesAndSaveMayBeEmpty() {
        let line = ServerCommandLine(arguments: ["redis-server", "--requirepass", "--secret", "--save", "--hz", "5",
                                                 "--save"])
        #expect(line.overrides.map(\.line) == [#"requirepass "--secret" "#, #"save """#, #"hz "5" "#, #"save """#])
    }
}
