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

    static var defaultCompletionKind: CompletionKind { .default }
}
