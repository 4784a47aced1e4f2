// LogScanBenchmark [BYTES]: aoftop's LogScanner against the C floors and grep, on the same generated log, in one run.
//
//   swift run -c release LogScanBenchmark            # 1 GiB
//   swift run -c release LogScanBenchmark 268435456  # 256 MiB
//
// Generates the log with shared/bench/genlog.py (cached in the temp dir), builds shared/bench/logscan.c with cc -O2,
// warms the page cache, then times each contender (median of 3). Also checks that aoftop counts the four failure
// kinds exactly as logscan does. Then scans the same lines as a CRI log file and as journalctl prints them (made with
// sed, cached beside the log) and requires the same report.
import AoftopModel
import BenchmarkSupport
import Foundation
import LogCollector

let size = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? (1 << 30) : 1 << 30
let runs = 3

func fail(_ message: String) -> Never { BenchmarkSupport.fail("LogScanBenchmark", message) }

@discardableResult
func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    runOrFail("LogScanBenchmark", executable, arguments)
}

func now() -> Double { monotonicSeconds() }
func cpuTime() -> Double { cpuSeconds() }
func median(_ body: () -> Void) -> (wall: Double, cpu: Double) { medianTime(runs: runs, body) }

guard let bench = sharedBenchDirectory() else { fail("cannot find shared/bench/genlog.py above \(#filePath)") }
let temp = FileManager.default.temporaryDirectory
let logPath = generatedLog(size: size, bench: bench, name: "LogScanBenchmark")
let logscan = temp.appendingPathComponent("aoftop-logscan-bin").path
// `LogScanBenchmark BYTES aoftop-only`: just the scanner, for profiling (perf record).
if CommandLine.arguments.count > 2 && CommandLine.arguments[2] == "aoftop-only" {
    for _ in 0..<5 {
        let start = now(), cpuStart = cpuTime()
        do {
            let bufferBytes = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3]) ?? (1 << 20) : 1 << 20
            let report = try LogScanner(bufferBytes: bufferBytes).scan(path: logPath)
            let seconds = now() - start, cpu = cpuTime() - cpuStart
            print("lines \(report.lines), aof-fork-failed \(report.count(.aofForkFailed)): \(seconds) s wall, \(cpu) s cpu")
        } catch { fail("\(error)") }
    }
    exit(0)
}

guard run("/usr/bin/env", ["cc", "-O2", "-o", logscan, bench.appendingPathComponent("logscan.c").path]).status == 0
else { fail("cc logscan.c failed") }

let fileBytes = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? size
let patterns = [
    "Can't rewrite append only file in background: fork",
    "Can't save in background: fork",
    "Error opening /setting AOF rewrite IPC pipes",
    "Error registering fd event for the new client",
]

// Warm the page cache so every contender reads from memory.
run(logscan, [logPath, "read", "bytes"])
run(logscan, [logPath, "read", "bytes"])

var report: LogScanReport?
let scanner = LogScanner()
let aoftopTime = median {
    do { report = try scanner.scan(path: logPath) } catch { fail("\(error)") }
}
var logscanOutput = ""
let hashTime = median { logscanOutput = run(logscan, [logPath, "read", "hash"]).output }
let linesTime = median { run(logscan, [logPath, "mmap", "lines"]) }
var grepECount = ""
let grepETime = median { grepECount = run("/usr/bin/grep", ["-c", "-E", patterns.joined(separator: "|"), logPath]).output }
var grepFCount = ""
let grepFTime = median {
    grepFCount = run("/usr/bin/grep", ["-c", "-F"] + patterns.flatMap { ["-e", $0] } + [logPath]).output
}

