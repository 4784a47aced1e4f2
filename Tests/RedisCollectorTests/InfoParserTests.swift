import AoftopModel
import Testing
@testable import RedisCollector

@Suite struct InfoParserTests {
    @Test func redis7015Capture() {
        let sample = InfoParser.parse(crlf(info7015))
        #expect(sample.server == "redis")
        #expect(sample.version == "7.0.15")
        #expect(sample.processId == 13032)
        #expect(sample.role == "master")
        #expect(sample.tcpPort == 6491)
        #expect(sample.uptimeSeconds == 0)
        #expect(sample.hz == 10)
        #expect(sample.connectedClients == 1)
        #expect(sample.maxclients == 64)
        #expect(sample.rejectedConnections == 0)
        #expect(sample.totalConnectionsReceived == 2)
        #expect(sample.aofEnabled == true)
        #expect(sample.aofCurrentSize == 50)
        #expect(sample.aofBaseSize == 0)
        #expect(sample.aofRewriteInProgress == false)
        #expect(sample.aofRewriteScheduled == false)
        #expect(sample.aofLastBgrewriteStatus == "ok")
        #expect(sample.aofRewrites == 0)
        #expect(sample.aofRewritesConsecutiveFailures == 0)
        #expect(sample.rdbLastBgsaveStatus == "ok")
        #expect(sample.totalForks == 0)
        #expect(sample.latestForkUsec == 0)
        #expect(sample.usedMemory == 411800)
        #expect(sample.otherFields["configured_hz"] == "10")
        #expect(sample.otherFields["db0"] == "keys=1,expires=0,avg_ttl=0")
        #expect(sample.otherFields["config_file"] == "")
        // Mapped fields are not duplicated, section headers are not fields.
        #expect(sample.otherFields["redis_version"] == nil)
        #expect(sample.otherFields["aof_current_size"] == nil)
        #expect(!sample.otherFields.keys.contains { $0.hasPrefix("#") })
        #expect(sample.config == .notConfigured)
        #expect(sample.infoLatencyMicros == nil)
    }

    @Test func copyOnWriteSizes() {
        // Valkey 8.0 (Redis 7.2 fields): all three, zero before any fork, not left in otherFields.
        let valkey = InfoParser.parse(crlf(infoValkey802))
        #expect(valkey.currentCowSize == 0)
        #expect(valkey.rdbLastCowSize == 0)
        #expect(valkey.aofLastCowSize == 0)
        #expect(valkey.otherFields["rdb_last_cow_size"] == nil)
        #expect(valkey.otherFields["current_cow_size_age"] == "0")
        // Redis 2.8 and 3.2 report none of them.
        for old in [info284, info328] {
            let sample = InfoParser.parse(crlf(old))
            #expect(sample.currentCowSize == nil)
            #expect(sample.rdbLastCowSize == nil)
            #expect(sample.aofLastCowSize == nil)
        }
        // Redis 4.0 to 6.0: the last sizes only; a garbled value stays nil.
        let redis5 = InfoParser.parse("# Persistence\r\nrdb_last_cow_size:4423680\r\naof_last_cow_size:x\r\n")
        #expect(redis5.rdbLastCowSize == 4_423_680)
        #expect(redis5.aofLastCowSize == nil)
        #expect(redis5.currentCowSize == nil)
    }

    @Test func redis284HasNoModernFields() {
        let sample = InfoParser.parse(crlf(info284))
        #expect(sample.server == "redis")
        #expect(sample.version == "2.8.4")
        #expect(sample.processId == 1187)
        #expect(sample.connectedClients == 7)
        #expect(sample.maxclients == nil)
        #expect(sample.aofEnabled == false)
        #expect(sample.aofCurrentSize == nil)
        #expect(sample.aofBaseSize == nil)
        #expect(sample.aofRewrites == nil)
        #expect(sample.aofRewritesConsecutiveFailures == nil)
        #expect(sample.totalForks == nil)
        #expect(sample.latestForkUsec == 411)
        #expect(sample.totalConnectionsReceived == 523)
        #expect(sample.usedMemory == 1007536)
        #expect(sample.otherFields["used_cpu_sys"] == "12.50")
    }

    @Test func redis328FromTheIncident() {
        let sample = InfoParser.parse(crlf(info328))
        #expect(sample.server == "redis")
        #expect(sample.version == "3.2.8")
        #expect(sample.processId == 1838)
        #expect(sample.connectedClients == 499)
        #expect(sample.maxclients == nil)
        #expect(sample.aofEnabled == true)
        #expect(sample.aofCurrentSize == 9_876_543_210)
        #expect(sample.aofBaseSize == 4_938_271_605)
        #expect(sample.aofLastBgrewriteStatus == "ok")
        #expect(sample.usedMemory == 21_474_836_480)
        #expect(sample.otherFields["executable"] == "/usr/local/bin/redis-server")
        #expect(sample.otherFields["cluster_enabled"] == "0")
    }

