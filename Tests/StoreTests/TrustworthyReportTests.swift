import Analytics
import CallQAModel
import Scorecard
import Foundation
import Pipeline
import Reports
@testable import Store
import Testing

/// Issue 22: reports that never mislead — no dropped rows, no card an agent never takes,
/// no provisional call passed off as final.
@Suite struct TrustworthyReportTests {
    @Test func csvToStandardOutputKeepsEveryCardsRows() async throws {
        let store = try await AggregateTests.sampleDay()
        let report = try ReportBuilder.agents(store, period: .all, scope: Scope(), minScored: 10)
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

    @Test func agentReportShowsOnlyTheCardsOfTheirCallsAndCommentsOnce() async throws {
        let store = try await AggregateTests.sampleDay()
        let report = try ReportBuilder.agent(store, agentID: "a3", period: .all, scope: Scope(), minScored: 10)
        let cards = Set(report.tables.compactMap(\.cardID))
        #expect(cards == ["support-hotline"], "a3 takes support calls only")
        #expect(report.tables.filter { $0.kind == "agent_nps_comments" }.count == 1)
        #expect(report.tables.allSatisfy { !$0.name.contains("order-confirmation") })
        let main = try #require(CSVExport.mainTable(report.tables))
        #expect(main.csv().contains("support-hotline,a3,"))
    }

    @Test func worstCallsMarkProvisionalAndCriticalPerCriterion() async throws {
        let store = try await AggregateTests.sampleDay()
        for agent in ["a1", "a2", "a3", "a4"] {
            let report = try ReportBuilder.agent(store, agentID: agent, period: .all, scope: Scope(), minScored: 10)
            for t in report.tables where t.kind == "agent_worst_calls" {
                let status = try #require(t.columns.firstIndex { $0.key == "status" })
                for row in t.rows {
                    guard case let .text(s) = row[status] else { Issue.record("no status"); continue }
                    #expect(["complete", "provisional", "critical fail", "provisional, critical fail"].contains(s), "\(agent): \(s)")
                }
            }
        }
        #expect(try ReportBuilder.agent(store, agentID: "a1", period: .all, scope: Scope(), minScored: 10).tables
            .contains { t in t.kind == "agent_worst_calls" && t.rows.contains { $0.contains(.text("provisional")) } })
        // a2's critically failed call: the greeting row is not marked critical.
        let a2 = try ReportBuilder.agent(store, agentID: "a2", period: .all, scope: Scope(), minScored: 10)
        let worst = try #require(a2.tables.first { $0.kind == "agent_worst_calls" })
        let critCol = try #require(worst.columns.firstIndex { $0.key == "criterion_critical" })
        let idCol = try #require(worst.columns.firstIndex { $0.key == "criterion" })
        let marked = worst.rows.filter { $0[critCol] == .text("yes") }.map { $0[idCol] }
        #expect(!marked.isEmpty && marked.count < worst.rows.count, "crit marks only the critical criterion, not every row")
        #expect(worst.rows.contains { $0[worst.columns.firstIndex { $0.key == "status" }!] == .text("critical fail") })
        // Each worst call carries its section scores (CSV/JSON), fails-section and critical effects named.
        let sectionsCol = try #require(worst.columns.firstIndex { $0.key == "sections" })
        #expect(worst.rows.contains { $0[sectionsCol] == .text("opening 0/5 · order ×2 0/8 (fails section: delivery_date) · conversation 0/6 · efficiency 1/1 · total 0 (critical: verify_identity, confirm_order)") },
                "\(worst.rows.map { $0[sectionsCol] })")
    }
}

