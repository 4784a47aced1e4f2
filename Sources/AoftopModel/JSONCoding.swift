import FoundationEssentials
import Glibc

/// The one JSON configuration for snapshots, recordings and `--json` output: explicit snake_case
/// `CodingKeys` everywhere (no key strategy, which would also rewrite dictionary keys such as INFO field names).
public enum AoftopJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder { JSONDecoder() }
}
