import CallQAModel
import Foundation
import HTTPTypes
import Pipeline
import Store
import Testing
@testable import Workspace

/// Disputes, calibration and coaching through the router: every new route × every role, in
/// and out of scope (out of scope and forbidden answer the one 404, byte for byte), CSRF on
/// every new form, blind calibration really blind, the flows end to end, hostile text escaped.
@Suite struct LoopTests {
    /// A logged-in browser and its CSRF token.
    static func user(_ f: SampleFixture, _ name: String) async throws -> (Browser, String) {
        let b = try await f.loggedIn(name)
        let token = try #require(Browser.csrf(in: try await b.get("/").text))
        return (b, token)
    }

    static func addUser(_ f: SampleFixture, _ name: String, _ role: Role, teams: [String] = []) throws {
        _ = try f.store.addUser(name: name, role: role, agentID: nil, teams: teams,
                                passwordHash: Secrets.hashPassword(SampleFixture.password, cost: 4), nowEpoch: f.clock.now)
    }

    static func enc(_ s: String) -> String { Browser.formEncode(s) }

    @Test func everyNewRouteByRole() async throws {
        let f = try await SampleFixture()
        let missing = try await (try await f.loggedIn("qa1")).get("/calls/c-missing").body
        // A dispute to act on (c-001 is a1's, team Blue) and a note about a1.
        let qa = Account(userID: 3, name: "qa1", role: .qa, agentID: nil, teams: [])
        let sup = Account(userID: 2, name: "sup-blue", role: .supervisor, agentID: nil, teams: ["Blue"])
        guard case let .done(note) = try CoachingNotes.add(f.store, agentID: "a1", keep: "k", change: "c", references: "c-001@3", followUp: "2026-11-01",
                                                           by: qa, nowEpoch: f.clock.now) else { Issue.record("note"); return }
        for role in Role.allCases {
            let name = f.role(role)
            let (b, token) = try await Self.user(f, name)
            func status(_ method: HTTPRequest.Method, _ path: String, _ body: String = "") async throws -> TestResponse {
                try await b.send(method, path, body: method == .post ? "csrf=\(token)&" + body : nil)
            }
            func expectNotFound(_ r: TestResponse, _ what: String) {
                #expect(r.status == .notFound && r.body == missing, "\(role) \(what): \(r.status.code)")
            }
            for path in ["/disputes", "/disputes?period=all&state=open", "/coaching"] {
                #expect(try await status(.get, path).status == .ok, "\(role) GET \(path)")
            }
            let calibration = try await status(.get, "/calibration")
            if role == .agent { expectNotFound(calibration, "GET /calibration") } else { #expect(calibration.status == .ok, "\(role) GET /calibration") }
            // Raising a dispute: agents and supervisors, on calls in their scope.
            let open = try await status(.post, "/calls/c-001/disputes", "criterion=order-confirmation%2Fgreeting&reason=\(role)")
            switch role {
            case .agent: #expect(open.status == .seeOther, "agent raises")
            case .supervisor: #expect(open.status == .conflict, "already open (the agent raised it)")
            case .qa, .admin: expectNotFound(open, "POST dispute")
            }
            expectNotFound(try await status(.post, "/calls/c-005/disputes", "criterion=support-hotline%2Fgreeting&reason=x"),
                           "POST dispute out of scope")
            expectNotFound(try await status(.post, "/calls/c-missing/disputes", "criterion=a%2Fb&reason=x"), "POST dispute missing call")
            let d = try #require(try f.store.disputes(DisputeFilter(callID: "c-001"), scope: .everything).first)
            for action in ["accept", "reject"] {
                let r = try await status(.post, "/disputes/\(d.id)/\(action)", "answer=no&reason=x")
                if role == .qa { #expect(r.status == .conflict || r.status == .seeOther, "qa \(action)") } else { expectNotFound(r, "POST \(action)") }
                if role == .qa { break }
            }
            if role != .qa {
                let w = try await status(.post, "/disputes/999999/withdraw")
                expectNotFound(w, "withdraw a missing dispute")
            }
            if role == .qa || role == .admin { expectNotFound(try await status(.post, "/disputes/\(d.id)/withdraw"), "POST withdraw") }
            expectNotFound(try await status(.post, "/disputes/abc/accept", "answer=no&reason=x"), "non-numeric id")
            // Coaching: supervisors and QA write, about agents in scope; the agent acknowledges.
            let coach = try await status(.post, "/agents/a1/coaching", "keep=k&change=c&refs=c-001&follow_up=")
            if role == .supervisor || role == .qa { #expect(coach.status == .seeOther, "\(role) coaches") } else { expectNotFound(coach, "POST coaching") }
            let outside = try await status(.post, "/agents/a3/coaching", "keep=k&change=c")
            if role == .qa { #expect(outside.status == .seeOther) } else { expectNotFound(outside, "POST coaching a3") }
            let ack = try await status(.post, "/coaching/\(note.id)/acknowledge")
            if role == .agent { #expect(ack.status == .seeOther) } else { expectNotFound(ack, "POST acknowledge") }
            let follow = try await status(.post, "/coaching/\(note.id)/follow-up", "result=r")
            switch role {
            case .supervisor: #expect(follow.status == .seeOther)
            case .qa: #expect(follow.status == .conflict, "done already (by the supervisor)")
            default: expectNotFound(follow, "POST follow-up")
            }
            // Calibration: only QA creates.
            let create = try await status(.post, "/calibration", "name=s&card=order-confirmation&calls=c-001&expert=qa1&evaluator=sup-blue")
            if role == .qa { #expect(create.status == .seeOther) } else { expectNotFound(create, "POST calibration") }
            // Without the CSRF token, every new form is refused before anything happens.
            for path in ["/calls/c-001/disputes", "/disputes/\(d.id)/accept", "/disputes/\(d.id)/withdraw", "/agents/a1/coaching",
                         "/coaching/\(note.id)/acknowledge", "/coaching/\(note.id)/follow-up", "/calibration", "/calibration/1/close",
                         "/calibration/1/calls/c-001"] {
                #expect(try await b.send(.post, path, body: "reason=x").status == .forbidden, "\(role) POST \(path) without CSRF")
            }
        }
        // Who sees session 1 (created by qa1; sup-blue evaluates): not the agent, not a Red supervisor.
        try Self.addUser(f, "sup-red", .supervisor, teams: ["Red"])
        for (name, visible) in [("agent1", false), ("sup-blue", true), ("qa1", true), ("admin1", true), ("sup-red", false)] {
            let b = try await f.loggedIn(name)
            let r = try await b.get("/calibration/1")
            if visible { #expect(r.status == .ok, "\(name)") } else { #expect(r.status == .notFound && r.body == missing, "\(name)") }
            for path in ["/calibration/1/results", "/calibration/1/calls/c-001/answers", "/calibration/2", "/calibration/x"] {
                let sealed = try await b.get(path)
                #expect(sealed.status == .notFound && sealed.body == missing, "\(name) GET \(path) before the close")
            }
        }
        // Only QA closes: the supervisor taking part and the admin get the one 404.
        for name in ["sup-blue", "admin1"] {
            let (b, t) = try await Self.user(f, name)
            let r = try await b.send(.post, "/calibration/1/close", body: "csrf=\(t)")
            #expect(r.status == .notFound && r.body == missing, "\(name) closes")
        }
        #expect(try f.store.calibrationSession(id: 1, member: nil, scope: .everything)?.state == .open)
        // The audit log has every action.
        let actions = Set(try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).map(\.action))
        for a in [AuditAction.disputeOpened, .coachingNote, .coachingAcknowledged, .coachingFollowUp, .calibrationCreated] {
            #expect(actions.contains(a), "\(a)")
        }
    }

    @Test func anAgentDisputesAndQADecides() async throws {
        let f = try await SampleFixture()
        let (agent, agentToken) = try await Self.user(f, "agent1")
        let page = try await agent.get("/calls/c-001")
        #expect(page.text.contains("id=\"dispute-open\"") && page.text.contains("value=\"order-confirmation/greeting\""))
        #expect(!page.text.contains("class=\"accept\""), "agents do not decide")
        let reason = "<script>alert('dispute')</script> I greeted at 0:02"
        let raised = try await agent.send(.post, "/calls/c-001/disputes",
                                          body: "csrf=\(agentToken)&criterion=order-confirmation%2Fgreeting&reason=\(Self.enc(reason))")
        #expect(raised.status == .seeOther && raised.header("Location")?.hasPrefix("/calls/c-001?dispute=") == true)
        let after = try await agent.get("/calls/c-001")
        #expect(after.text.contains("data-state=\"open\"") && after.text.contains("class=\"withdraw\""))
        #expect(!after.text.contains("<script>alert('dispute')") && after.text.contains("&lt;script&gt;alert(&#39;dispute&#39;)"))
        // No reason: refused, said on the page.
        let empty = try await agent.send(.post, "/calls/c-001/disputes", body: "csrf=\(agentToken)&criterion=order-confirmation%2Fverify_identity&reason=")
        #expect(empty.status == .badRequest && empty.text.contains("id=\"loop-error\"") && empty.text.contains("needs a reason"))
        // QA sees the accept and reject forms, accepts with another answer: rescored.
        let (qa, qaToken) = try await Self.user(f, "qa1")
        let qaPage = try await qa.get("/calls/c-001")
        let id = try #require(try f.store.disputes(DisputeFilter(callID: "c-001"), scope: .everything).first).id
        #expect(qaPage.text.contains("id=\"accept-\(id)\"") && qaPage.text.contains("id=\"reject-\(id)\"") && !qaPage.text.contains("id=\"dispute-open\""))
        let bad = try await qa.send(.post, "/disputes/\(id)/accept", body: "csrf=\(qaToken)&answer=7&reason=x")
        #expect(bad.status == .badRequest && bad.text.contains("id=\"loop-error\""))
        let accepted = try await qa.send(.post, "/disputes/\(id)/accept", body: "csrf=\(qaToken)&answer=partial&reason=greeted+without+the+company+name")
        #expect(accepted.status == .seeOther)
        let stored = try #require(try f.store.evaluations(callID: "c-001", scope: .everything).first { $0.criterionID == "greeting" })
        #expect(stored.answer == "partial" && stored.evaluator == "qa1" && stored.source == "dispute")
        // Decided once: a second decision is refused.
        let again = try await qa.send(.post, "/disputes/\(id)/reject", body: "csrf=\(qaToken)&reason=x")
        #expect(again.status == .conflict && again.text.contains("accepted: it cannot be rejected"))
        // The agent sees the outcome and the history; the answer replaced is kept.
        let outcome = try await agent.get("/calls/c-001")
        #expect(outcome.text.contains("data-state=\"accepted\"") && outcome.text.contains("answer now <strong>partial</strong>"))
        #expect(outcome.text.contains("id=\"replaced\"") && outcome.text.contains("Maria Lopez"))
        #expect(outcome.text.contains("greeted without the company name"))
        let list = try await agent.get("/disputes?period=all")
        #expect(list.text.contains("id=\"by-evaluator\"") && list.text.contains("Maria Lopez") && list.text.contains("href=\"/calls/c-001#disputes\""))
        let audit = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        #expect(audit.contains { $0.action == .disputeOpened && $0.actor == "agent1" && $0.callID == "c-001" })
        #expect(audit.contains { $0.action == .disputeAccepted && $0.actor == "qa1" && ($0.detail ?? "").contains("answer yes by Maria Lopez → partial") })
        // The window: eight days after the answers were stored nothing can be disputed any more
        // (a new login: the old session has ended by then).
        let answer = try #require(try f.store.evaluations(callID: "c-001", scope: .everything).first { $0.criterionID == "confirm_order" })
        let storedAt = try #require(Timestamp.parse(answer.importedAt, zone: nil)).epochS
        f.clock.advance(storedAt + 8 * 86_400 - f.clock.now)
        let (later, laterToken) = try await Self.user(f, "agent1")
        let late = try await later.get("/calls/c-001")
        #expect(late.text.contains("id=\"nothing-to-dispute\""))
        let refused = try await later.send(.post, "/calls/c-001/disputes", body: "csrf=\(laterToken)&criterion=order-confirmation%2Fconfirm_order&reason=x")
        #expect(refused.status == .conflict && refused.text.contains("could be disputed until"))
    }

    @Test func calibrationIsBlindUntilClosed() async throws {
        let f = try await SampleFixture()
        for name in ["eva", "ed", "expert"] { try Self.addUser(f, name, .qa) }
        let (qa, token) = try await Self.user(f, "qa1")
        let listPage = try await qa.get("/calibration")
        #expect(listPage.text.contains("id=\"calibration-create\""))
        let create = try await qa.send(.post, "/calibration", body: "csrf=\(token)&name=\(Self.enc("<b>Nov</b> calibration"))&card=order-confirmation"
                                           + "&calls=c-001+c-003&expert=expert&evaluator=eva&evaluator=ed&evaluator=qa1")
        #expect(create.status == .seeOther && create.header("Location") == "/calibration/1")
        let bad = try await qa.send(.post, "/calibration", body: "csrf=\(token)&name=x&card=order-confirmation&calls=c-005&expert=expert&evaluator=eva")
        #expect(bad.status == .badRequest && bad.text.contains("does not apply"))
        // Each member answers; eva says no to greeting on c-001.
        let criteria = ["greeting", "verify_identity", "confirm_order", "payment_link", "delivery_date", "callback_offer"]
        var browsers: [String: (Browser, String)] = ["qa1": (qa, token)]
        for name in ["eva", "ed", "expert"] { browsers[name] = try await Self.user(f, name) }
        for (name, (b, t)) in browsers {
            for call in ["c-001", "c-003"] {
                let form = try await b.get("/calibration/1/calls/\(call)")
                #expect(form.status == .ok && form.text.contains("id=\"calibration-form\"") && form.text.contains("id=\"player\""), "\(name) \(call)")
                let body = criteria.map { c in "answer.\(c)=\(name == "eva" && call == "c-001" && c == "greeting" ? "no" : "yes")" }.joined(separator: "&")
                let saved = try await b.send(.post, "/calibration/1/calls/\(call)", body: "csrf=\(t)&\(body)&comment.greeting=\(name)-note")
                #expect(saved.status == .ok && saved.text.contains("id=\"loop-ok\""), "\(name) saves \(call)")
            }
        }
        // Blind: eva's form shows her answer and her comment only; nobody else's.
        let (eva, _) = browsers["eva"]!
        let evaForm = try await eva.get("/calibration/1/calls/c-001").text
        #expect(evaForm.contains("value=\"eva-note\"") && !evaForm.contains("ed-note") && !evaForm.contains("expert-note") && !evaForm.contains("qa1-note"))
        #expect(evaForm.contains("name=\"answer.greeting\" value=\"no\" checked"))
        let session = try await eva.get("/calibration/1")
        #expect(session.text.contains("id=\"sealed\"") && !session.text.contains("ed-note") && session.text.contains("2 of 2"))
        let missing = try await eva.get("/calls/c-missing").body
        for path in ["/calibration/1/results", "/calibration/1/calls/c-001/answers"] {
            for (name, (b, _)) in browsers {
                let r = try await b.get(path)
                #expect(r.status == .notFound && r.body == missing, "\(name) GET \(path) before the close")
            }
        }
        // A qa member closes it; a second close is refused; every answer and the results are then
        // shown, and the answers are frozen.
        let (ed, edToken) = browsers["ed"]!
        #expect(try await ed.send(.post, "/calibration/1/close", body: "csrf=\(edToken)").status == .seeOther, "ed is qa: may close")
        let closeByQA = try await qa.send(.post, "/calibration/1/close", body: "csrf=\(token)")
        #expect(closeByQA.status == .conflict && closeByQA.text.contains("closed already"))
        let frozen = try await ed.send(.post, "/calibration/1/calls/c-001", body: "csrf=\(edToken)&answer.greeting=no")
        #expect(frozen.status == .conflict && frozen.text.contains("answers no longer change"))
        #expect(try await ed.get("/calibration/1/calls/c-001").status == .notFound, "no form once closed")
        let results = try await eva.get("/calibration/1/results")
        #expect(results.status == .ok && results.text.contains("calibration_evaluators") && results.text.contains("ed-note") == false)
        #expect(results.text.contains("Krippendorff") && results.text.contains("calibration_criteria"))
        let answers = try await eva.get("/calibration/1/calls/c-001/answers")
        #expect(answers.status == .ok && answers.text.contains("ed-note") && answers.text.contains("expert-note"))
        let closed = try await eva.get("/calibration/1")
        #expect(closed.text.contains("id=\"results\"") && closed.text.contains("&lt;b&gt;Nov&lt;/b&gt; calibration"))
        // The official scores never moved (no calibration answer reached `evaluations`).
        #expect(try f.store.evaluations(callID: "c-001", scope: .everything).allSatisfy { $0.evaluator == "Maria Lopez" })
        let audit = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        #expect(audit.filter { $0.action == .calibrationAnswers }.count == 8 && audit.contains { $0.action == .calibrationClosed })
        #expect(!audit.contains { ($0.detail ?? "").contains("eva-note") }, "the audit log does not leak answers")
    }

    @Test func coachingFromACallAcknowledgedAndFollowedUp() async throws {
        let f = try await SampleFixture()
        let (sup, token) = try await Self.user(f, "sup-blue")
        let call = try await sup.get("/calls/c-001?t=12.5")
        #expect(call.text.contains("id=\"coaching-form\"") && call.text.contains("value=\"c-001@12.5\""))
        let keep = "<script>alert('keep')</script> warm greeting"
        let r = try await sup.send(.post, "/agents/a1/coaching", body: "csrf=\(token)&back=call%3Ac-001&keep=\(Self.enc(keep))&change=Confirm+the+delivery+window"
                                       + "&refs=c-001%4012.5-20%2C+c-002&follow_up=2026-11-20")
        #expect(r.status == .seeOther && r.header("Location")?.hasPrefix("/agents/a1") == true)
        let badRef = try await sup.send(.post, "/agents/a1/coaching", body: "csrf=\(token)&back=call%3Ac-001&keep=k&refs=c-003")
        #expect(badRef.status == .badRequest && badRef.text.contains("not a call of agent a1"))
        // The agent page: the note, the trend marked with the coaching date.
        let agentPage = try await sup.get("/agents/a1?period=all")
        #expect(agentPage.text.contains("id=\"agent-notes\"") && agentPage.text.contains("href=\"/calls/c-001?t=12.5\""))
        #expect(agentPage.text.contains("class=\"marker\"") && agentPage.text.contains("coached "), "the trend shows the coaching date")
        #expect(!agentPage.text.contains("<script>alert('keep')") && agentPage.text.contains("&lt;script&gt;alert(&#39;keep&#39;)"))
        // Waiting for the supervisor: not acknowledged, and overdue (the fixture's clock is 2026-11-30).
        let waiting = try await sup.get("/coaching")
        #expect(waiting.text.contains("id=\"unacknowledged\"") && waiting.text.contains("id=\"overdue\"") && waiting.text.contains("2026-11-20 — overdue"))
        // The agent acknowledges; the supervisor closes the follow-up.
        let (agent, agentToken) = try await Self.user(f, "agent1")
        let mine = try await agent.get("/coaching")
        #expect(mine.text.contains("id=\"my-notes\"") && mine.text.contains("class=\"coach-ack\""))
        let id = try #require(try f.store.coachingNotes(CoachingFilter(agentID: "a1"), scope: .everything).first).id
        #expect(try await agent.send(.post, "/coaching/\(id)/acknowledge", body: "csrf=\(agentToken)&back=coaching").status == .seeOther)
        #expect(try await agent.get("/coaching").text.contains("acknowledged by agent1"))
        #expect(try await sup.send(.post, "/coaching/\(id)/follow-up", body: "csrf=\(token)&result=window+confirmed+on+4+of+5+calls").status == .seeOther)
        let done = try await sup.get("/coaching")
        #expect(done.text.contains("id=\"unacknowledged-none\"") && done.text.contains("id=\"overdue-none\"") && done.text.contains("done by sup-blue"))
        // The agent cannot see another agent's notes; a note about a3 is not on a1's pages.
        let qaAccount = Account(userID: 3, name: "qa1", role: .qa, agentID: nil, teams: [])
        guard case .done = try CoachingNotes.add(f.store, agentID: "a3", keep: "secret-a3-note", change: "", references: "", followUp: nil,
                                                 by: qaAccount, nowEpoch: f.clock.now) else { Issue.record("a3 note"); return }
        #expect(!(try await agent.get("/coaching")).text.contains("secret-a3-note"))
        #expect(!(try await sup.get("/coaching")).text.contains("secret-a3-note"))
        #expect(try await (try await f.loggedIn("qa1")).get("/coaching").text.contains("secret-a3-note"))
    }
}

/// The loops' commands through the real binary, acting `--as` accounts of the sample day.
@Suite struct LoopCommandLineTests {
    static func run(_ f: SampleFixture, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try CommandLineTests.run(args + ["--db", f.store.path])
    }

    @Test func disputesCalibrationAndCoachingFromTheCommandLine() async throws {
        let f = try await SampleFixture()
        try LoopTests.addUser(f, "eva", .qa)
        let nobody = try Self.run(f, ["disputes", "open", "c-001", "--card", "order-confirmation", "--criterion", "greeting", "--reason", "r", "--as", "nobody"])
        #expect(nobody.status == 1 && nobody.err.contains("no user named 'nobody'"))
        let byQA = try Self.run(f, ["disputes", "open", "c-001", "--card", "order-confirmation", "--criterion", "greeting", "--reason", "r", "--as", "qa1"])
        #expect(byQA.status == 1 && byQA.err.contains("a qa may not open a dispute"), "\(byQA.err)")
        let open = try Self.run(f, ["disputes", "open", "c-001", "--card", "order-confirmation", "--criterion", "greeting",
                                    "--reason", "I greeted at 0:02", "--as", "agent1"])
        #expect(open.status == 0 && open.out.hasPrefix("dispute 1 open: call c-001, order-confirmation/greeting, answer yes by Maria Lopez"), "\(open.out)\(open.err)")
        // An answer stored long ago (set by hand) is past any window of a few days.
        try f.store.write { db in
            try db.execute(sql: "UPDATE evaluations SET imported_at = '2026-01-01T00:00:00Z' WHERE call_id = 'c-001' AND criterion_id = 'payment_link'")
        }
        let late = try Self.run(f, ["disputes", "open", "c-001", "--card", "order-confirmation", "--criterion", "payment_link",
                                    "--reason", "r", "--as", "agent1", "--window-days", "30"])
        #expect(late.status == 1 && late.err.contains("could be disputed until 2026-01-31T00:00:00Z (30 days after it was stored)"), "\(late.err)")
        let accept = try Self.run(f, ["disputes", "accept", "1", "--answer", "partial", "--reason", "no company name", "--as", "qa1"])
        #expect(accept.status == 0 && accept.out.contains("dispute 1 accepted") && accept.out.contains("→ partial; score"), "\(accept.out)\(accept.err)")
        let again = try Self.run(f, ["disputes", "reject", "1", "--reason", "x", "--as", "qa1"])
        #expect(again.status == 1 && again.err.contains("the dispute is accepted: it cannot be rejected"))
        let show = try Self.run(f, ["disputes", "show", "1"])
        #expect(show.status == 0 && show.out.contains("opened") && show.out.contains("accepted") && show.out.contains("agent1"))
        let report = try Self.run(f, ["report", "disputes", "--format", "json"])
        #expect(report.status == 0 && report.out.contains("\"disputes_by_evaluator\"") && report.out.contains("\"accepted_share\":1"), "\(report.out)")
        // Calibration: only qa creates and closes; the report waits for the close.
        let supCreate = try Self.run(f, ["calibration", "create", "s", "--card", "order-confirmation", "--calls", "c-001,c-002",
                                         "--evaluators", "eva", "--expert", "qa1", "--as", "sup-blue"])
        #expect(supCreate.status == 1 && supCreate.err.contains("may not create a calibration session"))
        let create = try Self.run(f, ["calibration", "create", "Nov", "--card", "order-confirmation", "--calls", "c-001,c-002",
                                      "--evaluators", "eva", "--expert", "qa1", "--as", "qa1"])
        #expect(create.status == 0 && create.out.contains("calibration session 1 “Nov” created"), "\(create.err)")
        let sealed = try Self.run(f, ["calibration", "report", "1"])
        #expect(sealed.status == 1 && sealed.err.contains("is open: its answers are sealed"))
        #expect(try Self.run(f, ["calibration", "close", "1", "--as", "sup-blue"]).status == 1)
        #expect(try Self.run(f, ["calibration", "close", "1", "--as", "qa1"]).status == 0)
        let results = try Self.run(f, ["calibration", "report", "1", "--answers", "--format", "json"])
        #expect(results.status == 0 && results.out.contains("\"calibration_evaluators\"") && results.out.contains("\"calibration_answers\""))
        #expect(try Self.run(f, ["calibration", "list"]).out.contains("closed"))
        // Coaching: supervisors and qa write; the list shows what waits.
        #expect(try Self.run(f, ["coaching", "add", "a1", "--keep", "k", "--as", "agent1"]).status == 1)
        let add = try Self.run(f, ["coaching", "add", "a1", "--keep", "Warm greeting", "--calls", "c-001@12.5-20", "--follow-up", "2026-11-01",
                                   "--as", "sup-blue"])
        #expect(add.status == 0 && add.out.contains("coaching note 1 for agent a1 recorded, follow-up 2026-11-01"), "\(add.err)")
        let waiting = try Self.run(f, ["coaching", "list", "--waiting", "--format", "csv"])
        #expect(waiting.status == 0 && waiting.out.contains("NOT acknowledged, OVERDUE") && waiting.out.contains("c-001@12.5-20"))
        #expect(try Self.run(f, ["coaching", "done", "1", "--result", "better", "--as", "sup-blue"]).status == 0)
        // Every step audited, by the command line acting as the account.
        let audit = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        for (action, actor) in [(AuditAction.disputeOpened, "cli:tester as agent1"), (.disputeAccepted, "cli:tester as qa1"),
                                (.calibrationCreated, "cli:tester as qa1"), (.calibrationClosed, "cli:tester as qa1"),
                                (.coachingNote, "cli:tester as sup-blue"), (.coachingFollowUp, "cli:tester as sup-blue")] {
            #expect(audit.contains { $0.action == action && $0.actor == actor }, "\(action)")
        }
    }
}
