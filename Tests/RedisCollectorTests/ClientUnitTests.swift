import Foundation
import Testing
@testable import RedisCollector

@Suite struct ReconnectBackoffTests {
    @Test func aHoldDefersTheNextAttemptAndKeepsTheDelay() {
        var backoff = ReconnectBackoff(initialDelay: 0.5, maxDelay: 30)
        backoff.recordFailure(at: 0)
        backoff.hold(until: 300)
        #expect(!backoff.mayAttempt(at: 299.9))
        #expect(backoff.mayAttempt(at: 300))
        backoff.hold(until: 10) // never earlier than a hold already in force
        #expect(!backoff.mayAttempt(at: 299.9))
        backoff.recordFailure(at: 300)
        #expect(backoff.remaining(at: 300) == 1, "the delay goes on doubling from where it was")
    }

    @Test func releasingAHoldLeavesOnlyTheFailuresOwnDelay() {
        var backoff = ReconnectBackoff(initialDelay: 0.5, maxDelay: 30)
        backoff.recordFailure(at: 10)
        backoff.hold(until: 310)
        #expect(!backoff.mayAttempt(at: 200))
        backoff.releaseHold()
        #expect(backoff.mayAttempt(at: 10.5), "back to the failure's 0.5 s")
        #expect(!backoff.mayAttempt(at: 10.4))
        backoff.releaseHold() // nothing held: no change
        #expect(backoff.mayAttempt(at: 10.5))
    }

    @Test func doublesUpToTheCapAndResetsOnSuccess() {
        var backoff = ReconnectBackoff(initialDelay: 0.5, maxDelay: 30)
        #expect(backoff.mayAttempt(at: 0))
        var now = 100.0
        var waits: [Double] = []
        for _ in 0..<9 {
            backoff.recordFailure(at: now)
            #expect(!backoff.mayAttempt(at: now))
            let wait = backoff.remaining(at: now)
            #expect(!backoff.mayAttempt(at: now + wait - 0.001))
            #expect(backoff.mayAttempt(at: now + wait))
            waits.append(wait)
            now += wait
        }
        #expect(waits == [0.5, 1, 2, 4, 8, 16, 30, 30, 30])
        backoff.recordSuccess()
        #expect(backoff.mayAttempt(at: now))
        backoff.recordFailure(at: now)
        #expect(backoff.remaining(at: now) == 0.5)
    }
}

@Suite struct AllowListTests {
    @Test(arguments: [["INFO"], ["info", "persistence"], ["PING"], ["CONFIG", "GET", "maxclients"],
                      ["config", "get", "a", "b"]])
    func readOnlyCommandsPass(command: [String]) throws {
        try ReadOnlyCommands.check(command, allowAuth: false)
    }

    @Test(arguments: [["SET", "k", "v"], ["CONFIG", "SET", "maxclients", "1"], ["CONFIG"], ["FLUSHALL"], [],
                      ["SHUTDOWN"], ["DEBUG", "SLEEP", "1"], ["CONFIG", "REWRITE", "x"], ["AUTH", "secret"]])
    func everythingElseThrowsBeforeAnyIO(command: [String]) {
        // An unreachable endpoint proves nothing is sent: the allow-list fires before connecting.
        let client = RedisClient(endpoint: .unix(path: "/nonexistent/aoftop.sock"))
        #expect(throws: RedisError.self) { _ = try client.call(command) }
        #expect(client.lastError == nil)
        #expect(client.backoff.nextAttemptAt == nil)
    }

    @Test func authNeverEchoesThePassword() {
        #expect(throws: RedisError.commandNotAllowed("AUTH …")) {
            try ReadOnlyCommands.check(["AUTH", "hunter2"], allowAuth: false)
        }
    }
}

@Suite struct CredentialsTests {
    @Test func passwordIsRedactedEverywhere() {
        let credentials = RedisCredentials(user: "mon", password: "hunter2")
        var dumped = ""
        dump(credentials, to: &dumped)
        let renderings = [credentials.description, credentials.debugDescription, String(describing: credentials),
                          String(reflecting: credentials), "\(credentials)", dumped,
                          String(describing: Mirror(reflecting: credentials).children.map(\.value))]
        for text in renderings {
            #expect(!text.contains("hunter2"), "leaked in: \(text)")
        }
        #expect(credentials.description.contains("mon"))
        #expect(credentials.authCommand == ["AUTH", "mon", "hunter2"])
        #expect(RedisCredentials(password: "p").authCommand == ["AUTH", "p"])
    }

    @Test func environmentVariable() throws {
        #expect(try RedisCredentials.resolve(user: nil, passwordFile: nil, environment: [:]) == nil)
        #expect(try RedisCredentials.resolve(user: nil, passwordFile: nil, environment: ["REDISCLI_AUTH": ""]) == nil)
        let resolved = try RedisCredentials.resolve(user: "mon", passwordFile: nil, environment: ["REDISCLI_AUTH": "s3cret"])
        #expect(resolved == RedisCredentials(user: "mon", password: "s3cret"))
    }

    @Test func passwordFileFirstLineWinsOverEnvironment() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pw"
        try "from-file\r\nsecond line\n".write(toFile: path, atomically: true, encoding: .utf8)
        let resolved = try RedisCredentials.resolve(user: nil, passwordFile: path, environment: ["REDISCLI_AUTH": "env"])
        #expect(resolved == RedisCredentials(password: "from-file"))
        try "no-newline".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try RedisCredentials.resolve(user: nil, passwordFile: path, environment: [:])?.authCommand == ["AUTH", "no-newline"])
    }

    @Test func unreadableOrEmptyPasswordFileIsAClearError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: RedisError.credentials("cannot read password file \(directory)/missing: No such file or directory")) {
            _ = try RedisCredentials.resolve(user: nil, passwordFile: directory + "/missing", environment: [:])
        }
        #expect(throws: RedisError.credentials("cannot read password file \(directory): Is a directory")) {
            _ = try RedisCredentials.resolve(user: nil, passwordFile: directory, environment: [:])
        }
        try "\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        #expect(throws: RedisError.credentials("password file \(directory)/empty is empty")) {
            _ = try RedisCredentials.resolve(user: nil, passwordFile: directory + "/empty", environment: [:])
        }
    }
}

@Suite struct ErrorTextTests {
    @Test func oneLineTexts() {
        #expect(RedisError.timedOut(seconds: 1, doing: "connecting to 127.0.0.1:6390").description
                == "timed out after 1.0 s connecting to 127.0.0.1:6390")
        #expect(RedisError.timedOut(seconds: 0.25, doing: "x").description == "timed out after 0.25 s x")
        #expect(RedisError.notRedis(preview: "HTTP/1.1 400 Bad Request").description
                == "not a Redis server (got \"HTTP/1.1 400 Bad Request\")")
        #expect(RedisError.authenticationFailed("WRONGPASS invalid username-password pair").description
                == "authentication failed: WRONGPASS invalid username-password pair")
        #expect(RedisEndpoint.tcp(host: "::1", port: 6379).description == "[::1]:6379")
    }
}
