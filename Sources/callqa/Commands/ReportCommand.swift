import Analytics
import ArgumentParser
import CallRecords
import Foundation
import Pipeline
import Reports
import Store

extension KPIDimension: ExpressibleByArgument {}
extension SLVariant: ExpressibleByArgument {}

/// Output formats of reports.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, html
}

/// `--format` and `--out` of every report.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "Output: table, csv, json or html.")
    var format: ReportFormat = .table

    @Option(help: "Write to this file (csv of several tables: a folder, one file per table) instead of standard output.")
    var out: String?

    /// Writes tables in the chosen format.
    func emit(_ tables: [ReportTable], html: (() -> String)? = nil) throws {
        var text: String
        switch format {
        case .table: text = tables.map { $0.text() }.joined(separator: "\n")
        case .json: text = JSONValue.array(tables.map { $0.json() }).rendered() + "\n"
        case .csv:
            if let out, tables.count > 1 {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for t in tables { try write(t.csv(), to: (out as NSString).appendingPathComponent(t.name + ".csv")) }
                return
            }
            text = tables.first?.csv() ?? ""
        case .html:
            text = html?() ?? HTMLReport.page(title: tables.first?.title ?? "callqa report", tables: tables)
        }
        if let out { try write(text, to: out) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            Terminal.error("cannot write '\(path)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports: agents, one agent, one call, KPIs, NPS — as terminal tables, CSV, JSON or self-contained HTML.",
        subcommands: [AgentsCommand.self, AgentCommand.self, CallReportCommand.self, KPICommand.self, NPSReportCommand.self]
    )
}

struct KPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Offered, answered, abandoned, service level (every variant), lost-call rate, ASA, AHT, FCR, calls per agent-day.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Group by: day, hour, weekday, queue, team, dialed, agent (repeatable).")
    var by: [KPIDimension] = []

    @Option(help: "Service-level threshold T (s).")
    var slThresholdS: Double = 20

    @Option(help: "Abandons before this wait (s) are short abandons.")
    var shortAbandonS: Double = 5

    @Option(help: "FCR repeat window (days).")
    var fcrWindowDays: Double = 7

    @Option(help: "Headline service-level variant: \(SLVariant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var slVariant: SLVariant = .answeredOverAll

    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Only this agent's calls.")
    var agent: String?

    func validate() throws {
        if !(slThresholdS >= 0) { throw ValidationError("--sl-threshold-s: expected seconds ≥ 0") }
        if !(shortAbandonS >= 0) { throw ValidationError("--short-abandon-s: expected seconds ≥ 0") }
        if !(fcrWindowDays > 0) { throw ValidationError("--fcr-window-days: expected days > 0") }
    }

    func run() throws {
        var settings = KPISettings()
        settings.slThresholdS = slThresholdS
        settings.shortAbandonS = shortAbandonS
        settings.fcrWindowS = fcrWindowDays * 86400
        settings.headline = slVariant
        let store = try database.open()
        let zone = try periodOptions.zoneOption.zone()
        var rows = try storeCall { try store.kpiRows(period: try periodOptions.period(), zone: zone, fcrWindowS: settings.fcrWindowS) }
        if let team { rows = rows.filter { $0.team == team } }
        if let queue { rows = rows.filter { $0.queue == queue } }
        if let agent { rows = rows.filter { $0.agentID == agent } }
        let groups = KPI.aggregate(rows, by: by, settings: settings)
        let tables = KPIReport.tables(groups, by: by, settings: settings)
        try output.emit(tables) {
            let hourly = KPI.aggregate(rows, by: [.hour], settings: settings)
            return HTMLPages.kpi(tables: tables, slByHour: hourly.map { (label: $0.key[0], value: $0.serviceLevel(settings.headline)) })
        }
    }
}

struct NPSReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nps",
        abstract: "NPS with n and 95 % interval overall or by agent / team / queue / day; distribution; detractor comments.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Group by: day, queue, team, agent (repeatable).")
    var by: [String] = []

    @Option(help: "Below this many answers an NPS is marked not reliable.")
    var minN: Int = 30

    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Only this agent's surveys.")
    var agent: String?

    func dims() throws -> [NPSReport.Dimension] {
        try by.map { b in
            guard let d = NPSReport.Dimension(rawValue: b) else {
                throw ValidationError("--by: NPS groups by \(NPSReport.Dimension.allCases.map(\.rawValue).joined(separator: ", ")), got '\(b)'")
            }
            return d
        }
    }

    func validate() throws {
        _ = try dims()
        if minN < 1 { throw ValidationError("--min-n: expected a number ≥ 1") }
    }

    func run() throws {
        let store = try database.open()
        var facts = try storeCall { try store.surveyFacts(period: try periodOptions.period()) }
        if let team { facts = facts.filter { $0.team == team } }
        if let queue { facts = facts.filter { $0.queue == queue } }
        if let agent { facts = facts.filter { $0.agentID == agent } }
        let tables = NPSReport.tables(facts, by: try dims(), minimumN: minN)
        try output.emit(tables) {
            var byAgent: [String: [Int]] = [:]
            for f in facts { if let s = f.score { byAgent[f.agentID ?? "(none)", default: []].append(s) } }
            let rows = byAgent.sorted { $0.key < $1.key }.compactMap { a, scores -> (label: String, value: Double, low: Double, high: Double, reliable: Bool)? in
                let n = NPS(scores: scores)
                guard let v = n.value, let ci = n.interval else { return nil }
                return (a, v, ci.low, ci.high, n.reliable(minimumN: minN))
            }
            return HTMLPages.nps(tables: tables, byAgent: rows)
        }
    }
}

