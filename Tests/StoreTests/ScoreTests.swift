import CallQAModel
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
        let c1 = try #require(try store.storedScores(callID: "c1", scope: .everything).first)
        #expect(c1.status == .complete)
        #expect(abs(c1.score! - 93.75) < 1e-9)
        #expect(c1.results.first { $0.criterionID == "greeting" }?.provenance == "evaluator: Maria")
        #expect(c1.results.first { $0.criterionID == "greeting" }?.evidence == "answered yes by Maria on 2026-11-24T12:00:00+01:00: warm, named the company")
        // c2: greeting 0/1, silence 2/2, explain n/a → 2/3.
        let c2 = try #require(try store.storedScores(callID: "c2", scope: .everything).first)
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
        let silence = try store.storedScores(callID: "c1", scope: .everything)[0].results.first { $0.criterionID == "silence" }
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
        #expect(try store.scoringInputs(period: day, scope: .everything).count == 3)
        let next = try Period.parse(from: "2026-11-25", to: nil, zone: nil).get()
        #expect(try store.scoringInputs(period: next, scope: .everything).isEmpty)
        let instant = try Period.parse(from: "2026-11-24T09:04:00+01:00", to: "2026-11-24T09:06:00+01:00", zone: nil).get()
        #expect(try store.scoringInputs(period: instant, scope: .everything).map(\.facts.callID) == ["c2"])
        let tokyo = try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: .named("Asia/Tokyo")).get()
        #expect(try store.scoringInputs(period: tokyo, scope: .everything).count == 3)
        if case .failure(let e) = Period.parse(from: "24.11.2026", to: nil, zone: nil) {
            #expect(e.description.hasPrefix("--from: expected a date"))
        } else {
            Issue.record("a bad date must be refused")
        }
    }
}

/// `score` reads in full and scores again only the calls whose inputs changed since their
/// current score (issue 27, step 4); its counts stay those of every applicable call.
@Suite struct IncrementalScoreTests {
    static let answers = """
        call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment
        c1,qa,greeting,yes,Maria,2026-11-24T12:00:00+01:00,
        c1,qa,explain,4,Maria,2026-11-24T12:00:00+01:00,
        c2,qa,greeting,no,Maria,2026-11-24T12:00:00+01:00,
        c2,qa,explain,n/a,Maria,2026-11-24T12:00:00+01:00,

        """

