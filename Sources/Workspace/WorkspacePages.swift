import CallQAModel
import Foundation
import Pipeline
import Reports
import Store

/// The workspace's pages over the report queries: overview, calls, call (with the evaluate
/// form), agent. Tables and charts come from Reports' renderers (the same as the static
/// HTML files, with `Links.workspace()`), which escape every data-derived text; the rest is
/// built with `HTML`, which escapes every interpolated value.
extension Pages {
    static func table(_ t: ReportTable, id: String? = nil, cellLink: ((Int, String) -> String?)? = nil) -> HTML {
        HTML(rendered: HTMLReport.table(t, id: id, cellLink: cellLink))
    }

    static func number(_ x: Double?, decimals: Int = 1, unit: String = "") -> String {
        x.map { JSONValue.format($0, decimals: decimals) + unit } ?? "—"
    }

    /// The period picker and the period in words (every page states its period).
    static func periodForm(_ p: WebPeriod, action: String, hidden: [(String, String)] = []) -> HTML {
        let kinds = WebPeriod.Kind.allCases.map { k -> HTML in
            k == p.kind ? "<option value=\"\(k.rawValue)\" selected>\(k.rawValue)</option>" : "<option value=\"\(k.rawValue)\">\(k.rawValue)</option>"
        }
        let extra = hidden.map { kv -> HTML in "<input type=\"hidden\" name=\"\(kv.0)\" value=\"\(kv.1)\">" }
        return """
            <form class="card period" method="get" action="\(action)">
            <p class="period-label">Period: <strong id="period">\(p.label)</strong></p>
            <div class="row"><label>Period <select name="period" id="period-kind">\(kinds)</select></label>
            <label>Date <input type="date" name="date" value="\(p.date ?? "")"></label>
            <label>From <input type="date" name="from" value="\(p.kind == .custom ? p.from ?? "" : "")"></label>
            <label>To <input type="date" name="to" value="\(p.kind == .custom ? p.to ?? "" : "")"></label>
            \(extra)<button type="submit">Show</button></div></form>
            """
    }

    // MARK: Overview

    /// The overview for a period: who is logged in (rendered for each request, with the
    /// navigation and the logout form's CSRF token) around its sections
    /// (`overviewSections`).
    static func overview(_ session: AuthenticatedSession, period: WebPeriod, sections: HTML) -> HTML {
        let a = session.account
        let pq = Query.string(period.query)
        return layout(title: "Overview", session: session, body: """
            <div class="card who"><h1>Overview</h1>
            <p>Logged in as <span id="user">\(a.name)</span>. Role: <strong id="role">\(a.role.rawValue)</strong>. Sees: <span id="scope">\(scopeDescription(a))</span>.
            <a href="/calls?\(pq)">The calls of this period</a></p></div>
            \(sections)
            """)
    }

    /// The overview's period form and figures: the agents against the card's target (`report
    /// agents`), the quality trend, the KPI headline and NPS, each number linking to its
    /// calls. The same for every user of one scope, so the page cache keeps them rendered.
    static func overviewSections(period: WebPeriod, agents: BuiltReport, trend: String, kpi: BuiltReport, nps: BuiltReport) -> HTML {
        let pq = Query.string(period.query)
        var agentTables: [HTML] = []
        for (i, t) in agents.tables.enumerated() {
            let cardID = i < agents.summaries.count ? agents.summaries[i].card.id : ""
            let agentColumn = t.columns.firstIndex { $0.key == "agent_id" }
            agentTables.append(table(t, id: "agents-\(i)") { row, key in
                guard let agentColumn, case let .text(agent) = t.rows[row][agentColumn] else { return nil }
                if key == "agent_id" { return "/agents/\(HTML.pathSegment(agent))?\(pq)" }
                guard ["calls", "scored", "mean", "quality", "at_target", "critical_fails", "nps"].contains(where: { key.hasPrefix($0) }) else { return nil }
                var q = period.query + [("agent", agent)]
                if !cardID.isEmpty { q.append(("card", cardID)) }
                if key.hasPrefix("critical") { q.append(("critical", "1")) }
                if key.hasPrefix("nps") { q.append(("detractor", "1")) }
                return "/calls?" + Query.string(q)
            })
        }
        let kpiTables = kpi.tables.map { t in table(t, id: "kpi") { _, key in
            key == "offered" || key == "answered" || key == "abandoned" ? "/calls?" + pq : nil
        } }
        let npsTables = nps.tables.map { t in table(t) { _, key in key.hasPrefix("detractors") ? "/calls?\(pq)&detractor=1" : nil } }
        return """
            \(periodForm(period, action: "/"))
            <section class="card"><h2 class="section">Agents against the card's target</h2>\(agentTables)</section>
            <section class="card" id="trend"><h2 class="section">Quality trend</h2>\(HTML(rendered: trend))</section>
            <section class="card"><h2 class="section">KPI headline</h2>\(kpiTables)</section>
            <section class="card"><h2 class="section">NPS</h2>\(npsTables)</section>
            """
    }

