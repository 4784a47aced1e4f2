import AoftopModel
import FoundationEssentials
import Glibc

/// Turns line 1 of a file into a `RecordingHeader`, or into the one-line reason it is not one this build can read.
enum HeaderValidator {
    private struct Probe: Decodable {
        var format: String?
        var version: Int?
    }

    static func header(from line: ScannedLine, path: String) throws(RecordingError) -> RecordingHeader {
        guard !line.tooLong else { throw RecordingError(path: path, reason: "not an aoftop recording") }
        let data = Data(line.bytes)
        // Format and version first, so a newer file is refused for its version and not for some field it changed.
        guard let probe = try? AoftopJSON.decoder().decode(Probe.self, from: data),
              probe.format == RecordingHeader.formatName, let version = probe.version else {
            if !line.terminated && line.bytes.first == 0x7B {
                throw RecordingError(path: path, reason: "the recording header is incomplete (interrupted before the first snapshot)")
            }
            throw RecordingError(path: path, reason: "not an aoftop recording")
        }
        guard version <= RecordingHeader.currentVersion else {
            throw RecordingError(path: path, reason: "recording format version \(version) is newer than this aoftop "
                                 + "understands (\(RecordingHeader.currentVersion)): upgrade aoftop")
        }
        guard version >= 1 else {
            throw RecordingError(path: path, reason: "not an aoftop recording (format version \(version))")
        }
        do {
            return try AoftopJSON.decoder().decode(RecordingHeader.self, from: data)
        } catch {
            throw RecordingError(path: path, reason: "not an aoftop recording (bad header: \(DecodingSummary.describe(error)))")
        }
    }
}

/// Short, single-line descriptions of decoding failures (the stock descriptions run to several lines).
enum DecodingSummary {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\"\(where_(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type\(where_(context))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "invalid JSON" }
            return "bad value\(where_(context))"
        @unknown default:
            return "cannot decode"
        }
    }

    private static func where_(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "" : " at \(path)"
    }
}
