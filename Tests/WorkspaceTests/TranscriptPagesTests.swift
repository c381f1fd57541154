import CallQAModel
import Foundation
import Pipeline
import Scorecard
import Store
import Testing
@testable import Workspace

/// Transcripts in the workspace: the call page shows them beside the timeline (audited),
/// the calls list searches them within the reader's scope, and the evaluate form shows
/// what the transcript answered a phrase criterion and takes an override.
@Suite struct TranscriptPagesTests {
    /// Stores a transcript of `words` said by the agent (and "thank you" by the customer) for
    /// an analysed call of the fixture, as `callqa transcribe` stores one.
    static func transcribe(_ store: CallStore, _ callID: String, agent words: [String]) throws {
        let c = try #require(try store.transcriptionCandidates(callIDs: [callID], scope: .everything).first)
        func said(_ w: [String], from: Double) -> [TranscriptWord] {
            w.enumerated().map { TranscriptWord(text: $0.element, startS: from + Double($0.offset) * 0.5, endS: from + Double($0.offset) * 0.5 + 0.4, confidence: 0.9) }
        }
        let parties = [PartyTranscript(party: "agent", words: said(words, from: 1), speechS: 10, talkS: 10, redactions: 1),
                       PartyTranscript(party: "customer", words: said(["thank", "you"], from: 8), speechS: 2, talkS: 2, redactions: 0)]
        let p = TranscriptProvenance(model: "ggml-test.bin", modelSHA256: "m", engine: "test", settings: "{}", settingsHash: "s",
                                     contentSHA256: c.contentSHA256, analysisHash: c.analysisHash)
        #expect(try store.saveTranscript(CallTranscript(callID: callID, language: "en", languageSource: "setting", parties: parties),
                                         provenance: p, wallS: 0.1))
    }

    static let phraseCard = """
        version: 1
        id: phrases
        name: Phrases
        applies_to: { queue: orders }
        sections:
          - id: s
            criteria:
              - id: greeting
                text: Thanks the caller for calling
                auto: { phrase: { party: agent, any_of: ["thank you for calling"] } }
        """

    @Test func callPageShowsTheTranscriptAndTheListSearchesItWithinTheScope() async throws {
        let f = try await SampleFixture()
        try Self.transcribe(f.store, "c-001", agent: ["Welcome,", "thank", "you", "for", "calling", SampleFixture.hostile, TranscriptWord.redactedText, "goodbye"])
        try Self.transcribe(f.store, "c-005", agent: ["technical", "support", "calling", "mortgage"])
        let qa = try await f.loggedIn("qa1")
        let page = try await qa.get("/calls/c-001")
        #expect(page.status == .ok)
        #expect(page.text.contains("id=\"transcript\"") && page.text.contains("<span class=\"w\" data-s=\"1\" data-e=\"1.4\">Welcome,</span>"))
        #expect(page.text.contains("<span class=\"w redacted\"") && !page.text.contains(SampleFixture.hostile))
        #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.text.contains("href=\"/calls/c-001?t=1\""), "each turn's time plays the recording from there")
        #expect(page.text.contains("1 digit run redacted"))
        // A call without a transcript says so; showing one is audited.
        #expect(try await qa.get("/calls/c-002").text.contains("Not transcribed (callqa transcribe)."))
        let shown = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .transcript }
        #expect(shown.count == 1 && shown[0].callID == "c-001" && shown[0].actor == "qa1" && shown[0].detail == "10 words, 1 redacted")

        // Search: qa finds both calls saying "calling"; agent1 (a1) only their own c-001.
        let all = try await qa.get("/calls?period=all&said=calling")
        #expect(all.status == .ok && all.text.contains("/calls/c-001\"") && all.text.contains("/calls/c-005\"") && !all.text.contains("/calls/c-003\""))
        #expect(all.text.contains("<mark>calling</mark>"))
        let agent = try await f.loggedIn("agent1")
        let own = try await agent.get("/calls?period=all&said=calling")
        #expect(own.text.contains("/calls/c-001\"") && !own.text.contains("/calls/c-005\""))
        #expect(!(try await agent.get("/calls?period=all&said=mortgage")).text.contains("/calls/c-005\""))
        // A phrase in quotes; FTS syntax is only words; too long a search is refused.
        #expect(try await qa.get("/calls?period=all&said=%22thank+you+for+calling%22").text.contains("/calls/c-001\""))
        #expect(!(try await qa.get("/calls?period=all&said=%22you+thank%22")).text.contains("/calls/c-001\""))
        let odd = try await qa.get("/calls?period=all&said=calling+OR+*+NEAR(x)+col%3Ay")
        #expect(odd.status == .ok && !odd.text.contains("/calls/c-001\""), "every word must be said: or, near, x, col, y are not")
        #expect(try await qa.get("/calls?period=all&said=" + String(repeating: "a", count: 201)).status == .badRequest)
        // A search of only punctuation or quotes would list every call: refused; an empty field is no search.
        for nothing in ["%22", "*", "%22%22+%2A"] {
            #expect(try await qa.get("/calls?period=all&said=" + nothing).status == .badRequest, "said=\(nothing)")
        }
        let empty = try await qa.get("/calls?period=all&said=")
        #expect(empty.status == .ok && empty.text.contains("/calls/c-003\""))
        // The CSV export takes the same filter; searches are audited with their words.
        let csv = try await qa.get("/calls.csv?period=all&said=mortgage")
        #expect(csv.text.split(separator: "\n").count == 2 && csv.text.contains("c-005"))
        let searches = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .transcriptSearch }
        #expect(searches.contains { $0.actor == "agent1" && $0.detail?.hasPrefix("mortgage in ") == true && $0.detail?.hasSuffix(": 0 calls") == true })

        // A card number searched for would go into the audit log: a run of five digits or
        // more (as the redactor joins them) is refused, on the page and the export, unaudited
        // and not echoed; shorter numbers and numbers apart by words are searched.
        let auditBefore = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).count
        for card in ["4111111111111111", "4111+1111+1111+1111", "card+41111", "4111-1", "%2241+11+1%22", "%EF%BC%94%EF%BC%91%EF%BC%91%EF%BC%91%EF%BC%91"] {
            for page in ["/calls", "/calls.csv"] {
                let r = try await qa.get("\(page)?period=all&said=\(card)")
                #expect(r.status == .badRequest, "\(page) said=\(card)")
                #expect(r.text.contains("digit runs of 5 or more are redacted from transcripts"), "\(page) said=\(card)")
                #expect(!r.text.contains("4111") && !r.text.contains("41111"), "the number is not echoed")
            }
        }
        let after = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        #expect(after.count == auditBefore, "a refused search is not audited")
        #expect(!after.contains { ($0.detail ?? "").contains("4111") })
        for ok in ["room+12", "1234", "12+days+345"] {
            #expect(try await qa.get("/calls?period=all&said=\(ok)").status == .ok, "said=\(ok)")
        }
    }

    @Test func evaluatorSeesTheTranscriptsAnswerAndOverridesIt() async throws {
        let f = try await SampleFixture()
        try Self.transcribe(f.store, "c-001", agent: ["good", "morning", "how", "can", "I", "help"])
        let card = try CardLoader.parse(text: Self.phraseCard, file: "phrases.yaml", contentHash: SHA256.hex(Array(Self.phraseCard.utf8)))
        _ = try Scoring.run(cards: [card], store: f.store)
        let before = try #require(try f.store.storedScores(callID: "c-001", scope: .everything).first { $0.cardID == "phrases" })
        #expect(before.results.first?.outcome == .notMet && before.results.first?.provenance == "transcript")
        let qa = try await f.loggedIn("qa1")
        let page = try await qa.get("/calls/c-001")
        let form = try #require(page.text.range(of: "id=\"evaluate-phrases\"").map { String(page.text[$0.lowerBound...]) })
        #expect(form.contains("fieldset class=\"criterion phrase\"") && form.contains("From the transcript: not met: not said by the agent"))
        let token = try #require(Browser.csrf(in: page.text))
        let version = try #require(form.firstMatch(of: /name="version" value="([^"]*)"/)).1
        f.clock.advance(60)
        let saved = try await qa.send(.post, "/calls/c-001/evaluate", body: "csrf=\(token)&card=phrases&version=\(version)&answer.greeting=yes&comment.greeting=said+it+in+Spanish")
        #expect(saved.status == .ok && saved.text.contains("id=\"saved\""))
        let after = try #require(try f.store.storedScores(callID: "c-001", scope: .everything).first { $0.cardID == "phrases" })
        #expect(after.results.first?.outcome == .met && after.results.first?.provenance == "evaluator: qa1 (overrides transcript)")
        #expect(after.score == 100)
    }
}