/// Issue 22: a worst call's section scores are shown wherever its score is, the terminal and
/// the HTML page included, not only in CSV/JSON.
@Suite struct WorstCallSectionsTests {
    @Test func terminalShowsEachWorstCallsSectionsOnAnIndentedLineWithin100Columns() async throws {
        let store = try await AggregateTests.sampleDay()
        let report = try ReportBuilder.agent(store, agentID: "a2", period: .all, scope: Scope(), minScored: 10)
        let text = ReportTable.text(report.tables)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= ReportTable.maxWidth }, "\(lines.filter { $0.count > 100 })")
        // Every worst call gets one sections line, after its last row, naming both effects.
        let worst = try #require(report.tables.first { $0.kind == "agent_worst_calls" })
        let calls = Set(worst.rows.compactMap { row -> String? in if case let .text(c) = row[0] { c } else { nil } })
        #expect(lines.filter { $0.hasPrefix("  sections: ") }.count == calls.count)
        let block = text.components(separatedBy: "  sections: opening 0/5 · order ×2 0/8 (fails section: delivery_date)")
        #expect(block.count == 2, "\(text)")
        #expect(block[1].prefix(200).contains("total 0 (critical: verify_identity, confirm_order)"))
        #expect(text.contains("  sections: opening 5/5 · order ×2 8.5/10 · conversation 5/6 · efficiency 1/1 · total 87.5\n"))
    }

    @Test func htmlShowsEachWorstCallsSections() async throws {
        let store = try await AggregateTests.sampleDay()
        let report = try ReportBuilder.agent(store, agentID: "a2", period: .all, scope: Scope(), minScored: 10)
        #expect(report.html.contains("<tr class=\"detail\"><td colspan=\"7\"><span class=\"muted\">sections:</span> opening 0/5 · order ×2 0/8 (fails section: delivery_date)"),
                "the critical call's sections under its rows")
        #expect(report.html.contains("order ×2 8.5/10 · conversation 5/6 · efficiency 1/1 · total 87.5</td></tr>"))
        // The split-dir page of the agent too.
        let page = HTMLReport.page(title: "a2", tables: report.tables)
        #expect(page.components(separatedBy: "<tr class=\"detail\">").count == 3, "one line per worst call")
    }

    @Test func sectionsSummaryNamesWeightsAndSectionsWithNothingToScore() async throws {
        let store = try await AggregateTests.sampleDay()
        let s = try #require(try ReportBuilder.storedScores(store, callID: "c-006", scope: .everything).first { $0.cardID == "support-hotline" })
        #expect(ScoreRendering.sectionsSummary(s) == "opening 1/2 · diagnosis ×2 1/4 · resolution ×2 4/5 · conversation 4/4 · compliance n/a · total 62.5")
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

    static func run(_ day: URL, store: CallStore) async throws -> RunSummary {
        var o = RunOptions(folder: day.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: day.appendingPathComponent("out").path)
        o.ingest.jobs = 2
        return try await DailyRun.run(o, store: store, hasher: testKey)
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

    @Test func aSecondDayDoesNotLeakIntoTheFirstDaysRerun() async throws {
        let (day1, day2) = try Self.twoDays()
        let store = try CallStore(path: day1.deletingLastPathComponent().appendingPathComponent("qa.sqlite").path)
        _ = try await Self.run(day1, store: store)
        _ = try await Self.run(day2, store: store)
        let again = try await Self.run(day1, store: store)
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
        let all = try ReportBuilder.kpi(store, period: .all, zone: nil, by: [.day], settings: KPISettings(), scope: Scope())
        #expect(all.tables[0].period == ReportPeriod(from: "2026-11-24", to: "2026-11-25", calls: 22))
        #expect(all.tables[0].text().contains("period 2026-11-24 to 2026-11-25, 22 calls"))
    }

    @Test func unknownIdsAndEmptyPeriodsAreErrorsThatSayWhatTheDatabaseHolds() async throws {
        let store = try await AggregateTests.sampleDay()
        #expect(throws: SelectionError.unknown(what: "agent", value: "zz9", known: ["a1", "a2", "a3", "a4"])) {
            try ReportBuilder.checkSelection(store, period: .all, scope: Scope(), agentID: "zz9")
        }
        do {
            try ReportBuilder.checkSelection(store, period: .all, scope: Scope(team: "Blu"))
            Issue.record("an unknown team passed")
        } catch let e as SelectionError {
            #expect(e.description == "unknown team 'Blu' (did you mean 'Blue'?); known: Blue, Red")
        }
        let december = try Period.parse(from: "2026-12-01", to: "2026-12-02", zone: nil).get()
        do {
            try ReportBuilder.checkSelection(store, period: december, scope: Scope())
            Issue.record("an empty period passed")
        } catch let e as SelectionError {
            #expect(e.description == "no calls in period 2026-12-01 to 2026-12-02; the database holds 11 calls, 2026-11-24")
        }
        try ReportBuilder.checkSelection(store, period: .all, scope: Scope(team: "Blue"), agentID: "a1")
    }

    @Test func scorecardsAreFoundBesideTheDatabaseOrTheDayAndAMissingOneIsSaid() async throws {
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
        let s = try await DailyRun.run(o, store: store, hasher: testKey)
        #expect(s.anyFailed)
        #expect(s.agentsTables.allSatisfy { $0.text().hasPrefix("WARNING: this run scored nothing") })
        #expect(ReportTable.text(s.agentsTables).hasPrefix("WARNING: this run scored nothing"))
        for f in ["agents.html", "kpi.html", "nps.html", "index.html"] {
            let html = try String(contentsOf: day1.appendingPathComponent("out").appendingPathComponent(f), encoding: .utf8)
            #expect(html.contains("Warning: this run scored nothing"), "\(f)")
        }
        let json = try String(contentsOf: day1.appendingPathComponent("out").appendingPathComponent("agents.json"), encoding: .utf8)
        #expect(json.contains("\"warnings\":[\"this run scored nothing"))
    }
}

