import AoftopModel

/// Maps `CONFIG GET` name/value pairs to `RedisConfig`.
enum ConfigParser {
    /// The parameters aoftop asks for, in request order.
    static let parameters = ["maxclients", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "logfile",
                             "dir", "appenddirname", "hz", "appendonly", "timeout", "tcp-keepalive",
                             "protected-mode"]

    /// Flattened `[name, value, name, value…]` reply elements → dictionary (names lower-cased).
    static func pairs(from reply: [String?]) -> [String: String] {
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < reply.count {
            if let name = reply[index], let value = reply[index + 1] { result[name.lowercased()] = value }
            index += 2
        }
        return result
    }

    static func config(from values: [String: String]) -> RedisConfig {
        RedisConfig(
            maxclients: values["maxclients"].flatMap { Int($0) },
            autoAofRewritePercentage: values["auto-aof-rewrite-percentage"].flatMap { Int($0) },
            autoAofRewriteMinSize: values["auto-aof-rewrite-min-size"].flatMap(parseBytes),
            logfile: values["logfile"],
            dir: values["dir"],
            appenddirname: values["appenddirname"],
            hz: values["hz"].flatMap { Int($0) },
            appendonly: values["appendonly"].flatMap(yesNo),
            timeout: values["timeout"].flatMap { Int($0) }, tcpKeepalive: values["tcp-keepalive"].flatMap { Int($0) },
            protectedMode: values["protected-mode"].flatMap(yesNo))
    }

    /// `yes`/`no` as CONFIG GET gives booleans; anything else is unknown.
    static func yesNo(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "yes": true
        case "no": false
        default: nil
        }
    }

    /// CONFIG GET reports byte sizes as plain numbers; accept `64mb`-style units too, in case a fork echoes them.
    static func parseBytes(_ text: String) -> Int64? {
        if let plain = Int64(text) { return plain }
        let lower = text.lowercased()
        let units: [(String, Int64)] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10),
                                        ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000), ("b", 1)]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            guard let number = Int64(lower.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return nil
    }
}

