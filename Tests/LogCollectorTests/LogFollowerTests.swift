import AoftopModel
import Foundation
import Testing
@testable import LogCollector

@Suite struct LogFollowerTests {
    @Test func backlogIsBoundedAndStartsOnALineBoundary() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        var written: [String] = []
        var text = ""
        for i in 0..<10_000 {
            let line = "1838:M 16 Aug 01:07:39.319 * line \(i)"
            written.append(line)
            text += line + "\n"
        }
        try append(path, text)
        let follower = LogFollower(path: path, backlogBytes: 4096)
        let poll = follower.poll()
        let got = lines(poll)
        #expect(got.last == written.last)
        #expect(got.allSatisfy { written.contains($0) }) // no partial first line
        #expect(poll.status.bytesRead <= 4097)
        #expect(got.count == Array(written.suffix(got.count)).count)
        #expect(got == Array(written.suffix(got.count)))
        #expect(got.count > 4096 / 50)
        #expect(follower.poll().lines.isEmpty)
    }

    @Test func backlogStartingExactlyOnALineBoundaryKeepsThatLine() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "aaaa\nbbbb\ncccc\n") // the last 10 bytes are exactly "bbbb\ncccc\n"
        let follower = LogFollower(path: path, backlogBytes: 10)
        #expect(lines(follower.poll()) == ["bbbb", "cccc"])
    }

    @Test func partialLineIsHeldBackUntilItsNewline() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "first\nsec")
        let follower = LogFollower(path: path)
        #expect(lines(follower.poll()) == ["first"])
        #expect(lines(follower.poll()) == [])
        try append(path, "ond\nthi")
        #expect(lines(follower.poll()) == ["second"])
        try append(path, "rd\n")
        #expect(lines(follower.poll()) == ["third"])
    }

    @Test func renameRotationDrainsTheOldFileFirst() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "one\ntwo\n")
        let follower = LogFollower(path: path)
        #expect(lines(follower.poll()) == ["one", "two"])
        #expect(rename(path, dir + "/redis.log.1") == 0)
        try append(dir + "/redis.log.1", "three (old file, after the rename)\n")
        let waiting = follower.poll()
        #expect(lines(waiting) == ["three (old file, after the rename)"])
        #expect(waiting.status.state == .waitingForFile)
        try append(dir + "/redis.log.1", "four (old file)\n")
        try append(path, "five (new file)\n")
        let after = follower.poll()
        #expect(lines(after) == ["four (old file)", "five (new file)"])
        #expect(after.status.rotations == 1)
        #expect(after.status.state == .following)
        #expect(follower.rotations == 1)
        try append(path, "six\n")
        #expect(lines(follower.poll()) == ["six"])
    }

    @Test func copytruncateRestartsAtZero() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "a long first line before the truncation\nanother long line\n")
        let follower = LogFollower(path: path)
        #expect(lines(follower.poll()).count == 2)
        #expect(truncate(path, 0) == 0)
        try append(path, "after\n")
        let poll = follower.poll()
        #expect(lines(poll) == ["after"])
        #expect(poll.status.rotations == 1)
    }

    @Test func deletionAndRecreation() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, "before\n")
        let follower = LogFollower(path: path)
        #expect(lines(follower.poll()) == ["before"])
        #expect(unlink(path) == 0)
        let gone = follower.poll()
        #expect(gone.lines.isEmpty)
        #expect(gone.status.state == .waitingForFile)
        try append(path, "recreated\n")
        let back = follower.poll()
        #expect(lines(back) == ["recreated"])
        #expect(back.status.state == .following)
        #expect(follower.rotations == 1)
    }

    @Test func fileThatAppearsLaterIsReadFromItsStart() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let follower = LogFollower(path: path, backlogBytes: 8)
        for _ in 0..<3 {
            let poll = follower.poll()
            #expect(poll.status.state == .waitingForFile)
            #expect(poll.status.failure == nil)
        }
        try append(path, "first line of a new file\nsecond\n")
        let poll = follower.poll()
        #expect(lines(poll) == ["first line of a new file", "second"])
        #expect(poll.status.state == .following)
        #expect(follower.rotations == 0)
    }

    @Test func overlongLineIsTruncatedAndTheRestSkipped() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let follower = LogFollower(path: path)
        // 200 KiB arriving in pieces over several polls, then its newline and a normal line.
        for _ in 0..<4 {
            try append(path, String(repeating: "A", count: 50 * 1024))
            #expect(follower.poll().lines.isEmpty)
        }
        try append(path, "\nnext\n")
        let got = follower.poll().lines
        #expect(got.count == 2)
        #expect(got.first?.count == 64 * 1024)
        #expect(got.first?.allSatisfy { $0 == UInt8(ascii: "A") } == true)
        #expect(got.last == Array("next".utf8))
        // Same in one read.
        try append(path, String(repeating: "B", count: 200 * 1024) + "\nafter\n")
        let once = follower.poll().lines
        #expect(once.map(\.count) == [64 * 1024, 5])
    }

    @Test func readsAreCappedPerPoll() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        let line = String(repeating: "x", count: 99) + "\n"
        try append(path, String(repeating: line, count: 30_000)) // 3,000,000 bytes
        let follower = LogFollower(path: path, backlogBytes: 10 << 20, maxBytesPerPoll: 1 << 20)
        var total = 0
        var polls = 0
        while true {
            let poll = follower.poll()
            #expect(poll.status.bytesRead <= 1 << 20)
            total += poll.lines.count
            polls += 1
            if poll.status.bytesRead == 0 || polls > 10 { break }
        }
        #expect(total == 30_000)
        #expect(polls >= 3)
    }

    @Test func invalidUTF8NULAndCRLFPassThrough() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/redis.log"
        try append(path, [0x61, 0x00, 0xFF, 0xFE, 0x0A, 0x62, 0x0D, 0x0A])
        let follower = LogFollower(path: path)
        #expect(follower.poll().lines == [[0x61, 0x00, 0xFF, 0xFE], [0x62]])
    }

    @Test func unreadablePathsGiveOneLineReasons() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let follower = LogFollower(path: dir)
        #expect(follower.poll().status.failure == "cannot read \(dir): is a directory")
        #expect(LogFollower.readFailure(path: "/var/log/redis/redis.log", errno: EACCES)
                == "cannot read /var/log/redis/redis.log: permission denied (run as the redis user or root)")
        #expect(LogFollower.readFailure(path: "/x", errno: EIO) == "cannot read /x: input/output error")
    }
}
