import Analytics
import CallQAModel
import Foundation
import HTTPTypes
import Hummingbird
import Pipeline
import Reports
import Store

/// The handlers of the pages: decode the query or form, call the report queries and the
/// store's reads with the account's scope, render. A call, agent or card outside the scope
/// answers the same 404 as one that does not exist.
extension Handlers {
    /// The logged-in session (the middleware has sent everyone else to the login page).
    func user(_ context: WorkspaceContext) throws -> AuthenticatedSession {
        guard let session = context.session else { throw PageError(.notFound) }
        return session
    }

    /// Query values, decoded as forms send them (`+` is a space).
    static func query(_ request: Request) -> (String) -> String? {
        let q = request.uri.query ?? ""
        return { Forms.field($0, in: q) }
    }

    /// The last day with calls the user may see: where a period without a date is anchored.
    func latestDay(_ scope: Scope) throws -> String? { try server.store.lastCallDate(scope: scope) }

    func period(_ request: Request, scope: Scope) throws -> WebPeriod {
        do { return try WebPeriod.parse(Self.query(request), latest: try latestDay(scope)) } catch is BadQuery { throw PageError(.badRequest) }
    }

    @Sendable func overview(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        return try await Blocking.run { try overviewPage(request, session) }
    }

    /// The key of a page's figures in the cache: nil (no caching) without a data version.
    func cacheKey(_ page: String, scope: Scope, query: [(String, String)], version: Int64?) -> PageCache.Key? {
        version.map { PageCache.Key(page: page, scope: scope, query: query.flatMap { [$0.0, $0.1] }, version: $0) }
    }

    func overviewPage(_ request: Request, _ session: AuthenticatedSession) throws -> Response {
        let scope = session.account.scope
        let version = try server.store.dataVersion()
        let period = try period(request, scope: scope)
        let store = server.store
        let sections = try server.pageCache.value(cacheKey("overview", scope: scope, query: period.query, version: version)) {
            // The quality trend (each card's distribution and weekly means per agent) comes
            // with the agents' tables: the charts of `report agents --format html`.
            let agents = try ReportBuilder.agents(store, period: period.period, scope: scope, minScored: 10, page: false)
            let kpi = try ReportBuilder.kpi(store, period: period.period, zone: nil, by: [], settings: KPISettings(), scope: scope)
            let nps = try ReportBuilder.nps(store, period: period.period, by: [], minimumN: 30, scope: scope)
            return Pages.overviewSections(period: period, agents: agents, trend: agents.charts, kpi: kpi, nps: nps)
        }
        return .html(Pages.overview(session, period: period, sections: sections))
    }

    /// The card ids a filter may name: those scoring calls the user may see.
    func cardIDs(_ scope: Scope) throws -> [String] { try server.store.storedCards(scope: scope.unfiltered).map(\.id) }

    func known(_ scope: Scope, version: Int64? = nil) throws -> CallsQuery.Known {
        let store = server.store
        return try server.pageCache.value(cacheKey("known", scope: scope, query: [], version: version)) {
            CallsQuery.Known(cards: try cardIDs(scope), agents: try store.knownValues(.agent, scope: scope),
                             teams: try store.knownValues(.team, scope: scope), queues: try store.knownValues(.queue, scope: scope))
        }
    }

    func callsQuery(_ request: Request, scope: Scope, known: CallsQuery.Known) throws -> CallsQuery {
        do {
            return try CallsQuery.parse(Self.query(request), latest: try latestDay(scope), known: known)
        } catch let e as BadQuery {
            throw PageError(.badRequest, detail: "\(e.field): \(e.message)")
        } catch is UnknownValue {
            throw PageError(.notFound)
        }
    }

    static let pageSize = 50

    @Sendable func calls(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let client = address(request, context)
        return try await Blocking.run { try callsPage(request, session, address: client) }
    }

