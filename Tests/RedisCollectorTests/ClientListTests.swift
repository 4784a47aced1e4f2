import AoftopModel
import AoftopTestSupport
import Glibc
import Testing
@testable import RedisCollector

@Suite struct ClientListParserTests {
    @Test func summarisesEveryGenerationsFields() {
        let text = [
            // Redis 7.2 / Valkey 8: lib-name, laddr, IPv6 in brackets.
            "id=3 addr=10.0.0.7:51234 laddr=10.0.0.1:6379 fd=8 name=orders age=7200 idle=7100 flags=N db=0 cmd=get user=default lib-name=jedis lib-ver=5.1.0",
            "id=4 addr=10.0.0.7:51235 laddr=10.0.0.1:6379 fd=9 name=orders age=30 idle=30 flags=N db=0 cmd=get user=default lib-name=jedis lib-ver=5.1.0",
            "id=5 addr=[::1]:40000 laddr=[::1]:6379 fd=10 name= age=5 idle=0 flags=N db=2 cmd=client|list user=default lib-name= lib-ver=",
            // Redis 2.8: no laddr, no lib-name, no user; a unix-socket client.
            "id=6 addr=/run/redis/redis.sock:0 fd=11 name=cron age=900 idle=900 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=0 obl=0 oll=0 omem=0 events=r cmd=blpop",
            "",
            "garbage without an address",
        ].joined(separator: "\r\n")
        let s = ClientListParser.summary(text)
        #expect(s.clients == 4)
        #expect(s.byAddress == [NamedCount("10.0.0.7", 2), NamedCount("::1", 1), NamedCount("unix", 1)])
        #expect(s.distinctAddresses == 3)
        #expect(s.byName == [NamedCount("orders", 2), NamedCount("", 1), NamedCount("cron", 1)])
        #expect(s.byLibrary == [NamedCount("", 2), NamedCount("jedis", 2)])
        #expect(s.byDatabase == [NamedCount("0", 3), NamedCount("2", 1)])
        #expect(s.byCommand == [NamedCount("get", 2), NamedCount("blpop", 1), NamedCount("client|list", 1)])
        #expect(s.idle == IdleBuckets(underOneMinute: 2, underTenMinutes: 0, underOneHour: 1, overOneHour: 1, longestSeconds: 7100))
    }

    @Test func keepsTheTopEightLargestFirst() {
        let lines = (0..<20).flatMap { peer in
            (0...peer).map { _ in "addr=10.0.1.\(peer):5000 idle=1 db=0 cmd=ping" }
        }
        let s = ClientListParser.summary(lines.joined(separator: "\n"))
        #expect(s.clients == 210)
        #expect(s.distinctAddresses == 20)
        #expect(s.byAddress.count == ClientListSummary.topCount)
        #expect(s.byAddress.first == NamedCount("10.0.1.19", 20))
        #expect(s.byAddress.last == NamedCount("10.0.1.12", 13))
    }

    @Test func clientListPassesTheAllowListOnlyWhenAskedFor() throws {
        #expect(throws: RedisError.self) { try ReadOnlyCommands.check(["CLIENT", "LIST"], allowAuth: false) }
        try ReadOnlyCommands.check(["client", "list"], allowAuth: false, allowClientList: true)
        // Nothing else of CLIENT, even with the flag.
        for other in [["CLIENT", "KILL", "ID", "7"], ["CLIENT", "SETNAME", "x"], ["CLIENT", "LIST", "ID", "7"], ["CLIENT"]] {
            #expect(throws: RedisError.self) { try ReadOnlyCommands.check(other, allowAuth: false, allowClientList: true) }
        }
    }
}

/// Against the real redis-server: the summary matches what the server has, a user without `+client|list` gets a
/// one-line reason, and without the flag the command is never sent.
@Suite struct ClientListRealTests {
    private static func commandCalls(_ server: RedisServer, _ name: String) throws -> Int {
        let line = try server.cli(["INFO", "commandstats"]).split { $0 == "\n" || $0 == "\r\n" }
            .first { $0.hasPrefix("cmdstat_\(name):") }
        return line.flatMap { $0.split(separator: "=").dropFirst().first?.split(separator: ",").first }.flatMap { Int($0) } ?? 0
    }

    @Test func summaryMatchesTheServerAndIsReadAtMostEveryInterval() throws {
        let server = try RedisServer.start()
        var held: [Int32] = []
        defer { held.forEach { _ = Glibc.close($0) } }
        for index in 0..<5 {
            let fd = try Loopback.connect(port: server.port)
            held.append(fd)
            #expect(Exhaustion.command(fd, ["CLIENT", "SETNAME", index < 3 ? "worker" : "cron"]).contains("OK"))
        }
        let clock = FakeClock()
        let sampler = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port), clock: clock.closure,
                                   clientListInterval: 5)
        let summary = try #require(sampler.collect().value?.clientList.value)
        #expect(summary.clients == 6, "5 held + aoftop's own")
        #expect(summary.byAddress == [NamedCount("127.0.0.1", 6)])
        #expect(summary.byName == [NamedCount("worker", 3), NamedCount("cron", 2), NamedCount("", 1)])
        #expect(summary.byCommand.first { $0.name == "client|list" }?.count == 1)
        #expect(try Self.commandCalls(server, "client|list") == 1)
        // Within the interval the last summary is repeated, not read again.
        clock.advance(4)
        #expect(sampler.collect().value?.clientList.value == summary)
        #expect(try Self.commandCalls(server, "client|list") == 1)
        clock.advance(1)
        #expect(sampler.collect().value?.clientList.isOK == true)
        #expect(try Self.commandCalls(server, "client|list") == 2)
    }

    @Test func deniedByTheACLIsOneLineAndINFOStillWorks() throws {
        var options = RedisServerOptions()
        options.extraConfig = ["user mon on >pw -@all +info +ping +config|get"]
        let server = try RedisServer.start(options)
        let sampler = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                                   credentials: RedisCredentials(user: "mon", password: "pw"), clientListInterval: 5)
        let sample = try #require(sampler.collect().value)
        #expect(sample.processId == server.pid)
        let reason = try #require(sample.clientList.failureReason)
        #expect(reason == "CLIENT LIST denied: the ACL needs +client|list", "\(reason)")
    }

    @Test func withoutTheFlagItIsNeverSent() throws {
        let server = try RedisServer.start()
        let sampler = RedisSampler(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        for _ in 0..<3 { #expect(sampler.collect().value?.clientList == .notConfigured) }
        #expect(try Self.commandCalls(server, "client|list") == 0)
    }
}

@Suite struct RedisRefusalTests {
    @Test(arguments: ["ERR max number of clients reached", "127.0.0.1:6379 refused new clients: ERR max number of clients reached",
                      "ERR max number of clients + cluster connections reached"])
    func recognised(_ text: String) { #expect(RedisRefusal.isMaxClientsReached(text)) }

    @Test(arguments: ["connection reset by peer (127.0.0.1:6379)", "ERR max number of clients", "DENIED Redis is running in protected mode"])
    func notARefusal(_ text: String) { #expect(!RedisRefusal.isMaxClientsReached(text)) }
}
