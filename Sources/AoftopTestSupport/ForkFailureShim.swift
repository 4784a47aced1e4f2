import Foundation
import Synchronization

/// The `LD_PRELOAD` fault-injection shim in `Tests/Fixtures/forkfail_shim.c`, compiled on first use.
public enum ForkFailureShim: Sendable {
    /// `fork()` fails with ENOMEM while the flag file exists.
    case failForks
    /// As `failForks`, and the pipes closed right after a failed fork stay open: Redis 7 then leaks
    /// 2 fds per attempt, the way Redis ≤ 3.2.8 leaked 6.
    case failForksAndLeakPipes

    private static let built = Mutex<String?>(nil)

    /// Path of the compiled shared object. The test setup compiles it with the system `cc`, once per source version;
    /// the file name carries a hash of the source so a stale build is never reused.
    public static func sharedObjectPath() throws -> String {
        try built.withLock { cached in
            if let cached { return cached }
            let source = RepositoryPaths.root + "/Tests/Fixtures/forkfail_shim.c"
            let text = try String(contentsOfFile: source, encoding: .utf8)
            let output = NSTemporaryDirectory() + "aoftop-forkfail-\(stableHash(text)).so"
            if !FileManager.default.fileExists(atPath: output) {
                // Compile to a private name and rename, so parallel test processes never load a half-written file.
                let partial = output + ".\(getpid()).tmp"
                let result = try Subprocess.run("/usr/bin/env", ["cc", "-O2", "-shared", "-fPIC", "-o", partial, source, "-ldl"])
                guard result.status == 0 else {
                    throw FixtureError("cannot compile the fork-failure shim (is gcc installed?): \(result.standardError)")
                }
                guard rename(partial, output) == 0 else { throw FixtureError("cannot install the shim at \(output)") }
            }
            cached = output
            return output
        }
    }

    /// FNV-1a: stable across runs, unlike `Hasher`.
    private static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
