import CallQAModel
import Reports
import Testing

/// One renderer, two kinds of links: files for static reports, the workspace's URLs for the
/// server.
@Suite struct LinksTests {
    @Test func staticFilesLinkTheRecordingAtItsSecond() {
        #expect(Links.files.recording("c-1", "/rec/a b.wav", 12.5) == "file:///rec/a%20b.wav#t=12.5")
        #expect(Links.files.recording("c-1", "/rec/x.wav", nil) == "file:///rec/x.wav")
        #expect(Links.files.recording("c-1", nil, 3) == nil)
        #expect(Links.files.call("c-1") == nil && Links.files.agent("a1") == nil)
    }

    @Test func workspaceLinksAreItsOwnPagesWithIDsEncoded() {
        let w = Links.workspace()
        #expect(w.recording("c-1", "/rec/x.wav", 12.5) == "/calls/c-1?t=12.5")
        #expect(w.call("a/b?c#d") == "/calls/a%2Fb%3Fc%23d")
        #expect(w.agent("PJSIP/1001") == "/agents/PJSIP%2F1001")
        #expect(Links.workspace(prefix: "/qa").call("c-1") == "/qa/calls/c-1")
    }

    @Test func theCallPageUsesTheLinksItIsGiven() throws {
        let d = CallPageTests.detail()
        let page = HTMLPages.call(d, tables: [], links: .workspace())
        #expect(page.contains("href=\"/calls/c%3C1%3E\""))
        #expect(!page.contains("file://"))
        let score = StoredScore(callID: "c-1", cardID: "k", cardName: "K", cardHash: "h", status: .complete, score: 50, criticalScore: nil,
                                criticalFailed: false, target: 95, unanswered: 0, reason: nil, scoredAt: "2026-11-24T10:00:00Z",
                                results: [StoredCriterionResult(sectionID: "s", criterionID: "x", outcome: .notMet, credit: 0, earned: 0, possible: 1,
                                                                critical: false, failsSection: false, provenance: "automatic",
                                                                evidence: "longest silence 14 s", evidenceStartS: 7, evidenceEndS: 21)])
        let table = ScoreRendering.criteriaTable(score, name: "t", title: "t", recordingPath: "/rec/x.wav", links: .workspace())
        #expect(table.rows[0].contains(.text("/calls/c-1?t=7")))
        let evidence = CallLayout.report(d, scores: [score], notScored: [], forPeople: true, evidence: true, links: .workspace())
            .first { $0.name == "call_evidence_k" }
        #expect(HTMLReport.table(try #require(evidence)).contains("<a href=\"/calls/c%3C1%3E?t=7\">longest silence 14 s</a>"))
    }
}
