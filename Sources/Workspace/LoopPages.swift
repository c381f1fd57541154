import Analytics
import CallQAModel
import Foundation
import Pipeline
import Reports
import Store

/// The pages of the loops around a score: disputes (on the call page and the disputes
/// report), calibration sessions (blind forms, results once closed), coaching notes (on the
/// call and agent pages and the coaching list). Every form posts the session's CSRF token;
/// every data-derived text goes through `HTML` interpolation or Reports' renderers.
extension Pages {
    /// What a dispute, calibration or coaching action reports on the page it returns to.
    struct LoopNotice: Sendable, Equatable {
        var ok: Bool
        var text: String
    }

    static func noticeHTML(_ n: LoopNotice?) -> HTML {
        guard let n else { return "" }
        return n.ok ? "<div class=\"card notice ok\" id=\"loop-ok\" role=\"status\">\(n.text)</div>"
            : "<div class=\"card notice error\" id=\"loop-error\" role=\"alert\">\(n.text)</div>"
    }

    static func csrfField(_ session: AuthenticatedSession) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrfToken)\">"
    }

    /// The answers a criterion takes, for select boxes.
    static func choices(_ kind: ManualCriterionForm.Kind?) -> [String] {
        switch kind {
        case let .scale(lo, hi)?: (lo...hi).map(String.init) + ["n/a"]
        default: ["yes", "no", "partial", "n/a"]
        }
    }

    // MARK: Disputes on the call page

    /// The call's disputes with their history, what QA may decide, what the agent or
    /// supervisor may raise or withdraw, and the answers replaced over time.
    static func disputesSection(_ session: AuthenticatedSession, callID: String, disputes: Disputes.CallDisputes?, sheet: EvaluationSheet?,
                                notice: LoopNotice?) -> HTML {
        guard let disputes else { return "" }
        let role = session.account.role
        let kinds = Dictionary((sheet?.forms ?? []).flatMap { f in f.criteria.map { ("\(f.cardID)/\($0.id)", $0.kind) } }, uniquingKeysWith: { a, _ in a })
        let rows = disputes.disputes.map { d -> HTML in
            let history = d.history.map { e -> HTML in
                let change: HTML = e.answerBefore == e.answerAfter ? "" : " · answer \(e.answerBefore) → <strong>\(e.answerAfter)</strong>"
                return "<li><span class=\"muted\">\(e.at)</span> \(e.action.event) by \(e.actor) (\(e.role.rawValue))\(change)\(e.reason.map { r -> HTML in ": “\(r)”" } ?? "")</li>"
            }
            var actions = HTML.empty
            if d.state == .open && DisputeRules.allowed(.accept, role) {
                let opts = choices(kinds["\(d.cardID)/\(d.criterionID)"]).filter { $0 != d.answer }.map { v -> HTML in "<option>\(v)</option>" }
                actions = """
                    <form method="post" action="/disputes/\(String(d.id))/accept" class="decide" id="accept-\(String(d.id))">\(csrfField(session))
                    <label>New answer <select name="answer">\(opts)</select></label>
                    <label>Reason <input type="text" name="reason" required maxlength="2000" size="40"></label>
                    <button type="submit" class="accept">Accept and rescore</button></form>
                    <form method="post" action="/disputes/\(String(d.id))/reject" class="decide" id="reject-\(String(d.id))">\(csrfField(session))
                    <label>Reason <input type="text" name="reason" required maxlength="2000" size="40"></label>
                    <button type="submit" class="reject">Reject</button></form>
                    """
            } else if d.state == .open && DisputeRules.allowed(.withdraw, role) {
                actions = """
                    <form method="post" action="/disputes/\(String(d.id))/withdraw" class="inline" id="withdraw-\(String(d.id))">\(csrfField(session))\
                    <button type="submit" class="withdraw">Withdraw</button></form>
                    """
            }
            let outcome: HTML = switch d.state {
            case .open: "<strong class=\"state open\">open</strong> — waiting for QA"
            case .accepted: "<strong class=\"state accepted\">accepted</strong> by \(d.resolvedBy ?? "") — answer now <strong>\(d.newAnswer ?? "")</strong>: “\(d.resolution ?? "")”"
            case .rejected: "<strong class=\"state rejected\">rejected</strong> by \(d.resolvedBy ?? ""): “\(d.resolution ?? "")”"
            case .withdrawn: "<strong class=\"state\">withdrawn</strong> by \(d.resolvedBy ?? "")"
            }
            return """
                <tr id="dispute-\(String(d.id))" data-state="\(d.state.rawValue)"><td class="n">\(String(d.id))</td><td>\(d.cardID)</td><td>\(d.criterionID)</td>\
                <td>\(d.answer) <span class="muted">by \(d.evaluator), \(d.evaluatedAt)</span></td>\
                <td>\(d.openedBy) <span class="muted">(\(d.openedRole.rawValue)), \(d.openedAt)</span><br>“\(d.reason)”</td><td>\(outcome)\(actions)</td></tr>
                <tr class="detail"><td></td><td colspan="5"><ol class="history">\(history)</ol></td></tr>
                """
        }
        let table: HTML = rows.isEmpty ? "<p class=\"muted\" id=\"no-disputes\">No disputes on this call.</p>"
            : "<table id=\"dispute-list\"><thead><tr><th>#</th><th>card</th><th>criterion</th><th>answer disputed</th><th>raised</th><th>outcome</th></tr></thead><tbody>\(rows)</tbody></table>"
        var raise = HTML.empty
        if DisputeRules.allowed(.open, role) {
            let days = JSONValue.format(disputes.window.days, decimals: disputes.window.days == disputes.window.days.rounded() ? 0 : 1)
            if disputes.disputable.isEmpty {
                raise = "<p class=\"muted\" id=\"nothing-to-dispute\">No answer of this call can be disputed now (answers can be disputed for \(days) days after they are stored, one open dispute per criterion).</p>"
            } else {
                let opts = disputes.disputable.map { c -> HTML in
                    "<option value=\"\(c.cardID)/\(c.criterionID)\">\(c.cardID) · \(c.criterionID): \(c.answer) (by \(c.evaluator); until \(c.deadline))</option>"
                }
                raise = """
                    <form method="post" action="/calls/\(HTML.pathSegment(callID))/disputes" id="dispute-open" class="card inset">\(csrfField(session))
                    <h3>Dispute an answer</h3>
                    <label for="dispute-criterion">Criterion</label><select name="criterion" id="dispute-criterion">\(opts)</select>
                    <label for="dispute-reason">Why the answer is wrong (the seconds of the call help)</label>
                    <textarea name="reason" id="dispute-reason" rows="3" maxlength="2000" required></textarea>
                    <button type="submit" id="dispute-submit">Raise the dispute</button>
                    <p class="muted">Answers can be disputed for \(days) days after they are stored. QA accepts (the answer changes and the call is rescored) or rejects, with a reason.</p></form>
                    """
            }
        }
        let replaced = disputes.replaced.map { r -> HTML in
            "<tr><td>\(r.cardID)</td><td>\(r.criterionID)</td><td>\(r.answer)</td><td>\(r.evaluator)</td><td>\(r.evaluatedAt)</td><td>\(r.source)</td><td>\(r.replacedAt)</td></tr>"
        }
        let replacedHTML: HTML = replaced.isEmpty ? "" : """
            <h3>Answers replaced</h3><table id="replaced"><thead><tr><th>card</th><th>criterion</th><th>answer</th><th>evaluator</th><th>when</th><th>source</th><th>replaced at</th></tr></thead>
            <tbody>\(replaced)</tbody></table>
            """
        return """
            <section class="card" id="disputes"><h2 class="section">Disputes</h2>\(noticeHTML(notice))\(table)\(raise)\(replacedHTML)</section>
            """
    }

    // MARK: Coaching on the call page

    /// For supervisors and QA: a coaching note about the call's agent, referring to this call
    /// (and the player's start second, when the page was opened at one).
    static func coachingFromCall(_ session: AuthenticatedSession, callID: String, agentID: String?, startS: Double?) -> HTML {
        guard let agentID, CoachingRules.mayWrite(session.account.role) else { return "" }
        let ref = CoachingReference(callID: callID, startS: startS).text
        return """
            <section class="card" id="coach"><h2 class="section">Coach agent \(agentID) on this call</h2>
            \(coachingForm(session, agentID: agentID, references: ref, back: "call:" + callID))</section>
            """
    }

    static func coachingForm(_ session: AuthenticatedSession, agentID: String, references: String, back: String) -> HTML {
        """
        <form method="post" action="/agents/\(HTML.pathSegment(agentID))/coaching" id="coaching-form">\(csrfField(session))
        <input type="hidden" name="back" value="\(back)">
        <div class="two"><div><label for="coach-keep">Keep doing</label><textarea name="keep" id="coach-keep" rows="3" maxlength="4000"></textarea></div>
        <div><label for="coach-change">Change</label><textarea name="change" id="coach-change" rows="3" maxlength="4000"></textarea></div></div>
        <div class="row"><label>Calls and seconds <input type="text" name="refs" id="coach-refs" value="\(references)" size="40" placeholder="c-001@12.5-20, c-002"></label>
        <label>Follow-up on <input type="date" name="follow_up" id="coach-follow-up"></label>
        <button type="submit" id="coach-submit">Record the coaching note</button></div></form>
        """
    }

    // MARK: Coaching notes

    /// Notes as a table: what to keep and change, the calls and seconds (links that play
    /// them), follow-up, acknowledgement; with the actions the reader may take.
    static func coachingNotes(_ session: AuthenticatedSession, _ notes: [CoachingNote], today: String, id: String, back: String) -> HTML {
        guard !notes.isEmpty else { return "<p class=\"muted\" id=\"\(id)-none\">No coaching notes.</p>" }
        let role = session.account.role
        let rows = notes.map { n -> HTML in
            let refs = n.references.map { r -> HTML in
                let t: String = r.startS.map { "?t=" + JSONValue.format($0, decimals: 2) } ?? ""
                return "<a href=\"/calls/\(HTML.pathSegment(r.callID))\(t)\">\(r.text)</a>"
            }
            var ack: HTML
            if let at = n.acknowledgedAt {
                ack = "acknowledged by \(n.acknowledgedBy ?? "") at \(at)"
            } else if CoachingRules.mayAcknowledge(role) && session.account.agentID == n.agentID {
                ack = """
                    <form method="post" action="/coaching/\(String(n.id))/acknowledge" class="inline">\(csrfField(session))\
                    <input type="hidden" name="back" value="\(back)"><button type="submit" class="coach-ack">Acknowledge</button></form>
                    """
            } else {
                ack = "<span class=\"bad\">not acknowledged</span>"
            }
            var follow: HTML = n.followUpDate.map { d -> HTML in
                n.overdue(today: today) ? "<span class=\"bad\">\(d) — overdue</span>" : "\(d)"
            } ?? "—"
            if let done = n.followUpDoneAt {
                follow = "\(n.followUpDate ?? "") — done by \(n.followUpDoneBy ?? "") at \(done): “\(n.followUpResult ?? "")”"
            } else if n.followUpDate != nil && CoachingRules.mayWrite(role) {
                follow = """
                    \(follow)<form method="post" action="/coaching/\(String(n.id))/follow-up" class="inline follow">\(csrfField(session))\
                    <input type="hidden" name="back" value="\(back)"><input type="text" name="result" placeholder="what came of it" required maxlength="4000">\
                    <button type="submit" class="follow-done">Follow-up done</button></form>
                    """
            }
            return """
                <tr id="note-\(String(n.id))"><td class="n">\(String(n.id))</td><td><a href="/agents/\(HTML.pathSegment(n.agentID))">\(n.agentID)</a></td>\
                <td>\(n.createdAt)<br><span class="muted">by \(n.author) (\(n.authorRole.rawValue))</span></td>\
                <td class="text">\(n.keep)</td><td class="text">\(n.change)</td><td>\(HTML.join(refs, separator: "<br>"))</td><td>\(follow)</td><td>\(ack)</td></tr>
                """
        }
        return """
            <table id="\(id)" class="notes"><thead><tr><th>#</th><th>agent</th><th>written</th><th>keep</th><th>change</th><th>calls</th><th>follow-up</th><th>acknowledged</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    /// `/coaching`: an agent's own notes; for the others, what is waiting (unacknowledged
    /// notes, overdue follow-ups) and every note in their scope.
    static func coaching(_ session: AuthenticatedSession, waiting: CoachingNotes.Waiting, today: String, notice n: LoopNotice?) -> HTML {
        let a = session.account
        let body: HTML
        if a.role == .agent {
            body = """
                <section class="card"><h2 class="section">Your coaching notes</h2>
                <p class="muted">Read each note and acknowledge it; the calls open at the seconds it refers to.</p>
                \(coachingNotes(session, waiting.recent, today: today, id: "my-notes", back: "coaching"))</section>
                """
        } else {
            body = """
                <section class="card"><h2 class="section">Not acknowledged by the agent</h2>\(coachingNotes(session, waiting.unacknowledged, today: today, id: "unacknowledged", back: "coaching"))</section>
                <section class="card"><h2 class="section">Follow-ups overdue (date before \(today), not done)</h2>\(coachingNotes(session, waiting.overdue, today: today, id: "overdue", back: "coaching"))</section>
                <section class="card"><h2 class="section">Every note</h2>\(coachingNotes(session, waiting.recent, today: today, id: "all-notes", back: "coaching"))</section>
                """
        }
        return layout(title: "Coaching", session: session, body: """
            <h1>Coaching</h1>\(noticeHTML(n))
            <p class="muted">Notes are written from a call page or an agent page (supervisors and QA). Today is \(today) (UTC).</p>
            \(body)
            """)
    }

    /// The agent page's coaching block: the agent's notes and, for supervisors and QA, the form.
    static func agentCoaching(_ session: AuthenticatedSession, agentID: String, notes: [CoachingNote], today: String, notice n: LoopNotice?) -> HTML {
        let form: HTML = CoachingRules.mayWrite(session.account.role)
            ? "<h3>New coaching note</h3>\(coachingForm(session, agentID: agentID, references: "", back: "agent"))" : ""
        return """
            <section class="card" id="coaching"><h2 class="section">Coaching</h2>\(noticeHTML(n))
            \(coachingNotes(session, notes, today: today, id: "agent-notes", back: "agent"))\(form)</section>
            """
    }

    // MARK: Disputes report

    static func disputes(_ session: AuthenticatedSession, period: WebPeriod, report: DisputeReport, state: DisputeState?) -> HTML {
        let when = period.kind == .all ? "at any time" : period.label
        let tables = QALoopReports.disputeTables(report, periodText: "opened \(when)")
        let stateOptions = ([""] + DisputeState.allCases.map(\.rawValue)).map { v -> HTML in
            v == (state?.rawValue ?? "") ? "<option value=\"\(v)\" selected>\(v.isEmpty ? "any" : v)</option>" : "<option value=\"\(v)\">\(v.isEmpty ? "any" : v)</option>"
        }
        var list = tables[2]
        if let state {
            list.rows = zip(report.disputes, list.rows).filter { $0.0.state == state }.map(\.1)
        }
        let callColumn = list.columns.firstIndex { $0.key == "call_id" }
        let listHTML = table(list, id: "disputes-table") { row, key in
            guard key == "call_id", let callColumn, case let .text(id) = list.rows[row][callColumn] else { return nil }
            return "/calls/\(HTML.pathSegment(id))#disputes"
        }
        let who: HTML = session.account.role == .agent ? "Your disputes and their outcome." : "Disputes of the calls you may see."
        return layout(title: "Disputes", session: session, body: """
            <h1>Disputes</h1>
            <p class="muted">\(who) Raise one from the call page (agents and supervisors), within the window after the answer was stored; QA decides there.</p>
            <form class="card period" method="get" action="/disputes">
            <p class="period-label">Opened: <strong id="period">\(when)</strong></p>
            <div class="row"><label>Period <select name="period">\(WebPeriod.Kind.allCases.map { k -> HTML in k == period.kind ? "<option selected>\(k.rawValue)</option>" : "<option>\(k.rawValue)</option>" })</select></label>
            <label>Date <input type="date" name="date" value="\(period.date ?? "")"></label>
            <label>From <input type="date" name="from" value="\(period.kind == .custom ? period.from ?? "" : "")"></label>
            <label>To <input type="date" name="to" value="\(period.kind == .custom ? period.to ?? "" : "")"></label>
            <label>State <select name="state" id="f-state">\(stateOptions)</select></label>
            <button type="submit">Show</button></div></form>
            <section class="card"><h2 class="section">By evaluator</h2>\(table(tables[0], id: "by-evaluator"))</section>
            <section class="card"><h2 class="section">By criterion</h2>\(table(tables[1], id: "by-criterion"))</section>
            <section class="card"><h2 class="section">Each dispute</h2><div class="scroll">\(listHTML)</div></section>
            """)
    }

    // MARK: Calibration

    /// `/calibration`: the sessions the user may see; for QA, the form that creates one.
    static func calibrationList(_ session: AuthenticatedSession, sessions: [CalibrationSession], cards: [String], members: [UserRecord],
                                notice n: LoopNotice?) -> HTML {
        let rows = sessions.map { s -> HTML in
            let progress = s.members.map { m -> HTML in "\(m.name)\(m.role == .expert ? " (expert)" : ""): \(m.callsDone)/\(s.callCount)" }
            return """
                <tr><td class="n">\(String(s.id))</td><td><a href="/calibration/\(String(s.id))">\(s.name)</a></td><td>\(s.cardID)</td>\
                <td>\(s.state.rawValue)</td><td class="n">\(s.callCount)</td><td>\(HTML.join(progress, separator: "<br>"))</td><td>\(s.createdAt)</td></tr>
                """
        }
        let table: HTML = rows.isEmpty ? "<p class=\"muted\" id=\"no-sessions\">No calibration session yet.</p>"
            : "<table id=\"sessions\"><thead><tr><th>#</th><th>name</th><th>card</th><th>state</th><th>calls</th><th>progress (calls done)</th><th>created</th></tr></thead><tbody>\(rows)</tbody></table>"
        var create = HTML.empty
        if session.account.role == .qa {
            let cardOptions = cards.map { c -> HTML in "<option>\(c)</option>" }
            let eligible = members.filter { !$0.disabled && ($0.account.role == .qa || $0.account.role == .supervisor) }
            let evaluatorBoxes = eligible.map { u -> HTML in
                "<label class=\"check\"><input type=\"checkbox\" name=\"evaluator\" value=\"\(u.account.name)\"> \(u.account.name) <span class=\"muted\">(\(u.account.role.rawValue))</span></label>"
            }
            let expertOptions = eligible.map { u -> HTML in
                u.account.userID == session.account.userID ? "<option selected>\(u.account.name)</option>" : "<option>\(u.account.name)</option>"
            }
            create = """
                <form class="card" method="post" action="/calibration" id="calibration-create">\(csrfField(session))
                <h2 class="section">New session</h2>
                <label for="cal-name">Name</label><input type="text" name="name" id="cal-name" required maxlength="120">
                <div class="row"><label>Card <select name="card" id="cal-card">\(cardOptions)</select></label>
                <label>Expert (the scoring index) <select name="expert" id="cal-expert">\(expertOptions)</select></label></div>
                <label for="cal-calls">Calls (ids, separated by commas or spaces)</label><input type="text" name="calls" id="cal-calls" required>
                <p class="muted">Evaluators (qa or supervisors who may see every call; not the expert):</p><div class="row" id="cal-evaluators">\(evaluatorBoxes)</div>
                <button type="submit" id="cal-submit">Create the session</button></form>
                """
        }
        return layout(title: "Calibration", session: session, body: """
            <h1>Calibration</h1>\(noticeHTML(n))
            <p class="muted">Evaluators score the same calls blind, beside an expert whose scores are the index. Nobody sees anyone
            else's answers until QA closes the session; then the deviations from the expert and the agreement per criterion are shown.
            Calibration answers never change the calls' official scores.</p>
            <section class="card"><h2 class="section">Sessions</h2>\(table)</section>
            \(create)
            """)
    }

    /// `/calibration/ID`: the session, its calls, progress counts; the results once closed.
    static func calibrationSession(_ session: AuthenticatedSession, s: CalibrationSession, results: CalibrationResults?, notice n: LoopNotice?) -> HTML {
        let me = s.members.first { $0.userID == session.account.userID }
        let open = s.state == .open
        let calls = s.calls.map { c -> HTML in
            var links: [HTML] = []
            if me != nil && open { links.append("<a href=\"/calibration/\(String(s.id))/calls/\(HTML.pathSegment(c))\" class=\"score-call\">score it</a>") }
            if !open { links.append("<a href=\"/calibration/\(String(s.id))/calls/\(HTML.pathSegment(c))/answers\">every answer</a>") }
            return "<tr><td>\(c)</td><td>\(HTML.join(links, separator: " · "))</td></tr>"
        }
        let progress = s.members.map { m -> HTML in
            "<tr><td>\(m.name)</td><td>\(m.role.rawValue)</td><td class=\"n\">\(m.answers)</td><td class=\"n\">\(m.callsDone) of \(s.callCount)</td></tr>"
        }
        let close: HTML = open && session.account.role == .qa ? """
            <form method="post" action="/calibration/\(String(s.id))/close" id="calibration-close" class="card">\(csrfField(session))
            <p>Closing reveals every member's answers and the results to everyone who may see the session, and freezes the answers. It cannot be undone.</p>
            <button type="submit" id="close-session">Close the session</button></form>
            """ : ""
        var resultsHTML = HTML.empty
        if let results {
            let tables = QALoopReports.calibrationTables(results)
            resultsHTML = """
                <section class="card" id="results"><h2 class="section">Results</h2>
                \(tables.map { t in table(t, id: t.name) })
                <p><a href="/calibration/\(String(s.id))/results">Results page</a></p></section>
                """
        } else if open {
            resultsHTML = "<p class=\"muted card\" id=\"sealed\">The answers are sealed until the session is closed: each member sees only their own.</p>"
        }
        let role: HTML = me.map { m -> HTML in "You take part as <strong id=\"my-role\">\(m.role.rawValue)</strong>." } ?? "You do not take part in this session."
        return layout(title: "Calibration \(s.name)", session: session, body: """
            <h1>Calibration <span id="session-name">\(s.name)</span></h1>\(noticeHTML(n))
            <p class="period-label">Card <strong>\(s.cardID)</strong> (version \(String(s.cardHash.prefix(8)))) · state <strong id="session-state">\(s.state.rawValue)</strong> ·
            created by \(s.createdBy) at \(s.createdAt)\(s.closedAt.map { c -> HTML in " · closed by \(s.closedBy ?? "") at \(c)" } ?? "") · \(role)</p>
            <div class="call-grid single"><section class="card"><h2 class="section">Calls</h2><table id="session-calls"><tbody>\(calls)</tbody></table></section></div>
            <section class="card"><h2 class="section">Progress</h2><table id="progress"><thead><tr><th>member</th><th>role</th><th>answers</th><th>calls done</th></tr></thead><tbody>\(progress)</tbody></table></section>
            \(close)\(resultsHTML)
            """)
    }

    /// A member scores one call of an open session: the player and the card's manual criteria,
    /// with their own answers only.
    static func calibrationCall(_ session: AuthenticatedSession, form: Calibrations.Form, detail: CallDetail, notice n: LoopNotice?) -> HTML {
        let s = form.session
        let rows = form.criteria.map { c -> HTML in
            let name = "answer." + c.id
            let radios = ([""] + choices(c.kind)).map { v -> HTML in
                let label = v.isEmpty ? "—" : v
                let checked: HTML = (c.answer ?? "") == v ? " checked" : ""
                return "<label class=\"choice\"><input type=\"radio\" name=\"\(name)\" value=\"\(v)\"\(checked)> \(label)</label>"
            }
            return """
                <fieldset class="criterion" data-criterion="\(c.id)"><legend>\(c.sectionName): \(c.text)\(c.critical ? " (critical)" : "")</legend>
                \(radios)
                <input type="text" name="comment.\(c.id)" value="\(c.comment ?? "")" placeholder="comment" aria-label="comment on \(c.id)"></fieldset>
                """
        }
        let formHTML: HTML = """
            <aside class="card side" id="calibrate"><h2 class="section">Your answers — \(form.cardName)</h2>
            <p class="muted">Blind: you see only your own answers until the session is closed.</p>
            <form method="post" action="/calibration/\(String(s.id))/calls/\(HTML.pathSegment(form.callID))" id="calibration-form">\(csrfField(session))
            \(rows)
            <button type="submit" id="calibration-save">Save my answers</button></form></aside>
            """
        let index = s.calls.firstIndex(of: form.callID) ?? 0
        let next: HTML = index + 1 < s.calls.count
            ? "<a id=\"next-call\" href=\"/calibration/\(String(s.id))/calls/\(HTML.pathSegment(s.calls[index + 1]))\">Next call →</a>" : ""
        return layout(title: "Calibration \(s.name) · \(form.callID)", session: session, body: """
            <h1>Calibration <a href="/calibration/\(String(s.id))">\(s.name)</a> · call <span id="call-id">\(form.callID)</span></h1>\(noticeHTML(n))
            <p class="period-label">Call \(String(index + 1)) of \(String(s.calls.count)) · \(next)</p>
            <div class="call-grid"><div class="main">\(player(detail, startS: nil))</div>\(formHTML)</div>
            """)
    }

    /// Every member's answers to one call of a closed session.
    static func calibrationCallAnswers(_ session: AuthenticatedSession, results: CalibrationResults, callID: String) -> HTML {
        let s = results.session
        let answers = results.answers.filter { $0.callID == callID }
        var criteria: [String] = []
        for a in answers where !criteria.contains(a.criterionID) { criteria.append(a.criterionID) }
        let head = s.members.map { m -> HTML in "<th>\(m.name)\(m.role == .expert ? " (expert)" : "")</th>" }
        let rows = criteria.map { c -> HTML in
            let expert = answers.first { $0.criterionID == c && $0.userID == s.expert?.userID }?.answer
            let cells = s.members.map { m -> HTML in
                let a = answers.first { $0.criterionID == c && $0.userID == m.userID }
                let off = a != nil && expert != nil && a?.answer != expert && m.role == .evaluator
                return "<td class=\"\(off ? "bad" : "")\">\(a?.answer)\(a?.comment.map { x -> HTML in " <span class=\"muted\">“\(x)”</span>" } ?? "")</td>"
            }
            return "<tr><td>\(c)</td>\(cells)</tr>"
        }
        let scores = s.members.map { m -> HTML in
            let sc = results.scores.first { $0.callID == callID && $0.member == m.name }
            return "<td><strong>\(sc?.score.map { JSONValue.format($0, decimals: 1) } ?? "incomplete")</strong></td>"
        }
        return layout(title: "Calibration \(s.name) · \(callID) · answers", session: session, body: """
            <h1>Calibration <a href="/calibration/\(String(s.id))">\(s.name)</a> · call \(callID) · every answer</h1>
            <section class="card"><table id="call-answers"><thead><tr><th>criterion</th>\(head)</tr></thead>
            <tbody>\(rows)<tr><th>score</th>\(scores)</tr></tbody></table>
            <p class="muted">Answers that differ from the expert's are marked. <a href="/calls/\(HTML.pathSegment(callID))">The call's page</a></p></section>
            """)
    }

    /// The results page of a closed session.
    static func calibrationResults(_ session: AuthenticatedSession, results: CalibrationResults) -> HTML {
        let s = results.session
        let tables = QALoopReports.calibrationTables(results) + [QALoopReports.calibrationAnswers(results)]
        return layout(title: "Calibration \(s.name) · results", session: session, body: """
            <h1>Calibration <a href="/calibration/\(String(s.id))">\(s.name)</a> · results</h1>
            <section class="card" id="results">\(tables.map { t in table(t, id: t.name) })</section>
            """)
    }
}
