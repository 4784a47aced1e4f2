/// The allow-list: aoftop must never change the server it watches, so every command passes here before it is sent.
enum ReadOnlyCommands {
    /// Throws `commandNotAllowed` unless `arguments` is `INFO [section…]`, `PING`, `CONFIG GET …` or (when
    /// `allowAuth`, i.e. from the connection set-up path) `AUTH …`.
    static func check(_ arguments: [String], allowAuth: Bool) throws {
        let name = arguments.first?.uppercased() ?? ""
        switch name {
        case "INFO": return
        case "PING" where arguments.count <= 2: return
        case "CONFIG" where arguments.count >= 3 && arguments[1].uppercased() == "GET": return
        case "AUTH" where allowAuth && (2...3).contains(arguments.count): return
        default:
            // Never echo AUTH arguments: they hold the password.
            let shown = name == "AUTH" ? "AUTH …" : arguments.prefix(2).joined(separator: " ")
            throw RedisError.commandNotAllowed(shown.isEmpty ? "(empty command)" : shown)
        }
    }
}
