import Analytics
import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import Reports
import Scorecard
@testable import Store
import Testing

let hostileName = "<script>alert(\"x\")</script>\nÅsa 'Ω' =HYPERLINK(\"http://evil\")"

/// A small fixed data set: three agents, one of them with a hostile name.
func fixedRows() -> [AgentCallRow] {
    var rows: [AgentCallRow] = []
    let plan: [(String, String, [Double?])] = [("a1", "Anna", [70, 80, 75, 72, 78]), ("a2", hostileName, [99, 98, 100, 97]), ("a3", "Cleo", [96, nil])]
    var n = 0
    for (agent, name, scores) in plan {
        for (i, s) in scores.enumerated() {
            n += 1
            rows.append(AgentCallRow(callID: "k\(n)", agentID: agent, agentName: name, team: "Blue", queue: "orders",
                                     localDate: "2026-11-\(20 + i)", startedAt: "2026-11-\(20 + i)T09:00:00+01:00", answered: true,
                                     handleS: 300 + Double(10 * i), agentTalkRatio: 0.4, silenceRatio: 0.1, overtalkRatio: 0.02,
                                     recordingPath: "/rec/k\(n).wav", cardID: "qa", status: s == nil ? .provisional : .complete,
                                     score: s, target: 95, criticalFailed: s == 70))
        }
    }
    return rows
}

let fixedSurveys = [
    SurveyFact(callID: "k1", score: 3, csat: nil, comment: "Rude, \"never again\"\n<img src=x onerror=alert(1)>", answeredAt: "2026-11-20T09:20:00+01:00",
               agentID: "a1", agentName: "Anna", team: "Blue", queue: "orders", localDate: "2026-11-20"),
    SurveyFact(callID: "k6", score: 10, csat: nil, comment: "=1+2", answeredAt: "2026-11-20T10:20:00+01:00",
               agentID: "a2", agentName: hostileName, team: "Blue", queue: "orders", localDate: "2026-11-20"),
]

func golden(_ name: String, _ text: String) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["CALLQA_UPDATE_GOLDEN"] == "1" {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "golden \(name) differs; rerun with CALLQA_UPDATE_GOLDEN=1 after checking the change")
}

@Suite struct ReportFormatTests {
    let card = StoredCard(id: "qa", name: "QA", target: 95, hash: "h")

    func agentsTable() -> ReportTable {
        let s = AgentReport.summaries(fixedRows(), surveys: fixedSurveys, target: 95, minScored: 3)
        return AgentReport.table(s, card: card, target: 95, minScored: 3)
    }

    @Test func agentsOrderAndVerdicts() {
        let s = AgentReport.summaries(fixedRows(), surveys: fixedSurveys, target: 95, minScored: 3)
        #expect(s.map(\.agentID) == ["a1", "a3", "a2"])
        #expect(s[0].verdict == .below)
        #expect(s[0].quality == 75 && s[0].criticalFails == 1)
        #expect(s[1].smallSample && s[1].verdict == .inconclusive)
        // Four scores of 97–100 are not enough to say "ok": the bounded interval reaches 49.5.
        #expect(s[2].verdict == .inconclusive && s[2].qualityLow! < 95)
    }

    @Test func goldenTableCSVAndJSON() throws {
        let t = agentsTable()
        try golden("agents.txt", t.text())
        try golden("agents.csv", t.csv())
        try golden("agents.json", t.json().rendered() + "\n")
        var kpiRows: [CallKPIRow] = []
        for (i, w) in [5.0, 15, 25, 40].enumerated() {
            kpiRows.append(CallKPIRow(callID: "x\(i)", startedEpoch: 0, localDate: "2026-11-24", localHour: 9 + i % 2, weekday: 2, outbound: false,
                                      answered: true, waitS: w, handleS: 100 * Double(i + 1), agentID: "a1", queue: "q", team: "t", dialed: "0800",
                                      repeatedWithinWindow: i == 1))
        }
        kpiRows.append(CallKPIRow(callID: "ab", startedEpoch: 0, localDate: "2026-11-24", localHour: 9, weekday: 2, outbound: false,
                                  answered: false, waitS: 3, handleS: nil, agentID: nil, queue: "q", team: "t", dialed: "0800", repeatedWithinWindow: nil))
        let kpi = KPIReport.tables(KPI.aggregate(kpiRows, by: [.hour], settings: KPISettings()), by: [.hour], settings: KPISettings())
        try golden("kpi_by_hour.txt", kpi.map { $0.text() }.joined(separator: "\n"))
        try golden("kpi_by_hour.csv", kpi[0].csv())
        let nps = NPSReport.tables(fixedSurveys, by: [.agent], minimumN: 30)
        try golden("nps_by_agent.txt", nps.map { $0.text() }.joined(separator: "\n"))
        try golden("nps_by_agent.json", JSONValue.array(nps.map { $0.json() }).rendered() + "\n")
    }

    @Test func hostileTextIsEscapedInEveryFormat() throws {
        let t = agentsTable()
        let nps = NPSReport.tables(fixedSurveys, by: [.agent], minimumN: 30)
        // Terminal: one line per row, no raw newline or escape character from data.
        let text = t.text() + nps.map { $0.text() }.joined()
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("<script>alert…"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 }, "terminal tables fit 100 columns")
        // JSON parses back to the original strings.
        let json = try JSONSerialization.jsonObject(with: Data(t.json().rendered().utf8)) as? [String: Any]
        let names = (json?["rows"] as? [[String: Any]])?.compactMap { $0["agent_name"] as? String } ?? []
        #expect(names.contains(hostileName))
        // CSV reads back cell by cell, formulas neutralised.
        let csvPath = try tempCSV(nps[2].csv())
        let reader = try CSVReader(path: csvPath)
        _ = try reader.next()
        var comments: [String] = []
        while let r = try reader.next() { comments.append(r.fields[4]) }
        #expect(comments == ["Rude, \"never again\"\n<img src=x onerror=alert(1)>"])
        let csvAgents = try tempCSV(t.csv())
        let r2 = try CSVReader(path: csvAgents)
        _ = try r2.next()
        var cells: [String] = []
        while let r = try r2.next() { cells.append(r.fields[1]) }
        #expect(cells.contains(hostileName))
        #expect(CSVWriter.cell("=1+2") == "'=1+2")
        // HTML: no live markup from data, no external resources, no scripts.
        let html = HTMLPages.agents(tables: [t] + nps, scoresByCard: [(card, [70, 80, 99], fixedRows())],
                                    summaries: [(card, AgentReport.summaries(fixedRows(), surveys: fixedSurveys, target: 95, minScored: 3))],
                                    generated: "2026-11-25T00:00:00Z")
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("<svg"))
    }
}

func tempCSV(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-csv-\(UUID().uuidString).csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}
