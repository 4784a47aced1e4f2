/// A `--name value…` argument turned into the config line Redis appends after the config file.
public struct ConfigOverride: Sendable, Equatable {
    /// The argument that started it, as typed: `--maxclients`.
    public var option: String
    /// The config line Redis builds from it: `maxclients "2000"`.
    public var line: String

    public init(option: String, line: String) {
        self.option = option
        self.line = line
    }
}

/// `redis-server [CONFIGFILE] [-] [--name value…]…` read the way Redis 7's `main()` reads it.
public struct ServerCommandLine: Sendable, Equatable {
    public var executable: String
    /// The config file as given (maybe relative to the directory the server started in).
    public var configFile: String?
    /// A `-` argument: the config was piped in on standard input, so its content is unknown.
    public var configFromStdin: Bool
    public var overrides: [ConfigOverride]

    public init(executable: String, configFile: String? = nil, configFromStdin: Bool = false,
                overrides: [ConfigOverride] = []) {
        self.executable = executable
        self.configFile = configFile
        self.configFromStdin = configFromStdin
        self.overrides = overrides
    }

    /// Parses argv (with argv[0]). Values are quoted with `sdscatrepr` exactly as Redis does, so they survive
    /// the config tokenizer unchanged; an option name without a value takes the following arguments, even ones
    /// starting with `--` (Redis ≥ 7.0.1), except the `--save` special cases.
    public init(arguments: [String]) {
        executable = arguments.first ?? ""
        configFile = nil
        configFromStdin = false
        overrides = []
        let count = arguments.count
        var index = 1
        if count >= 2, !arguments[1].hasPrefix("-") {
            configFile = arguments[1]
            index = 2
        }
        var current: (option: String, bytes: [UInt8])?
        var handledLast = true
        func flush() {
            guard let pending = current else { return }
            current = nil
            // Redis splits the options string on newlines again, so an option name holding one makes two lines.
            for line in pending.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                overrides.append(ConfigOverride(option: pending.option, line: String(decoding: line, as: UTF8.self)))
            }
        }
        while index < count {
            let argument = arguments[index]
            if argument == "-", index == 1 || index == count - 1 {
                configFromStdin = true
            } else if handledLast, argument.hasPrefix("--") {
                flush()
                current = (argument, Array(argument.utf8.dropFirst(2)) + [UInt8(ascii: " ")])
                let words = ConfigArguments.split(ArraySlice(argument.utf8))
                if words?.count == 1 {
                    handledLast = false
                    let isSave = argument.lowercased() == "--save"
                    let nextIsOption = index + 1 < count && arguments[index + 1].hasPrefix("--")
                    if isSave, nextIsOption || index == count - 1 {
                        // `--save --port 1` and a trailing `--save` mean `save ""` (compatibility with < 7.0).
                        current?.bytes += Array("\"\"".utf8)
                        handledLast = nextIsOption
                    } else if argument.lowercased() == "--sentinel", nextIsOption {
                        handledLast = true
                    }
                } else {
                    handledLast = true
                }
            } else {
                if current == nil { current = (argument, []) }
                current?.bytes += ConfigArguments.quoted(argument.utf8) + [UInt8(ascii: " ")]
                handledLast = true
            }
            index += 1
        }
        flush()
    }
}
