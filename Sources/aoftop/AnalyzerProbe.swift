import AoftopAnalysis
import AoftopModel
import AoftopPipeline

/// The replay marker pass's view of the analysis: an `Analyzer` fed the whole recording in order.
struct AnalyzerProbe: ReplayAnalysisProbe {
    private var analyzer = Analyzer()

    mutating func isExhausted(after snapshot: Snapshot) -> Bool {
        analyzer.ingest(snapshot).eta.status == .exhausted
    }

    static let factory: @Sendable () -> any ReplayAnalysisProbe = { AnalyzerProbe() }
}
