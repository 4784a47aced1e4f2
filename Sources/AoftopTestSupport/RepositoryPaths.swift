import Foundation

/// Paths inside this repository and beside it, found from this source file's location.
public enum RepositoryPaths {
    /// The package root (the folder holding `Package.swift`).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() } // AoftopTestSupport, Sources, root
        return url.path
    }()

    /// `../shared` beside the repository, where the incident material and C benchmark floors live.
    public static var shared: String { (root as NSString).deletingLastPathComponent + "/shared" }

    /// The directory holding the built products (`aoftop`), next to the running test bundle.
    public static var productsDirectory: String {
        let bundle = Bundle.main.bundleURL
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // `swift test` runs `<products>/aoftopPackageTests.xctest`; both candidates resolve to the products folder.
        for candidate in [executable.deletingLastPathComponent(), bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("aoftop").path) {
                return candidate.path
            }
        }
        return root + "/.build/debug"
    }

    /// The `aoftop` executable built by `swift build`/`swift test`.
    public static var aoftopBinary: String { productsDirectory + "/aoftop" }
}

/// A failure of the test fixtures themselves (not of the code under test).
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
