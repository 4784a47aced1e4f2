/// The allow-list: aoftop must never change the server it watches, so every command passes here before it is sent.
enum ReadOnlyCommands {
    /// Throws `commandNotAllowed` unless `arguments` is `INFO [section…]`, `PING`, `CONFIG GET …`, (when
    /// `allowAuth`, i.e. from the connection set-up path) `AUTH …`, or (only when the operator asked for it with
    /// `--client-list`: it needs `+client|list` in the ACL) `CLIENT LIST`.
    static func check(_ arguments: [String], allowAuth: Bool, allowClientList: Bool = false) throws {
        let name = arguments.first?.uppercased() ?? ""
        switch name {
        case "INFO": return
        case "PING" where arguments.count <= 2: return
        case "CLIENT" where allowClientList && arguments.count == 2 && arguments[1].uppercased() == "LIST": return
        case "CONFIG" where arguments.count >= 3 && arguments[1].uppercased() == "GET": return
        case "AUTH" where allowAuth && (2...3).contains(arguments.count): return
        default:
            // Never echo AUTH arguments: they hold the password.
            let shown = name == "AUTH" ? "AUTH …" : arguments.prefix(2).joined(separator: " ")
            throw RedisError.commandNotAllowed(shown.isEmpty ? "(empty command)" : shown)
        }
    }
}
