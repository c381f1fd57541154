import CallRecords
import Foundation
import GRDB
import Pipeline
import Scorecard
import Store
import Testing

let cardYAML = """
    version: 1
    id: qa
    name: QA
    applies_to: { queue: orders }
    sections:
      - id: talk
        criteria:
          - { id: greeting, text: Greets, weight: 1, manual: yes_no }
          - { id: silence, text: Short silences, weight: 2, auto: { metric: audio.longest_silence_s, at_most: 60 } }
          - { id: explain, text: Explains, weight: 1, manual: { scale: [1, 5] } }
    """

/// Two answered calls in queue 'orders' with recordings, one abandoned call.
func scoredBatch() async throws -> (URL, CallStore, Scorecard) {
    let dir = try batchFolder()
    try write(manifestHeader + """
        c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,,
        c2,c.wav,a2,Ben,Blue,orders,inbound,2026-11-24T09:05:00+01:00,4,true,30,5,15,,
        c3,,a1,Anna,Blue,orders,inbound,2026-11-24T09:07:00+01:00,40,false,,,,,

        """, to: dir.appendingPathComponent("manifest.csv"))
    let (_, store) = try await ingest(dir)
    try write(cardYAML, to: dir.appendingPathComponent("qa.yaml"))
    let card = try CardLoader.load(path: dir.appendingPathComponent("qa.yaml").path)
    return (dir, store, card)
}

@Suite struct ScoreTests {
    @Test func scoresAreStoredProvisionalUntilAnsweredAndSkippedWhenUnchanged() async throws {
        let (dir, store, card) = try await scoredBatch()
        let first = try Scoring.run(cards: [card], store: store)
        #expect(first[0].applicable == 2)   // the abandoned call is never scored
        #expect(first[0].provisional == 2 && first[0].rescored == 2)
        #expect(try count(store, "SELECT count(*) FROM criterion_results") == 6)
        let again = try Scoring.run(cards: [card], store: store)
        #expect(again[0].rescored == 0)

        try write("""
            call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment
            c1,qa,greeting,yes,Maria,2026-11-24T12:00:00+01:00,"warm, named the company"
            c1,qa,explain,4,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,greeting,no,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,explain,n/a,Maria,2026-11-24T12:00:00+01:00,
            c9,qa,greeting,yes,Maria,2026-11-24T12:00:00+01:00,
            c1,qa,silence,yes,Maria,2026-11-24T12:00:00+01:00,
            c1,xx,greeting,yes,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,nope,yes,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,explain,7,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,greeting,maybe,Maria,2026-11-24T12:00:00+01:00,
            c2,qa,greeting,yes,,2026-11-24T12:00:00+01:00,
            c2,qa,greeting,yes,Maria,yesterday,
            c1,qa,greeting,no,Maria,2026-11-24T12:00:00+01:00,

            """, to: dir.appendingPathComponent("evaluations.csv"))
        let imp = try EvaluationsImport.run(path: dir.appendingPathComponent("evaluations.csv").path, cards: [card], store: store)
        #expect(imp.rows == 13)
        #expect(imp.stored == 4)
        let reasons = imp.rejected.map { "\($0.source.line) \($0.field ?? "-")" }
        #expect(reasons == ["6 call_id", "7 criterion", "8 scorecard", "9 criterion", "10 answer", "11 answer", "12 evaluator", "13 evaluated_at", "14 criterion"])
        #expect(imp.rejected[0].message.contains("unknown call 'c9'"))
        #expect(imp.rejected[4].message.contains("expected a whole number from 1 to 5 or n/a, got \"7\""))
        #expect(try count(store, "SELECT count(*) FROM import_errors WHERE import_kind = 'evaluations'") == 9)
        // Re-import: nothing new.
        let re = try EvaluationsImport.run(path: dir.appendingPathComponent("evaluations.csv").path, cards: [card], store: store)
        #expect(re.stored == 0 && re.alreadyImported == 4)

        let scored = try Scoring.run(cards: [card], store: store)
        #expect(scored[0].complete == 2 && scored[0].rescored == 2)
        // c1: greeting 1/1, silence 2/2, explain (4−1)/(5−1) = 0.75 → 3.75/4 = 93.75 %.
        let c1 = try #require(try store.storedScores(callID: "c1").first)
        #expect(c1.status == .complete)
        #expect(abs(c1.score! - 93.75) < 1e-9)
        #expect(c1.results.first { $0.criterionID == "greeting" }?.provenance == "evaluator: Maria")
        #expect(c1.results.first { $0.criterionID == "greeting" }?.evidence == "answered yes by Maria on 2026-11-24T12:00:00+01:00: warm, named the company")
        // c2: greeting 0/1, silence 2/2, explain n/a → 2/3.
        let c2 = try #require(try store.storedScores(callID: "c2").first)
        #expect(abs(c2.score! - 200.0 / 3) < 1e-9)
    }

