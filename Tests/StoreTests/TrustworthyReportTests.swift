import Analytics
import Foundation
import Pipeline
import Reports
import Store
import Testing

/// Issue 22: reports that never mislead — no dropped rows, no card an agent never takes,
/// no provisional call passed off as final.
@Suite struct TrustworthyReportTests {
    @Test func csvToStandardOutputKeepsEveryCardsRows() throws {
        let store = try AggregateTests.sampleDay()
        let report = try ReportBuilder.agents(store, period: .all, filter: ReportFilter(), minScored: 10)
        #expect(report.tables.count == 3)
        let main = try #require(CSVExport.mainTable(report.tables))
        let lines = main.csv().split(separator: "\n")
        #expect(lines[0].hasPrefix("scorecard,agent_id,"))
        let cards = Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) })
        #expect(cards == ["order-confirmation", "outbound-sales", "support-hotline"])
        #expect(lines.count - 1 == report.tables.reduce(0) { $0 + $1.rows.count }, "every card's agents, none dropped")
    }

    @Test func csvOutIsAFolderOrAClearError() throws {
        #expect(throws: CSVExport.OutError.self) { try CSVExport.destination(out: "/tmp/agents.csv", tableCount: 3) }
        #expect(try CSVExport.destination(out: "/tmp/agents.csv", tableCount: 1) == .file("/tmp/agents.csv"))
        #expect(try CSVExport.destination(out: "/tmp/agents", tableCount: 3) == .folder("/tmp/agents"))
        #expect(try CSVExport.destination(out: nil, tableCount: 3) == .standardOutput)
        let tmp = FileManager.default.temporaryDirectory.path
        #expect(try CSVExport.destination(out: tmp, tableCount: 1) == .folder(tmp))
    }

    @Test func agentReportShowsOnlyTheCardsOfTheirCallsAndCommentsOnce() throws {
        let store = try AggregateTests.sampleDay()
        let report = try ReportBuilder.agent(store, agentID: "a3", period: .all, filter: ReportFilter(), minScored: 10)
        let cards = Set(report.tables.compactMap(\.cardID))
        #expect(cards == ["support-hotline"], "a3 takes support calls only")
        #expect(report.tables.filter { $0.kind == "agent_nps_comments" }.count == 1)
        #expect(report.tables.allSatisfy { !$0.name.contains("order-confirmation") })
        let main = try #require(CSVExport.mainTable(report.tables))
        #expect(main.csv().contains("support-hotline,a3,"))
    }

    @Test func worstCallsMarkProvisionalAndCriticalPerCriterion() throws {
        let store = try AggregateTests.sampleDay()
        for agent in ["a1", "a2", "a3", "a4"] {
            let report = try ReportBuilder.agent(store, agentID: agent, period: .all, filter: ReportFilter(), minScored: 10)
            for t in report.tables where t.kind == "agent_worst_calls" {
                let status = try #require(t.columns.firstIndex { $0.key == "status" })
                for row in t.rows {
                    guard case let .text(s) = row[status] else { Issue.record("no status"); continue }
                    #expect(s.hasPrefix("complete") || s.hasPrefix("provisional"), "\(agent): \(s)")
                }
            }
        }
        #expect(try ReportBuilder.agent(store, agentID: "a1", period: .all, filter: ReportFilter(), minScored: 10).tables
            .contains { t in t.kind == "agent_worst_calls" && t.rows.contains { $0.contains(.text("provisional")) } })
        // a2's critically failed call: the greeting row is not marked critical.
        let a2 = try ReportBuilder.agent(store, agentID: "a2", period: .all, filter: ReportFilter(), minScored: 10)
        let worst = try #require(a2.tables.first { $0.kind == "agent_worst_calls" })
        let critCol = try #require(worst.columns.firstIndex { $0.key == "criterion_critical" })
        let idCol = try #require(worst.columns.firstIndex { $0.key == "criterion" })
        let marked = worst.rows.filter { $0[critCol] == .text("yes") }.map { $0[idCol] }
        #expect(!marked.isEmpty && marked.count < worst.rows.count, "crit marks only the critical criterion, not every row")
        #expect(worst.rows.contains { $0[worst.columns.firstIndex { $0.key == "status" }!] == .text("complete, critical fail") })
    }
}
