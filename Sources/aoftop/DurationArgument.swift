import ArgumentParser

/// A duration on the command line: `500ms`, `5s`, `2m`, `1h`, `1h30m`, or a plain number of seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, Equatable {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        guard let seconds = Self.parse(argument) else { return nil }
        self.seconds = seconds
    }

    static func parse(_ text: String) -> Double? {
        if let plain = Double(text), plain.isFinite, plain >= 0 { return plain }
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        var sawUnit = false
        while let character = rest.first {
            if character.isNumber || character == "." {
                number.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * scale
            rest = rest.dropFirst(unit.count)
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total.isFinite else { return nil }
        return total
    }

    /// `1s`, `500ms`, `2m`, `1h` in --help and the man page (not `DurationArgument(seconds: 1.0)`).
    var defaultValueDescription: String {
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds == seconds * 1000, milliseconds < 1e15 else { return "\(seconds)s" }
        let ms = Int64(milliseconds)
        if ms % 1000 != 0 { return "\(ms)ms" }
        for (unit, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000)] where ms >= scale && ms % scale == 0 {
            return "\(ms / scale)\(unit)"
        }
        return "\(ms / 1000)s"
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
