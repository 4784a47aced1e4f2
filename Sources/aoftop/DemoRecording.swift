import Foundation

/// Finds the bundled incident recording (`Resources/demo-incident.jsonl.gz`) wherever aoftop was built or installed.
enum DemoRecording {
    static let fileName = "demo-incident.jsonl.gz"
    static let environmentVariable = "AOFTOP_DEMO"

    /// `$AOFTOP_DEMO`; then beside the executable: `<exe>/../../Resources/` (`.build/debug/aoftop`),
    /// `<exe>/../share/aoftop/` (an install), and `Resources/` in any of the few directories above the
    /// executable's real path (the `.build/<triple>/debug` layout). Nil when none exists.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                       executable: String = CommandLine.arguments.first ?? "") -> String? {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return isFile(explicit) ? explicit : nil
        }
        var directories: [URL] = []
        let given = URL(fileURLWithPath: executable).deletingLastPathComponent()
        directories.append(given)
        if let real = realPath("/proc/self/exe") ?? realPath(executable) {
            directories.append(URL(fileURLWithPath: real).deletingLastPathComponent())
        }
        var candidates: [String] = []
        for directory in directories {
            candidates.append(directory.appendingPathComponent("../../Resources/\(fileName)").standardized.path)
            candidates.append(directory.appendingPathComponent("../share/aoftop/\(fileName)").standardized.path)
            var up = directory
            for _ in 0..<5 {
                candidates.append(up.appendingPathComponent("Resources/\(fileName)").path)
                up = up.deletingLastPathComponent()
            }
        }
        return candidates.first(where: isFile)
    }

    /// The one line shown when the recording cannot be found.
    static var notFoundMessage: String {
        "the demo recording (\(fileName)) was not found beside aoftop: set \(environmentVariable)=/path/to/\(fileName)"
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    private static func realPath(_ path: String) -> String? {
        guard !path.isEmpty, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
