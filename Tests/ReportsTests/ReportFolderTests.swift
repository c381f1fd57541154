import CallAnalysis
import CallQAModel
import Reports
import Testing

/// The static report folder as a value: relative links between its pages at any depth,
/// recordings relative when the report lies beside them, the cells that link, and the call
/// page's player for each kind of recording.
@Suite struct ReportFolderTests {
    static let folder = ReportFolder(root: "/data/day 1/callqa-report",
                                     agentPages: ["a1": "agents/" + ReportFolder.agentFileName("a1")],
                                     callPages: ["c-1": "calls/" + ReportFolder.callFileName("c-1")], callsList: "calls.html")

    @Test func pagesLinkRelativelyFromWhereTheyAre() {
        let a1 = ReportFolder.agentFileName("a1"), c1 = ReportFolder.callFileName("c-1")
        #expect(a1.hasPrefix("agent-a1-") && c1.hasPrefix("call-c-1-") && c1.hasSuffix(".html"))
        #expect(ReportFolder.callFileName("../x/<y>") .hasPrefix("call-___x__y_-"))
        let top = Self.folder.links(page: "agents.html")
        #expect(top.agent("a1") == "agents/\(a1)" && top.call("c-1") == "calls/\(c1)")
        #expect(top.agentCalls("a1") == "agents/\(a1)#agent_calls" && top.agentSurveys("a1") == "agents/\(a1)#agent_nps_comments")
        #expect(top.dayCalls("2026-11-24") == "calls.html#calls_2026-11-24")
        #expect(top.agent("a9") == nil && top.call("c-9") == nil)
        let agentPage = Self.folder.links(page: "agents/\(a1)")
        #expect(agentPage.call("c-1") == "../calls/\(c1)")
        #expect(agentPage.recording("c-1", "/data/day 1/c-1.wav", 12.5) == "../calls/\(c1)#t=12.5")
        #expect(agentPage.recording("c-1", "/data/day 1/c-1.wav", nil) == "../calls/\(c1)")
        // A call without a page: its recording at the second, relative (space encoded).
        #expect(agentPage.recording("c-9", "/data/day 1/rec/c-9.wav", 3) == "../../rec/c-9.wav#t=3")
        let callPage = Self.folder.links(page: "calls/\(c1)")
        #expect(callPage.recording("c-1", "/data/day 1/c-1.wav", 7.25) == "\(c1)#t=7.25")
        #expect(callPage.agent("a1") == "../agents/\(a1)")
    }

    @Test func recordingsAreRelativeOnlyBesideTheReport() {
        let f = Self.folder
        #expect(f.recording("/data/day 1/c-1.wav", from: "calls/x.html") == ("../../c-1.wav", true))
        #expect(f.recording("/data/day 1/sub/../c 2.wav", from: "calls/x.html") == ("../../c%202.wav", true))
        #expect(f.recording("/data/other/c-1.wav", from: "calls/x.html") == ("file:///data/other/c-1.wav", false))
        #expect(f.recording("/data/day 10/c-1.wav", from: "calls/x.html").relative == false, "a sibling whose name starts alike")
        let split = ReportFolder(root: "/srv/split", agentPages: ["a1": "agent-a1.html"], callPages: ["c-1": "agent-a1/call-c-1.html"])
        #expect(split.links(page: "agent-a1/call-c-1.html").agent("a1") == "../agent-a1.html")
        #expect(split.links(page: "agent-a1.html").call("c-1") == "agent-a1/call-c-1.html")
    }

