// ColdStartBenchmark [BYTES]: aoftop started next to a server with a huge log, in one run.
//
//   swift build -c release --product aoftop && swift run -c release ColdStartBenchmark            # 1 GiB
//   swift run -c release ColdStartBenchmark 268435456                                             # 256 MiB
//
// 1. Time to the first `aoftop check` verdict (`--duration 0s`, one sample) against a real redis-server, with
//    the huge log and with an empty one: the history is read on its own thread, so the two must be alike.
// 2. Time until the history is complete: `LogHistoryReader` over the whole file (the server's start line is its
//    first line), against `LogScanner` and the C floor `logscan read hash` on the same file, median of 3.
// The log is shared/bench/genlog.py's (cached in the temp dir) behind one start line of its pid (1838).
import AoftopModel
import BenchmarkSupport
import Foundation
import LogCollector

let size = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? (1 << 30) : 1 << 30
let runs = 3

func fail(_ message: String) -> Never { BenchmarkSupport.fail("ColdStartBenchmark", message) }

@discardableResult
func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    runOrFail("ColdStartBenchmark", executable, arguments)
}

func median(_ count: Int = runs, _ body: () -> Void) -> (wall: Double, cpu: Double) { medianTime(runs: count, body) }

guard let bench = sharedBenchDirectory() else { fail("cannot find shared/bench/genlog.py above \(#filePath)") }
let temp = FileManager.default.temporaryDirectory
let generated = generatedLog(size: size, bench: bench, name: "ColdStartBenchmark")
let logPath = temp.appendingPathComponent("aoftop-coldstart-\(size).log").path
let emptyLog = temp.appendingPathComponent("aoftop-coldstart-empty.log").path
let logscan = temp.appendingPathComponent("aoftop-logscan-bin").path
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let aoftop = repository.appendingPathComponent(".build/release/aoftop").path
guard FileManager.default.isExecutableFile(atPath: aoftop) else { fail("build it first: swift build -c release --product aoftop") }

if !FileManager.default.fileExists(atPath: logPath) {
    let start = "1838:M 16 Aug 01:07:39.000 # Server started, Redis version 3.2.8\n"
    guard FileManager.default.createFile(atPath: logPath, contents: Data(start.utf8)),
          let out = FileHandle(forWritingAtPath: logPath), let input = FileHandle(forReadingAtPath: generated) else {
        fail("cannot write \(logPath)")
    }
    out.seekToEndOfFile()
    while case let chunk = input.readData(ofLength: 1 << 24), !chunk.isEmpty { out.write(chunk) }
    try? out.close()
}
_ = FileManager.default.createFile(atPath: emptyLog, contents: Data())
let fileBytes = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? size
guard run("/usr/bin/env", ["cc", "-O2", "-o", logscan, bench.appendingPathComponent("logscan.c").path]).status == 0
else { fail("cc logscan.c failed") }
run(logscan, [logPath, "read", "bytes"]) // warm the page cache
run(logscan, [logPath, "read", "bytes"])

// 1. The first verdict, against a real server.
let port = 20000 + Int(getpid() % 10000)
let server = Process()
server.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
server.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--logfile", temp.appendingPathComponent("aoftop-coldstart-server.log").path]
do { try server.run() } catch { fail("cannot start redis-server: \(error)") }
defer { server.terminate() }
usleep(300_000)
func verdict(log: String) -> String {
    run(aoftop, ["check", "-p", String(port), "--duration", "0s", "--json", "--log", log]).output
}
var hugeOutput = ""
let firstHuge = median(5) { hugeOutput = verdict(log: logPath) }
let firstEmpty = median(5) { _ = verdict(log: emptyLog) }
let state = (try? JSONSerialization.jsonObject(with: Data(hugeOutput.utf8)) as? [String: Any])
    .flatMap { ($0["fork_failures"] as? [String: Any])?["since_start"] as? [String: Any] }?["state"] as? String ?? "?"
server.terminate()

// 2. The whole history.
var history: LogHistory?
let reader = LogHistoryReader()
let historyTime = median {
    history = reader.read(path: logPath, pid: 1838)
}
let scanTime = median { _ = try? LogScanner().scan(path: logPath) }
let floorTime = median { run(logscan, [logPath, "read", "hash"]) }

func gib(_ seconds: Double) -> String { String(format: "%.2f", seconds / (Double(fileBytes) / Double(1 << 30))) }
print("")
print("file: \(logPath) (\(fileBytes) bytes)")
print("| what | wall s | cpu s | s per GiB (wall) |")
print("|---|---:|---:|---:|")
print("| first `check` verdict, huge log (state then: \(state)) | \(String(format: "%.3f", firstHuge.wall)) | \(String(format: "%.3f", firstHuge.cpu)) | |")
print("| first `check` verdict, empty log | \(String(format: "%.3f", firstEmpty.wall)) | \(String(format: "%.3f", firstEmpty.cpu)) | |")
print("| history complete (LogHistoryReader) | \(String(format: "%.3f", historyTime.wall)) | \(String(format: "%.3f", historyTime.cpu)) | \(gib(historyTime.wall)) |")
print("| LogScanner (aoftop scan), same file | \(String(format: "%.3f", scanTime.wall)) | \(String(format: "%.3f", scanTime.cpu)) | \(gib(scanTime.wall)) |")
print("| logscan read hash (C floor) | \(String(format: "%.3f", floorTime.wall)) | \(String(format: "%.3f", floorTime.cpu)) | \(gib(floorTime.wall)) |")
print("")
print("history/floor: \(String(format: "%.2f", historyTime.wall / floorTime.wall))× wall, \(String(format: "%.2f", historyTime.cpu / floorTime.cpu))× cpu; "
      + "history/LogScanner: \(String(format: "%.2f", historyTime.wall / scanTime.wall))× wall")
print("first verdict huge/empty: \(String(format: "%.2f", firstHuge.wall / firstEmpty.wall))×")
if let history {
    print("history: \(history.state.rawValue), fork failures since start \(history.forkFailures ?? -1), lowest refused fd \(history.lowestRefusedFd.map(String.init) ?? "none"), \(history.bytesRead) bytes")
}
