import Analytics
import CallQAModel
import CallRecords
import Foundation
import Reports
import Scorecard
import Store

/// A report ready to write: its tables and its HTML page.
public struct BuiltReport: Sendable {
    public var tables: [ReportTable]
    public var html: String
    public var summaries: [(card: StoredCard, agents: [AgentSummary])]
}

/// A card id that has no scores.
public struct UnknownCard: Error, CustomStringConvertible {
    public var id: String
    public var known: [String]
    public var description: String { "--scorecard: no scores for card '\(id)'; scored cards: \(known.joined(separator: ", "))" }
}

/// A selection that names nothing the database holds, or a period without calls.
public enum SelectionError: Error, Equatable, CustomStringConvertible {
    /// `--agent`, `--team`, `--queue` or an agent id that no call has.
    case unknown(what: String, value: String, known: [String])
    /// No call in the period (and selection); what the database holds instead.
    case emptyPeriod(period: String, selection: String, database: CallSpan)

    public var description: String {
        switch self {
        case let .unknown(what, value, known):
            let list = known.prefix(12).joined(separator: ", ") + (known.count > 12 ? ", … (\(known.count) in all)" : "")
            let near = Suggest.nearest(value, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            return "unknown \(what) '\(value)'\(near); " + (known.isEmpty ? "the database has none" : "known: \(list)")
        case let .emptyPeriod(period, selection, database):
            let holds = database.calls == 0 ? "the database holds no calls"
                : "the database holds \(database.calls) call\(database.calls == 1 ? "" : "s"), \(database.days ?? "")"
            return "no calls in \(period)\(selection.isEmpty ? "" : " for " + selection); \(holds)"
        }
    }
}

/// The report queries: gather what each report needs from the store, under a scope, and
/// hand it to the renderers in Reports. They only read: the aggregates they use are kept up
/// to date by the writers (ingest, score, imports), and when a writer has left days
/// unrebuilt, the store answers from the base tables.
public enum ReportBuilder {
    /// The period a report states: the `--from/--to` bounds where given, else the span of
    /// the calls it covers, with their count.
    public static func reportPeriod(_ store: CallStore, period: Period, scope: Scope) throws -> ReportPeriod {
        let span = try store.callSpan(period: period, scope: scope)
        func iso(_ e: Double) -> String { Timestamp(epochS: e, offsetS: 0).iso8601 }
        return ReportPeriod(from: period.fromDate ?? period.fromEpoch.map(iso) ?? span.firstDate,
                            to: period.toDate ?? period.toEpoch.map(iso) ?? span.lastDate, calls: span.calls)
    }

    /// Every table states the period.
    public static func stamp(_ tables: [ReportTable], _ p: ReportPeriod) -> [ReportTable] {
        tables.map { var t = $0; t.period = p; return t }
    }

    /// Refuses a selection naming an agent, team or queue no call has, and a period (with
    /// the selection) that holds no call, saying what the database holds.
    public static func checkSelection(_ store: CallStore, period: Period, scope: Scope, agentID: String? = nil) throws {
        // Known values are those the reader may see at all: an id outside the scope is as
        // unknown as one that does not exist.
        for (what, value, column) in [("agent", agentID ?? scope.agent, CallStore.KnownColumn.agent), ("team", scope.team, .team),
                                      ("queue", scope.queue, .queue)] {
            guard let value else { continue }
            let known = try store.knownValues(column, scope: scope.unfiltered)
            if !known.contains(value) { throw SelectionError.unknown(what: what, value: value, known: known) }
        }
        let selected = agentID.map { scope.requiring(agent: $0) } ?? scope
        let span = try store.callSpan(period: period, scope: selected)
        guard span.calls == 0 else { return }
        var sel: [String] = []
        if let a = agentID ?? scope.agent { sel.append("agent \(a)") }
        if let t = scope.team { sel.append("team \(t)") }
        if let q = scope.queue { sel.append("queue \(q)") }
        let p = try reportPeriod(store, period: period, scope: scope.unfiltered)
        throw SelectionError.emptyPeriod(period: period == .all ? "the database" : "period " + p.days, selection: sel.joined(separator: ", "),
                                         database: try store.callSpan(period: .all, scope: scope.unfiltered))
    }