    @Test func numbersLinkToTheCallsBehindThemAndEmptyCellsNowhere() {
        let rows = [AgentCallRow(callID: "c-1", agentID: "a1", agentName: "Anna", localDate: "2026-11-24", startedAt: "2026-11-24T09:00:00Z",
                                 answered: true, cardID: "k", status: .complete, score: 90, criticalFailed: false),
                    AgentCallRow(callID: "c-2", agentID: "a1", agentName: "Anna", localDate: "2026-11-24", startedAt: "2026-11-24T10:00:00Z",
                                 answered: true, cardID: "k", status: .complete, score: 90, criticalFailed: false),
                    AgentCallRow(callID: "c-3", agentID: "a1", agentName: "Anna", localDate: "2026-11-24", startedAt: "2026-11-24T11:00:00Z",
                                 answered: false, criticalFailed: false)]
        let t = AgentReport.table(AgentReport.summaries(rows, surveys: [], target: 95, minScored: 10),
                                  card: StoredCard(id: "k", name: "K", target: 95, hash: "h"), target: 95, minScored: 10)
        let links = Self.folder.links(page: "agents.html")
        let a1 = "agents/" + ReportFolder.agentFileName("a1")
        let html = HTMLReport.table(t, cellLink: links.cellLink(for: t))
        #expect(html.contains("<td><a href=\"\(a1)\">a1</a></td>"))
        #expect(html.contains("<td class=\"n\"><a href=\"\(a1)#agent_calls\">3</a></td>"))
        #expect(html.contains("<td class=\"n\"><a href=\"\(a1)#agent_calls\">90.0</a></td>"))
        #expect(!html.contains("#agent_calls\">—") && !html.contains("#agent_nps_comments\">—"), "an empty cell links nowhere")
        #expect(!html.contains("\">Anna</a>"), "names are not links")
        // Single files (`Links.files`) link no cell: their pages are as before.
        #expect(HTMLReport.table(t, cellLink: Links.files.cellLink(for: t)) == HTMLReport.table(t))
        #expect(HTMLReport.page(title: "x", tables: [t]) == HTMLReport.page(title: "x", tables: [t], links: .files))
    }

    static func player(encoding: String?, exists: Bool = true, relative: Bool = true) -> RecordingPlayer {
        RecordingPlayer(href: relative ? "../../c-1.wav" : "file:///rec/c-1.wav", path: "/rec/c-1.wav", relative: relative, holder: "/rec",
                        exists: exists, container: encoding == nil ? nil : "WAV", encoding: encoding, script: "callqa-report.js")
    }

    @Test func theCallPagePlaysWhatBrowsersPlayAndSaysWhyNot() {
        let d = CallPageTests.detail()
        let page = { (p: RecordingPlayer) in HTMLPages.call(d, tables: [], links: Self.folder.links(page: "calls/x.html"), player: p) }
        let pcm = page(Self.player(encoding: "PCM16"))
        #expect(pcm.contains("<audio id=\"player\" controls preload=\"metadata\" src=\"../../c-1.wav\"></audio>"))
        #expect(pcm.contains("<script src=\"callqa-report.js\" defer></script>") && !pcm.contains("<script>"))
        #expect(pcm.contains("id=\"timeline\""), "an interactive timeline the script follows")
        #expect(!pcm.contains("codec-note") && pcm.contains("linked relative to this page"))
        let ulaw = page(Self.player(encoding: "µ-law"))
        #expect(ulaw.contains("<audio id=\"player\"") && ulaw.contains("Chromium-based browsers play G.711 µ-law WAV"))
        for codec in ["GSM 6.10", "IMA ADPCM", "MS ADPCM"] {
            let none = page(Self.player(encoding: codec))
            #expect(!none.contains("<audio") && none.contains("Browsers cannot play this recording's format (WAV \(codec))"), "\(codec)")
        }
        let gone = page(Self.player(encoding: "PCM16", exists: false))
        #expect(!gone.contains("<audio") && gone.contains("is not at /rec/c-1.wav any more"))
        let far = page(Self.player(encoding: "PCM16", relative: false))
        #expect(far.contains("src=\"file:///rec/c-1.wav\"") && far.contains("it plays on this computer only"))
        let unknown = page(Self.player(encoding: nil))
        #expect(unknown.contains("<audio") && unknown.contains("The recording&#39;s format is unknown (it was not analysed). If the player stays silent"))
    }
}