    /// (call id → rowid, score) of the current scores of card 'qa'.
    static func current(_ store: CallStore) throws -> [String: (Int64, Double?)] {
        try store.read { db in
            var out: [String: (Int64, Double?)] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT rowid, call_id, score FROM scores WHERE card_id = 'qa' AND is_current = 1") {
                out[r["call_id"]] = (r["rowid"], r["score"])
            }
            return out
        }
    }

    /// The summary a full rescore gives: every score removed, then scored again.
    static func fromScratch(_ card: Scorecard, _ store: CallStore) throws -> CardScoreSummary {
        try store.write { db in
            try db.execute(sql: "DELETE FROM criterion_results")
            try db.execute(sql: "DELETE FROM scores")
        }
        return try Scoring.run(cards: [card], store: store)[0]
    }

    @Test func aChangedEvaluationRescoresExactlyThatCall() async throws {
        let (dir, store, card) = try await scoredBatch()
        let file = dir.appendingPathComponent("evaluations.csv")
        try write(Self.answers, to: file)
        _ = try EvaluationsImport.run(path: file.path, cards: [card], store: store)
        let first = try Scoring.run(cards: [card], store: store)[0]
        #expect(first.rescored == 2 && first.complete == 2)
        let before = try Self.current(store)

        // Maria corrects one answer of c1, later.
        try write("""
            call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment
            c1,qa,greeting,no,Maria,2026-11-24T15:00:00+01:00,on second listen

            """, to: file)
        let imported = try EvaluationsImport.run(path: file.path, cards: [card], store: store)
        #expect(imported.stored == 1)
        let second = try Scoring.run(cards: [card], store: store)[0]
        #expect(second.rescored == 1)
        #expect(second.applicable == 2 && second.complete == 2 && second.provisional == 0 && second.notScorable == 0)
        let after = try Self.current(store)
        // c1 has a new score row with the new answer (greeting 0/1: 2.75/4); c2's row is untouched.
        #expect(after["c1"]?.0 != before["c1"]?.0)
        #expect(abs((after["c1"]?.1 ?? 0) - 68.75) < 1e-9 && abs((before["c1"]?.1 ?? 0) - 93.75) < 1e-9)
        #expect(after["c2"]?.0 == before["c2"]?.0)
        // The counts and the mean are those of every applicable call, as a full rescore gives.
        #expect(abs((second.meanScore ?? 0) - (68.75 + 200.0 / 3) / 2) < 1e-9)
        let scratch = try Self.fromScratch(card, store)
        #expect(scratch.rescored == 2)
        let counts = { (s: CardScoreSummary) -> [Int] in [s.applicable, s.complete, s.provisional, s.notScorable, s.criticalFails] }
        #expect(counts(second) == counts(scratch))
        #expect(second.meanScore == scratch.meanScore && second.shareAtTarget == scratch.shareAtTarget)
        // Nothing changed since: nothing rescored.
        #expect(try Scoring.run(cards: [card], store: store)[0].rescored == 0)
    }

    @Test func aChangedCardRescoresAllItsCalls() async throws {
        let (dir, store, card) = try await scoredBatch()
        let first = try Scoring.run(cards: [card], store: store)[0]
        #expect(first.rescored == 2 && first.applicable == 2)
        #expect(try Scoring.run(cards: [card], store: store)[0].rescored == 0)
        try write(cardYAML.replacingOccurrences(of: "weight: 2", with: "weight: 3"), to: dir.appendingPathComponent("qa.yaml"))
        let changed = try CardLoader.load(path: dir.appendingPathComponent("qa.yaml").path)
        #expect(changed.contentHash != card.contentHash)
        let again = try Scoring.run(cards: [changed], store: store)[0]
        #expect(again.rescored == 2 && again.applicable == 2 && again.provisional == 2)
        #expect(try count(store, "SELECT count(*) FROM scores WHERE card_id = 'qa' AND is_current = 1 AND card_hash = '\(changed.contentHash)'") == 2)
        #expect(try Scoring.run(cards: [changed], store: store)[0].rescored == 0)
        // Back to the first version: its stored scores are not current any more, so all are scored again.
        #expect(try Scoring.run(cards: [card], store: store)[0].rescored == 2)
    }

    /// A card that stops applying to a call retires its score once; the exclusions are
    /// counted on every run, from the light facts.
    @Test func exclusionsAreCountedWithoutRescoring() async throws {
        let (dir, store, card) = try await scoredBatch()
        _ = try Scoring.run(cards: [card], store: store)
        try write(cardYAML.replacingOccurrences(of: "queue: orders", with: "queue: support"), to: dir.appendingPathComponent("qa.yaml"))
        let elsewhere = try CardLoader.load(path: dir.appendingPathComponent("qa.yaml").path)
        for _ in 0..<2 {
            let s = try Scoring.run(cards: [elsewhere], store: store)[0]
            #expect(s.applicable == 0 && s.rescored == 0)
            #expect(s.exclusionSummary == "applies_to.queue: support: 2 calls (queues seen: orders); abandoned (no conversation): 1 call")
        }
        #expect(try count(store, "SELECT count(*) FROM scores WHERE card_id = 'qa' AND is_current = 1") == 0)
    }

    /// The light keys agree with the full inputs: the same fingerprint and the same values.
    @Test func keysAgreeWithTheFullInputs() async throws {
        let (dir, store, card) = try await scoredBatch()
        try write(Self.answers, to: dir.appendingPathComponent("evaluations.csv"))
        _ = try EvaluationsImport.run(path: dir.appendingPathComponent("evaluations.csv").path, cards: [card], store: store)
        let keys = try store.scoringKeys(partyFacts: true, scope: .everything)
        let inputs = try store.scoringInputs(scope: .everything)
        #expect(keys.map(\.callID) == ["c1", "c2", "c3"])
        #expect(keys.map(\.dataFingerprint) == inputs.map(\.dataFingerprint))
        #expect(keys.map(\.facts.values) == inputs.map(\.facts.values))
        #expect(try store.scoringKeys(partyFacts: false, scope: .everything).allSatisfy { $0.facts.values["audio.agent.talk_s"] == nil })
        #expect(keys[0].facts.values["audio.agent.talk_s"] != nil)
    }
}
