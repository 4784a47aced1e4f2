import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

/// Size and speed numbers for docs/benchmarks.md. Not run by default (they take a minute and time nothing that
/// can fail): `AOFTOP_BENCHMARK=1 swift test -c release --disable-xctest --filter RecordingBenchmarks`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AOFTOP_BENCHMARK"] == "1"), .serialized)
struct RecordingBenchmarks {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func residentMiB() -> Double {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
        let pages = Double(statm.split(separator: " ")[1]) ?? 0
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    @Test func bytesPerSnapshot() throws {
        let dir = try TempDirectory()
        let one = try AoftopJSON.encoder().encode(SnapshotFactory.realistic(1))
        print("realistic snapshot: \(one.count) bytes JSON, \(SnapshotFactory.baseOtherFields.count) other_fields")
        let cases: [(String, Bool, RecordingWriter.Options)] = [
            ("storm, plain", true, .init(compressed: false)),
            ("storm, gzip -6", true, .init(compressed: true, compressionLevel: 6)),
            ("storm, gzip -9", true, .init(compressed: true, compressionLevel: 9)),
            ("calm, plain", false, .init(compressed: false)),
            ("calm, gzip -6", false, .init(compressed: true, compressionLevel: 6)),
            ("calm, gzip -9", false, .init(compressed: true, compressionLevel: 9)),
            ("storm, gzip -9, no other_fields", true, .init(compressed: true, excludeOtherFields: true)),
            ("calm, gzip -9, no other_fields", false, .init(compressed: true, excludeOtherFields: true)),
        ]
        for (index, (name, storm, options)) in cases.enumerated() {
            let writer = try RecordingWriter(path: dir.path("size-\(index)"), header: SnapshotFactory.header(), options: options)
            for i in 0..<3_600 { try writer.append(SnapshotFactory.realistic(i, storm: storm)) }
            try writer.close()
            let perSnapshot = Double(writer.bytesWritten) / 3_600
            print(String(format: "%@: %.0f bytes/snapshot, %.1f MB per 86,400", name, perSnapshot, perSnapshot * 86_400 / 1e6))
        }
    }

    @Test(arguments: [false, true])
    func dayAt1HzIndexAndSeek(compressed: Bool) throws {
        let dir = try TempDirectory()
        let path = dir.path(compressed ? "day.jsonl.gz" : "day.jsonl")
        let writeTime = try Self.seconds {
            let writer = try RecordingWriter(path: path, header: SnapshotFactory.header())
            for i in 0..<86_400 { try writer.append(SnapshotFactory.realistic(i, storm: i % 60 < 10)) }
            try writer.close()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.doubleValue ?? 0
        print(String(format: "%@: wrote 86,400 snapshots, %.1f MB, in %.1f s (%.0f µs/append)",
                     path, size / 1e6, writeTime, writeTime / 86_400 * 1e6))

        var preview: RecordingPreview?
        let previewTime = try Self.seconds { preview = try RecordingReader.preview(path: path) }
        #expect(preview?.firstSnapshot != nil)

        let rssBefore = Self.residentMiB()
        var reader: RecordingReader?
        let indexTime = try Self.seconds { reader = try RecordingReader(path: path) }
        let rssAfter = Self.residentMiB()
        let opened = try #require(reader)
        #expect(opened.count == 86_400)

        var rng = SplitMix64(spreading: 7)
        var worst = 0.0
        let seeks = 1_000
        let total = try Self.seconds {
            for _ in 0..<seeks {
                let target = SnapshotFactory.start.adding(milliseconds: Int64(rng.next() % 86_400_000))
                var one = 0.0
                one = try Self.seconds {
                    let index = try #require(opened.index(atOrBefore: target))
                    _ = try opened.snapshot(at: index)
                }
                worst = max(worst, one)
            }
        }
        print(String(format: "%@: preview (first frame) %.1f ms; full index %.0f ms; RSS +%.1f MiB; seek+decode mean %.2f ms, worst %.2f ms",
                     compressed ? "gzip" : "plain", previewTime * 1000, indexTime * 1000, rssAfter - rssBefore,
                     total / Double(seeks) * 1000, worst * 1000))
    }
}
