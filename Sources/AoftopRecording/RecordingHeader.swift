import AoftopModel

/// Line 1 of a recording: what was recorded, by which aoftop, from where and when.
///
/// It never carries credentials: `target` is a display name (`127.0.0.1:6379`, a socket path), and any
/// `user:password@` part is removed on creation in case a caller passes a URL.
public struct RecordingHeader: Sendable, Codable, Equatable {
    /// The value of `format`: how a reader recognises a recording.
    public static let formatName = "aoftop-recording"
    /// The newest format version this build writes and understands.
    public static let currentVersion = 1

    /// Format version of the file; readers refuse versions newer than `currentVersion`.
    public var version: Int
    /// The aoftop that wrote the file (for bug reports).
    public var aoftopVersion: String
    /// Host name of the machine that recorded.
    public var host: String?
    /// The Redis/Valkey server recorded, as shown on screen.
    public var target: String?
    /// The sampling interval asked for (snapshots carry their real times).
    public var intervalSeconds: Double?
    /// When recording started.
    public var started: Timestamp

    public init(version: Int = RecordingHeader.currentVersion, aoftopVersion: String, host: String? = nil,
                target: String? = nil, intervalSeconds: Double? = nil, started: Timestamp) {
        self.version = version
        self.aoftopVersion = aoftopVersion
        self.host = host
        self.target = target.map(Self.removingCredentials)
        self.intervalSeconds = intervalSeconds
        self.started = started
    }

    private enum CodingKeys: String, CodingKey {
        case format, version, host, target, started
        case aoftopVersion = "aoftop_version"
        case intervalSeconds = "interval_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(String.self, forKey: .format)
        guard format == Self.formatName else {
            throw DecodingError.dataCorruptedError(forKey: .format, in: container, debugDescription: "format is \(format)")
        }
        version = try container.decode(Int.self, forKey: .version)
        // Everything but format and version is optional on reading, so a later version that drops a field still
        // gets past this decoder to the version check instead of failing with a confusing "key not found".
        aoftopVersion = try container.decodeIfPresent(String.self, forKey: .aoftopVersion) ?? "unknown"
        host = try container.decodeIfPresent(String.self, forKey: .host)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        intervalSeconds = try container.decodeIfPresent(Double.self, forKey: .intervalSeconds)
        started = try container.decodeIfPresent(Timestamp.self, forKey: .started) ?? Timestamp(millisecondsSince1970: 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatName, forKey: .format)
        try container.encode(version, forKey: .version)
        try container.encode(aoftopVersion, forKey: .aoftopVersion)
        try container.encodeIfPresent(host, forKey: .host)
        try container.encodeIfPresent(target, forKey: .target)
        try container.encodeIfPresent(intervalSeconds, forKey: .intervalSeconds)
        try container.encode(started, forKey: .started)
    }

    /// `redis://user:secret@db7:6379` → `redis://db7:6379`; anything without `@` before the host is unchanged.
    static func removingCredentials(_ target: String) -> String {
        guard let at = target.lastIndex(of: "@") else { return target }
        let schemeEnd = target.firstRange(of: "://")?.upperBound ?? target.startIndex
        guard schemeEnd <= at, !target[schemeEnd..<at].contains("/") else { return target }
        return String(target[..<schemeEnd]) + target[target.index(after: at)...]
    }
}
