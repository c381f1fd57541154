// swift-tools-version:6.1
import PackageDescription
#if os(Linux) && arch(x86_64)
import Foundation
#endif

/// The signal processing (`CallAnalysis`, and `AudioIO`'s readers) is compiled for AVX2 and FMA
/// (Intel Haswell, AMD Excavator and later) where the building machine has them: about 15 % more
/// analysis throughput, the same numbers to the last bit (Swift never contracts a multiply and an
/// add into one FMA, nor reorders floating-point sums; `make bench-audio`, README). Elsewhere, and
/// on other architectures, the compiler's default target.
let hostHasAVX2: Bool = {
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let flags = Set(line.split(separator: " ").map(String.init))
    return ["avx", "avx2", "fma", "bmi1", "bmi2", "movbe", "f16c", "popcnt", "sse4_2", "abm"].allSatisfy(flags.contains)
    #else
    return false
    #endif
}()
let signalSettings: [SwiftSetting] = hostHasAVX2 ? [.unsafeFlags(["-target-cpu", "haswell"])] : []

let package = Package(
    name: "callqa",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "callqa", targets: ["callqa"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The workspace server (`callqa serve`). No default traits: ConfigurationSupport would
        // build swift-configuration, which callqa does not use. Nothing here may pull
        // swift-nio-ssl (BoringSSL): TLS belongs to the reverse proxy (README).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libsndfile through pkg-config; Debian package libsndfile1-dev.
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"]), .brew(["libsndfile"])]
        ),
        // OpenSSL's libcrypto through pkg-config: SHA-256 of recordings at hardware speed.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        // whisper.cpp 1.8.5 (static), built and installed by scripts/whisper/setup-whisper.sh from
        // the pywhispercpp 1.5.1 source distribution; pkg-config name callqa-whisper.
        .systemLibrary(name: "CWhisper", pkgConfig: "callqa-whisper"),
        // Pure signal processing and conversation metrics: no files, no printing.
        .target(name: "CallAnalysis", swiftSettings: signalSettings),
        // The model every other layer speaks: call records and timestamps, stored rows and
        // report values, the scoring vocabulary, the fact schema, periods and access scope.
        .target(name: "CallQAModel", dependencies: ["CallAnalysis", "Analytics"]),
        // Opening input files without hanging: regular files only (FIFOs, devices refused).
        .target(name: "FileAccess"),
        // A file's SHA-256 (libcrypto) and its size/mtime stamp: how unchanged recordings are recognised.
        .target(name: "FileDigest", dependencies: ["CCrypto", "FileAccess"]),
        // The only importer of CSndFile.
        .target(name: "AudioIO", dependencies: ["CSndFile", "FileAccess"], swiftSettings: signalSettings),
        // Pure parsing of call records: CSV reader, manifests, Asterisk CDR and queue_log,
        // timestamps, caller normalisation and keyed hashing. No database, no printing.
        .target(name: "CallRecords", dependencies: ["CallQAModel", "CallAnalysis", "FileAccess"]),
        // Speech to text: the only importer of CWhisper. Windows of one party's speech,
        // 16 kHz conversion, words with times, redaction of digit runs.
        .target(name: "Transcription", dependencies: ["CWhisper", "AudioIO", "CallQAModel"]),
        // SQLite: one type owns the connection and the named migrations.
        .target(name: "Store", dependencies: [
            "CallQAModel", "CallAnalysis", "Analytics", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Pure statistics: NPS with adjusted-Wald intervals, Wilson and t intervals, KPI aggregation.
        .target(name: "Analytics"),
        // The one strict YAML reader (cards, the settings file): safe file reading, typed
        // values, every problem with file:line:column.
        .target(name: "StrictYAML", dependencies: ["FileAccess", .product(name: "Yams", package: "Yams")]),
        // Coaching cards: YAML loading and linting, pure scoring of a call's facts.
        .target(name: "Scorecard", dependencies: [
            "CallQAModel", "CallAnalysis", "StrictYAML", .product(name: "Yams", package: "Yams"),
        ]),
        // Pure rendering of results (terminal tables, CSV, JSON, HTML) from model values.
        .target(name: "Reports", dependencies: ["CallQAModel", "CallAnalysis", "Analytics"]),
        // Orchestration: files -> analysis -> storage; the report queries.
        .target(name: "Pipeline", dependencies: [
            "CallQAModel", "CallAnalysis", "AudioIO", "CallRecords", "FileAccess", "FileDigest", "StrictYAML", "Store", "Scorecard", "Analytics", "Reports",
            "Transcription", .product(name: "Yams", package: "Yams"),
        ]),
        // The QA workspace (`callqa serve`): accounts, sessions, audit log, decoded audio with
        // Range support, server-rendered pages. Handlers decode, call the library, render.
        .target(name: "Workspace", dependencies: [
            "CallQAModel", "Store", "AudioIO", "CallRecords", "CCrypto", "Pipeline", "Reports", "Analytics",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [
            // The API's OpenAPI document, compiled into the binary (served at /api/v1/openapi.json).
            .embedInCode("openapi.json"),
        ]),
        // `callqa watch`: continuous ingest from recording folders and the PBX's own logs,
        // alerts. Linux inotify through Glibc; sealing of kept record lines through libcrypto.
        .target(name: "Watch", dependencies: [
            "CallQAModel", "CallRecords", "Pipeline", "Store", "Scorecard", "CCrypto",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(
            name: "callqa",
            dependencies: [
                "Pipeline", "Reports", "CallQAModel", "CallAnalysis", "CallRecords", "Store", "Scorecard", "Analytics", "Workspace", "Watch", "Transcription",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `make bench-audio`: decode-only vs full analysis throughput.
        .executableTarget(name: "callqa-bench", dependencies: ["Pipeline", "AudioIO", "CallAnalysis", "CSndFile"]),
        // `make bench-store`: a synthetic year in a callqa database, report latency.
        .executableTarget(name: "callqa-storebench", dependencies: [
            "Store", "Pipeline", "Reports", "CallQAModel", "Analytics", "CallRecords", "Scorecard", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Developer tool: per-frame detector trace for tuning (not installed).
        .executableTarget(name: "vadtrace", dependencies: ["AudioIO", "CallAnalysis"]),
        .testTarget(name: "CallAnalysisTests", dependencies: ["CallAnalysis"]),
        .testTarget(name: "CallRecordsTests", dependencies: ["CallRecords", "CallQAModel", "CallAnalysis"]),
        .testTarget(name: "AnalyticsTests", dependencies: ["Analytics"]),
        // Rendering alone: model values in, text out; no database, no files.
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "CallQAModel", "CallAnalysis", "Analytics"]),
        .testTarget(name: "ScorecardTests", dependencies: ["Scorecard", "CallQAModel", "CallRecords"]),
        .testTarget(name: "StoreTests", dependencies: [
            "Store", "CallQAModel", "Pipeline", "CallRecords", "CallAnalysis", "AudioIO", "Reports", "Analytics", "Scorecard", "FileDigest",
            "Transcription", .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Golden"]),
        .testTarget(name: "FileDigestTests", dependencies: ["FileDigest"]),
        // Router tests in-process (no sockets), the audio route against files libsndfile writes.
        .testTarget(name: "WorkspaceTests", dependencies: [
            "Workspace", "CallQAModel", "Store", "AudioIO", "CSndFile", "Pipeline", "Scorecard", "CallRecords", "Reports",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TranscriptionTests", dependencies: [
            "Transcription", "CallQAModel", "AudioIO", "Pipeline", "Store", "Scorecard", "CallRecords", "Watch",
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "Pipeline", "CallAnalysis", "Reports", "CSndFile"]),
        .testTarget(name: "WatchTests", dependencies: [
            "Watch", "Pipeline", "Store", "CallRecords", "CallQAModel",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
