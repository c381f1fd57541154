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

/// Issue 22: every report states its period; `run DIR` reports DIR's days, so a second day in
/// the same database does not leak into the first day's rerun.
@Suite struct ReportPeriodTests {
    /// The sample day copied, and a second day: the same calls a day later under new ids.
    static func twoDays() throws -> (day1: URL, day2: URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-2days-\(UUID().uuidString)")
        let day1 = base.appendingPathComponent("day1"), day2 = base.appendingPathComponent("day2")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        for d in [day1, day2] {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("SampleAudio"), to: d)
            try? FileManager.default.removeItem(at: d.appendingPathComponent("callqa-report"))
        }
        for f in ["surveys.csv", "evaluations.csv"] { try FileManager.default.removeItem(at: day2.appendingPathComponent(f)) }
        let manifest = day2.appendingPathComponent("manifest.csv")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "2026-11-24T", with: "2026-11-25T")
            .replacingOccurrences(of: "\nc-", with: "\nd2-")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        return (day1, day2)
    }

    static func run(_ day: URL, store: CallStore) throws -> RunSummary {
        var o = RunOptions(folder: day.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: day.appendingPathComponent("out").path)
        o.ingest.jobs = 2
        return try DailyRun.run(o, store: store, hasher: testKey)
    }

    static func periodOf(_ csv: URL) throws -> Set<String> {
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let from = try #require(header.firstIndex(of: "period_from")), to = try #require(header.firstIndex(of: "period_to"))
        return Set(lines.dropFirst().map { l in
            let f = l.split(separator: ",", omittingEmptySubsequences: false)
            return "\(f[from])…\(f[to])"
        })
    }

    @Test func aSecondDayDoesNotLeakIntoTheFirstDaysRerun() throws {
        let (day1, day2) = try Self.twoDays()
        let store = try CallStore(path: day1.deletingLastPathComponent().appendingPathComponent("qa.sqlite").path)
        _ = try Self.run(day1, store: store)
        _ = try Self.run(day2, store: store)
        let again = try Self.run(day1, store: store)
        let out1 = day1.appendingPathComponent("out"), out2 = day2.appendingPathComponent("out")
        #expect(try Self.periodOf(out1.appendingPathComponent("kpi_by_day.csv")) == ["2026-11-24…2026-11-24"])
        #expect(try Self.periodOf(out2.appendingPathComponent("kpi_by_day.csv")) == ["2026-11-25…2026-11-25"])
        let kpi1 = try String(contentsOf: out1.appendingPathComponent("kpi_by_day.csv"), encoding: .utf8)
        #expect(!kpi1.contains("2026-11-25"), "the first day's KPIs hold no row of the second day")
        // The agents table of the rerun counts only the first day's calls.
        for t in again.agentsTables {
            #expect(t.period == ReportPeriod(from: "2026-11-24", to: "2026-11-24", calls: 11))
            let calls = try #require(t.columns.firstIndex { $0.key == "calls" })
            let total = t.rows.reduce(0) { if case let .int(n) = $1[calls] { return $0 + n } else { return $0 } }
            #expect(total <= 11)
        }
        let json = try String(contentsOf: out1.appendingPathComponent("agents.json"), encoding: .utf8)
        #expect(json.contains("\"period\":{\"from\":\"2026-11-24\",\"to\":\"2026-11-24\",\"calls\":11}"))
        let html = try String(contentsOf: out1.appendingPathComponent("agents.html"), encoding: .utf8)
        #expect(html.contains("Period 2026-11-24, 11 calls"))
        // Without a period a report states the span of the calls it covers.
        let all = try ReportBuilder.kpi(store, period: .all, zone: nil, by: [.day], settings: KPISettings(), filter: ReportFilter())
        #expect(all.tables[0].period == ReportPeriod(from: "2026-11-24", to: "2026-11-25", calls: 22))
        #expect(all.tables[0].text().contains("period 2026-11-24 to 2026-11-25, 22 calls"))
    }

    @Test func unknownIdsAndEmptyPeriodsAreErrorsThatSayWhatTheDatabaseHolds() throws {
        let store = try AggregateTests.sampleDay()
        #expect(throws: SelectionError.unknown(what: "agent", value: "zz9", known: ["a1", "a2", "a3", "a4"])) {
            try ReportBuilder.checkSelection(store, period: .all, filter: ReportFilter(), agentID: "zz9")
        }
        do {
            try ReportBuilder.checkSelection(store, period: .all, filter: ReportFilter(team: "Blu"))
            Issue.record("an unknown team passed")
        } catch let e as SelectionError {
            #expect(e.description == "unknown team 'Blu' (did you mean 'Blue'?); known: Blue, Red")
        }
        let december = try Period.parse(from: "2026-12-01", to: "2026-12-02", zone: nil).get()
        do {
            try ReportBuilder.checkSelection(store, period: december, filter: ReportFilter())
            Issue.record("an empty period passed")
        } catch let e as SelectionError {
            #expect(e.description == "no calls in period 2026-12-01 to 2026-12-02; the database holds 11 calls, 2026-11-24")
        }
        try ReportBuilder.checkSelection(store, period: .all, filter: ReportFilter(team: "Blue"), agentID: "a1")
    }

    @Test func scorecardsAreFoundBesideTheDatabaseOrTheDayAndAMissingOneIsSaid() throws {
        let (day1, _) = try Self.twoDays()
        let base = day1.deletingLastPathComponent()
        // Nothing anywhere: no path, and the message names where it looked.
        let elsewhere = base.appendingPathComponent("day2").path
        let none = ScorecardLocation.resolve(explicit: nil, databasePath: base.appendingPathComponent("db/qa.sqlite").path, dayFolder: day1.path,
                                             workingFolder: elsewhere)
        #expect(none.path == nil)
        #expect(none.missing.contains("give --scorecards DIR") && none.missing.contains(elsewhere + "/Scorecards"))
        // Beside the day's folder (its parent), when the working folder has none.
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scorecards"), to: base.appendingPathComponent("Scorecards"))
        let found = ScorecardLocation.resolve(explicit: nil, databasePath: "/nonexistent/qa.sqlite", dayFolder: day1.path, workingFolder: elsewhere)
        #expect(found.path.map { ($0 as NSString).standardizingPath } == base.appendingPathComponent("Scorecards").path)
        // Beside the database comes first.
        try FileManager.default.createDirectory(at: base.appendingPathComponent("db/Scorecards"), withIntermediateDirectories: true)
        let besideDB = ScorecardLocation.resolve(explicit: nil, databasePath: base.appendingPathComponent("db/qa.sqlite").path, dayFolder: day1.path,
                                                 workingFolder: elsewhere)
        #expect(besideDB.path == base.appendingPathComponent("db/Scorecards").path)
        // A run without cards says so at the top of every report it writes.
        let store = try CallStore(path: base.appendingPathComponent("nocards.sqlite").path)
        var o = RunOptions(folder: day1.path, scorecards: nil, out: day1.appendingPathComponent("out").path)
        o.scorecardsMissing = none.missing
        o.ingest.jobs = 2
        let s = try DailyRun.run(o, store: store, hasher: testKey)
        #expect(s.anyFailed)
        #expect(s.agentsTables.allSatisfy { $0.text().hasPrefix("WARNING: this run scored nothing") })
        for f in ["agents.html", "kpi.html", "nps.html", "index.html"] {
            let html = try String(contentsOf: day1.appendingPathComponent("out").appendingPathComponent(f), encoding: .utf8)
            #expect(html.contains("Warning: this run scored nothing"), "\(f)")
        }
        let json = try String(contentsOf: day1.appendingPathComponent("out").appendingPathComponent("agents.json"), encoding: .utf8)
        #expect(json.contains("\"warnings\":[\"this run scored nothing"))
    }
}
