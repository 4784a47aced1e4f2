import AoftopAnalysis
import AoftopModel
import FoundationEssentials
import Glibc

/// `replay --json`: one compact assessment (the `check --json` shape) per line on standard output, buffered.
struct AssessmentLines {
    private var analyzer = Analyzer()
    private let encoder = AoftopJSON.encoder()
    private var buffer = Data()
    /// Snapshots before this are analysed (history) but not printed.
    let from: Timestamp?

    init(from: Timestamp?) { self.from = from }

    mutating func add(_ snapshot: Snapshot) throws {
        let assessment = analyzer.ingest(snapshot)
        if let from, snapshot.time < from { return }
        buffer.append(try encoder.encode(assessment))
        buffer.append(0x0A)
        if buffer.count >= 64 << 10 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        StandardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
