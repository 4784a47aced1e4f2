import Testing
@testable import AoftopPipeline

@Suite struct LogPathResolverTests {
    @Test func absoluteLogfileIsUsedAsIs() {
        #expect(LogPathResolver.resolve(logfile: "/var/log/redis/redis-server.log", dir: "/var/lib/redis", processWorkingDirectory: "/x")
                == .path("/var/log/redis/redis-server.log"))
    }

    @Test func relativeLogfileFollowsTheProcessDirectoryFirst() {
        #expect(LogPathResolver.resolve(logfile: "./redis.log", dir: "/var/lib/redis", processWorkingDirectory: "/srv/redis/")
                == .path("/srv/redis/redis.log"))
        #expect(LogPathResolver.resolve(logfile: "redis.log", dir: "/var/lib/redis", processWorkingDirectory: nil)
                == .path("/var/lib/redis/redis.log"))
    }

    @Test func noFileToFollowSaysWhyAndWhatToDo() {
        // logfile "": where standard output goes is the collector's question (StandardOutputLog).
        #expect(LogPathResolver.resolve(logfile: "", dir: "/d", processWorkingDirectory: nil) == .standardOutput)
        guard case .unavailable(let unknown) = LogPathResolver.resolve(logfile: nil, dir: nil, processWorkingDirectory: nil),
              case .unavailable(let relative) = LogPathResolver.resolve(logfile: "r.log", dir: nil, processWorkingDirectory: nil)
        else {
            Issue.record("expected unavailable")
            return
        }
        #expect(unknown.contains("CONFIG") && unknown.contains("--log"))
        #expect(relative.contains("relative") && relative.contains("--log"))
    }

    @Test func aofDirectoryOnlyForMultiPartAof() {
        #expect(LogPathResolver.aofDirectory(dir: "/var/lib/redis", appenddirname: "appendonlydir", processWorkingDirectory: nil)
                == "/var/lib/redis/appendonlydir")
        #expect(LogPathResolver.aofDirectory(dir: "/var/lib/redis", appenddirname: nil, processWorkingDirectory: nil) == nil)
        #expect(LogPathResolver.aofDirectory(dir: nil, appenddirname: "/abs/aof", processWorkingDirectory: nil) == "/abs/aof")
    }
}