    @Test func aChangedCardKeepsOldScoresQueryableAndWhatIfStoresNothing() async throws {
        let (dir, store, card) = try await scoredBatch()
        _ = try Scoring.run(cards: [card], store: store)
        let stricter = cardYAML.replacingOccurrences(of: "at_most: 60", with: "at_most: 1")
        try write(stricter, to: dir.appendingPathComponent("qa2.yaml"))
        let card2 = try CardLoader.load(path: dir.appendingPathComponent("qa2.yaml").path)
        #expect(card2.contentHash != card.contentHash)
        let before = try count(store, "SELECT count(*) FROM scores")
        let rows = try Scoring.whatIf(card: card2, store: store)
        #expect(try count(store, "SELECT count(*) FROM scores") == before)
        #expect(rows.map(\.agentID) == ["a1", "a2"])
        // Provisional scores are not 'complete', so the new means are empty; the current ones too.
        #expect(rows.allSatisfy { $0.calls == 1 })
        _ = try Scoring.run(cards: [card2], store: store)
        #expect(try count(store, "SELECT count(*) FROM scores WHERE card_id = 'qa'") == 4)
        #expect(try count(store, "SELECT count(*) FROM scores WHERE card_id = 'qa' AND is_current = 1") == 2)
        #expect(try count(store, "SELECT count(*) FROM scores s JOIN scorecards k ON k.card_id = s.card_id AND k.content_hash = s.card_hash WHERE s.is_current = 0") == 2)
        let silence = try store.storedScores(callID: "c1")[0].results.first { $0.criterionID == "silence" }
        #expect(silence?.outcome == .notMet)
        #expect(silence?.evidence.contains("exceeds 1 s") == true)
        #expect(silence?.evidenceStartS != nil)
    }

    @Test func reanalysisMakesTheNextScoreRunRescore() async throws {
        let (dir, store, card) = try await scoredBatch()
        _ = try Scoring.run(cards: [card], store: store)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("a.wav"))
        try FileManager.default.copyItem(at: dir.appendingPathComponent("b.wav"), to: dir.appendingPathComponent("a.wav"))
        _ = try await ingest(dir)
        let s = try Scoring.run(cards: [card], store: store)
        #expect(s[0].rescored == 1)
    }

    @Test func templateListsManualCriteriaOfApplicableCalls() async throws {
        let (_, store, card) = try await scoredBatch()
        let csv = try EvaluationsImport.template(card: card, store: store, callIDs: nil, period: .all)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 1 + 2 * 2)
        #expect(lines[0] == "call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment,criterion_text,agent_id")
        #expect(lines[1] == "c1,qa,greeting,,,,,Greets,a1")
    }

    @Test func periodFiltersByLocalDateOrInstant() async throws {
        let (_, store, _) = try await scoredBatch()
        let day = try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: nil).get()
        #expect(try store.scoringInputs(period: day).count == 3)
        let next = try Period.parse(from: "2026-11-25", to: nil, zone: nil).get()
        #expect(try store.scoringInputs(period: next).isEmpty)
        let instant = try Period.parse(from: "2026-11-24T09:04:00+01:00", to: "2026-11-24T09:06:00+01:00", zone: nil).get()
        #expect(try store.scoringInputs(period: instant).map(\.facts.callID) == ["c2"])
        let tokyo = try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: .named("Asia/Tokyo")).get()
        #expect(try store.scoringInputs(period: tokyo).count == 3)
        if case .failure(let e) = Period.parse(from: "24.11.2026", to: nil, zone: nil) {
            #expect(e.description.hasPrefix("--from: expected a date"))
        } else {
            Issue.record("a bad date must be refused")
        }
    }
}
