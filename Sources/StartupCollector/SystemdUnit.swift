#if canImport(Glibc)
import Glibc
#endif

/// The parts of a systemd service unit that say how a server was started: its last `ExecStart=` and
/// `WorkingDirectory=`, after drop-ins.
struct SystemdUnit: Equatable {
    /// The unit file read (for an instance `redis@6380.service`, the template `redis@.service`).
    var path: String
    var dropIns: [String]
    /// The command line, split and unescaped; argv[0] first.
    var execStart: [String]?
    var workingDirectory: String?
    var warnings: [String] = []

    enum LookupError: Error, Equatable {
        case notFound(searched: [String])
        case unreadable(path: String, FileError)
    }

    /// Finds `unit` in `roots` (first root wins, as systemd's search path) and applies `unit.d/*.conf` drop-ins
    /// from every root in file-name order (a name in an earlier root hides the same name in later ones).
    static func load(_ unit: String, roots: [String]) -> Result<SystemdUnit, LookupError> {
        let instance = Instance(unit)
        var names = [unit]
        if let template = instance?.template { names.append(template) }
        var found: (path: String, text: [UInt8])?
        search: for name in names {
            for root in roots {
                let path = root + "/" + name
                switch FileReading.readText(path) {
                case .success(let text): found = (path, text); break search
                case .failure(let error) where error.errno == ENOENT || error.errno == ENOTDIR: continue
                case .failure(let error): return .failure(.unreadable(path: path, error))
                }
            }
        }
        guard let found else { return .failure(.notFound(searched: roots.map { $0 + "/" + unit })) }

        var dropIns: [String: String] = [:]
        for name in names.reversed() {
            for root in roots.reversed() {
                for path in LocalFileSystem().glob(root + "/" + name + ".d/*.conf") {
                    dropIns[Paths.lastComponent(path)] = path
                }
            }
        }
        var unitFile = SystemdUnit(path: found.path, dropIns: dropIns.keys.sorted().compactMap { dropIns[$0] })
        unitFile.apply(found.text, instance: instance, unit: unit)
        for path in unitFile.dropIns {
            switch FileReading.readText(path) {
            case .success(let text): unitFile.apply(text, instance: instance, unit: unit)
            case .failure(let error): unitFile.warnings.append("systemd drop-in \(path): \(error)")
            }
        }
        return .success(unitFile)
    }

    /// `[Service]` lines: an empty `ExecStart=` resets the list, so the last non-empty one is the command.
    private mutating func apply(_ text: [UInt8], instance: Instance?, unit: String) {
        var section = ""
        for line in Self.logicalLines(String(decoding: text, as: UTF8.self)) {
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(" \t")
            let value = line[line.index(after: equals)...].trimmingCharacters(" \t")
            let expanded = Self.expandSpecifiers(value, instance: instance, unit: unit)
            switch key {
            case "ExecStart":
                execStart = expanded.isEmpty ? nil : Self.commandWords(expanded)
            case "WorkingDirectory":
                workingDirectory = expanded.isEmpty ? nil : expanded
            default: break
            }
        }
    }

    /// Joins `\`-continued lines, drops comments and blank lines.
    static func logicalLines(_ text: String) -> [String] {
        var lines: [String] = []
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(" \t\r")
            if pending.isEmpty, line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let whole = pending + line
            pending = ""
            if !whole.isEmpty { lines.append(whole) }
        }
        if !pending.isEmpty { lines.append(pending) }
        return lines
    }

    /// `ExecStart=` splitting: whitespace-separated words, `"…"`/`'…'` quoting, C escapes; the executable's
    /// `-@:+!` prefixes removed. With `@` the second word is argv[0]; the executable is then the first.
    static func commandWords(_ value: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var iterator = Array(value).makeIterator()
        while let character = iterator.next() {
            if let open = quote {
                if character == open { quote = nil; continue }
                if character == "\\", let next = iterator.next() { current.append(Self.unescape(next)); continue }
                current.append(character)
            } else if character == " " || character == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == "\\", let next = iterator.next() {
                current.append(Self.unescape(next))
                inWord = true
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        guard var first = words.first else { return nil }
        var argvZeroGiven = false
        while let prefix = first.first, "-@:+!".contains(prefix) {
            if prefix == "@" { argvZeroGiven = true }
            first.removeFirst()
        }
        words[0] = first
        if argvZeroGiven, words.count >= 2 { words.removeFirst() }
        return words.isEmpty || words[0].isEmpty ? nil : words
    }

    private static func unescape(_ character: Character) -> Character {
        switch character {
        case "n": "\n"
        case "t": "\t"
        default: character
        }
    }

    /// `%i`, `%I`, `%n`, `%N`, `%p`, `%%`: the specifiers a Redis unit plausibly uses.
    static func expandSpecifiers(_ value: String, instance: Instance?, unit: String) -> String {
        var result = ""
        var iterator = value.makeIterator()
        while let character = iterator.next() {
            guard character == "%", let specifier = iterator.next() else { result.append(character); continue }
            switch specifier {
            case "i", "I": result += instance?.name ?? ""
            case "n": result += unit
            case "N": result += unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit
            case "p": result += instance?.prefix ?? (unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit)
            case "%": result += "%"
            default: result += "%" + String(specifier)
            }
        }
        return result
    }

    /// `prefix@name.service`.
    struct Instance: Equatable {
        var prefix: String
        var name: String
        var template: String { prefix + "@.service" }

        init?(_ unit: String) {
            guard unit.hasSuffix(".service"), let at = unit.firstIndex(of: "@") else { return nil }
            prefix = String(unit[..<at])
            name = String(unit[unit.index(after: at)..<unit.index(unit.endIndex, offsetBy: -8)])
            guard !name.isEmpty else { return nil }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