/// Issue 22: explain and `report call` show what the total is made of (sections, critical and
/// fails-section effects), say why a card did not score a call, and fit 100 columns.
@Suite struct ExplainAndCallReportTests {
    static func result(_ section: String, _ id: String, _ outcome: Outcome, credit: Double?, earned: Double, possible: Double,
                       critical: Bool = false, failsSection: Bool = false) -> StoredCriterionResult {
        StoredCriterionResult(sectionID: section, criterionID: id, outcome: outcome, credit: credit, earned: earned, possible: possible,
                              critical: critical, failsSection: failsSection, provenance: "automatic", evidence: "e", evidenceStartS: nil, evidenceEndS: nil)
    }

    /// The issue's case: a criterion "partial 1/2" in a section whose fails-section criterion
    /// failed; the total says the section earned 0, so explain must say so too.
    @Test func triggeredFailsSectionIsShownInTableAndJSON() throws {
        let score = StoredScore(callID: "k1", cardID: "qa", cardName: "QA", cardHash: "0123456789abcdef", status: .complete, score: 40,
                                criticalScore: nil, criticalFailed: false, target: 95, unanswered: 0, reason: nil, scoredAt: "2026-11-24T10:00:00Z",
                                results: [Self.result("opening", "greeting", .partial, credit: 0.5, earned: 1, possible: 2),
                                          Self.result("opening", "name_used", .notMet, credit: 0, earned: 0, possible: 3, failsSection: true),
                                          Self.result("closing", "summary", .met, credit: 1, earned: 2, possible: 5)])
        let sections = ScoreRendering.sections(score)
        #expect(sections.map(\.sectionID) == ["opening", "closing"])
        #expect(sections[0].earned == 0 && sections[0].criteriaEarned == 1 && sections[0].failedBy == ["name_used"])
        let text = ScoreRendering.text([score])
        #expect(text.contains("fails section → 0"))
        #expect(text.contains("name_used failed → 0 (criteria earned 1)"))
        let json = ScoreRendering.json(callID: "k1", [score]).rendered()
        #expect(json.contains("\"sections\":[{\"section\":\"opening\",\"weight\":1,\"earned\":0,\"criteria_earned\":1,\"possible\":5,\"score\":0,\"failed_by\":[\"name_used\"]}"))
        #expect(json.contains("\"effect\":\"section_zero\""))
        // Critical marks only the critical criterion that failed.
        var crit = score
        crit.criticalFailed = true
        crit.score = 0
        crit.results[2] = Self.result("closing", "order_confirmed", .notMet, credit: 0, earned: 0, possible: 5, critical: true)
        let t = ScoreRendering.criteriaTable(crit, name: "x", title: "x")
        let marks = try #require(t.columns.firstIndex { $0.key == "effect" })
        #expect(t.rows.map { $0[marks] } == [.text(""), .text("fails section → 0"), .text("critical → call 0")])
        #expect(ScoreRendering.sectionsTable(crit, name: "s", title: "s").rows.last?.last == .text("critical fail → call 0 (sections: 0): order_confirmed"))
    }

