import AoftopModel
import AoftopRecording
import AoftopTestSupport
import Foundation
import Testing

/// `aoftop record --directory`: the rotated set a systemd unit writes for months, driven as the unit does.
@Suite struct RecordRotationTests {
    /// This instance's recordings in `directory`, oldest first (regular files whose names are aoftop's).
    static func setFiles(_ directory: String, instance: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .compactMap { RecordingFileName.parse($0, instance: instance) }
            .sorted().map { directory + "/" + $0.fileName }
    }

    /// Every file `record` started, in order: the one named in the status line, then each `continuing in`.
    static func startedFiles(_ stderr: [String]) -> [String] {
        stderr.compactMap { line in
            if line.hasPrefix("recording "), let to = line.firstRange(of: " to "), let every = line.firstRange(of: " every ") {
                return String(line[to.upperBound..<every.lowerBound])
            }
            return line.hasPrefix("continuing in ") ? String(line.dropFirst("continuing in ".count)) : nil
        }
    }

    @Test func rotatesBySizeKeepsTheNewestThreeAndLeavesOtherFilesAlone() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let instance = "127.0.0.1:\(server.port)"
        let part = "127.0.0.1-\(server.port)"
        // An older recording of this instance (from an earlier run) is the first to go.
        let old = "aoftop-\(part)-20200101-000000.jsonl.gz"
        let foreign = ["aoftop-127.0.0.1-\(server.port + 1)-20200101-000000.jsonl.gz",
                       "aoftop-\(part)-20200101-000000.jsonl.gz.bak", "aoftop-\(part)-notes.txt", "dump.rdb"]
        for name in [old] + foreign { try Data("\(name)\n".utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }

        let record = try AoftopBinary.run(["record", "-p", String(server.port), "--directory", directory, "--interval", "100ms",
                                           "--rotate-size", "2K", "--keep", "3", "--duration", "8s"], timeout: 60)
        #expect(record.status == 0, "\(record.standardError)")
        let stderr = record.stderrLines.map(String.init)
        let started = Self.startedFiles(stderr)
        #expect(started.count >= 5, "\(record.standardError)")
        #expect(started.allSatisfy { $0.hasPrefix(directory + "/aoftop-\(part)-") && $0.hasSuffix(".jsonl.gz") })
        #expect(stderr.last?.hasSuffix(" in \(started.count) files") == true, "\(record.standardError)")

        let remaining = try Self.setFiles(directory, instance: instance)
        #expect(remaining == Array(started.suffix(3)))
        // Deleted oldest first: the earlier run's file, then this run's first ones, each reported once.
        let deleted = stderr.filter { $0.hasPrefix("deleted old recording ") }.map { String($0.dropFirst("deleted old recording ".count)) }
        #expect(deleted == [directory + "/" + old] + started.dropLast(3))
        for name in foreign {
            #expect(try String(contentsOfFile: directory + "/" + name, encoding: .utf8) == "\(name)\n", "\(name)")
        }

        var previousEnd: Timestamp?
        for path in remaining {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size < 2048 + 4096, "\(path): \(size)")
            let gzip = try Subprocess.run("gzip", ["-t", path])
            #expect(gzip.status == 0, "\(path): \(gzip.standardError)")
            // Each file replays on its own, every line, without a warning.
            let reader = try RecordingReader(path: path)
            #expect(reader.warnings.isEmpty, "\(path): \(reader.warnings)")
            #expect(reader.count >= 1)
            let replay = try AoftopBinary.run(["replay", path, "--json"])
            #expect(replay.status == 0)
            #expect(replay.standardError.isEmpty, "\(path): \(replay.standardError)")
            #expect(replay.stdoutLines.count == reader.count)
            let snapshots = try RecordReplay.decodeAll(path)
            #expect(snapshots.allSatisfy { $0.redis.isOK && $0.process.isOK })
            #expect(reader.header.target == instance)
            // The files follow each other without overlap.
            if let previousEnd { #expect(previousEnd < snapshots[0].time) }
            previousEnd = snapshots.last?.time
        }
    }