    // MARK: Calls

    /// The calls page's form, list and links: the same for every user of one scope, so the
    /// page cache keeps them rendered.
    static func callsBody(query: CallsQuery, rows: [CallListRow], hasMore: Bool, cards: [String],
                          agents: [String], teams: [String], queues: [String]) -> HTML {
        func select(_ name: String, _ values: [String], _ current: String?) -> HTML {
            let opts = values.map { v -> HTML in v == current ? "<option selected>\(v)</option>" : "<option>\(v)</option>" }
            return "<label>\(name) <select name=\"\(name)\" id=\"f-\(name)\"><option value=\"\"></option>\(opts)</select></label>"
        }
        func text(_ name: String, _ label: String, _ value: String?) -> HTML {
            "<label>\(label) <input type=\"text\" name=\"\(name)\" id=\"f-\(name)\" value=\"\(value ?? "")\" size=\"6\"></label>"
        }
        func check(_ name: String, _ label: String, _ on: Bool) -> HTML {
            on ? "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"1\" checked> \(label)</label>"
                : "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"1\"> \(label)</label>"
        }
        let f = query.filter
        let form: HTML = """
            <form class="card filters" method="get" action="/calls" id="filters">
            <p class="period-label">Period: <strong id="period">\(query.period.label)</strong></p>
            <div class="row">
            <label>Period <select name="period">\(WebPeriod.Kind.allCases.map { k -> HTML in k == query.period.kind ? "<option selected>\(k.rawValue)</option>" : "<option>\(k.rawValue)</option>" })</select></label>
            <label>Date <input type="date" name="date" value="\(query.period.date ?? "")"></label>
            <label>From <input type="date" name="from" value="\(query.period.kind == .custom ? query.period.from ?? "" : "")"></label>
            <label>To <input type="date" name="to" value="\(query.period.kind == .custom ? query.period.to ?? "" : "")"></label></div>
            <div class="row">\(select("agent", agents, query.agent))\(select("team", teams, query.team))\(select("queue", queues, query.queue))
            \(text("dialed", "dialed", f.dialed))\(select("direction", CallDirection.allCases.map(\.rawValue), f.direction?.rawValue))
            \(select("card", cards, f.cardID))</div>
            <div class="row">\(text("min_score", "score ≥", f.minScore.map(CallsQuery.num)))\(text("max_score", "score ≤", f.maxScore.map(CallsQuery.num)))
            \(text("dead_air", "dead air ≥ s", f.minDeadAirS.map(CallsQuery.num)))\(text("interruptions", "interruptions ≥", f.minInterruptions.map(String.init)))
            \(select("health", CallsQuery.healthFlags, f.health))</div>
            <div class="row"><label>Said (transcripts) <input type="search" name="said" id="f-said" value="\(f.transcript?.label ?? "")" size="28" maxlength="200" placeholder="words or &quot;a phrase&quot;"></label></div>
            <div class="row">\(check("critical", "critical fail", f.criticalFail))\(check("provisional", "provisional (waiting for evaluation)", f.provisional))
            \(check("detractor", "NPS detractor", f.detractor))
            \(select("sort", CallListSort.allCases.map(\.rawValue), query.sort.rawValue))
            <label>order <select name="order"><option\(HTML(rendered: query.descending ? " selected" : ""))>desc</option><option\(HTML(rendered: query.descending ? "" : " selected"))>asc</option></select></label>
            <button type="submit" id="apply">Apply</button></div></form>
            """
        let items = query.items
        let body = rows.map { r -> HTML in
            let score: String = r.score.map { JSONValue.format($0, decimals: 1) } ?? "—"
            var marks: [String] = []
            if r.provisional { marks.append("provisional") }
            if r.criticalFailed { marks.append("critical fail") }
            return """
                <tr><td><a href="/calls/\(HTML.pathSegment(r.callID))">\(r.callID)</a></td><td>\(r.startedAt)</td>\
                <td>\(r.agentID.map { id -> HTML in "<a href=\"/agents/\(HTML.pathSegment(id))?\(Query.string(query.period.query))\">\(id)</a>" } ?? "—")</td>\
                <td>\(r.agentName)</td><td>\(r.team)</td><td>\(r.queue)</td><td>\(r.direction)</td><td>\(r.answered ? "yes" : "no")</td>\
                <td class="n">\(number(r.handleS, decimals: 0))</td><td class="n">\(number(r.durationS, decimals: 0))</td>\
                <td class="n">\(number(r.deadAirS))</td><td class="n">\(r.interruptions.map(String.init))</td>\
                <td>\(r.cardID)</td><td class="n">\(score)</td><td>\(marks.joined(separator: ", "))</td><td class="n">\(r.nps.map(String.init))</td>\
                <td>\(r.health.joined(separator: ", "))</td></tr>\(snippetRow(r.snippet))
                """
        }
        var next = HTML.empty
        if hasMore, let last = rows.last {
            let q = items + [("after", last.cursorValue(query.sort)), ("after_id", last.callID)]
            next = "<p><a id=\"next\" href=\"/calls?\(Query.string(q))\">Next page →</a></p>"
        }
        let empty: HTML = rows.isEmpty ? "<p class=\"muted\" id=\"no-calls\">No calls match these filters in this period.</p>" : ""
        return """
            <h1>Calls</h1>
            \(form)
            <p><a id="export" href="/calls.csv?\(Query.string(items))">Export the filtered list (CSV)</a></p>
            <div class="scroll"><table id="calls"><thead><tr><th>call</th><th>started</th><th>agent</th><th>name</th><th>team</th><th>queue</th><th>direction</th>\
            <th>answered</th><th class="n">handle s</th><th class="n">audio s</th><th class="n">dead air s</th><th class="n">interr.</th><th>card</th><th class="n">score</th><th>status</th><th class="n">NPS</th><th>health</th></tr></thead>
            <tbody>\(body)</tbody></table></div>
            \(empty)\(next)
            """
    }

