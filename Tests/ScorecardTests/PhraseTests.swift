import CallQAModel
import Foundation
import Scorecard
import Testing

/// Phrase criteria: the tolerant matcher, lint of the `phrase` rule, and scoring from a
/// transcript with the evaluator's override counting.
@Suite struct PhraseTests {
    static func said(_ text: String, from start: Double = 0, step: Double = 0.4) -> [TranscriptWord] {
        text.split(separator: " ").enumerated().map { i, w in
            TranscriptWord(text: String(w), startS: start + Double(i) * step, endS: start + Double(i) * step + 0.3, confidence: 0.9)
        }
    }

    static func pool(_ text: String) -> [(key: String, word: TranscriptWord)] {
        said(text).map { (TranscriptText.word($0.text), $0) }
    }

    func find(_ phrase: String, _ text: String) -> PhraseMatch? {
        PhraseMatcher.find(PhraseRule.Phrase(phrase), in: Self.pool(text), party: "agent")
    }

    @Test func matchesWordForWordAndThroughSmallErrors() throws {
        let exact = try #require(find("thank you for calling", "Good morning, thank you for calling Acme Bank."))
        #expect(exact.cost == 0 && exact.words.map(\.text) == ["thank", "you", "for", "calling"])
        #expect(exact.span.startS == 0.8)
        // Case, punctuation, apostrophes.
        #expect(find("Don't hesitate", "...DONT hesitate, really") != nil)
        // A letter off in a word, a word heard as two, two as one.
        #expect(find("welcome to acme bank", "welcome to acne bank") != nil)
        #expect(find("please call back later", "please callback later") != nil)
        #expect(find("your callback number", "your call back number") != nil)
        // One word of five missing or extra.
        #expect(find("is there anything else today", "is there anything today") != nil)
        #expect(find("is there anything else today", "is there anything else for today") != nil)
        // Too far: two words of four wrong, the phrase's words out of order, half a phrase.
        #expect(find("thank you for calling", "thank god for falling") == nil)
        #expect(find("thank you for calling", "calling for you thank") == nil)
        #expect(find("thank you for calling", "thank you") == nil)
        // One-word phrases allow a letter in four or more, not a different word.
        #expect(find("refund", "refunds") != nil)
        #expect(find("refund", "return") == nil)
        #expect(find("sorry", "story") == nil)
    }

    func transcript(agent: String, customer: String = "ok", agentFrom: Double = 0) -> CallTranscript {
        CallTranscript(callID: "c", language: "en", languageSource: "model", parties: [
            PartyTranscript(party: "agent", words: Self.said(agent, from: agentFrom), speechS: 10, talkS: 10, redactions: 0),
            PartyTranscript(party: "customer", words: Self.said(customer, from: 0.2), speechS: 5, talkS: 5, redactions: 0),
        ])
    }

