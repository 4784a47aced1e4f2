import AoftopModel

/// Turns a parsed config into `ServerStartup` settings: the last occurrence with its origin, else the
/// compiled-in default, else (when unreadable content could hold it) nothing.
enum StartupSettings {
    static func fill(_ startup: inout ServerStartup, from config: ParsedConfig, defaultDirectory: String?,
                     binary: ServerBinary?) {
        var unknown: [String] = []
        var settings = Reader(config: config)
        startup.maxclients = settings.value("maxclients", default: 10_000, unknown: &unknown) {
            ConfigValues.integer($0).flatMap { (1...Int64(UInt32.max)).contains($0) ? Int($0) : nil }
        }
        startup.autoAofRewritePercentage = settings.value("auto-aof-rewrite-percentage", default: 100,
                                                          unknown: &unknown) {
            ConfigValues.integer($0).flatMap { (0...Int64(Int32.max)).contains($0) ? Int($0) : nil }
        }
        startup.autoAofRewriteMinSize = settings.value("auto-aof-rewrite-min-size", default: 64 << 20,
                                                       unknown: &unknown) {
            ConfigValues.bytes($0).flatMap { $0 >= 0 ? $0 : nil }
        }
        // Redis accepts any hz and clamps it to 1…500 (CONFIG GET hz then shows the clamped value).
        startup.hz = settings.value("hz", default: 10, unknown: &unknown) {
            ConfigValues.integer($0).flatMap { (0...Int64(Int32.max)).contains($0) ? Int(min(max($0, 1), 500)) : nil }
        }
        startup.appendonly = settings.value("appendonly", default: false, unknown: &unknown, ConfigValues.boolean)
        startup.logfile = settings.value("logfile", default: "", unknown: &unknown) { $0 }
        // `dir` is what Redis chdir()ed to, resolved as it resolved it (CONFIG GET dir reports getcwd()).
        let directory = config.workingDirectory ?? defaultDirectory
        startup.dir = settings.value("dir", default: directory ?? "./", unknown: &unknown) { _ in directory }
        // appenddirname exists since Redis 7.0 (and in every Valkey); an older server has no such directory.
        let modern = binary.map { $0.server == "valkey" || (Int($0.version.split(separator: ".").first ?? "") ?? 0) >= 7 }
        startup.appenddirname = settings.value("appenddirname", default: modern == true ? "appendonlydir" : nil,
                                               unknown: &unknown) { $0 }
        if !unknown.isEmpty {
            settings.warnings.append("unknown because of unreadable config content: \(unknown.joined(separator: ", "))")
        }
        startup.warnings += settings.warnings
    }

    private struct Reader {
        var config: ParsedConfig
        var warnings: [String] = []

        mutating func value<Value>(_ name: String, default defaultValue: Value?, unknown: inout [String],
                                   _ parse: (String) -> Value?) -> Setting<Value>? where Value: Sendable & Codable & Equatable {
            switch config.lookup(name) {
            case .absent:
                return defaultValue.map { Setting($0, origin: .defaultValue, detail: "default") }
            case .unknown:
                unknown.append(name)
                return nil
            case .set(let directive):
                let origin: SettingOrigin
                if case .commandLine = directive.source { origin = .commandLine } else { origin = .configFile }
                guard directive.arguments.count == 1, let value = parse(directive.arguments[0]) else {
                    let shown = directive.arguments.map { "\"\($0)\"" }.joined(separator: " ")
                    warnings.append("\(directive.source): \(name) \(shown): not a valid value (Redis would refuse it)")
                    return nil
                }
                return Setting(value, origin: origin, detail: directive.source.description)
            }
        }
    }
}
