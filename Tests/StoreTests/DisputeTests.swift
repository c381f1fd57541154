import CallQAModel
import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// The dispute state machine, its window, its roles, and that no answer is ever lost — on the
/// sample day (its evaluations imported by `run`).
@Suite struct DisputeTests {
    static let agentA3 = Account(userID: 101, name: "ann", role: .agent, agentID: "a3", teams: [])
    static let supRed = Account(userID: 102, name: "sue", role: .supervisor, agentID: nil, teams: ["Red"])
    static let supBlue = Account(userID: 103, name: "bob", role: .supervisor, agentID: nil, teams: ["Blue"])
    static let qa = Account(userID: 104, name: "quinn", role: .qa, agentID: nil, teams: [])
    static let admin = Account(userID: 105, name: "ada", role: .admin, agentID: nil, teams: [])

    /// Every (state, action, role): the expected next state, written out by hand.
    @Test func theStateMachineHasNoOtherTransition() {
        var allowed: [String: DisputeState] = [:]
        for role in [Role.agent, .supervisor] {
            allowed["nil open \(role)"] = .open
            allowed["open withdraw \(role)"] = .withdrawn
        }
        allowed["open accept qa"] = .accepted
        allowed["open reject qa"] = .rejected
        var checked = 0
        for state in [nil] + DisputeState.allCases.map(Optional.some) {
            for action in DisputeAction.allCases {
                for role in Role.allCases {
                    let key = "\(state?.rawValue ?? "nil") \(action.rawValue) \(role.rawValue)"
                    let got = DisputeRules.next(from: state, action, by: role)
                    switch got {
                    case let .success(next): #expect(allowed[key] == next, "\(key) → \(next)")
                    case let .failure(why):
                        #expect(allowed[key] == nil, "\(key) refused: \(why)")
                        // A role that may never take the action is told so before the state.
                        if !DisputeRules.allowed(action, role) { #expect(why == .role(role, action), "\(key)") }
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 5 * 4 * 4)
        // Final states stay final: from accepted, rejected or withdrawn nothing moves.
        for s in DisputeState.allCases where s.isFinal {
            for a in DisputeAction.allCases { for r in Role.allCases { #expect(throws: DisputeRefusal.self) { try DisputeRules.next(from: s, a, by: r).get() } } }
        }
    }

    @Test func windowsAreInclusiveOfTheirLastSecond() {
        let w = DisputeWindow(days: 7)
        #expect(w.deadline(storedEpoch: 1000) == 1000 + 7 * 86_400)
        #expect(w.isOpen(storedEpoch: 1000, nowEpoch: 1000 + 7 * 86_400))
        #expect(!w.isOpen(storedEpoch: 1000, nowEpoch: 1000 + 7 * 86_400 + 1))
        #expect(DisputeWindow().days == 7)
        // Reasons are one line of 1 to 2000 characters: breaks and control characters become spaces.
        #expect(DisputeText.reason(" a\nb\tc\u{1B}[31m ") == "a b c [31m")
        #expect(DisputeText.reason(" \n\t ") == nil && DisputeText.reason(String(repeating: "x", count: 2001)) == nil)
    }

    /// When the answers of a call were stored (epoch s).
    static func storedEpoch(_ store: CallStore, _ call: String) throws -> Double {
        let e = try #require(try store.evaluations(callID: call, scope: .everything).first)
        return try #require(Timestamp.parse(e.importedAt, zone: nil)).epochS
    }

    @Test func aDisputeGoesOpenThenDecidedAndKeepsEveryAnswer() async throws {
        let store = try await AggregateTests.sampleDay()
        let t0 = try Self.storedEpoch(store, "c-006")
        let window = DisputeWindow(days: 7)
        let scoreBefore = try #require(try store.storedScores(callID: "c-006", scope: .everything).first { $0.cardID == "support-hotline" })
        // QA, admins and agents or supervisors outside the call's scope cannot raise one.
        for who in [Self.qa, Self.admin] {
            guard case .refused = try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "problem_restated",
                                                    reason: "x", by: who, window: window, nowEpoch: t0 + 60) else {
                Issue.record("\(who.role) opened a dispute"); return
            }
        }
        let outside = try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "problem_restated", reason: "x",
                                        by: Self.supBlue, window: window, nowEpoch: t0 + 60)
        #expect(outside == .notFound)
        // An automatic criterion, or one without an evaluator answer, has nothing to dispute.
        #expect(try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "quick_response", reason: "x",
                                  by: Self.agentA3, window: window, nowEpoch: t0 + 60) == .notFound)
        #expect(try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "problem_restated", reason: "  ",
                                  by: Self.agentA3, window: window, nowEpoch: t0 + 60) == .invalid("a dispute needs a reason (1 to 2000 characters)"))
        // The agent raises it within the window.
        guard case let .done(d, _, _) = try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "problem_restated",
                                                          reason: "I restated it at 0:41", by: Self.agentA3, window: window, nowEpoch: t0 + 60) else {
            Issue.record("not opened"); return
        }
        #expect(d.state == .open && d.answer == "no" && d.evaluator == "Maria Lopez" && d.openedBy == "ann" && d.openedRole == .agent)
        #expect(d.history.map(\.action) == [.open] && d.windowDays == 7)
        // One open dispute per criterion.
        guard case .conflict = try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "problem_restated",
                                                 reason: "again", by: Self.supRed, window: window, nowEpoch: t0 + 61) else {
            Issue.record("a second open dispute"); return
        }
        // Only QA decides: the agent and the supervisor cannot accept or reject.
        for who in [Self.agentA3, Self.supRed, Self.admin] {
            #expect(try Disputes.accept(store, id: d.id, newAnswer: "yes", reason: "r", by: who, nowEpoch: t0 + 70) == .refused(.role(who.role, .accept)))
            #expect(try Disputes.reject(store, id: d.id, reason: "r", by: who, nowEpoch: t0 + 70) == .refused(.role(who.role, .reject)))
        }
        // An answer that does not fit the criterion is refused, nothing changes.
        guard case .invalid = try Disputes.accept(store, id: d.id, newAnswer: "7", reason: "r", by: Self.qa, nowEpoch: t0 + 80) else {
            Issue.record("a scale answer on a yes/no criterion"); return
        }
        #expect(try Disputes.accept(store, id: d.id, newAnswer: "no", reason: "r", by: Self.qa, nowEpoch: t0 + 80)
                == .conflict("problem_restated is answered no already: accept with another answer, or reject"))
        // QA accepts: the answer changes (attributed to QA, source `dispute`), the call is rescored.
        guard case let .done(accepted, before, after) = try Disputes.accept(store, id: d.id, newAnswer: "yes", reason: "heard it at 0:41",
                                                                            by: Self.qa, nowEpoch: t0 + 90) else {
            Issue.record("not accepted"); return
        }
        #expect(accepted.state == .accepted && accepted.newAnswer == "yes" && accepted.resolvedBy == "quinn" && accepted.resolution == "heard it at 0:41")
        #expect(accepted.history.map(\.action) == [.open, .accept])
        #expect(accepted.history.last?.answerBefore == "no" && accepted.history.last?.answerAfter == "yes")
        let now = try #require(try store.evaluations(callID: "c-006", scope: .everything).first { $0.criterionID == "problem_restated" })
        #expect(now.answer == "yes" && now.evaluator == "quinn" && now.source == "dispute" && now.comment == "dispute \(d.id) accepted: heard it at 0:41")
        let replaced = try store.replacedEvaluations(callID: "c-006", scope: .everything)
        #expect(replaced.count == 1 && replaced[0].answer == "no" && replaced[0].evaluator == "Maria Lopez" && replaced[0].criterionID == "problem_restated")
        #expect(before?.score == scoreBefore.score)
        let scoreAfter = try #require(try store.storedScores(callID: "c-006", scope: .everything).first { $0.cardID == "support-hotline" })
        #expect((scoreAfter.score ?? 0) > (scoreBefore.score ?? 0) && after?.score == scoreAfter.score, "rescored")
        // Decided once: nothing moves it again.
        #expect(try Disputes.reject(store, id: d.id, reason: "r", by: Self.qa, nowEpoch: t0 + 100) == .refused(.state(.accepted, .reject)))
        #expect(try Disputes.accept(store, id: d.id, newAnswer: "partial", reason: "r", by: Self.qa, nowEpoch: t0 + 100) == .refused(.state(.accepted, .accept)))
        #expect(try Disputes.withdraw(store, id: d.id, reason: nil, by: Self.agentA3, nowEpoch: t0 + 100) == .refused(.state(.accepted, .withdraw)))
        // The agent sees the outcome; the supervisor of another team does not see the dispute at all.
        #expect(try store.dispute(id: d.id, scope: Self.agentA3.scope)?.state == .accepted)
        #expect(try store.dispute(id: d.id, scope: Self.supBlue.scope) == nil)
        #expect(try Disputes.withdraw(store, id: d.id, reason: nil, by: Account(userID: 9, name: "x", role: .agent, agentID: "a1", teams: []), nowEpoch: t0 + 100) == .notFound)
    }

    @Test func theWindowIsRespectedAndARejectedAnswerIsNotDisputedTwice() async throws {
        let store = try await AggregateTests.sampleDay()
        let t0 = try Self.storedEpoch(store, "c-005")
        let w = DisputeWindow(days: 2)
        let late = try Disputes.open(store, callID: "c-005", cardID: "support-hotline", criterionID: "greeting", reason: "x", by: Self.supRed,
                                     window: w, nowEpoch: t0 + 2 * 86_400 + 1)
        guard case let .conflict(why) = late, why.contains("could be disputed until") else { Issue.record("\(late)"); return }
        #expect(try store.disputes(DisputeFilter(), scope: .everything).isEmpty, "nothing stored when refused")
        guard case let .done(d, _, _) = try Disputes.open(store, callID: "c-005", cardID: "support-hotline", criterionID: "greeting", reason: "x",
                                                          by: Self.supRed, window: w, nowEpoch: t0 + 2 * 86_400) else {
            Issue.record("the last second of the window"); return
        }
        #expect(d.openedRole == .supervisor && d.deadline == Timestamp(epochS: t0 + 2 * 86_400, offsetS: 0).iso8601)
        guard case let .done(rejected, _, _) = try Disputes.reject(store, id: d.id, reason: "the greeting lacked the company name",
                                                                   by: Self.qa, nowEpoch: t0 + 2 * 86_400 + 5) else {
            Issue.record("not rejected"); return
        }
        #expect(rejected.state == .rejected && rejected.newAnswer == nil && rejected.history.last?.answerAfter == "yes")
        #expect(try store.evaluations(callID: "c-005", scope: .everything).first { $0.criterionID == "greeting" }?.evaluator == "Maria Lopez")
        let again = try Disputes.open(store, callID: "c-005", cardID: "support-hotline", criterionID: "greeting", reason: "y", by: Self.agentA3,
                                      window: DisputeWindow(days: 30), nowEpoch: t0 + 3 * 86_400)
        guard case let .conflict(why2) = again, why2.contains("rejected") else { Issue.record("\(again)"); return }
        // A withdrawn dispute can be raised again.
        guard case let .done(d2, _, _) = try Disputes.open(store, callID: "c-005", cardID: "support-hotline", criterionID: "problem_restated",
                                                           reason: "x", by: Self.agentA3, window: w, nowEpoch: t0 + 10) else { Issue.record("open"); return }
        guard case .done = try Disputes.withdraw(store, id: d2.id, reason: nil, by: Self.agentA3, nowEpoch: t0 + 20) else { Issue.record("withdraw"); return }
        guard case .done = try Disputes.open(store, callID: "c-005", cardID: "support-hotline", criterionID: "problem_restated",
                                             reason: "after all", by: Self.agentA3, window: w, nowEpoch: t0 + 30) else { Issue.record("reopen"); return }
        // The report counts them per evaluator and per criterion.
        let report = try Disputes.report(store, opened: .all, scope: .everything)
        #expect(report.disputes.count == 3)
        #expect(report.byEvaluator.count == 1 && report.byEvaluator[0].key == ["Maria Lopez"] && report.byEvaluator[0].opened == 3)
        #expect(report.byEvaluator[0].rejected == 1 && report.byEvaluator[0].withdrawn == 1 && report.byEvaluator[0].pending == 1)
        #expect(report.byEvaluator[0].acceptedShare == 0)
        #expect(Set(report.byCriterion.map(\.key)) == [["support-hotline", "greeting"], ["support-hotline", "problem_restated"]])
        // A period that holds none of the openings.
        #expect(try Disputes.report(store, opened: Period(fromDate: "2001-01-01", toDate: "2001-01-31"), scope: .everything).disputes.isEmpty)
        let day = String(Timestamp(epochS: t0 + 10, offsetS: 0).iso8601.prefix(10))
        #expect(try Disputes.report(store, opened: Period(fromDate: day, toDate: day), scope: .everything).disputes.count >= 1)
    }

    /// The schema keeps the rules even against a hand-written UPDATE: a decided dispute never
    /// moves again, what was disputed never changes, and the history is never edited.
    @Test func theSchemaRefusesToRewriteHistory() async throws {
        let store = try await AggregateTests.sampleDay()
        let t0 = try Self.storedEpoch(store, "c-006")
        guard case let .done(d, _, _) = try Disputes.open(store, callID: "c-006", cardID: "support-hotline", criterionID: "greeting",
                                                          reason: "x", by: Self.agentA3, window: DisputeWindow(), nowEpoch: t0 + 1) else { return }
        func refused(_ sql: String) {
            #expect(throws: StoreError.self, "\(sql)") { try store.write { db in try db.execute(sql: sql) } }
        }
        refused("UPDATE disputes SET answer = 'yes' WHERE dispute_id = \(d.id)")
        refused("UPDATE disputes SET reason = 'other' WHERE dispute_id = \(d.id)")
        refused("UPDATE disputes SET state = 'accepted', resolved_at = 'x', resolution = 'r' WHERE dispute_id = \(d.id)")  // no new answer
        refused("UPDATE dispute_events SET reason = 'edited' WHERE dispute_id = \(d.id)")
        guard case .done = try Disputes.reject(store, id: d.id, reason: "no", by: Self.qa, nowEpoch: t0 + 2) else { return }
        refused("UPDATE disputes SET state = 'open', resolved_at = NULL WHERE dispute_id = \(d.id)")
        refused("UPDATE disputes SET state = 'accepted', new_answer = 'yes' WHERE dispute_id = \(d.id)")
        refused("INSERT INTO disputes (call_id, card_id, criterion_id, answer, evaluator, evaluated_at, answer_stored_at, window_days, deadline_at, state, reason, opened_by, opened_role, opened_at, opened_epoch) VALUES ('c-006', 'support-hotline', 'greeting', 'yes', 'x', 'x', 'x', 7, 'x', 'open', 'r', 'qa1', 'qa', 'x', 0)")
        #expect(try store.dispute(id: d.id, scope: .everything)?.history.map(\.action) == [.open, .reject])
    }

    /// Any replaced answer — a re-import, the evaluate form — lands in the history too.
    @Test func everyReplacedAnswerIsKept() async throws {
        let store = try await AggregateTests.sampleDay()
        let sheet = try #require(try WebEvaluation.sheet(store, callID: "c-004", scope: .everything))
        let saved = try WebEvaluation.save(store, callID: "c-004", cardID: "order-confirmation",
                                           answers: [.init(criterionID: "payment_link", answer: "yes", comment: nil)], evaluator: "qa1",
                                           fingerprint: sheet.fingerprint, nowEpoch: Date().timeIntervalSince1970 + 5, scope: .everything)
        guard case .saved = saved else { Issue.record("\(saved)"); return }
        let h = try store.replacedEvaluations(callID: "c-004", scope: .everything)
        #expect(h.count == 1 && h[0].answer == "partial" && h[0].criterionID == "payment_link" && h[0].evaluator == "Maria Lopez")
        #expect(try store.replacedEvaluations(callID: "c-004", scope: .agent("a1")).isEmpty, "scoped")
    }

    /// Every audit action the workspace can write is one the table's CHECK allows.
    @Test func everyAuditActionFitsTheAuditLog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try CallStore(path: dir.appendingPathComponent("a.sqlite").path)
        for a in AuditAction.allCases { try store.appendAudit(AuditEntry(atEpoch: 1, action: a, actor: "t")) }
        #expect(try store.auditEntries(fromEpoch: nil, toEpoch: nil).map(\.action) == AuditAction.allCases)
    }
}
