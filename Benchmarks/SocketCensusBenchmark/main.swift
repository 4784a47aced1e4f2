// SocketCensusBenchmark: what the socket census adds to the fd census, against the C floor, on a process holding
// N TCP sockets.
//
//   swift run -c release SocketCensusBenchmark [N ...]      (default N = 10000 19000)
//
// For each N it starts itself twice: `hold-server N PORT` (listens on 127.0.0.1:PORT and accepts N connections)
// and `hold-clients N PORT` (makes them, from 127.0.0.2 … 127.0.0.11, a third from 127.0.0.2). Both ends are in
// the namespace's `net/tcp`, so the table has 2N + 1 rows of this benchmark: twice what a server with remote clients
// sees. Then, on the server holder, in interleaved batches: the C floor (`../shared/bench/fdscan.c`, `readlink`),
// `ProcSampler` with `.off` (the fd census alone), with `.standard` (census + sockets, tables read within the budget)
// and with `.everySample` (census + sockets, tables read on every sample). Medians of per-batch means.
import BenchmarkSupport
import Foundation
import Glibc
import ProcCollector

let name = "SocketCensusBenchmark"

/// Raises the soft fd limit to the hard one (about 20,000 here): N sockets plus a few.
func raiseFdLimit(to needed: Int) {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    guard Int(limit.rlim_max) >= needed else { fail(name, "ulimit -Hn is \(limit.rlim_max), \(needed) fds needed") }
    limit.rlim_cur = limit.rlim_max
    setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}

func loopback(_ text: String, port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(text)
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// Closing with SO_LINGER 0 resets instead of leaving N TIME_WAIT rows in the table for the next size's run.
func resetOnClose(_ fd: Int32) {
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
}

func holdServer(count: Int, port: Int) -> Never {
    raiseFdLimit(to: count + 64)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = loopback("127.0.0.1", port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 4096) == 0 else { fail(name, "cannot listen on 127.0.0.1:\(port)") }
    for _ in 0..<count {
        let client = accept(fd, nil, nil)
        guard client >= 0 else { fail(name, "accept: \(String(cString: strerror(errno)))") }
        resetOnClose(client)
    }
    while true { pause() }
}

func holdClients(count: Int, port: Int) -> Never {
    raiseFdLimit(to: count + 64)
    var server = loopback("127.0.0.1", port: port)
    let ipBindAddressNoPort: Int32 = 24  // <linux/in.h>: pick the port at connect, per 4-tuple
    for k in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IP), ipBindAddressNoPort, &one, socklen_t(MemoryLayout<Int32>.size))
        resetOnClose(fd)
        // A third from 127.0.0.2 (the leaking client), the rest spread over 127.0.0.2 … 127.0.0.11.
        var source = loopback("127.0.0.\(k % 3 == 0 ? 2 : 2 + k % 10)", port: 0)
        let ok = withUnsafePointer(to: &source) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0 && withUnsafePointer(to: &server) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
        guard ok else { fail(name, "connect #\(k): \(String(cString: strerror(errno)))") }
    }
    while true { pause() }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count == 3, let count = Int(arguments[1]), let port = Int(arguments[2]) {
    if arguments[0] == "hold-server" { holdServer(count: count, port: port) }
    if arguments[0] == "hold-clients" { holdClients(count: count, port: port) }
}

guard let bench = sharedBenchDirectory() else { fail(name, "cannot find ../shared/bench above the package root") }
let fdscan = "/tmp/aoftop-bench-fdscan"
guard runTool("/usr/bin/cc", ["-O2", "-o", fdscan, bench.appendingPathComponent("fdscan.c").path])?.status == 0 else {
    fail(name, "cc -O2 fdscan.c failed")
}
let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
let counts = arguments.compactMap { Int($0) }.isEmpty ? [10_000, 19_000] : arguments.compactMap { Int($0) }
let batches = 9
let repeatPerBatch = 20

func spawn(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    try process.run()
    return process
}

/// Reads the file to its end with 1 MiB reads (what `ByteBuffer` does once grown); returns bytes and newlines.
func readAll(_ path: String, into buffer: UnsafeMutableRawBufferPointer) -> (bytes: Int, lines: Int) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return (0, 0) }
    defer { close(fd) }
    var bytes = 0, lines = 0
    while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n <= 0 { break }
        bytes += n
        for i in 0..<n where buffer[i] == 0x0A { lines += 1 }
    }
    return (bytes, lines)
}

