import AoftopTestSupport
import Foundation
import Testing

/// Bytes written to the terminal by the first paint and by each steady 1 s refresh with one changing field, at
/// 120×40: a benchmark, not a test (ssh at 3 a.m. over a bad link). Run with
/// `AOFTOP_MEASURE_BYTES=1 swift test --disable-xctest --filter BytesMeasurement`.
@Suite struct BytesMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AOFTOP_MEASURE_BYTES"] != nil))
    func bytesPerRefresh() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("aoftop-bytes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        // The delay lets pipe-pane attach before the first paint.
        let session = try TmuxSession.start(command: ["sh", "-c", "sleep 1; exec \"$0\" --bytes", TerminalCheckTests.binary],
                                            columns: 120, rows: 40)
        try session.pipePaneToFile(output)
        #expect(session.waitFor(text: "last key: none"))
        usleep(300_000)
        let firstPaint = Self.size(output)
        #expect(session.waitFor(text: "tick 2"))
        let start = Self.size(output)
        #expect(session.waitFor(text: "tick 12"))
        let end = Self.size(output)
        print("bytes: first paint \(firstPaint), steady refresh \(Double(end - start) / 10) per second (120x40, xterm-256color)")
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
