import CallQAModel
import Foundation
import Scorecard
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func card(_ yaml: String, file: String = "test.yaml") throws -> Scorecard {
    try CardLoader.parse(text: yaml, file: file, contentHash: "h")
}

func lint(_ yaml: String) -> [String] {
    do {
        _ = try CardLoader.parse(text: yaml, file: "t.yaml", contentHash: "h")
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// A card with two weighted sections, used by the hand-computed cases.
func formulaCard(criticalA2: Bool = false, failsSectionB1: Bool = false) -> String {
    """
    version: 1
    id: formula
    name: Formula
    sections:
      - id: a
        weight: 2
        criteria:
          - id: a1
            text: No silence over 10 s
            weight: 2
            auto: { metric: audio.longest_silence_s, at_most: 10 }
          - id: a2
            text: Greets
            weight: 1
            critical: \(criticalA2)
            manual: yes_no
      - id: b
        criteria:
          - id: b1
            text: Dead air
            weight: 3
            fails_section: \(failsSectionB1)
            auto:
              metric: audio.dead_air_count
              bands:
                - { at_most: 0, credit: 1 }
                - { at_most: 1, credit: 0.5 }
                - { credit: 0 }
          - id: b2
            text: Payment link
            weight: 1
            manual: yes_no
          - id: b3
            text: Hold under a minute
            weight: 5
            auto: { metric: call.hold_s, at_most: 60 }
            na_when:
              - { metric: call.hold_s, at_most: 0 }
    """
}

let stereoFacts = CallFacts(
    callID: "c1", agentID: "a1",
    values: ["audio.duration_s": .number(300), "audio.longest_silence_s": .number(14.2), "audio.dead_air_count": .number(1),
             "call.hold_s": .number(0), "call.answered": .flag(true), "call.direction": .text("inbound"),
             "call.queue": .text("Orders"), "audio.agent.talk_ratio": .number(0.4)],
    spans: ["audio.longest_silence_s": [EvidenceSpan(startS: 192, endS: 206.2)]],
    recordingPath: "/rec/c1.wav")

let yes = EvaluatorAnswer(answer: .yes, evaluator: "Maria", evaluatedAt: "2026-11-24", comment: "fine")
let no = EvaluatorAnswer(answer: .no, evaluator: "Maria")
let na = EvaluatorAnswer(answer: .notApplicable, evaluator: "Maria")

@Suite struct FormulaTests {
    /// Section a (W=2): a1 fails 0/2, a2 yes 1/1 → 1/3. Section b (W=1): b1 one dead air → ½·3 = 1.5/3,
    /// b2 n/a and b3 (no hold) N/A drop out. Score = (2·1 + 1·1.5) / (2·3 + 1·3) = 3.5/9 = 38.89 %.
    @Test func weightedSectionsNAAndPartialCredit() throws {
        let s = ScoringEngine.score(try card(formulaCard()), facts: stereoFacts, answers: ["a2": yes, "b2": na])
        #expect(s.status == .complete)
        #expect(abs(s.score! - 100 * 3.5 / 9) < 1e-9)
        #expect(s.weightedEarned == 3.5 && s.weightedPossible == 9)
        #expect(s.criticalScore == nil && !s.criticalFailed)
        let byID = Dictionary(uniqueKeysWithValues: s.results.map { ($0.criterionID, $0) })
        #expect(byID["a1"]?.outcome == .notMet)
        #expect(byID["a1"]?.evidence == "longest silence 14.2 s at 03:12–03:26 exceeds 10 s")
        #expect(byID["a1"]?.evidenceSpan?.startS == 192)
        #expect(byID["b1"]?.outcome == .partial && byID["b1"]?.earned == 1.5)
        #expect(byID["b1"]?.evidence == "dead-air gaps 1: band 2 (≤ 1) → 50 % credit")
        #expect(byID["b2"]?.outcome == .notApplicable && byID["b2"]?.provenance == "evaluator: Maria")
        #expect(byID["b3"]?.outcome == .notApplicable && byID["b3"]?.evidence == "N/A: call.hold_s = 0 (na_when ≤ 0 s)")
        #expect(byID["a2"]?.evidence == "answered yes by Maria on 2026-11-24: fine")
    }

    @Test func failedCriticalSetsTheCallToZero() throws {
        let s = ScoringEngine.score(try card(formulaCard(criticalA2: true)), facts: stereoFacts, answers: ["a2": no, "b2": yes])
        #expect(s.score == 0)
        #expect(s.criticalFailed)
        #expect(s.criticalScore == 0)
        let passed = ScoringEngine.score(try card(formulaCard(criticalA2: true)), facts: stereoFacts, answers: ["a2": yes, "b2": yes])
        #expect(passed.criticalScore == 100 && !passed.criticalFailed)
        // (2·1 + 1·(1.5 + 1)) / (2·3 + 1·4) = 4.5/10
        #expect(abs(passed.score! - 45) < 1e-9)
    }

    /// b1 earns only half → fails_section sets section b to 0: (2·1 + 0) / (2·3 + 1·3) = 22.2 %.
    @Test func failsSectionZeroesOnlyItsSection() throws {
        let s = ScoringEngine.score(try card(formulaCard(failsSectionB1: true)), facts: stereoFacts, answers: ["a2": yes, "b2": na])
        #expect(abs(s.score! - 100 * 2 / 9) < 1e-9)
        #expect(!s.criticalFailed)
    }

    /// a2 and b2 unanswered: provisional from a1 and b1 only: (2·0 + 1·1.5) / (2·2 + 1·3) = 21.4 %.
    @Test func unansweredManualCriteriaGiveAProvisionalScore() throws {
        let s = ScoringEngine.score(try card(formulaCard()), facts: stereoFacts, answers: [:])
        #expect(s.status == .provisional)
        #expect(s.unanswered == 2)
        #expect(abs(s.score! - 100 * 1.5 / 7) < 1e-9)
    }

    @Test func allNAIsNotScorableNeverZeroOrHundred() throws {
        let noAudio = CallFacts(callID: "c2", values: ["call.hold_s": .number(0), "call.answered": .flag(true)], audioAbsentReason: "no recording")
        let s = ScoringEngine.score(try card(formulaCard()), facts: noAudio, answers: ["a2": na, "b2": na])
        #expect(s.status == .notScorable)
        #expect(s.score == nil)
        #expect(s.results.first { $0.criterionID == "a1" }?.evidence == "N/A: audio.longest_silence_s unavailable (no recording)")
    }

    /// Cards that bypass lint (built in code, or an older card in the store) with weights of
    /// 1e-200 in sections of 1e-200: the products underflow to 0/0. Answered criteria still
    /// count and give the same score as weights of 2, 1, 3, 1, 5; a criterion with an answer
    /// is never N/A, and "every criterion is N/A" is said only when it is true.
    @Test func answeredCriteriaAreNeverNAWhateverTheWeights() throws {
        var tiny = try card(formulaCard())
        for s in tiny.sections.indices {
            tiny.sections[s].weight = (tiny.sections[s].weight ?? 1) * 1e-200
            for c in tiny.sections[s].criteria.indices { tiny.sections[s].criteria[c].weight *= 1e-200 }
        }
        let normal = ScoringEngine.score(try card(formulaCard()), facts: stereoFacts, answers: ["a2": yes, "b2": na])
        let s = ScoringEngine.score(tiny, facts: stereoFacts, answers: ["a2": yes, "b2": na])
        #expect(s.status == .complete && s.reason == nil)
        #expect(abs(s.score! - normal.score!) < 1e-9, "\(String(describing: s.score)) vs \(String(describing: normal.score))")
        // A critical criterion of weight 1e-400 (underflowed in W × weight) still has its critical score.
        var crit = try card(formulaCard(criticalA2: true))
        for s in crit.sections.indices {
            crit.sections[s].weight = (crit.sections[s].weight ?? 1) * 1e-200
            for c in crit.sections[s].criteria.indices { crit.sections[s].criteria[c].weight *= 1e-200 }
        }
        let passed = ScoringEngine.score(crit, facts: stereoFacts, answers: ["a2": yes, "b2": yes])
        #expect(passed.criticalScore == 100 && !passed.criticalFailed && abs(passed.score! - 45) < 1e-9)
        let answered = s.results.filter { ["a1", "a2", "b1"].contains($0.criterionID) }
        #expect(answered.allSatisfy { $0.outcome != .notApplicable } && answered.count == 3)
        // Huge weights do not overflow either.
        var huge = try card(formulaCard())
        for s in huge.sections.indices {
            huge.sections[s].weight = (huge.sections[s].weight ?? 1) * 1e200
            for c in huge.sections[s].criteria.indices { huge.sections[s].criteria[c].weight *= 1e200 }
        }
        #expect(abs(ScoringEngine.score(huge, facts: stereoFacts, answers: ["a2": yes, "b2": na]).score! - normal.score!) < 1e-9)
        // Answered criteria that all weigh 0 leave the call not scorable, and say why: not "N/A".
        var zero = try card(formulaCard())
        for s in zero.sections.indices { for c in zero.sections[s].criteria.indices { zero.sections[s].criteria[c].weight = 0 } }
        let z = ScoringEngine.score(zero, facts: stereoFacts, answers: ["a2": yes, "b2": na])
        #expect(z.status == .notScorable && z.reason?.contains("carry no weight") == true && z.reason?.contains("N/A") == false, "\(z.reason ?? "")")
        #expect(z.results.first { $0.criterionID == "a2" }?.outcome == .met)
    }

    @Test func scaleAndPartialCredit() throws {
        let c = try card("""
            version: 1
            id: s
            name: S
            sections:
              - id: x
                criteria:
                  - { id: explain, text: Explanation, weight: 4, manual: { scale: [1, 5] } }
                  - { id: link, text: Link, weight: 2, manual: yes_no, partial: 0.25 }
            """)
        let s = ScoringEngine.score(c, facts: stereoFacts, answers: [
            "explain": EvaluatorAnswer(answer: .points(4), evaluator: "E"),
            "link": EvaluatorAnswer(answer: .partial, evaluator: "E"),
        ])
        // (0.75·4 + 0.25·2) / 6 = 3.5/6
        #expect(abs(s.score! - 100 * 3.5 / 6) < 1e-9)
        #expect(ManualAnswer.points(6).mismatch(for: .scale(min: 1, max: 5)) == "expected a whole number from 1 to 5 or n/a")
        #expect(ManualAnswer.yes.mismatch(for: .scale(min: 1, max: 5)) != nil)
        #expect(ManualAnswer.partial.mismatch(for: .yesNo) == nil)
    }

    @Test func requiresAudioAndMonoRecordings() throws {
        let c = try card("""
            version: 1
            id: r
            name: R
            requires_audio: true
            sections:
              - id: x
                criteria:
                  - { id: ratio, text: Agent share, weight: 1, auto: { metric: audio.agent.talk_ratio, between: [0.3, 0.7] } }
                  - { id: silence, text: Silence, weight: 1, auto: { metric: audio.silence_ratio, at_most: 0.3 } }
            """)
        let none = ScoringEngine.score(c, facts: CallFacts(callID: "n", values: ["call.answered": .flag(true)], audioAbsentReason: "recording missing"), answers: [:])
        #expect(none.status == .notScorable && none.reason == "the card requires audio: recording missing")
        let mono = CallFacts(callID: "m", values: ["audio.duration_s": .number(60), "audio.silence_ratio": .number(0.1)])
        let s = ScoringEngine.score(c, facts: mono, answers: [:])
        #expect(s.score == 100)
        #expect(s.results[0].evidence == "N/A: audio.agent.talk_ratio unavailable (mono recording: no per-party figures)")
        #expect(s.results[1].evidence == "silence share 0.1 within 0.3")
    }

    @Test func appliesToFilters() throws {
        let c = try card("""
            version: 1
            id: f
            name: F
            applies_to: { direction: inbound, queue: [orders, returns], min_duration_s: 400 }
            sections:
              - id: x
                criteria: [{ id: y, text: Y, auto: { metric: audio.dead_air_count, at_most: 0 } }]
            """)
        #expect(ScoringEngine.notApplicableReason(c, facts: stereoFacts)?.hasPrefix("applies_to.min_duration_s: 400 (this call: ") == true)
        var longer = stereoFacts
        longer.values["audio.duration_s"] = .number(500)
        #expect(ScoringEngine.notApplicableReason(c, facts: longer) == nil)
        longer.values["call.queue"] = .text("sales")
        #expect(ScoringEngine.notApplicableReason(c, facts: longer) == "applies_to.queue: orders, returns (this call: sales)")
        longer.values["call.answered"] = .flag(false)
        #expect(ScoringEngine.notApplicableReason(c, facts: longer) == "abandoned (no conversation)")
    }
}

@Suite struct LintTests {
    @Test func exampleCardsLoadAndLintClean() throws {
        let (cards, issues) = CardLoader.loadAll(packageRoot.appendingPathComponent("Scorecards").path)
        #expect(issues.isEmpty, "\(issues)")
        #expect(Set(cards.map(\.id)) == ["order-confirmation", "support-hotline", "outbound-sales"])
        for c in cards { #expect(c.criteria.count >= 8 && c.contentHash.count == 64) }
    }

    @Test func syntaxErrorHasLineAndColumn() {
        let issues = lint("version: 1\nid: x\nname: [unclosed\nsections: []\n")
        #expect(issues.count == 1)
        #expect(issues[0].hasPrefix("t.yaml:4:") && issues[0].contains("YAML syntax"))
    }

    @Test func unknownMetricAndKeyGetSuggestions() {
        let issues = lint("""
            version: 1
            id: x
            name: X
            sections:
              - id: s
                criteria:
                  - id: c
                    text: T
                    wieght: 2
                    auto: { metric: audio.longest_silense_s, at_most: 10 }
                  - id: d
                    text: T
                    auto: { metric: longest_silence, at_most: 10 }
            """)
        #expect(issues.contains("t.yaml:9:9: criterion: unknown key 'wieght' (did you mean 'weight'?); allowed: id, text, weight, critical, fails_section, auto, manual, na_when, partial"))
        #expect(issues.contains { $0.hasPrefix("t.yaml:10:25: unknown metric 'audio.longest_silense_s' (did you mean 'audio.longest_silence_s'?)") })
        #expect(issues.contains { $0.contains("unknown metric 'longest_silence' (did you mean 'audio.longest_silence_s'?)") })
    }

    @Test func structuralMistakes() {
        let issues = lint("""
            version: 1
            id: x
            name: X
            sections:
              - id: s
                weight: 0
                criteria:
                  - { id: c, text: T, weight: heavy, manual: yes_no }
                  - { id: c, text: T, manual: YES }
                  - { id: e, text: T, auto: { metric: audio.silence_s, between: [5, 1] } }
                  - { id: f, text: T, critical: NO, manual: yes_no }
                  - id: g
                    text: T
                    auto:
                      metric: audio.longest_silence_s
                      bands: [{ at_most: 10, credit: 1 }, { at_most: 5, credit: 0.5 }]
                  - { id: h, text: T, auto: { metric: call.queue, at_most: 3 } }
                  - { id: i, text: T, weight: 1e999, manual: yes_no }
                  - { id: j, text: T }
            """)
        let joined = issues.joined(separator: "\n")
        #expect(joined.contains("criterion 'c' weight: expected a number, got 'heavy'"))
        #expect(joined.contains("criterion id 'c' is used twice (first at line 8)"))
        #expect(joined.contains("manual: expected yes_no or {scale: [MIN, MAX]}, got 'YES'"))
        #expect(joined.contains("between: LOW must not exceed HIGH, got [5, 1]"))
        #expect(joined.contains("critical: expected true or false, got 'NO'"))
        #expect(joined.contains("upper limits must increase from band to band"))
        #expect(joined.contains("'at_most' needs a numeric metric; 'call.queue' is text"))
        #expect(joined.contains("weight: expected a number between 0 and 1000000, got 1e999"))
        #expect(joined.contains("criterion 'j': needs 'auto' (a rule) or 'manual'"))
        // Every issue points at a line and a column.
        #expect(issues.allSatisfy { $0.range(of: #"^t\.yaml:\d+:\d+: "#, options: .regularExpression) != nil })
    }

    @Test func zeroWeightsCannotScore() {
        let issues = lint("""
            version: 1
            id: x
            name: X
            sections:
              - id: s
                weight: 0
                criteria: [{ id: c, text: T, manual: yes_no }]
            """)
        #expect(issues.contains { $0.contains("every call would score 0/0") })
    }

    @Test func aliasBombAndDeepNestingAreRefusedQuickly() {
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        bomb += "version: 1\nid: x\nname: X\nsections: *a12\n"
        let start = Date()
        let issues = lint(bomb)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(!issues.isEmpty)
        let deep = "version: 1\nid: x\nname: X\nsections:\n  - id: s\n    criteria:\n      - id: c\n        text: T\n        manual: yes_no\n        na_when: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        let deepIssues = lint(deep)
        #expect(!deepIssues.isEmpty)
    }

    @Test func wrongVersionAndEmptyFile() {
        #expect(lint("version: 2\nid: x\nname: X\nsections: [{id: s, criteria: [{id: c, text: T, manual: yes_no}]}]\n") == ["t.yaml:1:10: version: this callqa reads version 1, got 2"])
        #expect(lint("") == ["t.yaml:1:1: empty file: expected a card (version, id, name, sections)"])
    }
}
