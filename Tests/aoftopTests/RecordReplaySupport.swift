import AoftopAnalysis
import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

/// Helpers shared by the record/replay command tests: the binary, a fresh directory, in-process assessments.
enum RecordReplay {
    static func aoftop(_ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60) throws -> Subprocess.Result {
        try Subprocess.run(RepositoryPaths.aoftopBinary, arguments, environment: environment, timeout: timeout)
    }

    /// A new empty directory under the temporary directory, removed by the caller's `defer`.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-rr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The JSON lines `replay --json` should print for `snapshots`, computed in this process.
    static func expectedLines(_ snapshots: [Snapshot]) throws -> [String] {
        var analyzer = Analyzer()
        let encoder = AoftopJSON.encoder()
        return try snapshots.map { String(decoding: try encoder.encode(analyzer.ingest($0)), as: UTF8.self) }
    }

    static func decodeAll(_ path: String) throws -> [Snapshot] {
        let reader = try RecordingReader(path: path)
        return try (0..<reader.count).map { try reader.snapshot(at: $0) }
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// Parsed JSON objects of `replay --json` output.
    static func objects(_ text: String) throws -> [[String: Any]] {
        try lines(text).map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// A small plain recording of `count` synthetic snapshots, one per second.
    static func writeRecording(_ path: String, count: Int) throws -> [Snapshot] {
        let snapshots = (0..<count).map { i in
            Snapshot(time: Timestamp(millisecondsSince1970: 1_700_000_000_000 + Int64(i) * 1000),
                     source: SourceIdentity(host: "127.0.0.1", port: 6379, pid: 1838),
                     redis: .failed("connect 127.0.0.1:6379: Connection refused"),
                     process: .ok(ProcSample(pid: 1838, command: "redis-server", startTicks: 1, cpuTicks: UInt64(i),
                                             clockTicksPerSecond: 100,
                                             fds: FdCensus(total: 20 + i, sockets: 3, listeningSockets: 1, pipes: 2 + i,
                                                           selfHeldPipePairs: 1, highestFd: 19 + i, lowestFreeFd: 20 + i),
                                             limits: FdLimits(soft: 1024, hard: 1024))))
        }
        let writer = try RecordingWriter(path: path, header: RecordingHeader(aoftopVersion: "test", target: "127.0.0.1:6379",
                                                                           intervalSeconds: 1, started: snapshots[0].time))
        for snapshot in snapshots { try writer.append(snapshot) }
        try writer.close()
        return snapshots
    }
}

extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
}
