import AoftopModel
import AoftopRecording
import Testing

/// The pure parts of a rotated set: the file name, when to rotate, what to delete.
@Suite struct RotationPolicyTests {
    static let start = Timestamp(iso8601: "2026-12-05T08:30:00.456Z")!

    // MARK: names

    @Test func nameCarriesInstanceAndStartSecondInUTC() {
        #expect(RecordingFileName(instance: "127.0.0.1:6379", started: Self.start).fileName
                == "aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz")
        #expect(RecordingFileName(instance: "/run/redis.sock", started: Self.start, sequence: 2, compressed: false).fileName
                == "aoftop--run-redis.sock-20261205-083000-2.jsonl")
        #expect(RecordingFileName(instance: "[::1]:6380", started: Self.start).fileName
                == "aoftop----1--6380-20261205-083000.jsonl.gz")
    }

    @Test func parseReadsBackOwnNamesOnly() throws {
        let instance = "127.0.0.1:6379"
        for name in [RecordingFileName(instance: instance, started: Self.start),
                     RecordingFileName(instance: instance, started: Self.start, sequence: 12),
                     RecordingFileName(instance: instance, started: Self.start, compressed: false)] {
            #expect(RecordingFileName.parse(name.fileName, instance: instance) == name)
        }
        for foreign in ["aoftop-127.0.0.1-6380-20261205-083000.jsonl.gz",     // another port
                        "aoftop-127.0.0.1-63791-20261205-083000.jsonl.gz",    // a port that starts like ours
                        "aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz.bak",
                        "aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz.tmp",
                        "aoftop-127.0.0.1-6379-notes.txt",
                        "aoftop-127.0.0.1-6379-20261205-083000.json",
                        "aoftop-127.0.0.1-6379-2026120-083000.jsonl.gz",
                        "aoftop-127.0.0.1-6379-20261205-083000-0.jsonl.gz",
                        "aoftop-127.0.0.1-6379-20261205-083000-01.jsonl.gz",
                        "aoftop-127.0.0.1-6379-20261205-083000-.jsonl.gz",
                        "aoftop-127.0.0.1-6379-20261205-083000-x.jsonl.gz",
                        "incident-aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz",
                        "aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz/"] {
            #expect(RecordingFileName.parse(foreign, instance: instance) == nil, "\(foreign)")
        }
        // The instance whose part is a prefix of ours does not claim our files either.
        #expect(RecordingFileName.parse("aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz", instance: "127.0.0.1:637") == nil)
    }

    @Test func namesSortByStartThenSequence() {
        let a = RecordingFileName(instance: "h:1", started: Self.start)
        let b = a.withSequence(1)
        let c = a.withSequence(10)
        let d = RecordingFileName(instance: "h:1", started: Self.start.adding(milliseconds: 1000))
        #expect([d, c, a, b].sorted() == [a, b, c, d])
    }

    // MARK: rotation

    @Test func rotatesAtTheSizeOrTheAgeWhicheverComesFirst() {
        let both = RotationPolicy(maxBytes: 1000, maxAge: 60)
        #expect(!both.shouldRotate(bytesWritten: 999, snapshots: 5, openedAt: 100, now: 159.9))
        #expect(both.shouldRotate(bytesWritten: 1000, snapshots: 5, openedAt: 100, now: 101))
        #expect(both.shouldRotate(bytesWritten: 10, snapshots: 5, openedAt: 100, now: 160))
        let sizeOnly = RotationPolicy(maxBytes: 1000)
        #expect(!sizeOnly.shouldRotate(bytesWritten: 999, snapshots: 5, openedAt: 0, now: 1e9))
        let ageOnly = RotationPolicy(maxAge: 3600)
        #expect(!ageOnly.shouldRotate(bytesWritten: .max, snapshots: 5, openedAt: 0, now: 3599))
        #expect(ageOnly.shouldRotate(bytesWritten: 0, snapshots: 1, openedAt: 0, now: 3600))
        #expect(!RotationPolicy().shouldRotate(bytesWritten: .max, snapshots: .max, openedAt: 0, now: 1e12))
    }

    @Test func aFileWithoutASnapshotIsNeverRotated() {
        // A limit below the header's size must not start a new file before every snapshot.
        let tiny = RotationPolicy(maxBytes: 10, maxAge: 1)
        #expect(!tiny.shouldRotate(bytesWritten: 200, snapshots: 0, openedAt: 0, now: 100))
        #expect(tiny.shouldRotate(bytesWritten: 200, snapshots: 1, openedAt: 0, now: 0))
    }

    // MARK: retention

    static func file(_ second: Int, sequence: Int = 0, size: UInt64 = 100) -> RetentionPolicy.File {
        RetentionPolicy.File(name: RecordingFileName(instance: "h:1", started: start.adding(milliseconds: Int64(second) * 1000),
                                                     sequence: sequence),
                             size: size)
    }

    @Test func keepLeavesRoomForTheNextFileAndDeletesTheOldest() {
        let files = [Self.file(30), Self.file(10), Self.file(50), Self.file(20), Self.file(40)]
        let keep3 = RetentionPolicy(keep: 3)
        // With the file about to start, 3 remain: the two newest stay.
        #expect(keep3.filesToDelete(files, reservingBytes: 0) == [Self.file(10), Self.file(20), Self.file(30)])
        #expect(keep3.filesToDelete(Array(files.prefix(2)), reservingBytes: 0) == [])
        #expect(RetentionPolicy(keep: 1).filesToDelete(files, reservingBytes: 0).count == 5)
        #expect(RetentionPolicy(keep: 6).filesToDelete(files, reservingBytes: 0) == [])
        #expect(RetentionPolicy().filesToDelete(files, reservingBytes: 1 << 40) == [])
        #expect(keep3.filesToDelete([], reservingBytes: 0) == [])
    }

    @Test func maxTotalCountsTheNextFileAtItsSizeLimit() {
        let files = [Self.file(1, size: 400), Self.file(2, size: 300), Self.file(3, size: 200), Self.file(4, size: 100)]
        // 1000 allowed, 300 reserved for the next file: 700 for the old ones, so 200 + 100 + 300 stay.
        let budget = RetentionPolicy(maxTotalBytes: 1000)
        #expect(budget.filesToDelete(files, reservingBytes: 300) == [Self.file(1, size: 400)])
        #expect(budget.filesToDelete(files, reservingBytes: 0) == [])
        #expect(budget.filesToDelete(files, reservingBytes: 1000).count == 4)
        #expect(budget.filesToDelete(files, reservingBytes: 5000).count == 4)
        // Whichever limit is tighter wins.
        #expect(RetentionPolicy(keep: 2, maxTotalBytes: 1000).filesToDelete(files, reservingBytes: 300).count == 3)
        #expect(RetentionPolicy(keep: 4, maxTotalBytes: 700).filesToDelete(files, reservingBytes: 300).count == 2)
    }

    @Test func oldestMeansStartTimeThenSequenceNeverAGapInTheMiddle() {
        // A big old file and a small older one: the older goes first even though deleting only the big one
        // would have been enough, so what remains is always the newest stretch of time.
        let files = [Self.file(5, sequence: 2, size: 10), Self.file(5, sequence: 1, size: 10), Self.file(1, size: 10),
                     Self.file(2, size: 900), Self.file(6, size: 10)]
        #expect(RetentionPolicy(maxTotalBytes: 100).filesToDelete(files, reservingBytes: 0)
                == [Self.file(1, size: 10), Self.file(2, size: 900)])
        #expect(RetentionPolicy(keep: 3).filesToDelete(files, reservingBytes: 0)
                == [Self.file(1, size: 10), Self.file(2, size: 900), Self.file(5, sequence: 1, size: 10)])
    }
}