    @Test func valkeyWinsOverCompatibilityVersion() {
        let sample = InfoParser.parse(crlf(infoValkey802))
        #expect(sample.server == "valkey")
        #expect(sample.version == "8.0.2")
        #expect(sample.otherFields["redis_version"] == "7.2.4")
        #expect(sample.tcpPort == 6380)
        #expect(sample.maxclients == 10000)
        #expect(sample.aofRewriteScheduled == true)
        #expect(sample.aofLastBgrewriteStatus == "err")
        #expect(sample.aofRewrites == 7)
        #expect(sample.rdbLastBgsaveStatus == "err")
        #expect(sample.rejectedConnections == 2)
        #expect(sample.totalForks == 9)
        #expect(sample.otherFields["listener0"] == "name=tcp,bind=127.0.0.1,bind=-::1,port=6380")
        #expect(sample.otherFields["availability_zone"] == "")
    }

    @Test func valkeyRecognisedByServerNameAlone() {
        let sample = InfoParser.parse("# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\n")
        #expect(sample.server == "valkey")
        #expect(sample.version == "7.2.4")
    }

    @Test func lineFeedOnlyInputParsesTheSame() {
        #expect(InfoParser.parse(info7015) == InfoParser.parse(crlf(info7015)))
    }

    @Test func unparsableNumbersBecomeNil() {
        let text = "# Server\r\nredis_version:9.9\r\nprocess_id:99999999999\r\ntcp_port:abc\r\nhz:\r\n" +
            "aof_enabled:yes\r\nconnected_clients:-\r\nused_memory:12.5\r\naof_current_size:18446744073709551616\r\n"
        let sample = InfoParser.parse(text)
        #expect(sample.version == "9.9")
        #expect(sample.processId == nil)
        #expect(sample.tcpPort == nil)
        #expect(sample.hz == nil)
        #expect(sample.aofEnabled == nil)
        #expect(sample.connectedClients == nil)
        #expect(sample.usedMemory == nil)
        #expect(sample.aofCurrentSize == nil)
    }

    @Test func garbageYieldsAnEmptySample() {
        #expect(InfoParser.parse("") == RedisSample())
        #expect(InfoParser.parse("\r\n\r\n# Server\r\n\r\n") == RedisSample())
        let sample = InfoParser.parse("no colon here\r\n:empty key\r\nkey:value:with:colons\r\n\u{0}\u{ff}")
        #expect(sample.server == nil)
        #expect(sample.otherFields == ["": "empty key", "key": "value:with:colons"])
    }

    @Test func sentinelModeIsTheRole() {
        let sample = InfoParser.parse("# Server\r\nredis_version:7.0.15\r\nredis_mode:sentinel\r\n")
        #expect(sample.role == "sentinel")
        #expect(sample.otherFields["redis_mode"] == "sentinel")
    }
}

@Suite struct ConfigParserTests {
    @Test func mapsEveryParameter() {
        let config = ConfigParser.config(from: [
            "maxclients": "10000", "auto-aof-rewrite-percentage": "100", "auto-aof-rewrite-min-size": "67108864",
            "logfile": "/var/log/redis/redis-server.log", "dir": "/var/lib/redis", "appenddirname": "appendonlydir",
            "hz": "10", "appendonly": "yes",
        ])
        #expect(config == RedisConfig(maxclients: 10000, autoAofRewritePercentage: 100, autoAofRewriteMinSize: 67_108_864,
                                      logfile: "/var/log/redis/redis-server.log", dir: "/var/lib/redis",
                                      appenddirname: "appendonlydir", hz: 10, appendonly: true))
    }

    @Test func missingAndBadValuesAreNil() {
        let config = ConfigParser.config(from: ["maxclients": "lots", "appendonly": "maybe", "logfile": ""])
        #expect(config == RedisConfig(logfile: ""))
    }

    @Test func byteSizes() {
        #expect(ConfigParser.parseBytes("67108864") == 67_108_864)
        #expect(ConfigParser.parseBytes("64mb") == 64 << 20)
        #expect(ConfigParser.parseBytes("1gb") == 1 << 30)
        #expect(ConfigParser.parseBytes("5k") == 5000)
        #expect(ConfigParser.parseBytes("x") == nil)
        #expect(ConfigParser.parseBytes("99999999999999gb") == nil)
    }

    @Test func pairsIgnoreOddTailAndNonStrings() {
        #expect(ConfigParser.pairs(from: ["HZ", "10", nil, "x", "dir"]) == ["hz": "10"])
    }

    @Test func refusalsAreRecognised() {
        #expect(ConfigReader.isRefusal("NOPERM User mon has no permissions to run the 'config|get' command"))
        #expect(ConfigReader.isRefusal("ERR unknown command 'CONFIG', with args beginning with: 'GET' "))
        #expect(ConfigReader.isRefusal("ERR unknown command `CONFIG`, with args beginning with: `GET`, "))
        #expect(!ConfigReader.isRefusal("ERR Unknown subcommand or wrong number of arguments for 'get'. Try CONFIG HELP."))
        #expect(!ConfigReader.isRefusal("ERR Wrong number of arguments for CONFIG get"))
    }
}