    @Test func aCardThatAppliesToNoCallSaysWhichFilterExcludedThem() async throws {
        let store = try await AggregateTests.sampleDay()
        let card = try CardLoader.parse(text: """
            version: 1
            id: de-support
            name: German support
            applies_to: { queue: support_de }
            sections:
              - id: x
                criteria: [{ id: y, text: Y, auto: { metric: audio.dead_air_count, at_most: 0 } }]
            """, file: "de.yaml", contentHash: "h")
        let s = try #require(try Scoring.run(cards: [card], store: store).first)
        #expect(s.applicable == 0)
        #expect(s.exclusionSummary.contains("applies_to.queue: support_de: 9 calls (queues seen: orders, sales, support)"), "\(s.exclusionSummary)")
        #expect(s.exclusionSummary.contains("abandoned (no conversation): 2 calls"))
        // The agents report has no block of zeros for it.
        let agents = try ReportBuilder.agents(store, period: .all, scope: Scope(), minScored: 10)
        #expect(!agents.tables.contains { $0.cardID == "de-support" })
        // A card whose scored calls are all outside the selection says why its block is empty.
        let blue = try ReportBuilder.agents(store, period: .all, scope: Scope(team: "Red", scorecard: "order-confirmation"), minScored: 10)
        #expect(blue.tables[0].rows.isEmpty && blue.tables[0].text().contains("no call of this selection is scored by this card"))
        // HTML shows the legend once, as the terminal does.
        #expect(agents.html.components(separatedBy: "quality = mean of complete call scores").count == 2)
        #expect(ReportTable.text(agents.tables).components(separatedBy: "quality = mean of complete call scores").count == 2)
        let why = try Scoring.whyNotScored(callID: "c-009", store: store, scope: .everything)
        #expect(why.contains { $0.reason == "abandoned (no conversation)" })
        let other = try Scoring.whyNotScored(callID: "c-001", store: store, scope: .everything)
        #expect(other.contains { $0.cardID == "de-support" && $0.reason == "applies_to.queue: support_de (this call: orders)" })
    }

