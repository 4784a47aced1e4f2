import AoftopModel
import AoftopPipeline
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

@Suite struct ReplayCommandTests {
    @Test func aTornLastLineIsNotedAndTheRestReplays() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/torn.jsonl"
        let snapshots = try RecordReplay.writeRecording(path, count: 5)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"aof_directory":{"status":"not_con"#.utf8))
        handle.closeFile()

        let result = try RecordReplay.aoftop(["replay", path, "--json"])
        #expect(result.status == 0)
        #expect(result.standardError == "aoftop: \(path): last line incomplete (recording was interrupted); ignored\n")
        #expect(RecordReplay.lines(result.standardOutput) == (try RecordReplay.expectedLines(snapshots)))
    }

    @Test func aCorruptMiddleLineIsSkippedWithItsLineNumber() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/corrupt.jsonl"
        let snapshots = try RecordReplay.writeRecording(path, count: 5)
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        lines[3] = "{this is not json"   // line 4 of the file: the third snapshot
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)

        let result = try RecordReplay.aoftop(["replay", path, "--json"])
        #expect(result.status == 0)
        #expect(result.standardError.hasPrefix("aoftop: \(path): line 4: not a snapshot"))
        #expect(result.standardError.hasSuffix("; skipped\n"))
        #expect(RecordReplay.lines(result.standardOutput) == (try RecordReplay.expectedLines(snapshots.enumerated().filter { $0.offset != 2 }.map(\.element))))
    }

    @Test func aLineWithAValidEndButBrokenBodyIsSkippedWithItsLineNumber() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/body.jsonl"
        _ = try RecordReplay.writeRecording(path, count: 4)
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        lines[2] = #"{"source":{},"time":"2023-11-14T22:13:21.000Z"}"#
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)

        let result = try RecordReplay.aoftop(["replay", path, "--json"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("line 3: not a snapshot"))
        #expect(RecordReplay.lines(result.standardOutput).count == 3)
    }

    @Test func unusableFilesFailWithOneLine() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = directory + "/empty.jsonl"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let foreign = directory + "/foreign.json"
        try Data(#"{"hello":"world"}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: foreign))
        let newer = directory + "/newer.jsonl"
        try Data(#"{"format":"aoftop-recording","version":99}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: newer))
        let cases: [(String, String)] = [
            (empty, "the file is empty"),
            (foreign, "not an aoftop recording"),
            (directory, "is a directory, not a recording"),
            (newer, "recording format version 99 is newer than this aoftop understands (1): upgrade aoftop"),
            (directory + "/missing.jsonl", "missing.jsonl"),
        ]
        for (path, reason) in cases {
            for extra in [["--json"], []] {
                let result = try RecordReplay.aoftop(["replay", path] + extra)
                #expect(result.status == 1, "\(path)")
                #expect(RecordReplay.lines(result.standardError).count == 1, "\(result.standardError)")
                #expect(result.standardError.hasPrefix("aoftop: \(path)"))
                #expect(result.standardError.contains(reason), "\(result.standardError)")
                #expect(result.standardOutput.isEmpty)
            }
        }
    }

    @Test func replayNeverWritesTheFile() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ro.jsonl"
        _ = try RecordReplay.writeRecording(path, count: 3)
        chmod(path, 0o400)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try RecordReplay.aoftop(["replay", path, "--json"])
        #expect(result.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func startSkipsEarlierAssessmentsButKeepsTheirHistory() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/start.jsonl"
        let snapshots = try RecordReplay.writeRecording(path, count: 6)
        let result = try RecordReplay.aoftop(["replay", path, "--json", "--start", "+3s"])
        #expect(result.status == 0)
        #expect(RecordReplay.lines(result.standardOutput) == Array(try RecordReplay.expectedLines(snapshots).suffix(3)))
        let bad = try RecordReplay.aoftop(["replay", path, "--json", "--start", "yesterday"])
        #expect(bad.status == 1)
        #expect(bad.standardError.hasPrefix("aoftop: --start yesterday: not a time"))
    }

    @Test func theSeedLogReplaysWithForkFailuresAndNotRecordedPanes() throws {
        let log = RepositoryPaths.root + "/Tests/LogCollectorTests/Fixtures/seed-3x.log"
        let result = try RecordReplay.aoftop(["replay", "--log", log, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let objects = try RecordReplay.objects(result.standardOutput)
        #expect(!objects.isEmpty)
        for object in objects {
            let sources = try #require(object.object("sources"))
            #expect(sources.object("process")?["reason"] as? String == "not recorded: replay of a log")
            #expect(sources.object("redis")?["reason"] as? String == "not recorded: replay of a log")
            #expect(sources.object("log")?["status"] as? String == "ok")
        }
        // 15 Aug 13:52:01: three fork failures within one second (the file lists 16 Aug first: sorted by time).
        let forks = try #require(objects.first?.object("fork_failures"))
        #expect(forks["aof"] as? Int == 3)
        let last = try #require(objects.last?.object("fork_failures"))
        #expect(last["total"] as? Int == 3)
        let times = objects.compactMap { $0["time"] as? String }
        #expect(times == times.sorted())
    }

    @Test func aRealRedisLogWithForkFailuresReplays() throws {
        var options = RedisServerOptions()
        options.forkFailureShim = .failForks
        let server = try RedisServer.start(options)
        defer { server.stop() }
        try server.setForkFailure(true)
        try server.triggerAutomaticRewrites()
        let failures = "Can't rewrite append only file in background: fork: Cannot allocate memory"
        let enough = RedisServer.waitUntil(timeout: 30) { server.logText().components(separatedBy: failures).count - 1 >= 25 }
        #expect(enough)
        try server.setForkFailure(false)
        let logged = server.logText().components(separatedBy: failures).count - 1

        let result = try RecordReplay.aoftop(["replay", "--log", server.logPath, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let objects = try RecordReplay.objects(result.standardOutput)
        let last = try #require(objects.last)
        let forks = try #require(last.object("fork_failures"))
        #expect((forks["aof"] as? Int ?? 0) >= 25 && (forks["aof"] as? Int ?? 0) <= logged)
        // ~10 failures a second for a few seconds: a rate per minute in the hundreds somewhere in the timeline.
        let rates = objects.compactMap { $0.object("fork_failures")?["per_minute"] as? Double }
        #expect((rates.max() ?? 0) >= 100)
        #expect(last["version"] as? String == "7.0.15")
        #expect(last.object("sources")?.object("process")?["reason"] as? String == "not recorded: replay of a log")
    }

    @Test func aLogWithNothingKnownFailsWithOneLine() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/quiet.log"
        try "just some text\nand more\n".write(toFile: path, atomically: false, encoding: .utf8)
        let result = try RecordReplay.aoftop(["replay", "--log", path, "--json"])
        #expect(result.status == 1)
        #expect(RecordReplay.lines(result.standardError).count == 1)
        #expect(result.standardError.contains("nothing to replay"))
        let missing = try RecordReplay.aoftop(["replay", "--log", directory + "/nope.log", "--json"])
        #expect(missing.status == 1)
        #expect(RecordReplay.lines(missing.standardError).count == 1)
    }
}