    /// A transcript search's match under its call's row: `agent: … thank you for [calling] …`
    /// with the matched words marked.
    static func snippetRow(_ snippet: String?) -> HTML {
        guard let snippet else { return .empty }
        var parts: [HTML] = []
        var marked = false
        var current = ""
        func flush() {
            guard !current.isEmpty else { return }
            parts.append(marked ? "<mark>\(current)</mark>" : "\(current)")
            current = ""
        }
        for ch in snippet {
            if ch == "[" || ch == "]" {
                flush()
                marked = ch == "["
            } else {
                current.append(ch)
            }
        }
        flush()
        return "<tr class=\"detail said\"><td colspan=\"17\">\(parts)</td></tr>"
    }

    /// The filtered list as CSV (spreadsheet formulas neutralised by Reports' writer).
    static let csvColumns = ["call_id", "started_at", "agent_id", "agent_name", "team", "queue", "direction", "answered", "handle_s",
                             "duration_s", "dead_air_s", "interruptions", "scorecard", "score", "provisional", "critical_failed", "nps", "health"]

    static func csvLine(_ r: CallListRow) -> String {
        func n(_ x: Double?) -> String { x.map { JSONValue.format($0, decimals: 2) } ?? "" }
        return CSVWriter.line([r.callID, r.startedAt, r.agentID ?? "", r.agentName ?? "", r.team ?? "", r.queue ?? "", r.direction ?? "",
                               r.answered ? "1" : "0", n(r.handleS), n(r.durationS), n(r.deadAirS), r.interruptions.map(String.init) ?? "",
                               r.cardID ?? "", n(r.score), r.provisional ? "1" : "0", r.criticalFailed ? "1" : "0",
                               r.nps.map(String.init) ?? "", r.health.joined(separator: ",")])
    }

