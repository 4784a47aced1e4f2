/// What one source produced for one snapshot.
///
/// Each source of a `Snapshot` is a separate `Reading`, so a failing source (Redis refusing connections,
/// `/proc` permission denied, a missing log) degrades one pane and never the whole frame.
public enum Reading<Value: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    case ok(Value)
    /// The source was tried and failed; the reason is one line an operator can act on.
    case failed(String)
    /// The source was not asked for (no log path known, no pid, replay of a log-only recording…).
    case notConfigured

    public var value: Value? {
        if case .ok(let value) = self { return value }
        return nil
    }

    public var failureReason: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }

    public var isOK: Bool { value != nil }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> Reading<T> {
        switch self {
        case .ok(let value): return .ok(try transform(value))
        case .failed(let reason): return .failed(reason)
        case .notConfigured: return .notConfigured
        }
    }

    private enum CodingKeys: String, CodingKey { case status, value, reason }
    private enum Status: String, Codable { case ok, failed, notConfigured = "not_configured" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Status.self, forKey: .status) {
        case .ok: self = .ok(try container.decode(Value.self, forKey: .value))
        case .failed: self = .failed(try container.decode(String.self, forKey: .reason))
        case .notConfigured: self = .notConfigured
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ok(let value):
            try container.encode(Status.ok, forKey: .status)
            try container.encode(value, forKey: .value)
        case .failed(let reason):
            try container.encode(Status.failed, forKey: .status)
            try container.encode(reason, forKey: .reason)
        case .notConfigured:
            try container.encode(Status.notConfigured, forKey: .status)
        }
    }
}