    public static func cards(_ store: CallStore, scope: Scope) throws -> [StoredCard] {
        let all = try store.storedCards(scope: scope.unfiltered)
        guard let id = scope.scorecard else { return all }
        guard let c = all.first(where: { $0.id == id }) else { throw UnknownCard(id: id, known: all.map(\.id)) }
        return [c]
    }

    /// The warning of a per-agent report on a database no card has scored.
    public static let noScores = "no scores: no scorecard has scored a call of this database (run callqa score --scorecards DIR); quality columns are empty"

    /// `links`: where the HTML page's agents and numbers link (a static report folder's pages).
    public static func agents(_ store: CallStore, period: Period, scope: Scope, minScored: Int, links: Links = .files) throws -> BuiltReport {
        let nps = try store.npsByAgent(period: period, scope: scope)
        var tables: [ReportTable] = []
        var body = ""
        var summaries: [(card: StoredCard, agents: [AgentSummary])] = []
        let cards = try cards(store, scope: scope)
        for card in cards {
            let aggregates = try store.agentAggregatesFromDays(period: period, cardID: card.id, scope: scope)
                ?? store.agentAggregates(period: period, cardID: card.id, scope: scope)
            let s = AgentReport.summaries(aggregates, nps: nps, target: card.target, minScored: minScored)
            var t = AgentReport.table(s, card: card, target: card.target, minScored: minScored)
            t.emptyText = "(no call of this selection is scored by this card: `callqa score` names the card's filter that excluded them)"
            tables.append(t)
            summaries.append((card, s))
            let (bins, daily) = try store.scoreDistribution(period: period, cardID: card.id, scope: scope)
            body += HTMLPages.cardCharts(card: card, bins: bins, daily: daily)
        }
        if cards.isEmpty {
            let rows = try store.agentCallRows(period: period, cardID: nil, scope: scope)
            let surveys = try store.surveyFacts(period: period, scope: scope)
            let s = AgentReport.summaries(rows, surveys: surveys, target: 95, minScored: minScored)
            var t = AgentReport.table(s, card: nil, target: 95, minScored: minScored)
            t.warnings = [noScores]
            tables.append(t)
            summaries.append((StoredCard(id: "", name: "", target: 95, hash: ""), s))
        }
        let generated = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        tables = stamp(tables, try reportPeriod(store, period: period, scope: scope))
        let html = HTMLPages.agentsPage(tables: tables, chartsBody: body, summaries: summaries.map { ($0.card, $0.agents) }, generated: generated,
                                        links: links)
        return BuiltReport(tables: tables, html: html, summaries: summaries)
    }