    // MARK: Call

    /// What the evaluate form reports after a save.
    enum EvaluationNotice {
        case saved(card: String, changed: Int, before: WebEvaluation.ScoreState?, after: WebEvaluation.ScoreState?)
        case stale
        case invalid([String])
    }

    /// `71.9 % (complete, critical fail)`, `no score (provisional)`, `not scored`.
    public static func scoreText(_ s: WebEvaluation.ScoreState?) -> String {
        guard let s else { return "not scored" }
        let value = s.score.map { JSONValue.format($0, decimals: 1) + " %" } ?? "no score"
        return "\(value) (\(s.status.rawValue.replacingOccurrences(of: "_", with: " "))\(s.criticalFailed ? ", critical fail" : ""))"
    }

    static func call(_ session: AuthenticatedSession, report: CallReport, surveys: [SurveyFact], sheet: EvaluationSheet?,
                     startS: Double?, notice: EvaluationNotice? = nil, disputes: Disputes.CallDisputes? = nil,
                     loopNotice: LoopNotice? = nil) -> HTML {
        let d = report.detail
        let tables = report.tables(forPeople: true, evidence: true, links: .workspace(), transcript: false)
        let scoreNames = ["call_score_", "call_sections_", "call_evidence_", "call_not_scored"]
        let scoreTables = tables.filter { t in scoreNames.contains { t.name.hasPrefix($0) } }
        let metricTables = tables.filter { t in !scoreNames.contains { t.name.hasPrefix($0) } }
        let player: HTML = "\(Self.player(d, startS: startS))\(transcriptSection(report))"
        var noticeHTML = HTML.empty
        switch notice {
        case let .saved(card, changed, before, after)?:
            noticeHTML = """
                <div class="card notice ok" id="saved" role="status">Saved \(changed) answer\(changed == 1 ? "" : "s") on \(card).
                Score before: <strong id="score-before">\(scoreText(before))</strong>; after: <strong id="score-after">\(scoreText(after))</strong>.</div>
                """
        case .stale?:
            noticeHTML = """
                <div class="card notice error" id="stale" role="alert">The evaluations of this call changed since you opened the form
                (someone else saved answers). Nothing was saved: the form below shows the stored answers now; check them and save again.</div>
                """
        case let .invalid(problems)?:
            noticeHTML = "<div class=\"card notice error\" id=\"invalid\" role=\"alert\">Nothing was saved: \(problems.joined(separator: "; "))</div>"
        case nil: break
        }
        var evaluate = HTML.empty
        if session.account.role == .qa, let sheet {
            evaluate = evaluationForms(session, callID: d.callID, sheet: sheet)
        }
        let npsRows = surveys.map { s -> HTML in
            "<tr><td>\(s.answeredAt)</td><td class=\"n\">\(s.score.map(String.init) ?? "no answer")</td><td class=\"n\">\(s.csat.map(String.init))</td><td>\(s.comment)</td></tr>"
        }
        let nps: HTML = surveys.isEmpty ? "<p class=\"muted\">No survey answer for this call.</p>"
            : "<table id=\"nps\"><thead><tr><th>answered</th><th class=\"n\">NPS score</th><th class=\"n\">CSAT</th><th>comment</th></tr></thead><tbody>\(npsRows)</tbody></table>"
        let history = (sheet?.stored ?? []).map { e -> HTML in
            "<tr><td>\(e.cardID)</td><td>\(e.criterionID)</td><td>\(e.answer)</td><td>\(e.evaluator)</td><td>\(e.evaluatedAt)</td><td>\(e.source)</td><td>\(e.comment)</td></tr>"
        }
        let historyHTML: HTML = history.isEmpty ? "<p class=\"muted\">No evaluator answers yet.</p>"
            : "<table id=\"history\"><thead><tr><th>card</th><th>criterion</th><th>answer</th><th>evaluator</th><th>when</th><th>source</th><th>comment</th></tr></thead><tbody>\(history)</tbody></table>"
        let started = d.record.first { $0.0 == "started_at" }?.1
        let agent = d.record.first { $0.0 == "agent_id" }?.1
        let agentLink: HTML = agent.map { "<a href=\"/agents/\(HTML.pathSegment($0))\">agent \($0)</a>" } ?? ""
        return layout(title: "Call \(d.callID)", session: session, body: """
            <h1>Call <span id="call-id">\(d.callID)</span></h1>
            <p class="period-label">Started <strong id="period">\(started)</strong> · \(agentLink) · <a href="/calls">all calls</a></p>
            \(noticeHTML)
            <div class="call-grid\(evaluate == .empty ? " single" : "")"><div class="main">\(player)
            <section class="card" id="score"><h2 class="section">Score by section</h2>\(scoreTables.map { table($0) })</section></div>
            \(evaluate)</div>
            <section class="card"><h2 class="section">NPS answer</h2>\(nps)</section>
            <section class="card"><h2 class="section">Evaluation history</h2>\(historyHTML)</section>
            \(disputesSection(session, callID: d.callID, disputes: disputes, sheet: sheet, notice: loopNotice))
            \(coachingFromCall(session, callID: d.callID, agentID: agent, startS: startS))
            <section class="card" id="metrics"><h2 class="section">Metrics</h2>\(metricTables.map { table($0) })</section>
            """)
    }