    func callsPage(_ request: Request, _ session: AuthenticatedSession, address client: String?) throws -> Response {
        let scope = session.account.scope
        let version = try server.store.dataVersion()
        let known = try known(scope, version: version)
        let q = try callsQuery(request, scope: scope, known: known)
        /// One page of the list (and the row after it: whether there is a next page).
        func page() throws -> (body: HTML, rows: Int, more: Bool) {
            var rows = try server.store.callList(q.filter, sort: q.sort, descending: q.descending, after: q.after,
                                                 limit: Self.pageSize + 1, scope: q.scope(scope))
            let more = rows.count > Self.pageSize
            if more { rows.removeLast() }
            return (Pages.callsBody(query: q, rows: rows, hasMore: more, cards: known.cards, agents: known.agents, teams: known.teams,
                                    queues: known.queues), rows.count, more)
        }
        let body: HTML
        if let t = q.filter.transcript {
            // A search of what was said is audited with what it found, so it is never answered
            // from the page cache.
            let p = try page()
            try auth.audit(.transcriptSearch, by: session.account, address: client,
                           detail: "\(t.label) in \(q.period.label): \(p.rows)\(p.more ? "+" : "") \(p.rows == 1 && !p.more ? "call" : "calls")")
            body = p.body
        } else {
            let cursor = q.after.map { [("after", $0.value), ("after_id", $0.callID)] } ?? []
            // Keyed by the account's scope (the form lists its agents, teams and queues) and the
            // whole query (which narrows it).
            body = try server.pageCache.value(cacheKey("calls", scope: scope, query: q.items + cursor, version: version)) { try page().body }
        }
        return .html(Pages.layout(title: "Calls", session: session, body: body))
    }

    /// The most rows one export holds.
    static let exportLimit = 200_000

    @Sendable func callsCSV(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let client = address(request, context)
        return try await Blocking.run { try callsCSVResponse(request, session, address: client) }
    }

