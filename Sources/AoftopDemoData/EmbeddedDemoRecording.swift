/// The bundled incident recording (`Resources/demo-incident.jsonl.gz`, linked here as a resource) compiled into
/// the binary, so a copied `aoftop` plays `aoftop demo` with no file beside it. 21 KB in a binary of tens of MB.
public enum EmbeddedDemoRecording {
    /// The gzip file's bytes, exactly as in `Resources/`.
    public static var bytes: [UInt8] { PackageResources.demo_incident_jsonl_gz }
}