    @Test func callReportIsGroupedWithUnitsAndEveryTerminalTableFits100Columns() async throws {
        let store = try await AggregateTests.sampleDay()
        let d = try #require(try store.callDetail("c-001", scope: .everything))
        let people = CallLayout.report(d, scores: try store.storedScores(callID: "c-001", scope: .everything), notScored: [], forPeople: true, evidence: true)
        let text = ReportTable.text(people)
        #expect(text.contains("queue wait         8 s"))
        #expect(text.contains("answered           yes"))
        #expect(text.contains("agent                 talk 22.2 s (50.8 %)") || text.contains("talk "), "grouped conversation")
        #expect(!text.contains("44.3519") && !text.contains("-37.1877") && !text.contains("answered           1"))
        for title in ["Call c-001", "Conversation", "Levels and health", "Sections of order-confirmation"] { #expect(text.contains(title)) }
        // CSV/JSON keep every raw value.
        let raw = CallLayout.report(d, scores: try store.storedScores(callID: "c-001", scope: .everything), notScored: [], forPeople: false, evidence: false)
        #expect(raw[0].name == "call_record" && raw[1].name == "call_audio")
        #expect(raw[1].rows.contains { $0[0] == .text("agent.speech_dbfs") })
        // Every table of every report of the sample day fits 100 columns.
        var all: [String] = []
        for id in (1...11).map({ String(format: "c-%03d", $0) }) {
            guard let d = try store.callDetail(id, scope: .everything) else { continue }
            let scores = try store.storedScores(callID: id, scope: .everything)
            all.append(ReportTable.text(CallLayout.report(d, scores: scores, notScored: try Scoring.whyNotScored(callID: id, store: store, scope: .everything),
                                                          forPeople: true, evidence: true)))
            all.append(ScoreRendering.text(scores))
        }
        all.append(ReportTable.text(try ReportBuilder.agents(store, period: .all, scope: Scope(), minScored: 10).tables))
        for a in ["a1", "a2", "a3", "a4"] {
            all.append(ReportTable.text(try ReportBuilder.agent(store, agentID: a, period: .all, scope: Scope(), minScored: 10).tables))
        }
        all.append(ReportTable.text(try ReportBuilder.kpi(store, period: .all, zone: nil, by: [.day, .agent], settings: KPISettings(), scope: Scope()).tables))
        all.append(ReportTable.text(try ReportBuilder.nps(store, period: .all, by: [.agent], minimumN: 30, scope: Scope()).tables))
        for line in all.joined().split(separator: "\n") {
            #expect(line.count <= 100, "\(line.count): \(line)")
        }
    }
}

/// Issue 22, through the real binary: mistakes that used to pass silently.
@Suite struct ReportCommandLineTests {
    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try callqaExecutable()
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func unknownIdsEmptyPeriodsTyposAndCSVFiles() async throws {
        let store = try await AggregateTests.sampleDay()
        let db = store.path
        let zz9 = try Self.run(["report", "agent", "zz9", "--db", db])
        #expect(zz9.status == 1 && zz9.err.contains("unknown agent 'zz9'") && !zz9.out.contains("(no data)"))
        let empty = try Self.run(["report", "kpi", "--db", db, "--from", "2026-12-01", "--to", "2026-12-02"])
        #expect(empty.status == 1 && empty.err.contains("no calls in period 2026-12-01 to 2026-12-02; the database holds 11 calls, 2026-11-24"))
        let typo = try Self.run(["report", "agents", "--db", db, "--fromat", "csv"])
        #expect(typo.status == 64 && typo.err.contains("Did you mean '--format'?"), "\(typo.err)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-csv-\(UUID().uuidString)")
        let file = dir.appendingPathComponent("agents.csv").path
        let toFile = try Self.run(["report", "agents", "--db", db, "--format", "csv", "--out", file])
        #expect(toFile.status == 64 && toFile.err.contains("give a folder"))
        #expect(!FileManager.default.fileExists(atPath: file), "no folder named agents.csv")
        let stdout = try Self.run(["report", "agents", "--db", db, "--format", "csv"])
        #expect(stdout.status == 0 && stdout.out.split(separator: "\n").count == 5, "header + 4 agents of 3 cards")
        let call = try Self.run(["report", "call", "c-001", "--db", db])
        #expect(call.status == 0 && call.out.split(separator: "\n").allSatisfy { $0.count <= 100 })
        let legend = try Self.run(["report", "agents", "--db", db])
        #expect(legend.out.components(separatedBy: "quality = mean of complete call scores").count == 2, "the legend once")
    }
}

/// Issue 22: a run without scorecards never writes CSV that silently lacks scores — a
/// `warning` column in every CSV file, `WARNINGS.txt` beside them, and for a CSV on standard
/// output the warning on standard error as well.
@Suite struct CSVWarningTests {
    @Test func aRunWithoutCardsWarnsInEveryCSVAndInWarningsTxtUntilARunScores() async throws {
        let (day1, _) = try ReportPeriodTests.twoDays()
        let out = day1.appendingPathComponent("out")
        let store = try CallStore(path: day1.deletingLastPathComponent().appendingPathComponent("nocards.sqlite").path)
        var o = RunOptions(folder: day1.path, scorecards: nil, out: out.path)
        o.scorecardsMissing = "no Scorecards folder found"
        o.ingest.jobs = 2
        _ = try await DailyRun.run(o, store: store, hasher: testKey)
        let csvs = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".csv") }
        #expect(csvs.count >= 3)
        for f in csvs {
            let lines = try String(contentsOf: out.appendingPathComponent(f), encoding: .utf8).split(separator: "\n")
            #expect(lines[0].hasSuffix(",warning"), "\(f): \(lines[0])")
            for row in lines.dropFirst() { #expect(row.contains("this run scored nothing: no Scorecards folder found"), "\(f): \(row)") }
        }
        let warnings = try String(contentsOf: out.appendingPathComponent("WARNINGS.txt"), encoding: .utf8)
        #expect(warnings.hasPrefix("WARNING: this run scored nothing: no Scorecards folder found"))
        // The same day run again with cards: the warnings are gone with the reason.
        _ = try await ReportPeriodTests.run(day1, store: store)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("WARNINGS.txt").path))
        let agents = try String(contentsOf: out.appendingPathComponent("agents_order-confirmation.csv"), encoding: .utf8)
        #expect(!agents.contains("warning"))
    }

    @Test func csvOfADatabaseNoCardScoredSaysSoInTheFileAndOnStandardError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-nocards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("qa.sqlite").path
        let ingest = try ReportCommandLineTests.run(["ingest", packageRoot.appendingPathComponent("SampleAudio/manifest.csv").path, "--db", db, "--jobs", "2"])
        #expect(ingest.status == 0, "\(ingest.err)")
        let csv = try ReportCommandLineTests.run(["report", "agents", "--db", db, "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.err.contains("warning: no scores: no scorecard has scored a call of this database"), "\(csv.err)")
        let lines = csv.out.split(separator: "\n")
        #expect(lines[0].hasSuffix(",warning") && lines.count == 5)
        #expect(lines.dropFirst().allSatisfy { $0.contains("no scores: no scorecard has scored") })
        let agent = try ReportCommandLineTests.run(["report", "agent", "a1", "--db", db, "--format", "csv"])
        #expect(agent.err.contains("warning: no scores") && agent.out.split(separator: "\n")[0].hasSuffix(",warning"))
        let table = try ReportCommandLineTests.run(["report", "agents", "--db", db])
        #expect(table.out.hasPrefix("WARNING: no scores"))
    }
}