    /// The transcript beside the timeline: the words being said light up as the recording
    /// plays (callqa.js), a click on a word plays from it.
    static func transcriptSection(_ report: CallReport) -> HTML {
        guard let t = report.transcript else {
            return report.detail.recordingPath == nil ? .empty
                : "<section class=\"card transcript\" id=\"transcript\"><h2 class=\"section\">Transcript</h2><p class=\"muted\">Not transcribed (callqa transcribe).</p></section>"
        }
        return HTML(rendered: TranscriptRendering.html(t, callID: report.detail.callID, recordingPath: report.detail.recordingPath, links: .workspace()))
    }

    /// The player (speed, channels, download) and the interactive timeline of a call.
    static func player(_ d: CallDetail, startS: Double?) -> HTML {
        let src = "/calls/\(HTML.pathSegment(d.callID))/audio"
        var player = HTML.empty
        if d.recordingPath != nil {
            let speeds = ["0.75", "1", "1.25", "1.5", "2"].map { s -> HTML in s == "1" ? "<option value=\"1\" selected>1×</option>" : "<option value=\"\(s)\">\(s)×</option>" }
            player = """
                <div class="card player"><audio id="player" controls preload="metadata" src="\(src)" data-src="\(src)" data-start="\(startS.map { JSONValue.format($0, decimals: 2) } ?? "")"></audio>
                <div class="row"><label>Speed <select id="speed">\(speeds)</select></label>
                <label>Channels <select id="channel"><option value="both">both</option><option value="left">left</option><option value="right">right</option></select></label>
                <a href="\(src)?download=1" download>Download (WAV)</a></div>
                \(HTML(rendered: HTMLPages.timeline(d, interactive: true) ?? "<p class=\"muted\">No analysed recording: no timeline.</p>"))
                <p class="muted legend">Click the timeline to play from that moment; evidence links below jump to their second.</p></div>
                """
        } else {
            player = "<div class=\"card\"><p class=\"muted\">This call has no recording.</p></div>"
        }
        return player
    }

