@testable import StartupCollector
import Testing

@Suite("/proc/PID/cmdline: argv or a rewritten title")
struct ProcessCommandLineTests {
    func decode(_ text: String) -> ProcessCommandLine? { ProcessCommandLine.decode(Array(text.utf8)) }

    // Byte-for-byte what Redis 7.0.15 showed on this machine (od -c /proc/PID/cmdline).
    @Test func titlesRedisWrites() {
        #expect(decode("redis-server 127.0.0.1:7391\0") == .rewrittenTitle("redis-server 127.0.0.1:7391"))
        #expect(decode("redis-server *:7393" + String(repeating: "\0", count: 32))
            == .rewrittenTitle("redis-server *:7393"))
        #expect(decode("/usr/bin/redis-server 0.0.0.0:6379 [cluster]\0")
            == .rewrittenTitle("/usr/bin/redis-server 0.0.0.0:6379 [cluster]"))
        #expect(decode("redis-server /run/redis/redis.sock\0\0\0") == .rewrittenTitle("redis-server /run/redis/redis.sock"))
        #expect(decode("valkey-server\0\0\0\0") == .rewrittenTitle("valkey-server")) // proc-title-template "{title}"
        #expect(decode("redis-server 127.0.0.1:6379") == .rewrittenTitle("redis-server 127.0.0.1:6379")) // no NUL
    }

    @Test func intactArgv() {
        #expect(decode("redis-server\0./r.conf\0--port\07392\0--set-proc-title\0no\0")
            == .arguments(["redis-server", "./r.conf", "--port", "7392", "--set-proc-title", "no"]))
        #expect(decode("redis-server\0--port\07394\0--save\0\0--set-proc-title\0no\0")
            == .arguments(["redis-server", "--port", "7394", "--save", "", "--set-proc-title", "no"]))
        #expect(decode("redis-server\0") == .arguments(["redis-server"]))
        #expect(decode("") == nil)
    }

    @Test func statFieldsSurviveOddCommandNames() {
        let stat = "42 (redis) x) y) S 7 42 42 0 -1 4194560 1533 0 0 0 1 2 0 0 20 0 6 0 987654 150990848 2781\n"
        #expect(ProcessStat.parse(Array(stat.utf8)) == ProcessStat(parentPid: 7, startTicks: 987_654))
        #expect(ProcessStat.parse(Array("garbage".utf8)) == nil)
        #expect(BootTime.parse(Array("cpu 1 2 3\nbtime 1700000000\nprocesses 5\n".utf8)) == 1_700_000_000)
    }

    @Test func serviceUnitFromCgroup() {
        #expect(ControlGroup.serviceUnit(Array("0::/system.slice/redis-server.service\n".utf8)) == "redis-server.service")
        #expect(ControlGroup.serviceUnit(Array("1:name=systemd:/system.slice/redis@6380.service\n4:memory:/x\n".utf8))
            == "redis@6380.service")
        #expect(ControlGroup.serviceUnit(Array("0::/\n".utf8)) == nil)
        #expect(ControlGroup.serviceUnit(Array("0::/user.slice/user-1000.slice/user@1000.service/app.slice/r.service\n".utf8))
            == "r.service")
    }
}
