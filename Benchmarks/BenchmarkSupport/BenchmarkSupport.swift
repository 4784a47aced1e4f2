// What the log benchmarks share: finding ../shared/bench, running a tool, and timing a body by wall and CPU.
import Foundation

/// Prints `NAME: message` to standard error and exits 1.
public func fail(_ name: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
    exit(1)
}

/// `<repo>/../shared/bench`, found by walking up from `file` (works from the main checkout and from worktrees).
public func sharedBenchDirectory(from file: String = #filePath) -> URL? {
    var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
    for _ in 0..<6 {
        dir = dir.deletingLastPathComponent()
        let candidate = dir.appendingPathComponent("shared/bench/genlog.py")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.deletingLastPathComponent() }
    }
    return nil
}

/// Runs `executable` and returns its exit status and standard output (`nil` when it cannot be started).
@discardableResult
public func runTool(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// `runTool`, or `fail(name, …)` when the tool cannot be started.
@discardableResult
public func runOrFail(_ name: String, _ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    guard let result = runTool(executable, arguments) else { fail(name, "cannot run \(executable)") }
    return result
}

public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU seconds (user + system) of this process and of its waited-for children: robust when other work shares the cores.
public func cpuSeconds() -> Double {
    var total = 0.0
    for who in [RUSAGE_SELF.rawValue, RUSAGE_CHILDREN.rawValue] {
        var usage = rusage()
        getrusage(who, &usage)
        total += Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        total += Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
    return total
}

/// Median wall and CPU seconds of `runs` runs of `body`.
public func medianTime(runs: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    var walls: [Double] = [], cpus: [Double] = []
    for _ in 0..<max(1, runs) {
        let start = monotonicSeconds(), cpuStart = cpuSeconds()
        body()
        walls.append(monotonicSeconds() - start)
        cpus.append(cpuSeconds() - cpuStart)
    }
    return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2])
}

/// `shared/bench/genlog.py`'s log of `size` bytes, generated once into the temp dir and reused.
public func generatedLog(size: Int, bench: URL, name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-logscan-\(size).log").path
    if let bytes = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, bytes >= size {
        print("reusing \(path)")
        return path
    }
    print("generating \(size) bytes into \(path) …")
    guard runTool("/usr/bin/env", ["python3", bench.appendingPathComponent("genlog.py").path, path, String(size)])?.status == 0
    else { fail(name, "genlog.py failed") }
    return path
}
