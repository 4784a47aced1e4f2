import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

@Suite struct RecordCommandTests {
    @Test func recordThenReplayGivesTheAssessmentsComputedInProcess() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/run.jsonl.gz"
        try server.cli(["SET", "k", "v"])

        let record = try RecordReplay.aoftop(["record", "-o", path, "-p", String(server.port), "--interval", "200ms", "--duration", "2s"])
        #expect(record.status == 0, "\(record.standardError)")
        let stderr = RecordReplay.lines(record.standardError)
        #expect(stderr.first == "recording 127.0.0.1:\(server.port) (pid \(server.pid)) to \(path) every 0.2 s; Ctrl-C stops")
        let snapshots = try RecordReplay.decodeAll(path)
        #expect(snapshots.count >= 8 && snapshots.count <= 12)
        #expect(stderr.last?.hasPrefix("\(snapshots.count) snapshots, ") == true)
        #expect(snapshots.allSatisfy { $0.redis.isOK && $0.process.isOK && $0.log.isOK })

        let replay = try RecordReplay.aoftop(["replay", path, "--json"])
        #expect(replay.status == 0)
        #expect(replay.standardError.isEmpty)
        #expect(RecordReplay.lines(replay.standardOutput) == (try RecordReplay.expectedLines(snapshots)))

        let header = try RecordingReader(path: path).header
        #expect(header.target == "127.0.0.1:\(server.port)")
        #expect(header.intervalSeconds == 0.2)
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalStopsRecordingCleanly(signal: Int32) throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/signal.jsonl.gz"
        let child = try ChildProcess(RepositoryPaths.aoftopBinary,
                                     ["record", "-o", path, "-p", String(server.port), "--interval", "1s"],
                                     environment: ProcessInfo.processInfo.environment)
        // Two snapshots in: the recorder is mid-way through its one-second sleep.
        let started = RedisServer.waitUntil(timeout: 20) { ((try? RecordingReader(path: path).count) ?? 0) >= 2 }
        #expect(started)
        kill(child.pid, signal)
        let status = child.waitForExit(timeout: 10)
        #expect(status.map(ChildProcess.exitCode(fromWaitStatus:)) == 0)
        let gzip = try Subprocess.run("gzip", ["-t", path])
        #expect(gzip.status == 0, "\(gzip.standardError)")
        let reader = try RecordingReader(path: path)
        #expect(reader.warnings.isEmpty)
        #expect(reader.count >= 2)
    }

    @Test func refusesToOverwriteAndCreatesMode0600() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let existing = directory + "/existing.jsonl"
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: existing))
        // Nothing listens on port 1: the refusal must come before any sampling.
        let refused = try RecordReplay.aoftop(["record", "-o", existing, "-p", "1", "--duration", "1s"])
        #expect(refused.status == 1)
        #expect(refused.standardError == "aoftop: \(existing): already exists; refusing to overwrite it (choose another name)\n")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me\n")

        let fresh = directory + "/fresh.jsonl"
        let made = try RecordReplay.aoftop(["record", "-o", fresh, "-p", "1", "--interval", "100ms", "--duration", "200ms"])
        #expect(made.status == 0, "\(made.standardError)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let snapshots = try RecordReplay.decodeAll(fresh)
        #expect(snapshots.count == 3)
        #expect(snapshots.allSatisfy { $0.redis.failureReason != nil })
    }
}
