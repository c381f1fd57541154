// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "callqa",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "callqa", targets: ["callqa"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libsndfile through pkg-config; Debian package libsndfile1-dev.
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"]), .brew(["libsndfile"])]
        ),
        // Pure signal processing and conversation metrics: no files, no printing.
        .target(name: "CallAnalysis"),
        // The only importer of CSndFile.
        .target(name: "AudioIO", dependencies: ["CSndFile"]),
        // Pure rendering of results (JSON Lines, terminal tables).
        .target(name: "Reports", dependencies: ["CallAnalysis"]),
        // Orchestration: files -> analysis -> results.
        .target(name: "Pipeline", dependencies: ["CallAnalysis", "AudioIO"]),
        .executableTarget(
            name: "callqa",
            dependencies: [
                "Pipeline", "Reports", "CallAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `make bench-audio`: decode-only vs full analysis throughput.
        .executableTarget(name: "callqa-bench", dependencies: ["Pipeline", "AudioIO", "CallAnalysis"]),
        // Developer tool: per-frame detector trace for tuning (not installed).
        .executableTarget(name: "vadtrace", dependencies: ["AudioIO", "CallAnalysis"]),
        .testTarget(name: "CallAnalysisTests", dependencies: ["CallAnalysis"]),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "Pipeline", "CallAnalysis", "Reports", "CSndFile"]),
    ]
)
