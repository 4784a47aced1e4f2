import AoftopModel

/// The analysis a replay's marker pass needs, injected by the app: the pipeline does not depend on the analysis
/// module. Fed every snapshot of the recording in order, once.
public protocol ReplayAnalysisProbe {
    /// Ingests the next snapshot; true when the fd-exhaustion forecast says `exhausted` at it.
    mutating func isExhausted(after snapshot: Snapshot) -> Bool
}