    /// `systemctl stop` sends SIGTERM: the file being written is finished (trailer, fsync) and record exits 0.
    @Test func sigtermEndsTheCurrentFileCleanly() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = try ChildProcess(RepositoryPaths.aoftopBinary,
                                     ["record", "-p", "1", "--directory", directory, "--interval", "100ms", "--rotate-age", "1s"],
                                     environment: ProcessInfo.processInfo.environment)
        let rotated = RedisServer.waitUntil(timeout: 20) {
            let files = (try? Self.setFiles(directory, instance: "127.0.0.1:1")) ?? []
            return files.count >= 2 && ((try? RecordingReader(path: files[1]).count) ?? 0) >= 2
        }
        #expect(rotated)
        kill(child.pid, SIGTERM)
        let status = child.waitForExit(timeout: 10)
        #expect(status.map(ChildProcess.exitCode(fromWaitStatus:)) == 0)
        for path in try Self.setFiles(directory, instance: "127.0.0.1:1") {
            let gzip = try Subprocess.run("gzip", ["-t", path])
            #expect(gzip.status == 0, "\(path): \(gzip.standardError)")
            #expect(try RecordingReader(path: path).warnings.isEmpty)
        }
    }

    @Test func rotatesByAgeWithTheSizeDefaultStillInForce() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Nothing listens on port 1: the snapshots record the refusal, which is enough to rotate.
        let record = try AoftopBinary.run(["record", "-p", "1", "--directory", directory, "--interval", "200ms",
                                           "--rotate-age", "1s", "--keep", "2", "--duration", "3500ms"], timeout: 60)
        #expect(record.status == 0, "\(record.standardError)")
        let started = Self.startedFiles(record.stderrLines.map(String.init))
        #expect(started.count >= 3, "\(record.standardError)")
        let remaining = try Self.setFiles(directory, instance: "127.0.0.1:1")
        #expect(remaining == Array(started.suffix(2)))
        for path in remaining {
            let reader = try RecordingReader(path: path)
            #expect(reader.warnings.isEmpty)
            // One second at 200 ms, give or take a sample.
            #expect(reader.count >= 1 && reader.count <= 7, "\(path): \(reader.count)")
        }
    }

    @Test func anUnusableDirectoryIsOneLineAndExitOne() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/missing"
        let result = try AoftopBinary.run(["record", "-p", "1", "--directory", missing, "--duration", "1s"])
        #expect(result.status == 1)
        #expect(result.standardError == "aoftop: \(missing): cannot use as the recording directory: No such file or directory\n")

        let file = directory + "/plain-file"
        try Data().write(to: URL(fileURLWithPath: file))
        let notDirectory = try AoftopBinary.run(["record", "-p", "1", "--directory", file, "--duration", "1s"])
        #expect(notDirectory.status == 1)
        #expect(notDirectory.standardError == "aoftop: \(file): not a directory\n")
    }

    /// A directory the recorder may not write to (as root, run as `nobody`: root writes anywhere).
    @Test(.enabled(if: getuid() != 0 || PermissionTests.canRunAsNobody, "needs a non-root user or root with runuser"))
    func anUnwritableDirectoryIsOneLineAndExitOne() throws {
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let readOnly = directory + "/read-only"
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o555])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        let arguments = ["record", "-p", "1", "--directory", readOnly, "--duration", "1s"]
        let result = getuid() == 0
            ? try Subprocess.run("/usr/sbin/runuser", ["-u", "nobody", "--", RepositoryPaths.aoftopBinary] + arguments, timeout: 30)
            : try AoftopBinary.run(arguments)
        #expect(result.status == 1, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("aoftop: \(readOnly)/aoftop-127.0.0.1-1-") && line.hasSuffix(".jsonl.gz: cannot create: Permission denied"),
                "\(line)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly).isEmpty)
    }

    /// A write that fails mid-file (the file size limit stands in for a full disk: the same failed write(2))
    /// ends the file at its last whole snapshot with a proper gzip trailer, and record exits 1 with one line.
    @Test func aFailedWriteSealsTheFileAndExitsOne() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let directory = try RecordReplay.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // SIGXFSZ ignored, as the kernel then fails the write with EFBIG instead of killing the process.
        let command = "trap '' XFSZ; exec prlimit --fsize=16384 \(RepositoryPaths.aoftopBinary) record -p \(server.port) "
            + "--directory \(directory) --interval 50ms --rotate-size 1M --duration 30s"
        let result = try Subprocess.run("/bin/sh", ["-c", command], timeout: 60)
        #expect(result.status == 1, "\(result.standardError)")
        let files = try Self.setFiles(directory, instance: "127.0.0.1:\(server.port)")
        #expect(files.count == 1)
        let path = try #require(files.first)
        let stderr = result.stderrLines.map(String.init)
        #expect(stderr.last == "aoftop: \(path): cannot write: File too large", "\(result.standardError)")
        #expect(stderr.dropLast().last?.hasSuffix(" in 1 file") == true, "\(result.standardError)")
        let gzip = try Subprocess.run("gzip", ["-t", path])
        #expect(gzip.status == 0, "\(gzip.standardError)")
        let reader = try RecordingReader(path: path)
        #expect(reader.warnings.isEmpty, "\(reader.warnings)")
        #expect(reader.count >= 3)
        #expect(stderr.dropLast().last?.hasPrefix("\(reader.count) snapshots, ") == true, "\(result.standardError)")
        let replay = try AoftopBinary.run(["replay", path, "--json"])
        #expect(replay.status == 0 && replay.standardError.isEmpty, "\(replay.standardError)")
        #expect(replay.stdoutLines.count == reader.count)
    }

    @Test(arguments: [
        ([], "give -o FILE or --directory DIR"),
        (["-o", "/tmp/x.jsonl", "--directory", "/tmp"], "-o FILE and --directory DIR exclude each other"),
        (["-o", "/tmp/x.jsonl", "--keep", "3"], "--rotate-size, --rotate-age, --keep and --max-total need --directory"),
        (["-o", "/tmp/x.jsonl", "--rotate-size", "1M"], "need --directory"),
        (["--directory", "/tmp", "--rotate-size", "lots"], "'lots' is invalid for '--rotate-size"),
        (["--directory", "/tmp", "--rotate-size", "64MB/s"], "is invalid for '--rotate-size"),
        (["--directory", "/tmp", "--rotate-size", "100"], "--rotate-size must be at least 1K"),
        (["--directory", "/tmp", "--rotate-age", "500ms"], "--rotate-age must be at least 1s"),
        (["--directory", "/tmp", "--keep", "0"], "--keep must be at least 1"),
        (["--directory", "/tmp", "--max-total", "1G", "--rotate-size", "2G"], "--max-total must be at least --rotate-size (2G)"),
        (["--directory", "/tmp", "--max-total", "10M"], "--max-total must be at least --rotate-size (64M)"),
        // Sizes as people write them, read back in the message: 1024-based, B/iB optional, decimals.
        (["--directory", "/tmp", "--rotate-size", "64MiB", "--max-total", "63M"], "--max-total must be at least --rotate-size (64M)"),
        (["--directory", "/tmp", "--rotate-size", "1.5G", "--max-total", "1g"], "--max-total must be at least --rotate-size (1536M)"),
        (["--directory", "/tmp", "--rotate-size", "2048B", "--max-total", "2047"], "--max-total must be at least --rotate-size (2K)"),
        (["--directory", "/tmp", "--rotate-size", "1iB"], "is invalid for '--rotate-size"),
    ])
    func wrongFlagsFailWithOneLine(flags: [String], message: String) throws {
        let result = try AoftopBinary.run(["record", "-p", "1"] + flags)
        #expect(result.status != 0 && result.status < 128)
        #expect(result.stderrLines.count == 1, "\(flags): \(result.standardError)")
        let first = try #require(result.stderrLines.first)
        #expect(first.hasPrefix("aoftop: ") && first.contains(message), "\(flags): \(first)")
    }

    @Test func helpNamesTheFlagsAndTheDefaults() throws {
        let help = try AoftopBinary.run(["record", "--help"])
        #expect(help.status == 0)
        let text = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["--directory <dir>", "--rotate-size <size>", "Default 64M.", "--rotate-age <duration>", "--keep <N>",
                       "Default 10.", "--max-total <size>", "aoftop-127.0.0.1-6379-20261205-083000.jsonl.gz",
                       "with no flags, 10 x 64M"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
    }
}
