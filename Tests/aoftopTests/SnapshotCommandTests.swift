import AoftopModel
import AoftopTestSupport
import Foundation
import Testing

/// `aoftop snapshot`: table and JSON, discovery from a port or socket alone, credentials.
@Suite struct SnapshotCommandTests {
    @Test func tableNamesEverySource() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        // `-h` is the host, as in redis-cli.
        let result = try AoftopBinary.run(["snapshot", "-h", "127.0.0.1", "-p", String(server.port)])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.contains("redis 7."))
        #expect(text.contains("pid \(server.pid)"))
        #expect(text.contains(server.logPath))
        for source in ["redis    ok", "process  ok", "log      ok", "aof dir  ok"] {
            #expect(text.contains(source), "missing \(source)")
        }
    }

    @Test func jsonRoundTripsAndFindsPidAndLogFromThePortAlone() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try AoftopBinary.run(["snapshot", "-p", String(server.port), "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let data = Data(result.standardOutput.utf8)
        let snapshot = try AoftopJSON.decoder().decode(Snapshot.self, from: data)
        #expect(snapshot.process.value?.pid == server.pid)
        #expect(snapshot.log.value?.path == server.logPath)
        #expect(snapshot.redis.value?.version?.hasPrefix("7.") ?? false)
        #expect(snapshot.source.port == server.port)
        // Re-encoding the decoded value gives the same bytes: nothing is lost or renamed on the way.
        var again = try AoftopJSON.encoder(pretty: true).encode(snapshot)
        again.append(0x0A)
        #expect(String(decoding: again, as: UTF8.self) == result.standardOutput)
        #expect(try AoftopJSON.decoder().decode(Snapshot.self, from: again) == snapshot)
    }

    @Test func unixSocketWorks() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let result = try AoftopBinary.run(["snapshot", "--socket", server.unixSocketPath, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let snapshot = try AoftopJSON.decoder().decode(Snapshot.self, from: Data(result.standardOutput.utf8))
        #expect(snapshot.redis.isOK)
        #expect(snapshot.process.value?.pid == server.pid)
        #expect(snapshot.source.unixSocket == server.unixSocketPath)
        let short = try AoftopBinary.run(["snapshot", "-s", server.unixSocketPath])
        #expect(short.status == 0)
    }

    @Test func passwordFromEnvironmentOrFileAndNeverPrinted() throws {
        let password = "s3cr3t-Pw-\(UInt32.random(in: 0...UInt32.max))"
        var options = RedisServerOptions()
        options.extraConfig = ["requirepass \(password)"]
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let passwordFile = directory.path + "/password"
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)

        let port = String(server.port)
        let runs = [
            try AoftopBinary.run(["snapshot", "-p", port, "--json"], environment: ["REDISCLI_AUTH": password]),
            try AoftopBinary.run(["snapshot", "-p", port, "--password-file", passwordFile, "--json"]),
        ]
        for result in runs {
            #expect(result.status == 0, "\(result.standardError)")
            let snapshot = try AoftopJSON.decoder().decode(Snapshot.self, from: Data(result.standardOutput.utf8))
            #expect(snapshot.redis.isOK, "\(snapshot.redis.failureReason ?? "")")
            #expect(snapshot.redis.value?.config.isOK ?? false)
        }
        let table = try AoftopBinary.run(["check", "-p", port, "--duration", "500ms", "--password-file", passwordFile])
        let denied = try AoftopBinary.run(["snapshot", "-p", port])
        #expect(denied.status == 1, "without a password the Redis source fails")
        #expect(denied.stderrLines.count == 1, "\(denied.standardError)")
        for result in runs + [table, denied] {
            #expect(!result.standardOutput.contains(password))
            #expect(!result.standardError.contains(password))
        }
    }

    @Test func passwordOnTheCommandLineIsRefused() throws {
        for flag in ["-a", "--pass"] {
            let result = try AoftopBinary.run(["snapshot", "-p", "6379", flag, "hunter2-secret"])
            #expect(result.status != 0)
            #expect(result.standardOutput.isEmpty)
            let first = try #require(result.stderrLines.first)
            #expect(first.contains("`ps`") && first.contains("REDISCLI_AUTH") && first.contains("--password-file"), "\(first)")
            #expect(!result.standardError.contains("hunter2-secret"))
        }
    }

    @Test func garbageServerGivesOneClearLine() throws {
        let garbage = try GarbageServer()
        defer { garbage.stop() }
        let snapshot = try AoftopBinary.run(["snapshot", "-p", String(garbage.port), "--timeout", "2"])
        #expect(snapshot.status == 1)
        #expect(snapshot.stderrLines.count == 1, "\(snapshot.standardError)")
        #expect(snapshot.stderrLines.first?.hasPrefix("aoftop: ") ?? false)
        let check = try AoftopBinary.run(["check", "-p", String(garbage.port), "--duration", "500ms", "--interval", "250ms"])
        #expect((1...3).contains(check.status), "not a Redis server cannot be OK")
        #expect(check.stdoutLines.count == 1, "\(check.standardOutput)")
        #expect(check.standardOutput.contains("no Redis reading"), "\(check.standardOutput)")
    }
}