    /// The manual criteria of each applicable card as a form (qa only).
    static func evaluationForms(_ session: AuthenticatedSession, callID: String, sheet: EvaluationSheet) -> HTML {
        let forms = sheet.forms.map { form -> HTML in
            let rows = form.criteria.map { c -> HTML in
                let choices: [String]
                switch c.kind {
                case .yesNo: choices = ["yes", "no", "partial", "n/a"]
                case let .scale(lo, hi): choices = (lo...hi).map(String.init) + ["n/a"]
                }
                let name = "answer." + c.id
                let radios = ([""] + choices).map { v -> HTML in
                    let label = v.isEmpty ? "—" : v
                    let checked: HTML = (c.answer ?? "") == v ? " checked" : ""
                    return "<label class=\"choice\"><input type=\"radio\" name=\"\(name)\" value=\"\(v)\"\(checked)> \(label)</label>"
                }
                let who: HTML = c.evaluator.map { "<span class=\"muted\">answered by \($0) at \(c.evaluatedAt ?? "")\(c.transcript == nil ? "" : " (overrides the transcript)")</span>" } ?? ""
                let heard: HTML = c.transcript.map { "<p class=\"heard\">From the transcript: \($0). An answer here overrides it.</p>" } ?? ""
                return """
                    <fieldset class="criterion\(c.transcript == nil ? "" : " phrase")" data-criterion="\(c.id)"><legend>\(c.sectionName): \(c.text)\(c.critical ? " (critical)" : "")</legend>
                    \(heard)\(radios)
                    <input type="text" name="comment.\(c.id)" value="\(c.comment ?? "")" placeholder="comment" aria-label="comment on \(c.id)"> \(who)</fieldset>
                    """
            }
            return """
                <form class="evaluate" method="post" action="/calls/\(HTML.pathSegment(callID))/evaluate" id="evaluate-\(form.cardID)">
                <h3>\(form.cardName)</h3>
                <input type="hidden" name="csrf" value="\(session.csrfToken)">
                <input type="hidden" name="card" value="\(form.cardID)">
                <input type="hidden" name="version" value="\(sheet.fingerprint)">
                \(rows)
                <button type="submit" class="save-evaluation">Save evaluation</button></form>
                """
        }
        let empty: HTML = sheet.forms.isEmpty ? "<p class=\"muted\">No card with manual or phrase criteria applies to this call.</p>" : ""
        return "<aside class=\"card side\" id=\"evaluate\"><h2 class=\"section\">Evaluate</h2>\(empty)\(forms)</aside>"
    }

    // MARK: Agent

    static func agent(_ session: AuthenticatedSession, agentID: String, period: WebPeriod, report: BuiltReport?, emptyMessage: String?,
                      trend: [String], acknowledgements: [EvaluationToAcknowledge], canAcknowledge: Bool, coaching: HTML = "") -> HTML {
        // The call ids of the report's tables open the call's page.
        let tables = (report?.tables ?? []).map { t in
            let callColumn = t.columns.firstIndex { $0.key == "call_id" }
            return table(t) { row, key in
                guard key == "call_id", let callColumn, case let .text(id) = t.rows[row][callColumn] else { return nil }
                return "/calls/" + HTML.pathSegment(id)
            }
        }
        let ack = acknowledgements.map { e -> HTML in
            var action = HTML.empty
            if let at = e.acknowledgedAt {
                action = "acknowledged by \(e.acknowledgedBy ?? "") at \(at)"
            } else if canAcknowledge {
                action = """
                    <form method="post" action="/agents/\(HTML.pathSegment(agentID))/acknowledge" class="inline">\
                    <input type="hidden" name="csrf" value="\(session.csrfToken)"><input type="hidden" name="call" value="\(e.callID)">\
                    <input type="hidden" name="card" value="\(e.cardID)"><button type="submit" class="ack">Acknowledge</button></form>
                    """
            } else {
                action = "not acknowledged yet"
            }
            return "<tr><td><a href=\"/calls/\(HTML.pathSegment(e.callID))\">\(e.callID)</a></td><td>\(e.startedAt)</td><td>\(e.cardID)</td><td class=\"n\">\(e.answers)</td><td>\(e.evaluator)</td><td>\(e.evaluatedAt)</td><td>\(action)</td></tr>"
        }
        let ackTable: HTML = ack.isEmpty ? "<p class=\"muted\">No evaluations in this period.</p>"
            : "<table id=\"acknowledge\"><thead><tr><th>call</th><th>started</th><th>card</th><th class=\"n\">answers</th><th>evaluator</th><th>evaluated</th><th></th></tr></thead><tbody>\(ack)</tbody></table>"
        let message: HTML = emptyMessage.map { "<p class=\"muted\" id=\"empty\">\($0)</p>" } ?? ""
        return layout(title: "Agent \(agentID)", session: session, body: """
            <h1>Agent <span id="agent-id">\(agentID)</span></h1>
            \(periodForm(period, action: "/agents/\(HTML.pathSegment(agentID))"))
            <p><a href="/calls?\(Query.string(period.query + [("agent", agentID)]))">This agent's calls in the period</a></p>
            \(message)
            <section class="card"><h2 class="section">Quality trend</h2>\(trend.map { HTML(rendered: $0) })</section>
            <section class="card"><h2 class="section">Evaluations to acknowledge</h2>\(ackTable)</section>
            \(coaching)
            <section class="card" id="agent-report">\(tables)</section>
            """)
    }
}