/// Filters shared by the agent reports.
struct ReportFilters: ParsableArguments {
    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Limit the report to this agent's own calls, scores and comments.")
    var agent: String?

    @Option(help: "One card (id); default: each card that scored calls, as its own block.")
    var scorecard: String?

    @Option(help: "Below this many scored calls an agent's quality is marked too small to judge.")
    var minScored: Int = 10

    func keep(_ r: AgentCallRow) -> Bool {
        (team == nil || r.team == team) && (queue == nil || r.queue == queue) && (agent == nil || r.agentID == agent)
    }

    func keep(_ s: SurveyFact) -> Bool {
        (team == nil || s.team == team) && (queue == nil || s.queue == queue) && (agent == nil || s.agentID == agent)
    }

    func cards(_ store: CallStore) throws -> [StoredCard] {
        let all = try storeCall { try store.storedCards() }
        guard let scorecard else { return all }
        guard let c = all.first(where: { $0.id == scorecard }) else {
            throw ValidationError("--scorecard: no scores for card '\(scorecard)'; scored cards: \(all.map(\.id).joined(separator: ", "))")
        }
        return [c]
    }
}

struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "One row per agent: calls, quality with 95 % interval, share ≥ target, critical fails, NPS, talk, AHT; below target first.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var filters: ReportFilters
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Write one HTML file per agent into this folder, each with only that agent's data (and team figures for teams of at least 5 agents).")
    var splitDir: String?

    func run() throws {
        let store = try database.open()
        let period = try periodOptions.period()
        let surveys = try storeCall { try store.surveyFacts(period: period) }.filter(filters.keep)
        var tables: [ReportTable] = []
        var charts: [(card: StoredCard, scores: [Double], rows: [AgentCallRow])] = []
        var allSummaries: [(StoredCard, [AgentSummary])] = []
        let cards = try filters.cards(store)
        for card in cards {
            let rows = try storeCall { try store.agentCallRows(period: period, cardID: card.id) }.filter(filters.keep)
            let s = AgentReport.summaries(rows, surveys: surveys, target: card.target, minScored: filters.minScored)
            tables.append(AgentReport.table(s, card: card, target: card.target, minScored: filters.minScored))
            charts.append((card, rows.filter { $0.status == .complete }.compactMap(\.score), rows))
            allSummaries.append((card, s))
        }
        if cards.isEmpty {
            let rows = try storeCall { try store.agentCallRows(period: period, cardID: nil) }.filter(filters.keep)
            let s = AgentReport.summaries(rows, surveys: surveys, target: 95, minScored: filters.minScored)
            tables.append(AgentReport.table(s, card: nil, target: 95, minScored: filters.minScored))
            allSummaries.append((StoredCard(id: "", name: "", target: 95, hash: ""), s))
        }
        if let splitDir {
            try writeSplit(splitDir, store: store, period: period, cards: cards, surveys: surveys, all: allSummaries)
            return
        }
        let generated = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try output.emit(tables) { HTMLPages.agents(tables: tables, scoresByCard: charts, summaries: allSummaries, generated: generated) }
    }

    /// One file per agent, nothing about any other agent in it.
    func writeSplit(_ dir: String, store: CallStore, period: Period, cards: [StoredCard], surveys: [SurveyFact],
                    all: [(StoredCard, [AgentSummary])]) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            Terminal.error("cannot create '\(dir)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let agents = Set(all.flatMap { $0.1.map(\.agentID) }).sorted()
        for agent in agents {
            var tables: [ReportTable] = []
            for card in cards.isEmpty ? [nil] : cards.map({ Optional($0) }) {
                let rows = try storeCall { try store.agentCallRows(period: period, cardID: card?.id) }.filter { $0.agentID == agent }
                let failed = try storeCall { try store.failedCriteria(callIDs: rows.map(\.callID), cardID: card?.id) }
                let texts = try card.map { c in try storeCall { try store.criterionTexts(cardID: c.id) } } ?? [:]
                var agentTables = AgentReport.agentTables(agentID: agent, rows: rows, failed: failed, texts: texts,
                                                          surveys: surveys.filter { $0.agentID == agent }, target: card?.target ?? 95,
                                                          minScored: filters.minScored)
                if let card { for i in agentTables.indices { agentTables[i].title += " — \(card.name)" } }
                tables += agentTables
                let summaries = all.first { $0.0.id == (card?.id ?? "") }?.1 ?? []
                let team = summaries.first { $0.agentID == agent }?.team
                if let t = AgentReport.teamTable(summaries, team: team, minimumAgents: 5) { tables.append(t) }
            }
            let safe = String(agent.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
            let file = (dir as NSString).appendingPathComponent("agent-\(safe)-\(SHA256.hex(Array(agent.utf8)).prefix(6)).html")
            try output.write(HTMLReport.page(title: "callqa — your calls (\(agent))", tables: tables), to: file)
        }
        print("wrote \(agents.count) agent file(s) to \(dir)")
    }
}

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "One agent: weekly trend, the criteria failed most (coaching focus), worst calls with evidence, NPS and comments.")

    @Argument(help: "The agent id.")
    var agentID: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var filters: ReportFilters
    @OptionGroup var output: ReportOutputOptions

    func run() throws {
        if let other = filters.agent, other != agentID {
            throw ValidationError("--agent \(other) limits the report to another agent than \(agentID)")
        }
        let store = try database.open()
        let period = try periodOptions.period()
        let surveys = try storeCall { try store.surveyFacts(period: period) }.filter { $0.agentID == agentID }.filter(filters.keep)
        var tables: [ReportTable] = []
        var charts: [(card: StoredCard, scores: [Double], rows: [AgentCallRow])] = []
        let cards = try filters.cards(store)
        for card in cards.isEmpty ? [nil] : cards.map({ Optional($0) }) {
            let rows = try storeCall { try store.agentCallRows(period: period, cardID: card?.id) }.filter { $0.agentID == agentID }.filter(filters.keep)
            let failed = try storeCall { try store.failedCriteria(callIDs: rows.map(\.callID), cardID: card?.id) }
            let texts = try card.map { c in try storeCall { try store.criterionTexts(cardID: c.id) } } ?? [:]
            var t = AgentReport.agentTables(agentID: agentID, rows: rows, failed: failed, texts: texts, surveys: surveys,
                                            target: card?.target ?? 95, minScored: filters.minScored)
            if let card {
                for i in t.indices { t[i].title += " — \(card.name)"; t[i].name += "_" + card.id }
                charts.append((card, rows.filter { $0.status == .complete }.compactMap(\.score), rows))
            }
            tables += t
        }
        let generated = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try output.emit(tables) { HTMLPages.agents(tables: tables, scoresByCard: charts, summaries: [], generated: generated) }
    }
}