    @Test func judgesPartyTimeAndProhibitedWords() {
        let greet = PhraseRule(party: .agent, anyOf: ["thank you for calling", "welcome to acme"], noneOf: [], withinS: (0, 30))
        if case let .met(evidence, span) = PhraseMatcher.judge(greet, transcript: transcript(agent: "hi thank you for calling acme"), durationS: 60) {
            #expect(evidence == "agent said \"thank you for calling\" at 00:00–00:01 (phrase \"thank you for calling\")")
            #expect(span?.startS == 0.4)
        } else { Issue.record("greeting not found") }
        // Said by the customer, or after the first 30 s: not met.
        #expect(PhraseMatcher.judge(greet, transcript: transcript(agent: "hello", customer: "thank you for calling me back"), durationS: 60)
                == .notMet(evidence: "not said by the agent in 00:00–00:30: \"thank you for calling\", \"welcome to acme\" (1 words transcribed there)", span: nil))
        if case .met = PhraseMatcher.judge(greet, transcript: transcript(agent: "thank you for calling", agentFrom: 40), durationS: 60) {
            Issue.record("found outside within_s")
        }
        let closing = PhraseRule(party: .agent, anyOf: ["anything else"], noneOf: [], withinLastS: 20)
        if case .met = PhraseMatcher.judge(closing, transcript: transcript(agent: "anything else", agentFrom: 45), durationS: 60) {} else { Issue.record("closing missed") }
        if case .notMet = PhraseMatcher.judge(closing, transcript: transcript(agent: "anything else", agentFrom: 5), durationS: 60) {} else { Issue.record("closing early") }
        let polite = PhraseRule(party: .any, anyOf: [], noneOf: ["shut up", "calm down"])
        if case let .notMet(evidence, span) = PhraseMatcher.judge(polite, transcript: transcript(agent: "please calm down sir"), durationS: 60) {
            #expect(evidence.hasPrefix("agent said \"calm down\"") && span != nil)
        } else { Issue.record("prohibited phrase missed") }
        if case .met = PhraseMatcher.judge(polite, transcript: transcript(agent: "thank you"), durationS: 60) {} else { Issue.record("nothing prohibited said") }
        // Redacted words never match; a mono transcript cannot tell who said what.
        var redacted = transcript(agent: "x")
        redacted.parties[0].words = [TranscriptWord(text: TranscriptWord.redactedText, startS: 1, endS: 2, confidence: 1)]
        #expect(PhraseMatcher.judge(PhraseRule(party: .agent, anyOf: ["redacted"], noneOf: []), transcript: redacted, durationS: 60)
                == .notMet(evidence: "not said by the agent: \"redacted\" (0 words transcribed there)", span: nil))
        let mono = CallTranscript(callID: "c", language: "en", languageSource: "model",
                                  parties: [PartyTranscript(party: "mixed", words: Self.said("thank you for calling"), speechS: 3, talkS: 3, redactions: 0)])
        if case .cannotTell = PhraseMatcher.judge(greet, transcript: mono, durationS: 10) {} else { Issue.record("mono told who spoke") }
        if case .met = PhraseMatcher.judge(PhraseRule(party: .any, anyOf: ["thank you for calling"], noneOf: []), transcript: mono, durationS: 10) {} else {
            Issue.record("party any on mono")
        }
    }

    static let cardYAML = """
        version: 1
        id: phrases
        name: Phrases
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
                  phrase: { party: agent, any_of: ["anything else"] }
              - id: verify
                text: Verifies identity
                manual: yes_no
        """

    @Test func scoresFromTheTranscriptAndTheOverrideCounts() throws {
        let c = try card(Self.cardYAML)
        #expect(c.manualCriteria.map(\.id) == ["verify"] && c.evaluatorCriteria.map(\.id) == ["greeting", "anything_else", "verify"])
        let facts = CallFacts(callID: "c", values: ["audio.duration_s": .number(60)], transcript: transcript(agent: "thank you for calling acme"))
        let verify = ["verify": EvaluatorAnswer(answer: .yes, evaluator: "qa1")]
        let s = ScoringEngine.score(c, facts: facts, answers: verify)
        let byID = Dictionary(uniqueKeysWithValues: s.results.map { ($0.criterionID, $0) })
        #expect(byID["greeting"]?.outcome == .met && byID["greeting"]?.provenance == "transcript")
        #expect(byID["greeting"]?.evidenceSpan?.startS == 0)
        #expect(byID["anything_else"]?.outcome == .notMet && byID["anything_else"]?.provenance == "transcript")
        #expect(s.status == .complete && s.score.map { abs($0 - 200.0 / 3) < 1e-9 } == true)
        // The evaluator heard "anything else" the recogniser missed: their answer counts.
        var answers = verify
        answers["anything_else"] = EvaluatorAnswer(answer: .yes, evaluator: "qa1", evaluatedAt: "2026-12-08T10:00:00Z")
        let o = ScoringEngine.score(c, facts: facts, answers: answers)
        let overridden = try #require(o.results.first { $0.criterionID == "anything_else" })
        #expect(overridden.outcome == .met && overridden.provenance == "evaluator: qa1 (overrides transcript)")
        #expect(overridden.evidence.contains("transcript: not said by the agent"))
        #expect(o.score == 100)
        // Without a transcript the phrase criteria wait (provisional), as manual ones do.
        let none = ScoringEngine.score(c, facts: CallFacts(callID: "c", transcriptAbsentReason: "not transcribed yet (callqa transcribe)"), answers: verify)
        #expect(none.status == .provisional && none.unanswered == 2)
        #expect(none.results.first?.evidence == "no transcript (not transcribed yet (callqa transcribe))")
        #expect(ManualAnswer.partial.mismatch(for: c.criteria[0].answering) == nil)
        #expect(ManualAnswer.points(3).mismatch(for: c.criteria[0].answering) != nil)
    }

    @Test func lintChecksPhraseRules() {
        func problems(_ phrase: String) -> [String] {
            lint("""
                version: 1
                id: p
                name: P
                sections:
                  - id: s
                    criteria:
                      - id: c
                        text: T
                        auto:
                          phrase: \(phrase)
                """)
        }
        #expect(problems("{ party: agent, any_of: [\"thank you for calling\"], within_s: [0, 30] }").isEmpty)
        #expect(problems("{ party: any, none_of: [\"shut up\"], within_last_s: 60 }").isEmpty)
        #expect(problems("{ party: agnet, any_of: [\"hello there\"] }").first?.contains("expected agent, customer or any, got 'agnet' (did you mean 'agent'?)") == true)
        #expect(problems("{ party: agent }").first?.contains("needs any_of") == true)
        #expect(problems("{ party: agent, any_of: [] }").first?.contains("non-empty list of phrases") == true)
        #expect(problems("{ party: agent, any_of: [\"ok\"] }").first?.contains("fewer than 3 letters") == true)
        #expect(problems("{ party: agent, any_of: [\"...\"] }").first?.contains("no words") == true)
        #expect(problems("{ party: agent, any_of: [\"card 4111111111111111\"] }").first?.contains("redacted") == true)
        #expect(problems("{ party: agent, any_of: [\"Thank you!\", \"thank you\"] }").first?.contains("same as phrase 1") == true)
        #expect(problems("{ party: agent, any_of: [\"thank you\"], none_of: [\"Thank you\"] }").first?.contains("in both any_of and none_of") == true)
        #expect(problems("{ party: agent, any_of: [\"thank you\"], within_s: [30, 0] }").first?.contains("FROM must be before TO") == true)
        #expect(problems("{ party: agent, any_of: [\"thank you\"], within_s: 30 }").first?.contains("expected [FROM, TO]") == true)
        #expect(problems("{ party: agent, any_of: [\"thank you\"], within: [0, 3] }").first?.contains("unknown key 'within' (did you mean 'within_s'?)") == true)
        #expect(problems("{ party: agent, any_of: [\"\(String(repeating: "word ", count: 21))\"] }").first?.contains("at most 20") == true)
        let partial = lint("""
            version: 1
            id: p
            name: P
            sections:
              - id: s
                criteria:
                  - id: c
                    text: T
                    partial: 0.5
                    auto: { phrase: { party: agent, any_of: ["thank you"] } }
            """)
        #expect(partial.first?.contains("'partial' applies to manual criteria") == true)
    }
}
