// swift-tools-version:6.0
// aoftop: a terminal dashboard that makes Redis's AOF-rewrite pipe leak (redis#2857) visible and predicts fd exhaustion.
// The module order below is the dependency order (see docs/architecture.md): dependencies only point upwards.
import PackageDescription

let package = Package(
    name: "aoftop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "aoftop", targets: ["aoftop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The Prometheus text format (escaping, HELP/TYPE, families) from the Swift server workgroup's client.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // No HTTP package: the /metrics endpoint is a small HTTP/1.1 server on Glibc sockets (AoftopMetrics). SwiftNIO
        // served it first and was ~2 MB of the 20 MB static-binary budget for one GET route; Hummingbird and Vapor
        // are NIO too, and FlyingFox imports FoundationNetworking, which a --static-swift-stdlib build can link
        // only with libcurl, a library a Redis host need not have.
    ],
    targets: [
        // ncurses through a system-library target; the shim exposes the macros Swift cannot import.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),

        // gzip for recordings. Hand-wrapped zlib: the mirror's only gzip package (compress-nio) pulls in SwiftNIO,
        // which would multiply CI build time for two function calls.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // The monotonic clock, the one waiting primitive and the one periodic worker; below everything, Glibc only.
        .target(name: "AoftopClock"),
        .target(name: "AoftopModel"),
        .target(name: "RESP"),
        .target(name: "RedisCollector", dependencies: ["AoftopClock", "RESP", "AoftopModel"]),
        .target(name: "ProcCollector", dependencies: ["AoftopClock", "AoftopModel"]),
        .target(name: "LogCollector", dependencies: ["AoftopClock", "AoftopModel"]),
        // What a server process was started with, without Redis: its config file, command line and binary.
        .target(name: "StartupCollector", dependencies: ["AoftopModel"]),
        .target(name: "AoftopAnalysis", dependencies: ["AoftopModel"]),
        .target(name: "AoftopRecording", dependencies: ["AoftopModel", "CZlib"]),
        .target(name: "TextGrid"),
        .target(name: "Dashboard", dependencies: ["AoftopModel", "AoftopAnalysis", "TextGrid"]),
        .target(name: "CursesUI", dependencies: ["AoftopClock", "CNcursesw", "TextGrid"]),
        .target(name: "AoftopPipeline", dependencies: ["AoftopClock", "AoftopModel", "RedisCollector", "ProcCollector", "LogCollector", "StartupCollector", "AoftopRecording"]),
        // The demo recording compiled in (a symlink to Resources/demo-incident.jsonl.gz), so a copied binary has it.
        .target(name: "AoftopDemoData", resources: [.embedInCode("demo-incident.jsonl.gz")]),
        // Many instances at once: one sampling thread and analyzer per instance (list, metrics).
        .target(name: "AoftopFleet", dependencies: ["AoftopClock", "AoftopModel", "AoftopAnalysis", "AoftopPipeline", "ProcCollector", "RedisCollector"]),
        // The Prometheus exposition of a fleet's readings, and the HTTP/1.1 endpoint serving it (Glibc sockets, one thread).
        .target(name: "AoftopMetrics", dependencies: [
            "AoftopAnalysis", "AoftopClock", "AoftopFleet", "AoftopModel",
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "aoftop", dependencies: [
            "AoftopClock", "AoftopModel", "AoftopFleet", "AoftopMetrics", "RedisCollector", "ProcCollector", "LogCollector", "AoftopAnalysis", "AoftopRecording", "AoftopPipeline",
            "TextGrid", "Dashboard", "CursesUI", "AoftopDemoData",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks: run by hand in release mode, results in docs/benchmarks.md.
        .executableTarget(name: "FdCensusBenchmark", dependencies: ["ProcCollector"], path: "Benchmarks/FdCensusBenchmark"),
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(name: "SocketCensusBenchmark", dependencies: ["ProcCollector", "BenchmarkSupport"],
                          path: "Benchmarks/SocketCensusBenchmark"),
        .executableTarget(name: "LogScanBenchmark", dependencies: ["LogCollector", "BenchmarkSupport"], path: "Benchmarks/LogScanBenchmark"),
        .executableTarget(name: "ColdStartBenchmark", dependencies: ["LogCollector", "BenchmarkSupport"], path: "Benchmarks/ColdStartBenchmark"),

        // Used only by tests: a real redis-server on a free loopback port, the fork-failure shim, a fake /proc tree.
        .target(name: "AoftopTestSupport", dependencies: ["AoftopModel"]),

        .testTarget(name: "AoftopClockTests", dependencies: ["AoftopClock"]),
        .testTarget(name: "AoftopModelTests", dependencies: ["AoftopModel"]),
        .testTarget(name: "RESPTests", dependencies: ["RESP", "AoftopTestSupport"]),
        .testTarget(name: "RedisCollectorTests", dependencies: ["RedisCollector", "AoftopTestSupport"]),
        .testTarget(name: "ProcCollectorTests", dependencies: ["ProcCollector", "AoftopTestSupport"]),
        .testTarget(name: "StartupCollectorTests", dependencies: ["StartupCollector", "AoftopTestSupport"]),
        .testTarget(name: "LogCollectorTests", dependencies: ["LogCollector", "AoftopTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "AoftopAnalysisTests", dependencies: ["AoftopAnalysis", "AoftopTestSupport"]),
        .testTarget(name: "TextGridTests", dependencies: ["TextGrid"]),
        // A tiny program that draws a known grid and echoes decoded keys: lets CursesUI be tested in tmux alone.
        .executableTarget(name: "TerminalCheck", dependencies: ["CursesUI", "TextGrid"], path: "Tests/TerminalCheck"),
        .testTarget(name: "CursesUITests", dependencies: ["CursesUI", "TerminalCheck", "AoftopTestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "AoftopTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "AoftopRecordingTests", dependencies: ["AoftopRecording", "AoftopTestSupport"]),
        .testTarget(name: "AoftopFleetTests", dependencies: ["AoftopFleet", "AoftopTestSupport"]),
        .testTarget(name: "AoftopMetricsTests", dependencies: ["AoftopMetrics", "AoftopFleet", "AoftopAnalysis", "AoftopTestSupport"]),
        .testTarget(name: "AoftopPipelineTests", dependencies: ["AoftopPipeline", "AoftopAnalysis", "AoftopTestSupport"]),
        // Drives the real binary; depending on the executable makes `swift test` build it first.
        .testTarget(name: "aoftopTests", dependencies: ["aoftop", "AoftopTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
