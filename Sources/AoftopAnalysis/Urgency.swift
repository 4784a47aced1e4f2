/// The order in which a host's instances deserve attention: the shortest time to fd exhaustion first (exhausted
/// counts as 0 s), then the highest severity, then the name. Instances with no rising trend have no ETA and sort
/// after every one that has.
public struct Urgency: Sendable, Comparable {
    /// Seconds until exhaustion; `.infinity` when fds are not rising or nothing is known.
    public var etaSeconds: Double
    public var severity: Severity
    public var name: String

    public init(assessment: Assessment?, name: String) {
        etaSeconds = assessment?.eta.seconds ?? .infinity // set only while rising, 0 when exhausted
        severity = assessment?.severity ?? .unknown
        self.name = name
    }

    /// `a < b` when `a` is more urgent.
    public static func < (a: Urgency, b: Urgency) -> Bool {
        if a.etaSeconds != b.etaSeconds { return a.etaSeconds < b.etaSeconds }
        if a.severity != b.severity { return a.severity > b.severity }
        return a.name.naturallyPrecedes(b.name)
    }
}

extension String {
    /// Names with numbers in natural order (`127.0.0.1:6380` before `127.0.0.1:16379`) without Foundation.
    func naturallyPrecedes(_ other: String) -> Bool {
        var a = unicodeScalars[...], b = other.unicodeScalars[...]
        while let x = a.first, let y = b.first {
            if x.isASCIIDigit, y.isASCIIDigit {
                let da = a.prefix(while: \.isASCIIDigit), db = b.prefix(while: \.isASCIIDigit)
                let na = String(String.UnicodeScalarView(da)), nb = String(String.UnicodeScalarView(db))
                if na.count != nb.count { return na.count < nb.count }
                if na != nb { return na < nb }
                a = a.dropFirst(da.count)
                b = b.dropFirst(db.count)
            } else {
                if x != y { return x.value < y.value }
                a = a.dropFirst()
                b = b.dropFirst()
            }
        }
        return a.isEmpty && !b.isEmpty
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
