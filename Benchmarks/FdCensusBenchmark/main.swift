// FdCensusBenchmark: aoftop's /proc/PID/fd census against the C floor and the tools operators use today.
//
//   swift run -c release FdCensusBenchmark [N ...]      (default N = 10000 19000)
//
// Builds ../shared/bench/{fdscan,fdholder}.c with `cc -O2`, starts `fdholder N PORT` for each N, and in the same run
// measures per scan: the C floor (`fdscan PID readlink REPEAT`), `ProcSampler.sample(pid:)` (the whole sample:
// stat, limits, census, listener matching), `ls -al /proc/PID/fd | grep pipe | wc -l`, `lsof -p PID` and
// `openFdCount` (st_size). C and Swift batches are interleaved and reported as medians of per-batch means.
import Foundation
import Glibc
import ProcCollector

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

@discardableResult
func run(_ path: String, _ arguments: [String], quiet: Bool = true) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if quiet {
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
    }
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("FdCensusBenchmark: \(message)\n".utf8))
    exit(1)
}

/// `<repo>/../shared/bench`; worktrees live one level deeper, so parents are searched upwards.
func sharedBench() -> String {
    if let env = ProcessInfo.processInfo.environment["AOFTOP_SHARED_BENCH"] { return env }
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.deletingLastPathComponent().appendingPathComponent("shared/bench")
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("fdscan.c").path) { return candidate.path }
        dir = dir.deletingLastPathComponent()
    }
    fail("cannot find shared/bench/fdscan.c above the package root (set AOFTOP_SHARED_BENCH)")
}

func which(_ tool: String) -> String? {
    for dir in ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"] where access("\(dir)/\(tool)", X_OK) == 0 {
        return "\(dir)/\(tool)"
    }
    return nil
}

let bench = sharedBench()
let fdscan = "/tmp/aoftop-bench-fdscan"
let fdholder = "/tmp/aoftop-bench-fdholder"
for (source, output) in [("fdscan.c", fdscan), ("fdholder.c", fdholder)] {
    guard (try? run("/usr/bin/cc", ["-O2", "-o", output, "\(bench)/\(source)"], quiet: false)) == 0 else {
        fail("cc -O2 \(bench)/\(source) failed")
    }
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let counts = sizes.isEmpty ? [10_000, 19_000] : sizes
let batches = 9
let repeatPerBatch = 20
let collector = ProcSampler()

struct Row { var name: String; var seconds: Double; var note: String = "" }

/// User and system CPU seconds of this process (`RUSAGE_SELF`) or of its reaped children (`RUSAGE_CHILDREN`).
func cpuTimes(_ who: Int32) -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(__rusage_who_t(who), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

var names = utsname()
uname(&names)
let kernel = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
    .split(separator: "\n").first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
print("machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), kernel \(kernel), CPU \(cpu)")
for n in counts {
    // fdholder raises its own soft/hard RLIMIT_NOFILE to N + 1000 (within our hard limit) before opening fds.
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: fdholder)
    holder.arguments = [String(n), String(20_000 + Int(getpid() % 20_000) + n % 1000)]
    holder.standardError = FileHandle.nullDevice
    try holder.run()
    let pid = holder.processIdentifier
    defer { holder.terminate(); holder.waitUntilExit() }
    let deadline = now() + 30
    while (collector.openFdCount(pid: pid) ?? 0) < n * 95 / 100 {
        guard holder.isRunning, now() < deadline else { fail("fdholder \(n) did not come up (ulimit -n hard \(limit.rlim_max))") }
        usleep(20_000)
    }
    usleep(200_000)

    // Warm up both (dentry caches for the fd directory).
    _ = try run(fdscan, [String(pid), "readlink", "3"])
    for _ in 0..<3 { _ = collector.sample(pid: pid) }

    var floor: [Double] = [], census: [Double] = []
    var floorCPU = (user: 0.0, system: 0.0), censusCPU = (user: 0.0, system: 0.0)
    for _ in 0..<batches {
        let c0 = cpuTimes(RUSAGE_CHILDREN.rawValue)
        let t0 = now()
        _ = try run(fdscan, [String(pid), "readlink", String(repeatPerBatch)])
        floor.append((now() - t0) / Double(repeatPerBatch))
        let c1 = cpuTimes(RUSAGE_CHILDREN.rawValue)
        floorCPU.user += c1.user - c0.user
        floorCPU.system += c1.system - c0.system
        let s0 = cpuTimes(RUSAGE_SELF.rawValue)
        let t1 = now()
        for _ in 0..<repeatPerBatch { _ = collector.sample(pid: pid) }
        census.append((now() - t1) / Double(repeatPerBatch))
        let s1 = cpuTimes(RUSAGE_SELF.rawValue)
        censusCPU.user += s1.user - s0.user
        censusCPU.system += s1.system - s0.system
    }
    let scans = Double(batches * repeatPerBatch)
    func cpuNote(_ t: (user: Double, system: Double)) -> String {
        String(format: "CPU per scan: user %.2f ms, sys %.2f ms", t.user / scans * 1000, t.system / scans * 1000)
    }
    guard let sample = collector.sample(pid: pid).value else { fail("sample failed: \(collector.sample(pid: pid))") }

    var ls: [Double] = []
    for _ in 0..<7 {
        let t = now()
        _ = try run("/bin/sh", ["-c", "ls -al /proc/\(pid)/fd | grep pipe | wc -l"])
        ls.append(now() - t)
    }
    var lsof: [Double] = []
    if let lsofPath = which("lsof") {
        for _ in 0..<5 {
            let t = now()
            _ = try run(lsofPath, ["-p", String(pid)])
            lsof.append(now() - t)
        }
    }
    var sizeTimes: [Double] = []
    var total = 0
    for _ in 0..<batches {
        let t = now()
        for _ in 0..<1000 { total = collector.openFdCount(pid: pid) ?? -1 }
        sizeTimes.append((now() - t) / 1000)
    }

    let c = median(floor)
    var rows = [Row(name: "C floor: fdscan readlink", seconds: c, note: cpuNote(floorCPU)),
                Row(name: "aoftop ProcSampler.sample", seconds: median(census), note: cpuNote(censusCPU)),
                Row(name: "ls -al | grep pipe | wc -l", seconds: median(ls)),
                Row(name: "aoftop openFdCount (st_size)", seconds: median(sizeTimes), note: "total=\(total)")]
    if !lsof.isEmpty { rows.insert(Row(name: "lsof -p PID", seconds: median(lsof)), at: 3) }
    print("\nN=\(n): census total=\(sample.fds.total) pipes=\(sample.fds.pipes) selfHeldPairs=\(sample.fds.selfHeldPipePairs) "
          + "sockets=\(sample.fds.sockets) listening=\(sample.fds.listeningSockets) files=\(sample.fds.regularFiles) "
          + "anon=\(sample.fds.anonInodes)")
    print("| method | median per scan | ratio to C floor |")
    print("|---|---:|---:|")
    for row in rows {
        let ms = row.seconds * 1000
        let time = ms >= 0.1 ? String(format: "%.2f ms", ms) : String(format: "%.2f µs", ms * 1000)
        print("| \(row.name) | \(time)\(row.note.isEmpty ? "" : " (\(row.note))") | \(String(format: "%.2f×", row.seconds / c)) |")
    }
}
