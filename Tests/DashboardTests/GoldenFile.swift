import Foundation
import Testing
import TextGrid

/// Golden grids beside the tests (`Golden/<name>.txt`, `Grid.golden` format: text rows, `--`, role rows).
/// `AOFTOP_RECORD_GOLDEN=1 swift test --disable-xctest --filter DashboardTests` rewrites them.
enum GoldenFile {
    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["AOFTOP_RECORD_GOLDEN"] == "1" }

    static func assertMatches(_ grid: Grid, name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = grid.golden
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(url.path); record it with AOFTOP_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if let difference = firstDifference(expected: expected, actual: actual) {
            Issue.record("\(name): \(difference)\n--- actual grid ---\n\(actual)", sourceLocation: sourceLocation)
        }
    }

    /// `row 7 (text) differs:` with both rows, or `nil` when equal.
    static func firstDifference(expected: String, actual: String) -> String? {
        guard expected != actual else { return nil }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let separator = e.firstIndex(of: "--") ?? e.count
        for index in 0..<max(e.count, a.count) {
            let left = index < e.count ? String(e[index]) : "<missing>"
            let right = index < a.count ? String(a[index]) : "<missing>"
            if left != right {
                let part = index < separator ? "text row \(index)" : "role row \(index - separator - 1)"
                return "\(part) differs\n  expected: |\(left)|\n  actual:   |\(right)|"
            }
        }
        return "differs (line endings?)"
    }
}