/// User and system CPU seconds of this process (`RUSAGE_SELF`) or of its reaped children (`RUSAGE_CHILDREN`).
func cpu(_ who: Int32) -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(who, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

var names = utsname()
uname(&names)
let kernel = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
print("machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), kernel \(kernel), CPU \(cpu)")

for n in counts {
    let port = 30_000 + Int(getpid() % 10_000) + n % 1000
    let server = try spawn(["hold-server", String(n), String(port)])
    usleep(200_000)
    let clients = try spawn(["hold-clients", String(n), String(port)])
    defer {
        kill(clients.processIdentifier, SIGKILL)
        kill(server.processIdentifier, SIGKILL)
        clients.waitUntilExit()
        server.waitUntilExit()
    }
    let pid = server.processIdentifier
    let alone = ProcSampler(socketTables: .off)
    let deadline = monotonicSeconds() + 120
    while (alone.openFdCount(pid: pid) ?? 0) < n + 1 {
        guard server.isRunning, clients.isRunning, monotonicSeconds() < deadline else { fail(name, "holders for \(n) did not come up") }
        usleep(50_000)
    }
    usleep(300_000)
    let withSockets = ProcSampler(socketTables: .standard)
    let everySample = ProcSampler(socketTables: .everySample)
    // Reads the tables once, then never again: what the per-sample join and build cost alone.
    let joinOnly = ProcSampler(socketTables: .budget(fraction: 1e-12, maxAgeSeconds: 1e9))
    for sampler in [alone, withSockets, everySample, joinOnly] { for _ in 0..<3 { _ = sampler.sample(pid: pid) } }
    _ = runTool(fdscan, [String(pid), "readlink", "3"])

    // Per method (C floor, census alone, census + sockets within the budget, every sample): per-batch means, CPU.
    var times: [[Double]] = Array(repeating: [], count: 6)
    var cpuTotals = [(user: Double, system: Double)](repeating: (0, 0), count: 6)
    func add(_ k: Int, _ before: (user: Double, system: Double), _ after: (user: Double, system: Double)) {
        cpuTotals[k].user += after.user - before.user
        cpuTotals[k].system += after.system - before.system
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
    defer { buffer.deallocate() }
    let tables = ["tcp", "tcp6", "unix"].map { "/proc/\(pid)/net/\($0)" }
    var reads = 0
    for _ in 0..<batches {
        var c0 = cpu(RUSAGE_CHILDREN.rawValue), t0 = monotonicSeconds()
        _ = runTool(fdscan, [String(pid), "readlink", String(repeatPerBatch)])
        times[0].append((monotonicSeconds() - t0) / Double(repeatPerBatch))
        add(0, c0, cpu(RUSAGE_CHILDREN.rawValue))
        for (k, sampler) in [alone, withSockets, everySample, joinOnly].enumerated() {
            c0 = cpu(RUSAGE_SELF.rawValue)
            t0 = monotonicSeconds()
            for _ in 0..<repeatPerBatch {
                let sample = sampler.sample(pid: pid)
                if sampler === withSockets, sample.value?.sockets?.tablesAgeMs == 0 { reads += 1 }
            }
            times[k + 1].append((monotonicSeconds() - t0) / Double(repeatPerBatch))
            add(k + 1, c0, cpu(RUSAGE_SELF.rawValue))
        }
        c0 = cpu(RUSAGE_SELF.rawValue)
        t0 = monotonicSeconds()
        for _ in 0..<repeatPerBatch { for table in tables { _ = readAll(table, into: buffer) } }
        times[5].append((monotonicSeconds() - t0) / Double(repeatPerBatch))
        add(5, c0, cpu(RUSAGE_SELF.rawValue))
    }
    guard let sockets = withSockets.sample(pid: pid).value?.sockets, let fds = alone.sample(pid: pid).value?.fds else {
        fail(name, "sample failed")
    }
    let scans = Double(batches * repeatPerBatch)
    print("\nN=\(n): fds=\(fds.total) sockets=\(fds.sockets) roles=\(sockets.roles.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }) "
          + "top peer \(sockets.topPeers.first.map { "\($0.address) ×\($0.count)" } ?? "-") of \(sockets.distinctPeers); "
          + "net/{tcp,tcp6,unix} lines=\(tables.map { readAll($0, into: buffer).lines }); tables read in \(reads) of \(batches * repeatPerBatch) budgeted samples")
    print("| method | median per scan | CPU per scan: user + sys | ratio to C floor | ratio to census alone |")
    print("|---|---:|---:|---:|---:|")
    let c = median(times[0]), census = median(times[1])
    let labels = ["C floor: fdscan readlink", "census alone (.off)", "census + sockets (.standard)",
                  "census + sockets (.everySample)", "census + sockets, tables never re-read (join + build only)",
                  "reading the three tables alone (1 MiB reads)"]
    for k in labels.indices {
        let m = median(times[k])
        print("| \(labels[k]) | \(String(format: "%.2f ms", m * 1000)) | \(String(format: "%.2f + %.2f ms", cpuTotals[k].user / scans * 1000, cpuTotals[k].system / scans * 1000)) "
              + "| \(String(format: "%.2f×", m / c)) | \(String(format: "%.2f×", m / census)) |")
    }
}