    /// One agent's report: a block per card that applies to the agent's calls in the period
    /// (the filter's card only, with `--scorecard`), no block for a card that scored none of
    /// them, and the NPS answers once. `callList` adds the list of every call of the agent in
    /// the period with each card's score (`agent_calls`, before the NPS answers: what the
    /// agent's numbers link to in a static report folder); `links` the HTML page's links;
    /// `cardCache` parses each card version once over many reports.
    public static func agent(_ store: CallStore, agentID: String, period: Period, scope: Scope, minScored: Int,
                             teamSummaries: [(card: StoredCard, agents: [AgentSummary])] = [], minimumTeamAgents: Int = 5,
                             links: Links = .files, callList: Bool = false, cardCache: CardCache? = nil) throws -> BuiltReport {
        let own = scope.requiring(agent: agentID)
        let surveys = try store.surveyFacts(period: period, scope: own)
        var tables: [ReportTable] = []
        var charts: [(card: StoredCard, scores: [Double], rows: [AgentCallRow])] = []
        var blocks: [(card: StoredCard?, rows: [AgentCallRow])] = []
        for card in try cards(store, scope: scope) {
            let rows = try store.agentCallRows(period: period, cardID: card.id, scope: own)
            if rows.contains(where: { $0.status != nil }) { blocks.append((card, rows.filter { $0.status != nil })) }
        }
        if blocks.isEmpty {
            blocks = [(nil, try store.agentCallRows(period: period, cardID: nil, scope: own))]
        }
        for (card, rows) in blocks {
            let failed = try store.failedCriteria(callIDs: rows.map(\.callID), cardID: card?.id, scope: own)
            let texts = try card.map { try outline(store, cardID: $0.id)?.criterionTexts ?? [:] } ?? [:]
            // Section scores of the worst calls (the calls the report shows a score of).
            var sectionsByCall: [String: String] = [:]
            if let card {
                for c in AgentReport.worstCalls(rows, AgentReport.worstShown) {
                    guard let s = try storedScores(store, callID: c.callID, scope: own, cards: cardCache).first(where: { $0.cardID == card.id }) else { continue }
                    sectionsByCall[c.callID] = ScoreRendering.sectionsSummary(s)
                }
            }
            var t = AgentReport.agentTables(agentID: agentID, rows: rows, failed: failed, texts: texts, surveys: surveys,
                                            target: card?.target ?? 95, minScored: minScored, comments: false, sections: sectionsByCall,
                                            links: links)
            if let card {
                for i in t.indices {
                    t[i].title += " — \(card.name)"
                    t[i].kind = t[i].name
                    t[i].name += "_" + card.id
                    t[i].cardID = card.id
                }
                charts.append((card, rows.filter { $0.status == .complete }.compactMap(\.score), rows))
                let team = rows.last?.team
                if let summary = teamSummaries.first(where: { $0.card.id == card.id }),
                   var tt = AgentReport.teamTable(summary.agents, team: team, minimumAgents: minimumTeamAgents) {
                    tt.kind = tt.name
                    tt.name += "_" + card.id
                    tt.cardID = card.id
                    t.append(tt)
                }
            }
            tables += t
        }
        if callList {
            let all = blocks.count == 1 && blocks[0].card == nil ? blocks[0].rows : try store.agentCallRows(period: period, cardID: nil, scope: own)
            tables.append(AgentReport.callsTable(agentID: agentID, calls: all,
                                                 byCard: blocks.compactMap { b in b.card.map { (card: $0, rows: b.rows) } }))
        }
        var comments = AgentReport.commentsTable(surveys.filter { $0.agentID == agentID })
        comments.agentID = agentID
        tables.append(comments)
        if try store.storedCards(scope: .everything).isEmpty { for i in tables.indices { tables[i].warnings = [noScores] } }
        tables = stamp(tables, try reportPeriod(store, period: period, scope: own))
        let generated = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        let html = HTMLPages.agents(tables: tables, scoresByCard: charts, summaries: [], generated: generated,
                                    title: callList ? "callqa — agent \(agentID)" : "callqa — agent quality", links: links, anchors: callList,
                                    style: callList ? "td:first-child{white-space:nowrap}" : "")
        return BuiltReport(tables: tables, html: html, summaries: [])
    }

