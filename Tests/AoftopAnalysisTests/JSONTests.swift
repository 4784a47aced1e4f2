import AoftopModel
import AoftopTestSupport
import Foundation
import Testing
@testable import AoftopAnalysis

@Suite("Assessment JSON")
struct JSONTests {
    /// The blog case with a failed log source: keys, nulls and values are stable.
    static func sample() -> Assessment {
        let census = FdCensus(total: 10_322, sockets: 499, listeningSockets: 2, pipes: 9_823, selfHeldPipePairs: 4_911,
                              anonInodes: ["eventpoll": 1], regularFiles: 0, other: -1, highestFd: 10_321,
                              lowestFreeFd: 10_322)
        let snapshot = Build.snapshot(at: 0, redis: .ok(Build.redis(maxclients: 10_000)),
                                      process: .ok(Build.process(census, soft: 65_535)),
                                      log: .failed("permission denied"))
        return assess(snapshot, history: AnalysisHistory())
    }

    static let golden = #"""
    {
      "aof" : {
        "base_size" : 0,
        "config_source" : "config",
        "current_size" : 69383,
        "dir_files" : null,
        "enabled" : true,
        "growth_percent" : 6938200,
        "incr_files" : null,
        "last_bgrewrite_status" : "ok",
        "min_size" : 1024,
        "state" : "due",
        "threshold_percent" : 100
      },
      "clients" : {
        "blocked_clients" : null,
        "client_list" : null,
        "client_list_failure" : null,
        "clients" : 50,
        "cluster_connections" : null,
        "connected_clients" : 50,
        "forecast" : {
          "reason" : "1 client samples in the last 5 min",
          "seconds" : null,
          "since" : null,
          "slope_per_s" : null,
          "status" : "warming-up",
          "window" : null
        },
        "maxclients" : 10000,
        "maxclients_source" : "config",
        "percent" : 0.5,
        "refusal" : "event-loop",
        "rejected_connections" : null,
        "rejected_per_minute" : null,
        "replicas" : null,
        "state" : "ok"
      },
      "diagnosis" : "AOF rewrite fork failures leak 6 fds each (redis#2857, fixed in 3.2.9): `CONFIG SET auto-aof-rewrite-percentage 0` stops the retries; make fork possible: vm.overcommit_memory=1, free memory; upgrade to 3.2.9 or later; only a restart frees the leaked fds",
      "eta" : {
        "reason" : null,
        "seconds" : 0,
        "since" : null,
        "slope_per_s" : null,
        "status" : "exhausted",
        "window" : null
      },
      "fds" : {
        "baseline_pipes" : 3,
        "client_socket" : 497,
        "connected_clients" : 50,
        "highest" : 10321,
        "lowest_free" : 10322,
        "pipe" : 9823,
        "self_pipe_pairs" : 4911,
        "socket" : 499,
        "total" : 10322
      },
      "findings" : [
        {
          "code" : "redis-2857",
          "headline" : "AOF rewrite fork failures leak 6 fds each (redis#2857, fixed in 3.2.9)",
          "remedy" : "`CONFIG SET auto-aof-rewrite-percentage 0` stops the retries; make fork possible: vm.overcommit_memory=1, free memory; upgrade to 3.2.9 or later; only a restart frees the leaked fds",
          "severity" : "critical"
        },
        {
          "code" : "fd-exhausted",
          "headline" : "fd limit reached: next fd 10322 ≥ event-loop setsize 10128 (ERANGE), 10322 fds open",
          "remedy" : "new clients are refused until Redis restarts",
          "severity" : "critical"
        },
        {
          "code" : "source-failed",
          "headline" : "no log reading: permission denied — fork failures unknown",
          "remedy" : null,
          "severity" : "warning"
        }
      ],
      "fork_failures" : {
        "aof" : null,
        "by_mechanism" : null,
        "inferred_from_info" : false,
        "last" : null,
        "per_minute" : null,
        "rdb" : null,
        "since_start" : null,
        "total" : null
      },
      "fork_readiness" : null,
      "leak" : {
        "attribution" : null,
        "client_sockets_trend" : null,
        "excess_pipes" : 9820,
        "fds_per_failure" : null,
        "ratchet" : false,
        "signature" : "+9820 pipe fds over baseline 3, 4911 self-held pairs",
        "suspected" : true
      },
      "limit" : {
        "binding" : "event-loop",
        "effective" : 10128,
        "evidence" : null,
        "maxclients" : 10000,
        "maxclients_source" : "config",
        "rlimit_hard" : 65535,
        "rlimit_soft" : 65535,
        "setsize" : 10128,
        "setsize_source" : "config",
        "spare" : 0
      },
      "master" : null,
      "namespace_pid" : null,
      "pid" : 1838,
      "process" : {
        "cpu_percent" : null,
        "log_silent_seconds" : null
      },
      "server" : "redis",
      "severity" : "critical",
      "sockets" : null,
      "sources" : {
        "aof_directory" : {
          "reason" : null,
          "status" : "not_configured"
        },
        "config" : {
          "reason" : null,
          "status" : "ok"
        },
        "fork_readiness" : {
          "reason" : null,
          "status" : "not_configured"
        },
        "log" : {
          "reason" : "permission denied",
          "status" : "failed"
        },
        "process" : {
          "reason" : null,
          "status" : "ok"
        },
        "redis" : {
          "reason" : null,
          "status" : "ok"
        },
        "startup" : {
          "reason" : null,
          "status" : "not_configured"
        }
      },
      "time" : "2023-11-14T22:13:20.000Z",
      "version" : "3.2.8"
    }
    """#

    @Test("Golden JSON: snake_case keys, unknowns as null")
    func golden() throws {
        let data = try AoftopJSON.encoder(pretty: true).encode(Self.sample())
        let text = String(decoding: data, as: UTF8.self)
        if ProcessInfo.processInfo.environment["AOFTOP_PRINT_GOLDEN"] != nil { print(text) }
        #expect(text == Self.golden)
    }

    @Test("Round trip")
    func roundTrip() throws {
        let assessment = Self.sample()
        let data = try AoftopJSON.encoder().encode(assessment)
        #expect(try AoftopJSON.decoder().decode(Assessment.self, from: data) == assessment)
    }

    @Test("Check line with perfdata")
    func checkLine() {
        #expect(Self.sample().checkLine == "CRITICAL - fd limit reached: next fd 10322 ≥ event-loop setsize 10128 (ERANGE), "
            + "10322 fds open (AOF rewrite fork failures leak 6 fds each (redis#2857, fixed in 3.2.9)) "
            + "| fds=10322;;10128 pipes=9823 sockets=499 clients=50;;10000 eta=0s growth=6938200%")
    }

    /// `--log -`: `sources.log` names standard input and says when it closed; the check line says so too; the
    /// other sources keep their two keys.
    @Test("A log piped in is named in sources and the check line")
    func pipedLog() throws {
        func assessment(_ state: LogSample.FileState) -> Assessment {
            let log = LogSample(path: LogSample.standardInput, fileState: state, totals: [.aofForkFailed: 3])
            let snapshot = Build.snapshot(at: 0, redis: .ok(Build.redis(maxclients: 10_000)),
                                          process: .notConfigured, log: .ok(log))
            return assess(snapshot, history: AnalysisHistory())
        }
        let ended = assessment(.streamEnded)
        let object = try #require(try JSONSerialization.jsonObject(with: try AoftopJSON.encoder().encode(ended)) as? [String: Any])
        let sources = try #require(object["sources"] as? [String: [String: Any]])
        #expect(sources["log"]?["path"] as? String == "standard input")
        #expect(sources["log"]?["file_state"] as? String == "stream_ended")
        #expect(sources["log"]?["status"] as? String == "ok")
        #expect(sources["redis"].map { Set($0.keys) } == ["status", "reason"])
        #expect(ended.checkLine.contains("; log: standard input (closed)"), "\(ended.checkLine)")
        let open = assessment(.following)
        #expect(open.checkLine.contains("; log: standard input") && !open.checkLine.contains("(closed)"), "\(open.checkLine)")
        #expect(try AoftopJSON.decoder().decode(Assessment.self, from: try AoftopJSON.encoder().encode(ended)) == ended)
        #expect(!Self.sample().checkLine.contains("log:"), "a file is not named on the check line")
    }
}
