import CallQAModel
import CallRecords
import Foundation
import Logging
import Pipeline
@testable import Store
import Testing
import Watch

/// `callqa watch` with the transcription stage: the fixture call dropped into a watched
/// folder is stored, transcribed with the real tiny.en model and scored from its transcript
/// by the watcher itself, before its score is written.
@Suite struct WatchTranscriptionTests {
    @Test func watchTranscribesEachCallBeforeScoringIt() async throws {
        let (dir, _) = try EndToEndTests.day()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Watch reads complete lines only: the manifest's last record needs its line break.
        let manifest = dir.appendingPathComponent("manifest.csv")
        try (String(contentsOf: manifest, encoding: .utf8) + "\n").write(to: manifest, atomically: true, encoding: .utf8)
        let cards = dir.appendingPathComponent("Scorecards")
        try FileManager.default.createDirectory(at: cards, withIntermediateDirectories: true)
        try EndToEndTests.card.write(to: cards.appendingPathComponent("bank.yaml"), atomically: true, encoding: .utf8)
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        var ingest = IngestOptions(inputs: [])
        ingest.jobs = 1
        var options = WatchOptions(folders: [dir.path], ingest: ingest)
        options.scorecards = cards.path
        options.settleS = 0.3
        options.waitS = 5
        var transcription = TranscribeOptions(modelPath: TestMaterial.tinyModel)
        transcription.jobs = 1
        options.transcription = transcription
        let key = Array("watch transcription test key 0123".utf8)
        let watchOptions = options
        let task = Task {
            let watcher = try Watcher(options: watchOptions, store: store, callerKey: key, hasher: CallerHasher(key: key),
                                      logger: Logger(label: "watch-test"))
            return try await watcher.run()
        }
        var scored = false
        for _ in 0..<900 where !scored {
            try await Task.sleep(for: .milliseconds(200))
            scored = try !store.storedScores(callID: "bank-1", scope: .everything).isEmpty
        }
        task.cancel()
        let summary = try await task.value
        #expect(scored, "the watcher stored and scored the call within 180 s")
        #expect(summary.callsStored == 1 && summary.transcribed == 1)
        // The first score the watcher wrote already answers the phrase criteria.
        let score = try #require(try store.storedScores(callID: "bank-1", scope: .everything).first)
        let greeting = try #require(score.results.first { $0.criterionID == "greeting" })
        #expect(greeting.outcome == .met && greeting.provenance == "transcript")
        #expect(score.status == .complete)
        #expect(try store.transcript(callID: "bank-1", scope: .everything)?.transcript.redactions ?? 0 >= 1)
    }

    @Test func watchRefusesToStartWithoutTheModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-watch-nomodel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        var options = WatchOptions(folders: [dir.path], ingest: IngestOptions(inputs: []))
        options.transcription = TranscribeOptions(modelPath: dir.appendingPathComponent("missing.bin").path)
        let key = Array("watch transcription test key 0123".utf8)
        #expect(throws: WatchError.self) {
            _ = try Watcher(options: options, store: store, callerKey: key, hasher: CallerHasher(key: key), logger: Logger(label: "watch-test"))
        }
    }
}
