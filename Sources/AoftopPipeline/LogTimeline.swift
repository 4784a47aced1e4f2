import AoftopModel
import LogCollector

/// A timeline rebuilt from a Redis/Valkey log alone, for the post-mortem when only the log survived: one
/// synthetic `Snapshot` per second that has classified lines, sorted by time, with that second's events and
/// running totals. Redis and `/proc` were not recorded, so those readings fail with `notRecordedReason`; the
/// server's version comes from its start line when the log has one.
///
/// The file is stream-parsed with one bounded buffer; only per-second buckets are kept, each with a few events
/// of each kind (the rest are counted in `droppedEvents` and the totals), so a log of hundreds of MB fits.
public enum LogTimeline {
    public static let notRecordedReason = "not recorded: replay of a log"
    /// Events kept per kind and per second; a 10/s fork-failure storm over hours stays small.
    static let eventsPerKindPerSecond = 1
    static let bufferBytes = 1 << 20

    /// Parses `path`. Throws `LogTimelineError` (missing, unreadable, not a regular file). Year-less (3.x–6.x) lines
    /// take their year from `referenceTime`, by default the file's modification time.
    public static func build(path: String, referenceTime: Timestamp? = nil, zone: LogTimeZone = .system) throws(LogTimelineError) -> [Snapshot] {
        let reader: LogFileReader
        do {
            reader = try LogFileReader(path: path, bufferBytes: bufferBytes, verb: "replay")
            var builder = Builder(path: path, parser: LogLineParser(reference: referenceTime ?? reader.modified, zone: zone))
            try reader.forEachLine { line, bytes in builder.add(line, bytes: bytes) }
            return builder.snapshots()
        } catch {
            throw LogTimelineError(description: error.description)
        }
    }

    /// One second of the log.
    struct Bucket {
        var second: Int64
        var lastTime: Timestamp
        var events: [LogEvent] = []
        var dropped = 0
        var counts: [LogEventKind: Int] = [:]
        var lines = 0
        var bytes: UInt64 = 0
        var pid: Int32?
        var server: String?
        var version: String?
    }

    struct Builder {
        let path: String
        var parser: LogLineParser
        var buckets: [Bucket] = []
        var bucketIndex: [Int64: Int] = [:]
        /// Lines before the first timed classified line, or without a time: credited to the next/current bucket.
        var untimedLines = 0
        var untimedBytes: UInt64 = 0
        var untimedCounts: [LogEventKind: Int] = [:]

        init(path: String, parser: LogLineParser) {
            self.path = path
            self.parser = parser
        }

        mutating func add(_ line: UnsafeRawBufferPointer, bytes: Int) {
            let (kind, time) = parser.classify(line)
            guard kind != .other, let time else {
                untimedLines += 1
                untimedBytes += UInt64(bytes)
                untimedCounts[kind, default: 0] += 1
                flushUntimedIfPossible()
                return
            }
            var event = parser.parse(line)
            event.kind = kind
            let second = floorDiv(time.millisecondsSince1970, 1000)
            let slot: Int
            if let last = buckets.indices.last, buckets[last].second == second {
                slot = last
            } else if let known = bucketIndex[second] {
                slot = known
            } else {
                slot = buckets.count
                buckets.append(Bucket(second: second, lastTime: time))
                bucketIndex[second] = slot
            }
            // In place: a local copy would copy the bucket's events and counts on every classified line.
            Self.add(event, kind: kind, time: time, bytes: bytes, to: &buckets[slot])
            flushUntimedIfPossible()
        }

        private static func add(_ event: LogEvent, kind: LogEventKind, time: Timestamp, bytes: Int, to bucket: inout Bucket) {
            bucket.lastTime = max(bucket.lastTime, time)
            bucket.lines += 1
            bucket.bytes += UInt64(bytes)
            bucket.counts[kind, default: 0] += 1
            if bucket.events.lazy.filter({ $0.kind == kind }).count < LogTimeline.eventsPerKindPerSecond {
                bucket.events.append(event)
            } else {
                bucket.dropped += 1
            }
            // A child's lines (role C) carry the child's pid, except Redis 7's first start-up lines, which are
            // the server's own: the version line among them must belong to the server that follows.
            if event.role != "C" || kind == .serverStart, let pid = event.pid { bucket.pid = pid }
            if kind == .serverStart, let (server, version) = LogTimeline.serverVersion(event.message) {
                bucket.server = server
                bucket.version = version
            }
        }

        /// Lines of no interest count towards the most recent bucket (the log's read position).
        private mutating func flushUntimedIfPossible() {
            guard untimedLines > 0, let last = buckets.indices.last else { return }
            buckets[last].lines += untimedLines
            buckets[last].bytes += untimedBytes
            for (kind, count) in untimedCounts { buckets[last].counts[kind, default: 0] += count }
            untimedLines = 0
            untimedBytes = 0
            untimedCounts = [:]
        }

        func snapshots() -> [Snapshot] {
            var ordered = buckets
            ordered.sort { $0.second < $1.second }
            var totals: [LogEventKind: Int] = [:]
            var lines = 0
            var bytes: UInt64 = 0
            var pid: Int32?
            var server: String?
            var version: String?
            var result: [Snapshot] = []
            result.reserveCapacity(ordered.count)
            for bucket in ordered {
                for (kind, count) in bucket.counts { totals[kind, default: 0] += count }
                lines += bucket.lines
                bytes += bucket.bytes
                if bucket.pid != nil, bucket.pid != pid, bucket.version == nil {
                    // Another process without a start line: what the earlier one said no longer applies.
                    server = nil
                    version = nil
                }
                pid = bucket.pid ?? pid
                if let v = bucket.version { version = v; server = bucket.server }
                let log = LogSample(path: path, fileState: .following,
                                    events: bucket.events.sorted { ($0.time ?? bucket.lastTime) < ($1.time ?? bucket.lastTime) },
                                    droppedEvents: bucket.dropped, totals: totals, linesRead: lines, bytesRead: bytes,
                                    rotations: 0, lastLineTime: bucket.lastTime)
                result.append(Snapshot(time: bucket.lastTime,
                                       source: SourceIdentity(pid: pid, server: server, version: version),
                                       redis: .failed(LogTimeline.notRecordedReason),
                                       process: .failed(LogTimeline.notRecordedReason),
                                       log: .ok(log), aofDirectory: .notConfigured))
            }
            return result
        }

    }

    /// `Redis version=7.0.15, bits=64, …, just started` → (`redis`, `7.0.15`); `Server started, Redis version 3.2.8`.
    static func serverVersion(_ message: String) -> (String, String)? {
        for (prefix, server) in [("Redis version=", "redis"), ("Valkey version=", "valkey"),
                                 ("Server started, Redis version ", "redis")] {
            guard let range = message.firstRange(of: prefix) else { continue }
            let version = message[range.upperBound...].prefix { $0.isNumber || $0 == "." }
            if !version.isEmpty { return (server, String(version)) }
        }
        return nil
    }
}

/// A log that could not be read (missing, unreadable, not a regular file): one line for the operator.
public struct LogTimelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