    public static func kpi(_ store: CallStore, period: Period, zone: Timestamp.Zone?, by: [KPIDimension], settings: KPISettings,
                           scope: Scope, links: Links = .files) throws -> BuiltReport {
        let groups: [KPIGroup], hourly: [KPIGroup]
        if zone == nil {
            // Grouped in each call's own local time: SQLite aggregates in one pass.
            groups = try store.kpiGroupsFromHours(period: period, by: by, settings: settings, scope: scope)
                ?? store.kpiGroups(period: period, by: by, settings: settings, scope: scope)
            hourly = try store.kpiGroupsFromHours(period: period, by: [.hour], settings: settings, scope: scope)
                ?? store.kpiGroups(period: period, by: [.hour], settings: settings, scope: scope)
        } else {
            // Another zone: local fields per call (daylight saving included), aggregated here.
            let rows = try store.kpiRows(period: period, zone: zone, fcrWindowS: settings.fcrWindowS, scope: scope)
            groups = KPI.aggregate(rows, by: by, settings: settings)
            hourly = KPI.aggregate(rows, by: [.hour], settings: settings)
        }
        let tables = stamp(KPIReport.tables(groups, by: by, settings: settings), try reportPeriod(store, period: period, scope: scope))
        let html = HTMLPages.kpi(tables: tables, slByHour: hourly.map { (label: $0.key[0], value: $0.serviceLevel(settings.headline)) }, links: links)
        return BuiltReport(tables: tables, html: html, summaries: [])
    }

    public static func nps(_ store: CallStore, period: Period, by: [NPSReport.Dimension], minimumN: Int, scope: Scope,
                           links: Links = .files) throws -> BuiltReport {
        let groups = try store.npsGroups(period: period, by: by.map(\.rawValue), scope: scope)
        let (dist, comments) = try store.npsDistributionAndComments(period: period, scope: scope, limit: NPSReport.commentLimit)
        let tables = stamp(NPSReport.tables(groups: groups, distribution: dist, comments: comments, by: by, minimumN: minimumN),
                           try reportPeriod(store, period: period, scope: scope))
        let byAgent = try store.npsGroups(period: period, by: ["agent"], scope: scope).compactMap { g -> (label: String, value: Double, low: Double, high: Double, reliable: Bool)? in
            guard let v = g.nps.value, let ci = g.nps.interval else { return nil }
            return (g.key[0], v, ci.low, ci.high, g.nps.reliable(minimumN: minimumN))
        }
        return BuiltReport(tables: tables, html: HTMLPages.nps(tables: tables, byAgent: byAgent, links: links), summaries: [])
    }

    /// The sections and criterion texts of the card version that `cardID`'s current scores
    /// use (parsed here, where cards are read; nil when no current score uses it).
    public static func outline(_ store: CallStore, cardID: String) throws -> CardOutline? {
        guard let stored = try store.currentCardText(cardID: cardID) else { return nil }
        return Scorecard.outline(yaml: stored.yaml, file: cardID, contentHash: "")
    }

    /// A call's current scores (none outside the scope), each with its card's outline
    /// (parsed once per card version when a `cards` cache is given).
    public static func storedScores(_ store: CallStore, callID: String, scope: Scope, cards: CardCache? = nil) throws -> [StoredScore] {
        try store.storedScores(callID: callID, scope: scope).map { s in
            var s = s
            s.outline = s.cardYAML.flatMap { yaml in
                cards?.outline(hash: s.cardHash) { Scorecard.outline(yaml: yaml, file: s.cardFile ?? s.cardID, contentHash: s.cardHash) }
                    ?? Scorecard.outline(yaml: yaml, file: s.cardFile ?? s.cardID, contentHash: s.cardHash)
            }
            return s
        }
    }
}

/// Cards parsed once per content hash, for a writer that renders many calls (the call pages
/// of a static report folder): parsing a card's YAML costs far more than reading a call.
/// One writer's, on one thread.
public final class CardCache {
    private var cards: [String: Scorecard?] = [:]
    private var outlines: [String: CardOutline?] = [:]

    public init() {}

    /// The card of this content hash, parsed by `parse` the first time.
    func card(hash: String, _ parse: () -> Scorecard?) -> Scorecard? {
        if let c = cards[hash] { return c }
        let c = parse()
        cards[hash] = c
        return c
    }

    /// The outline of this card version, made by `make` the first time.
    func outline(hash: String, _ make: () -> CardOutline?) -> CardOutline? {
        if let o = outlines[hash] { return o }
        let o = make()
        outlines[hash] = o
        return o
    }
}
