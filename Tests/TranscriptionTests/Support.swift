import Foundation

/// Where the test material is: the fixture call made by scripts/make-transcript-fixture.py,
/// and the tiny.en model scripts/whisper/setup-whisper.sh installs (CALLQA_TEST_MODEL overrides).
enum TestMaterial {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let cardCall = fixtures.appendingPathComponent("card-call.wav").path

    static var tinyModel: String {
        if let p = ProcessInfo.processInfo.environment["CALLQA_TEST_MODEL"], !p.isEmpty { return p }
        let dir = ProcessInfo.processInfo.environment["CALLQA_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share/callqa/models"
        return (dir as NSString).appendingPathComponent("ggml-tiny.en-q8_0.bin")
    }

    struct Line: Decodable {
        var party: String
        var start_s: Double
        var end_s: Double
        var text: String
    }

    struct Truth: Decodable { var lines: [Line] }

    static func truth() throws -> Truth {
        try JSONDecoder().decode(Truth.self, from: Data(contentsOf: fixtures.appendingPathComponent("card-call.json")))
    }
}
