/// Byte sizes in analysis text (`30.1 GiB`), in the dashboard's style (`Format.bytes`, which analysis cannot
/// import): binary units, one decimal below 100, none above, no locale.
public enum ByteText {
    public static func text(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        var scaled = Double(bytes)
        for unit in ["KiB", "MiB", "GiB", "TiB", "PiB"] {
            scaled /= 1024
            if scaled < 1024 || unit == "PiB" { return "\(decimal(scaled, digits: scaled < 100 ? 1 : 0)) \(unit)" }
        }
        return "\(bytes) B"
    }

    /// From one second up, seconds with one decimal (`1.8 s`); below, whole milliseconds (`35 ms`).
    public static func duration(microseconds: Int64) -> String {
        microseconds < 1_000_000 ? "\((microseconds + 500) / 1000) ms" : "\(decimal(Double(microseconds) / 1e6, digits: 1)) s"
    }

    /// Fixed decimals without `String(format:)` (Foundation) and without a locale.
    static func decimal(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        if digits == 0 { return "\(scaled)" }
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }
}
