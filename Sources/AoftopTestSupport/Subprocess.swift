import Foundation

/// Runs a helper program to completion and captures its output (for fixtures: redis-cli, cc, the aoftop binary).
public enum Subprocess {
    public struct Result: Sendable {
        /// The exit code, or 128 + signal number when killed by a signal.
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable` with `arguments`; gives up (SIGKILL) after `timeout` seconds so a hang fails the test
    /// instead of stalling the suite.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           standardInput: Data? = nil, timeout: Double = 60) throws -> Result {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0], inPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else { throw FixtureError("pipe failed") }
        let resolved = executable.hasPrefix("/") ? executable : "/usr/bin/env"
        let fullArguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let child: ChildProcess
        do {
            child = try ChildProcess(resolved, fullArguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                     fdMap: [0: inPipe[0], 1: outPipe[1], 2: errPipe[1]])
        } catch {
            (outPipe + errPipe + inPipe).forEach { close($0) }
            throw error
        }
        close(outPipe[1]); close(errPipe[1]); close(inPipe[0])
        let input = standardInput ?? Data()
        let inputFd = inPipe[1]
        let writer = Thread {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(inputFd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(inputFd)
        }
        writer.start()
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (index, fd) in [outPipe[0], errPipe[0]].enumerated() {
            group.enter()
            Thread {
                collected.set(index, FileHandle(fileDescriptor: fd, closeOnDealloc: true).readDataToEndOfFile())
                group.leave()
            }.start()
        }
        guard let status = child.waitForExit(timeout: timeout) else {
            kill(child.pid, SIGKILL)
            _ = child.waitForExit(timeout: 10)
            _ = group.wait(timeout: .now() + 5)
            throw FixtureError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        // A grandchild holding the pipes open must not hang the test either.
        _ = group.wait(timeout: .now() + 10)
        return Result(status: ChildProcess.exitCode(fromWaitStatus: status),
                      standardOutput: String(decoding: collected.get(0), as: UTF8.self),
                      standardError: String(decoding: collected.get(1), as: UTF8.self))
    }
}

private final class OutputCollector: @unchecked Sendable {
    // Guarded by `lock`; written once per stream from the draining threads.
    private var data: [Data] = [Data(), Data()]
    private let lock = NSLock()
    func set(_ index: Int, _ value: Data) { lock.lock(); data[index] = value; lock.unlock() }
    func get(_ index: Int) -> Data { lock.lock(); defer { lock.unlock() }; return data[index] }
}