/// Issue 22, read as a QA manager on the sample day: what a table leaves out is said, and the
/// evidence of the HTML pages plays its moment of the recording.
@Suite struct SampleDayReadingTests {
    @Test func kpiTablesSayOutboundCallsAreNotOfferedCalls() async throws {
        let store = try await AggregateTests.sampleDay()
        let report = try ReportBuilder.kpi(store, period: .all, zone: nil, by: [], settings: KPISettings(), scope: Scope())
        let text = ReportTable.text(report.tables)
        #expect(text.contains("offered = inbound calls (and calls without a direction); outbound calls are not offered calls: 2\n  outbound calls of this selection left out here"), "\(text)")
        #expect(text.contains("period 2026-11-24, 11 calls"))
    }

    @Test func htmlEvidenceLinksToItsMomentOfTheRecording() async throws {
        let store = try await AggregateTests.sampleDay()
        let a2 = try ReportBuilder.agent(store, agentID: "a2", period: .all, scope: Scope(), minScored: 10)
        #expect(a2.html.contains("-ulaw.wav#t=15.") && a2.html.contains("<a href=\"file:///"), "the worst calls' evidence is a link")
        let worst = try #require(a2.tables.first { $0.kind == "agent_worst_calls" })
        #expect(HTMLReport.table(worst).contains("\">longest silence 12.7 s at 00:15"))
    }
}
