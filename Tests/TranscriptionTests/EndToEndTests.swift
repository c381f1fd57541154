import CallQAModel
import CallRecords
import Foundation
import Pipeline
import Scorecard
@testable import Store
import Testing
import Transcription

/// The whole path with the real tiny.en model on the fixture call: ingest (analysis), the
/// transcription stage, a card with two phrase criteria (one said, one not), the card
/// number kept out of the database file, search, and re-runs that change nothing.
@Suite struct EndToEndTests {
    static let card = """
        version: 1
        id: bank
        name: Bank calls
        sections:
          - id: opening
            criteria:
              - id: greeting
                text: Thanks the caller for calling
                auto:
                  phrase: { party: agent, any_of: ["thank you for calling"], within_s: [0, 30] }
              - id: anything_else
                text: Asks whether there is anything else
                auto:
                  phrase: { party: agent, any_of: ["is there anything else"] }
              - id: polite
                text: Never tells the customer to calm down
                auto:
                  phrase: { party: agent, none_of: ["calm down"] }
        """

    /// A day folder with the fixture call, a manifest and the card.
    static func day() throws -> (dir: URL, cards: [Scorecard]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMaterial.cardCall, toPath: dir.appendingPathComponent("card-call.wav").path)
        try """
            call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,caller
            bank-1,card-call.wav,a1,Sarah,Blue,payments,inbound,2026-12-08T10:00:00+01:00,5,true,25,+49 30 5550199
            """.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        let card = try CardLoader.parse(text: Self.card, file: "bank.yaml", contentHash: SHA256.hex(Array(Self.card.utf8)))
        return (dir, [card])
    }

    @Test func transcribesScoresRedactsAndSearches() async throws {
        let (dir, cards) = try Self.day()
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        let hasher = CallerHasher(key: Array("end-to-end test key 0123456789".utf8))
        var ingest = IngestOptions(inputs: [dir.appendingPathComponent("manifest.csv").path])
        ingest.jobs = 1
        let summary = try await Ingest.run(ingest, store: store, hasher: hasher)
        #expect(summary.analysed == 1 && !summary.anyFailed)

        // Phrase criteria wait for a transcript (provisional), as manual criteria wait.
        let before = try #require(try Scoring.run(cards: cards, store: store).first)
        #expect(before.provisional == 1 && before.complete == 0)

        var options = TranscribeOptions(modelPath: TestMaterial.tinyModel)
        options.jobs = 1
        let t = try await Transcribe.run(options, cards: cards, store: store)
        #expect(t.transcribed == 1 && t.failed.isEmpty && t.reasons == ["new": 1])
        #expect(t.redactions >= 1 && t.words > 30, "\(t.words) words, \(t.redactions) redactions")

        let stored = try #require(try store.transcript(callID: "bank-1", scope: .everything))
        let agent = TranscriptText.words(try #require(stored.transcript.party("agent")).text).joined(separator: " ")
        #expect(agent.contains("thank you for calling") && agent.contains("card number"), "\(agent)")
        #expect(stored.provenance.model == "ggml-tiny.en-q8_0.bin" && stored.transcript.language == "en")
        let customer = try #require(stored.transcript.party("customer"))
        #expect(customer.words.contains { $0.isRedacted } && customer.redactions >= 1)
        #expect(!customer.text.contains { $0.isNumber })

        // The card: greeting met (from the transcript, with the words and their seconds),
        // "anything else" missed, nothing prohibited said; the score complete.
        let after = try #require(try Scoring.run(cards: cards, store: store).first)
        #expect(after.complete == 1 && after.rescored == 1)
        let score = try #require(try store.storedScores(callID: "bank-1", scope: .everything).first)
        let results = Dictionary(uniqueKeysWithValues: score.results.map { ($0.criterionID, $0) })
        let greeting = try #require(results["greeting"])
        #expect(greeting.outcome == .met && greeting.provenance == "transcript")
        #expect(greeting.evidence.hasPrefix("agent said \"") && greeting.evidence.contains("at 00:0"), "\(greeting.evidence)")
        #expect((greeting.evidenceStartS ?? 99) < 3)
        #expect(results["anything_else"]?.outcome == .notMet && results["polite"]?.outcome == .met)
        #expect(score.score.map { abs($0 - 200.0 / 3) < 1e-6 } == true)

        // The card number is nowhere in the database file or its WAL, in any form the
        // recogniser could write it.
        store.checkpoint()
        for file in ["db.sqlite", "db.sqlite-wal"] {
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(file).path) else { continue }
            let bytes = String(decoding: data, as: UTF8.self)
            for needle in ["4539", "1488", "0343", "6467", "four five three nine", "six four six seven"] {
                #expect(!bytes.contains(needle), "\(file) holds '\(needle)'")
            }
        }

        // Search, and the metric words per minute.
        let hits = try store.searchTranscripts(try #require(TranscriptQuery("\"credit card\"")), scope: .everything)
        #expect(hits.map(\.callID) == ["bank-1"] && hits.first?.party == "customer")
        #expect(try store.searchTranscripts(try #require(TranscriptQuery("mortgage")), scope: .everything).isEmpty)
        let facts = try #require(try store.scoringInputs(callIDs: ["bank-1"], scope: .everything).first).facts
        if case let .number(wpm)? = facts.values["audio.agent.words_per_min"] { #expect(wpm > 100 && wpm < 260) } else { Issue.record("no words per minute") }

        // Running again changes nothing; other settings make it out of date.
        let again = try await Transcribe.run(options, cards: cards, store: store)
        #expect(again.transcribed == 0 && again.upToDate == 1)
        #expect(try Scoring.run(cards: cards, store: store).first?.rescored == 0)
        options.settings.customerChannel = false
        let changed = try await Transcribe.run(options, cards: cards, store: store)
        #expect(changed.transcribed == 1 && changed.reasons == ["other settings": 1])
        #expect(try store.transcript(callID: "bank-1", scope: .everything)?.transcript.party("customer")?.skipped != nil)
        // A share of calls elsewhere, another shard: nothing to do here.
        options.force = true
        options.shard = (Transcribe.shard(of: "bank-1", count: 2) == 1 ? 2 : 1, 2)
        let otherShard = try await Transcribe.run(options, cards: cards, store: store)
        #expect(otherShard.otherShard == 1 && otherShard.transcribed == 0)
        try? FileManager.default.removeItem(at: dir)
    }
}
