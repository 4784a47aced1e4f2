/// A `major.minor.patch` server version, compared numerically (`3.2.10 > 3.2.9`).
public struct RedisVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `x`, `x.y` or `x.y.z`, ignoring a suffix after the numbers (`7.0.15-rc1`, `255.255.255`).
    /// Returns `nil` when the text does not start with a number.
    public init?(_ text: String) {
        var numbers: [Int] = []
        for part in text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false) {
            let digits = part.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 9, let value = Int(digits) else { break }
            numbers.append(value)
            if digits.count != part.count { break }
        }
        guard let major = numbers.first else { return nil }
        self.init(major, numbers.count > 1 ? numbers[1] : 0, numbers.count > 2 ? numbers[2] : 0)
    }

    public static func < (a: RedisVersion, b: RedisVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// The first release without the AOF-rewrite pipe leak (redis#2857).
    public static let pipeLeakFixed = RedisVersion(3, 2, 9)
    /// The first release with the multi-part AOF (`appendonlydir`, incr files).
    public static let multiPartAof = RedisVersion(7, 0, 0)
}