    /// The filtered calls list as CSV, audited as an export (`export`: the period, the filters
    /// and how many rows left). A query the user may not make (a 404 or 400) exports nothing
    /// and records nothing, as the list's own search does.
    func callsCSVResponse(_ request: Request, _ session: AuthenticatedSession, address client: String?) throws -> Response {
        let scope = session.account.scope
        let q = try callsQuery(request, scope: scope, known: try known(scope))
        var out = CSVWriter.line(Pages.csvColumns)
        var after: CallListCursor?
        var count = 0
        while count < Self.exportLimit {
            let page = try server.store.callList(q.filter, sort: q.sort, descending: q.descending, after: after, limit: 5000, scope: q.scope(scope))
            for r in page { out += Pages.csvLine(r) }
            count += page.count
            guard page.count == 5000, let last = page.last else { break }
            after = CallListCursor(value: last.cursorValue(q.sort), callID: last.callID)
        }
        try auth.audit(.export, by: session.account, address: client, target: "calls.csv",
                       detail: Self.exportDetail(q, rows: count))
        let buffer = ByteBuffer(string: out)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentLength: String(buffer.readableBytes),
                                               .contentDisposition: "attachment; filename=\"calls.csv\""],
                        body: .init(byteBuffer: buffer))
    }

    /// `2026-11-24 to 2026-11-30 (week); agent=a1 critical=1; sort started desc; 12 rows`:
    /// what an auditor needs to know which calls left the workspace.
    static func exportDetail(_ q: CallsQuery, rows: Int) -> String {
        let periodNames: Set<String> = ["period", "date", "from", "to", "sort", "order"]
        let filters = q.items.filter { !periodNames.contains($0.0) }.map { "\($0.0)=\($0.1)" }
        let limit = rows >= exportLimit ? " (the export limit)" : ""
        return "\(q.period.label); \(filters.isEmpty ? "no filters" : filters.joined(separator: " ")); "
            + "sort \(q.sort.rawValue) \(q.descending ? "desc" : "asc"); \(rows) rows\(limit)"
    }

    /// A call in the user's scope, or the one 404.
    func callReport(_ callID: String, scope: Scope) throws -> CallReport {
        do {
            return try ReportBuilder.call(server.store, callID: callID, period: .all, scope: scope)
        } catch is CallReportError {
            throw PageError(.notFound)
        }
    }

    /// The call page; showing a transcript is audited (it is what the recording says).
    func callPage(_ session: AuthenticatedSession, callID: String, startS: Double?, notice: Pages.EvaluationNotice? = nil,
                  loopNotice: Pages.LoopNotice? = nil, status: HTTPResponse.Status = .ok, address: String?) throws -> Response {
        let scope = session.account.scope
        let report = try callReport(callID, scope: scope)
        let surveys = try server.store.callSurveys(callID: callID, scope: scope)
        let sheet = try WebEvaluation.sheet(server.store, callID: callID, scope: scope)
        if let t = report.transcript {
            try auth.audit(.transcript, by: session.account, address: address, callID: callID,
                           detail: "\(t.transcript.wordCount) words, \(t.transcript.redactions) redacted")
        }
        let disputes = try Disputes.forCall(server.store, callID: callID, account: session.account, window: config.disputeWindow, nowEpoch: config.now())
        return .html(Pages.call(session, report: report, surveys: surveys, sheet: sheet, startS: startS, notice: notice, disputes: disputes,
                                loopNotice: loopNotice), status: status)
    }

    @Sendable func call(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let callID = context.parameters.get("id") else { throw PageError(.notFound) }
        // `?t=SECONDS`: where the player starts (evidence links); anything else is ignored.
        let t = Self.query(request)("t").flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let address = address(request, context)
        return try await Blocking.run { try callPage(session, callID: callID, startS: t, address: address) }
    }

    /// Saves the evaluate form (qa only): answers stored as `evaluations import` stores them,
    /// the call rescored, the score before and after shown; a stale form saves nothing.
    @Sendable func evaluate(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let callID = context.parameters.get("id") else { throw PageError(.notFound) }
        // Everyone but qa: the same 404 as a call that does not exist (and as the page of a
        // call outside the scope).
        guard session.account.role == .qa else { throw PageError(.notFound) }
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        guard let cardID = Forms.field("card", in: body), let version = Forms.field("version", in: body) else { throw PageError(.badRequest) }
        var answers: [WebEvaluation.Answer] = []
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Forms.decode(parts[0])
            guard key.hasPrefix("answer."), parts.count == 2 else { continue }
            let criterion = String(key.dropFirst("answer.".count))
            answers.append(.init(criterionID: criterion, answer: Forms.decode(parts[1]), comment: Forms.field("comment." + criterion, in: body)))
        }
        let client = address(request, context)
        return try await Blocking.run { [answers] in
            try saveEvaluation(session, callID: callID, cardID: cardID, answers: answers, fingerprint: version, address: client)
        }
    }

    func saveEvaluation(_ session: AuthenticatedSession, callID: String, cardID: String, answers: [WebEvaluation.Answer],
                        fingerprint version: String, address client: String?) throws -> Response {
        let now = config.now()
        let result = try WebEvaluation.save(server.store, callID: callID, cardID: cardID, answers: answers, evaluator: session.account.name,
                                            fingerprint: version, nowEpoch: now, scope: session.account.scope)
        switch result {
        case .notFound:
            throw PageError(.notFound)
        case .stale:
            return try callPage(session, callID: callID, startS: nil, notice: .stale, status: .conflict, address: client)
        case let .invalid(problems):
            return try callPage(session, callID: callID, startS: nil, notice: .invalid(problems), status: .badRequest, address: client)
        case let .saved(changed, before, after):
            let given = answers.filter { !$0.answer.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { "\($0.criterionID)=\($0.answer)" }.joined(separator: " ")
            try auth.audit(.evaluation, by: session.account, address: client, callID: callID, target: cardID,
                           detail: "\(changed) changed: \(given); score \(Pages.scoreText(before)) → \(Pages.scoreText(after))")
            return try callPage(session, callID: callID, startS: nil, notice: .saved(card: cardID, changed: changed, before: before, after: after),
                                address: client)
        }
    }

    @Sendable func agent(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let agentID = context.parameters.get("id") else { throw PageError(.notFound) }
        return try await Blocking.run { try agentPage(request, session: session, agentID: agentID, notice: nil) }
    }

    /// The agent page (with a notice from a coaching action), or the one 404.
    func agentPage(_ request: Request, session: AuthenticatedSession, agentID: String, notice: Pages.LoopNotice?,
                   status: HTTPResponse.Status = .ok) throws -> Response {
        let scope = session.account.scope
        let store = server.store
        // An agent outside the scope is as unknown as one that does not exist.
        guard try store.knownValues(.agent, scope: scope).contains(agentID) else { throw PageError(.notFound) }
        let period = try self.period(request, scope: scope.requiring(agent: agentID))
        var report: BuiltReport?, empty: String?
        do {
            try ReportBuilder.checkSelection(store, period: period.period, scope: scope, agentID: agentID)
            report = try ReportBuilder.agent(store, agentID: agentID, period: period.period, scope: scope, minScored: 10, links: .workspace())
        } catch let e as SelectionError {
            if case .unknown = e { throw PageError(.notFound) }
            empty = "No calls of this agent in this period."
        }
        // The trend shows when the agent was coached (notes written in the period), so the
        // effect of a conversation can be seen in the weeks after it.
        let notes = try store.coachingNotes(CoachingFilter(agentID: agentID), scope: scope)
        let inPeriod = notes.filter { n in (period.from.map { n.createdDate >= $0 } ?? true) && (period.to.map { n.createdDate <= $0 } ?? true) }
        var coachedWeeks: [String: [String]] = [:]
        for n in inPeriod { coachedWeeks[AgentReport.isoWeek(n.createdDate), default: []].append(n.createdDate) }
        var trend: [String] = []
        for card in try store.storedCards(scope: scope.requiring(agent: agentID)) {
            let rows = try store.agentCallRows(period: period.period, cardID: card.id, scope: scope.requiring(agent: agentID))
            let t = AgentReport.weeklyTrend(rows.filter { $0.status == .complete })
            if !t.weeks.isEmpty {
                let weeks = Set(t.weeks).union(coachedWeeks.keys).sorted()
                let markers = coachedWeeks.keys.sorted().map { w in
                    (xLabel: w, text: "coached " + Set(coachedWeeks[w] ?? []).sorted().map { String($0.dropFirst(5)) }.joined(separator: ", "))
                }
                trend.append(SVGCharts.lines(t.series, xLabels: weeks, target: card.target, title: "Weekly mean quality — \(card.name)",
                                             markers: markers))
            }
        }
        let acks = try store.evaluationsToAcknowledge(agentID: agentID, period: period.period, scope: scope)
        let canAck = session.account.role == .agent && session.account.agentID == agentID
        let coaching = Pages.agentCoaching(session, agentID: agentID, notes: notes, today: today, notice: notice)
        return .html(Pages.agent(session, agentID: agentID, period: period, report: report, emptyMessage: empty, trend: trend,
                                 acknowledgements: acks, canAcknowledge: canAck, coaching: coaching), status: status)
    }

    /// The alerts on calls in the user's scope (supervisors: their teams'; qa and admins:
    /// all). Agents get the same 404 as for a page that does not exist: alerts are for
    /// whoever coaches them.
    @Sendable func alerts(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard session.account.role != .agent else { throw PageError(.notFound) }
        let limit = 500
        return .html(Pages.alerts(session, alerts: try server.store.alerts(limit: limit, scope: session.account.scope), limit: limit))
    }

    /// An agent acknowledges an evaluation of one of their own calls.
    @Sendable func acknowledge(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let agentID = context.parameters.get("id"), session.account.role == .agent, session.account.agentID == agentID else {
            throw PageError(.notFound)
        }
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        guard let callID = Forms.field("call", in: body), let cardID = Forms.field("card", in: body) else { throw PageError(.badRequest) }
        let client = address(request, context)
        return try await Blocking.run { [server, auth, config] in
            guard try server.store.acknowledgeEvaluation(callID: callID, cardID: cardID, by: session.account.name, nowEpoch: config.now(),
                                                         scope: session.account.scope.requiring(agent: agentID)) else {
                throw PageError(.notFound)
            }
            try auth.audit(.acknowledgement, by: session.account, address: client, callID: callID, target: cardID)
            return .seeOther("/agents/\(HTML.pathSegment(agentID))")
        }
    }
}