struct CallReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Everything about one call: record, metrics, health, scores with evidence; HTML adds the timeline.")

    @Argument(help: "The call id.")
    var callID: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Only if the call is this agent's.")
    var agent: String?

    func run() throws {
        let store = try database.open()
        guard let detail = try storeCall({ try store.callDetail(callID) }) else {
            Terminal.error("no call '\(callID)' in \(database.path)")
            throw ExitCode(1)
        }
        if let agent, detail.record.first(where: { $0.0 == "agent_id" })?.1 != agent {
            Terminal.error("call '\(callID)' is not agent \(agent)'s")
            throw ExitCode(1)
        }
        let scores = try storeCall { try store.storedScores(callID: callID) }
        var tables = [
            ReportTable(name: "call_record", title: "Call \(callID): call record", columns: [Column("field", .text), Column("value", .text)],
                        rows: detail.record.map { [.text($0.0), .text($0.1)] }),
            ReportTable(name: "call_audio", title: "Audio metrics" + (detail.health.isEmpty ? "" : " — health: " + detail.health.joined(separator: ", ")),
                        columns: [Column("metric", .text), Column("value", .text)], rows: detail.analysis.map { [.text($0.0), .text($0.1)] }),
        ]
        for s in scores {
            let value: String = s.score.map { JSONValue.format($0, decimals: 1, padded: true) + " %" } ?? "—"
            let target: String = JSONValue.format(s.target, decimals: 1)
            var head = "\(s.cardName) [\(s.cardID)]: \(value) (\(s.status.rawValue), target \(target) %)"
            if s.criticalFailed { head += " CRITICAL FAIL" }
            if let reason = s.reason { head += " — \(reason)" }
            tables.append(ReportTable(
                name: "call_score_" + s.cardID, title: head,
                columns: [Column("section", .text), Column("criterion", .text), Column("outcome", .text), Column("earned", .number(decimals: 2)),
                          Column("possible", .number(decimals: 2)), Column("by", .text), Column("evidence", .text),
                          Column("evidence_link", "listen", .text, inTable: false)],
                rows: s.results.map { r in
                    [.text(r.sectionID), .text(r.criterionID + (r.critical ? " (critical)" : "")), .text(r.outcome.rawValue),
                     .number(r.earned), .number(r.possible), .text(r.provenance), .text(r.evidence),
                     .opt(detail.recordingPath.flatMap { p in r.evidenceStartS.map { HTMLPages.fileURL(p, start: $0) } })]
                }))
        }
        try output.emit(tables) { HTMLPages.call(detail, tables: tables) }
    }
}