// Correctness: aoftop's counts of the four kinds must equal logscan's.
guard let report else { fail("no report") }
func field(_ name: String, in output: String) -> Int {
    for part in output.split(separator: " ") where part.hasPrefix(name + "=") {
        return Int(part.dropFirst(name.count + 1).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
    return -1
}
let expected: [(LogEventKind, String)] = [(.aofForkFailed, "aof_fork"), (.rdbForkFailed, "bgsave_fork"),
                                          (.aofPipesFailed, "ipc_pipes"), (.clientRegisterFailed, "fd_event")]
var countsMatch = true
for (kind, name) in expected where report.count(kind) != field(name, in: logscanOutput) {
    countsMatch = false
    print("MISMATCH \(kind.rawValue): aoftop \(report.count(kind)) vs logscan \(field(name, in: logscanOutput))")
}
let grepTotal = Int(grepECount.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
let fourKinds = expected.map { report.count($0.0) }.reduce(0, +)

func gbps(_ seconds: Double) -> String { String(format: "%.2f", Double(fileBytes) / seconds / 1e9) }
extension String { func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self } }
func row(_ name: String, _ t: (wall: Double, cpu: Double)) -> String {
    let padded = name.padding(toLength: 32, withPad: " ", startingAt: 0)
    return "| \(padded) | \(String(format: "%6.3f", t.wall)) | \(gbps(t.wall).leftPad(6)) | \(String(format: "%6.3f", t.cpu)) | \(gbps(t.cpu).leftPad(6)) | \(String(format: "%5.2f", t.wall / aoftopTime.wall).leftPad(6)) | \(String(format: "%5.2f", t.cpu / aoftopTime.cpu).leftPad(6)) |"
}

print("")
print("file: \(logPath) (\(fileBytes) bytes, \(report.lines) lines), median of \(runs) warm runs")
print("| contender                        | wall s | GB/s   | cpu s  | GB/s   | wall×  | cpu×   |")
print("|----------------------------------|--------|--------|--------|--------|--------|--------|")
print(row("aoftop LogScanner (all kinds)", aoftopTime))
print(row("logscan read hash (floor)", hashTime))
print(row("logscan mmap lines (C per line)", linesTime))
print(row("grep -c -E (four-way regex)", grepETime))
print(row("grep -c -F (four literals)", grepFTime))
print("(× = time relative to aoftop; cpu = user + system, robust when other work shares the cores)")
print("")
print("aoftop vs grep -c -E: \(String(format: "%.1f", grepETime.wall / aoftopTime.wall))× faster (wall), \(String(format: "%.1f", grepETime.cpu / aoftopTime.cpu))× (cpu)")
print("aoftop / logscan read hash: \(String(format: "%.2f", aoftopTime.wall / hashTime.wall))× its time (wall), \(String(format: "%.2f", aoftopTime.cpu / hashTime.cpu))× (cpu)")
print("counts: aoftop four kinds \(fourKinds), grep -E lines \(grepTotal), grep -F lines \(grepFCount.trimmingCharacters(in: .whitespacesAndNewlines)); logscan: \(logscanOutput.trimmingCharacters(in: .whitespacesAndNewlines))")
print(countsMatch && fourKinds == grepTotal ? "counts match" : "COUNTS DIFFER")
if !countsMatch { exit(2) }

// The same lines behind a transport's envelope (see `LineEnvelope`): what reading a CRI file or journalctl's output
// costs over the plain log, and the same report (the envelopes' times never override Redis's own).
let envelopes: [(name: String, suffix: String, prefix: String)] = [
    ("CRI log file", "cri", "2026-12-05T08:03:18.123456789Z stdout F "),
    ("journalctl -o short-iso-precise", "journald", "2026-12-05T08:03:18.123456+00:00 cache-01 redis-server[1838]: "),
]
// Year-less times resolve against the plain file's mtime, as in its own scan.
let plainModified = ((try? FileManager.default.attributesOfItem(atPath: logPath))?[.modificationDate] as? Date)
    .map { Timestamp(secondsSince1970: $0.timeIntervalSince1970) }
print("")
print("| enveloped log                    | bytes         | wall s | cpu s  | lines/s (cpu) | × plain (cpu) |")
print("|----------------------------------|---------------|--------|--------|---------------|---------------|")
for envelope in envelopes {
    let path = logPath.replacingOccurrences(of: ".log", with: "-\(envelope.suffix).log")
    if ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0) < fileBytes {
        guard run("/bin/sh", ["-c", "sed -e 's/^/\(envelope.prefix)/' '\(logPath)' > '\(path)'"]).status == 0
        else { fail("sed \(envelope.suffix) failed") }
    }
    run(logscan, [path, "read", "bytes"])
    var enveloped: LogScanReport?
    let time = median {
        do { enveloped = try scanner.scan(path: path, referenceTime: plainModified) } catch { fail("\(error)") }
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let padded = envelope.name.padding(toLength: 32, withPad: " ", startingAt: 0)
    print("| \(padded) | \(String(bytes).leftPad(13)) | \(String(format: "%6.3f", time.wall)) | \(String(format: "%6.3f", time.cpu)) | \(String(format: "%.1f M", Double(report.lines) / time.cpu / 1e6).leftPad(13)) | \(String(format: "%.2f", time.cpu / aoftopTime.cpu).leftPad(13)) |")
    guard let enveloped, enveloped.kinds == report.kinds, enveloped.lines == report.lines else {
        print("MISMATCH \(envelope.suffix): \(enveloped.map { "\($0.lines) lines, \($0.kinds.mapValues(\.count))" } ?? "no report")")
        exit(2)
    }
}
print("enveloped counts match")
