import CallQAModel
import Foundation
import GRDB
import Pipeline
import Scorecard
@testable import Store
import Testing

/// Calibration: sessions, blind answers (sealed in the store until the close), official
/// scores untouched, and the results computed by hand.
@Suite struct CalibrationTests {
    /// Users added to a store: name → account.
    static func addUsers(_ store: CallStore, _ users: [(String, Role, [String])]) throws -> [String: Account] {
        var out: [String: Account] = [:]
        for (name, role, teams) in users {
            guard case let .added(a) = try store.addUser(name: name, role: role, agentID: role == .agent ? "a1" : nil, teams: teams,
                                                         passwordHash: "x", nowEpoch: 1) else { throw StoreError.database(path: "", reason: "user") }
            out[name] = a
        }
        return out
    }

    static let members: [(String, Role, [String])] = [("quinn", .qa, []), ("eva", .qa, []), ("ed", .qa, []), ("sue", .supervisor, ["Blue"]),
                                                      ("red", .supervisor, ["Red"]), ("ann", .agent, []), ("ada", .admin, [])]

    @Test func aSessionIsBlindUntilItClosesAndNeverTouchesOfficialScores() async throws {
        let store = try await AggregateTests.sampleDay()
        let u = try Self.addUsers(store, Self.members)
        let qa = u["quinn"]!
        let calls = ["c-001", "c-003", "c-011"]
        let officialBefore = try calls.flatMap { try store.storedScores(callID: $0, scope: .everything) }.map { "\($0.callID) \($0.cardID) \($0.score ?? -1) \($0.status)" }
        let evaluationsBefore = try calls.flatMap { try store.evaluations(callID: $0, scope: .everything) }
        // Who may create, and what is checked.
        guard case .failure(.role) = try Calibrations.create(store, name: "n", cardID: "order-confirmation", callIDs: calls,
                                                             evaluators: ["eva"], expert: "quinn", by: u["sue"]!, nowEpoch: 10) else {
            Issue.record("a supervisor created a session"); return
        }
        for (evaluators, expert, callIDs, card) in [(["eva"], "quinn", calls, "nope"), (["eva"], "quinn", ["c-005"], "order-confirmation"),
                                                    (["red"], "quinn", calls, "order-confirmation"), (["ann"], "quinn", calls, "order-confirmation"),
                                                    (["quinn"], "quinn", calls, "order-confirmation"), ([], "quinn", calls, "order-confirmation"),
                                                    (["nobody"], "quinn", calls, "order-confirmation"), (["eva"], "quinn", ["c-missing"], "order-confirmation")] {
            guard case .failure(.invalid) = try Calibrations.create(store, name: "n", cardID: card, callIDs: callIDs, evaluators: evaluators,
                                                                    expert: expert, by: qa, nowEpoch: 10) else {
                Issue.record("created with \(evaluators) \(expert) \(callIDs) \(card)"); return
            }
        }
        guard case let .success(s) = try Calibrations.create(store, name: "November calibration", cardID: "order-confirmation", callIDs: calls,
                                                             evaluators: ["eva", "ed", "sue"], expert: "quinn", by: qa, nowEpoch: 10) else {
            Issue.record("not created"); return
        }
        #expect(s.state == .open && s.calls == calls && s.expert?.name == "quinn" && s.evaluators.map(\.name) == ["ed", "eva", "sue"])
        #expect(s.manualCriteria == 6)
        // Everyone answers every call; eva differs from the others on greeting of c-001.
        let manual = ["greeting", "verify_identity", "confirm_order", "payment_link", "delivery_date", "callback_offer"]
        for name in ["quinn", "eva", "ed", "sue"] {
            for call in calls {
                let answers = manual.map { c in
                    WebEvaluation.Answer(criterionID: c, answer: name == "eva" && call == "c-001" && c == "greeting" ? "no" : "yes", comment: nil)
                }
                #expect(try Calibrations.save(store, id: s.id, callID: call, answers: answers, by: u[name]!, nowEpoch: 20) == .saved(changed: 6))
            }
        }
        // A non-member, an agent, a call outside the session, a bad answer: refused.
        #expect(try Calibrations.save(store, id: s.id, callID: "c-001", answers: [.init(criterionID: "greeting", answer: "yes", comment: nil)],
                                      by: u["ada"]!, nowEpoch: 21) == .notFound)
        #expect(try Calibrations.save(store, id: s.id, callID: "c-002", answers: [.init(criterionID: "greeting", answer: "yes", comment: nil)],
                                      by: u["eva"]!, nowEpoch: 21) == .notFound)
        guard case .invalid = try Calibrations.save(store, id: s.id, callID: "c-001", answers: [.init(criterionID: "greeting", answer: "4", comment: nil)],
                                                    by: u["eva"]!, nowEpoch: 21) else { Issue.record("scale answer accepted"); return }
        // Blind: before the close, a member's reads hold only their own answers; nobody gets all.
        let own = try store.calibrationAnswers(sessionID: s.id, userID: u["eva"]!.userID, scope: .everything)
        #expect(own.count == 18 && own.allSatisfy { $0.userName == "eva" })
        #expect(try store.revealedCalibrationAnswers(sessionID: s.id, scope: .everything) == nil)
        #expect(try Calibrations.results(store, id: s.id, for: qa) == nil)
        #expect(try Calibrations.results(store, id: s.id, for: u["eva"]!) == nil)
        let form = try #require(try Calibrations.form(store, id: s.id, callID: "c-001", for: u["eva"]!))
        #expect(form.criteria.first { $0.id == "greeting" }?.answer == "no", "their own answer")
        let expertForm = try #require(try Calibrations.form(store, id: s.id, callID: "c-001", for: qa))
        #expect(expertForm.criteria.first { $0.id == "greeting" }?.answer == "yes")
        // Progress is visible, answers are not.
        let progress = try #require(try Calibrations.session(store, id: s.id, for: u["sue"]!))
        #expect(progress.members.allSatisfy { $0.callsDone == 3 && $0.answers == 18 })
        // Who sees the session: QA and admins all; supervisors only theirs; agents none.
        #expect(try Calibrations.session(store, id: s.id, for: u["red"]!) == nil)
        #expect(try Calibrations.session(store, id: s.id, for: u["ann"]!) == nil)
        #expect(try Calibrations.sessions(store, for: u["ada"]!).count == 1 && (try Calibrations.sessions(store, for: u["ann"]!)).isEmpty)
        // A scope that does not hold every call cannot close it (the store refuses too).
        #expect(try store.closeCalibrationSession(id: s.id, by: "x", nowEpoch: 29, scope: .agent("a1")) == .notFound)
        // Only QA closes; then the answers are revealed and frozen.
        #expect(try Calibrations.close(store, id: s.id, by: u["sue"]!, nowEpoch: 30) == .failure(.role(.supervisor, "close a calibration session")))
        guard case .success? = try Calibrations.close(store, id: s.id, by: qa, nowEpoch: 30) else { Issue.record("not closed"); return }
        #expect(try Calibrations.close(store, id: s.id, by: qa, nowEpoch: 31) == .failure(.invalid("session \(s.id) is closed already")))
        #expect(try Calibrations.save(store, id: s.id, callID: "c-001", answers: [.init(criterionID: "greeting", answer: "yes", comment: nil)],
                                      by: u["eva"]!, nowEpoch: 32) == .closed)
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE calibration_answers SET answer = 'no' WHERE session_id = \(s.id)") }
        }
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE calibration_sessions SET state = 'open', closed_at = NULL WHERE session_id = \(s.id)") }
        }
        #expect(try store.revealedCalibrationAnswers(sessionID: s.id, scope: .everything)?.count == 4 * 18)
        let r = try #require(try Calibrations.results(store, id: s.id, for: u["sue"]!))
        // Everyone matched the expert but eva on c-001's greeting: her other two calls are 0 off.
        let eva = try #require(r.evaluators.first { $0.evaluator == "eva" })
        #expect(eva.compared == 3 && eva.within >= 2)
        for name in ["ed", "sue"] {
            let e = try #require(r.evaluators.first { $0.evaluator == name })
            #expect(e.compared == 3 && e.within == 3 && e.meanDeviation == 0 && e.withinShare == 1)
        }
        let evaC001 = try #require(r.deviations.first { $0.evaluator == "eva" && $0.callID == "c-001" })
        #expect((evaC001.deviation ?? 0) < 0, "eva failed a criterion the expert passed: lower")
        let greeting = try #require(r.criteria.first { $0.criterionID == "greeting" })
        // Greeting among the three evaluators: c-001 (no, yes, yes), c-003 (yes ×3), c-011 (yes ×3).
        // Pairs: c-001 agrees in 2 of 6 ordered pairs → 1/3; the others 1 → percent (1/3+1+1)/3 = 7/9.
        // o_yy = 2/2 + 6/2 + 6/2 = 7, o_yn = o_ny = 2/2 = 1 → n_y = 8, n_n = 1, n = 9;
        // α = 1 − 8·2 / (2·8·1) = 0.
        #expect(abs((greeting.agreement.percent ?? 0) - 7.0 / 9.0) < 1e-9)
        #expect(abs((greeting.agreement.alpha ?? 1) - 0) < 1e-9)
        #expect(greeting.comparedWithExpert == 9 && greeting.matchingExpert == 8)
        let verify = try #require(r.criteria.first { $0.criterionID == "verify_identity" })
        #expect(verify.agreement.percent == 1 && verify.agreement.alpha == nil, "all yes: alpha undefined")
        // The official scores and evaluations did not move.
        #expect(try calls.flatMap { try store.storedScores(callID: $0, scope: .everything) }.map { "\($0.callID) \($0.cardID) \($0.score ?? -1) \($0.status)" } == officialBefore)
        #expect(try calls.flatMap { try store.evaluations(callID: $0, scope: .everything) } == evaluationsBefore)
    }

    /// A card of manual criteria only, so every score is arithmetic: greet 1, verify 1, close 2.
    static let card: Scorecard = {
        let yaml = """
            version: 1
            id: calib
            name: Calibration card
            target: 90
            sections:
              - id: s
                name: S
                criteria:
                  - id: greet
                    text: Greets
                    weight: 1
                    manual: yes_no
                  - id: verify
                    text: Verifies
                    weight: 1
                    manual: yes_no
                  - id: close
                    text: Closes
                    weight: 2
                    manual: yes_no
            """
        return try! CardLoader.parse(text: yaml, file: "calib.yaml", contentHash: "h")
    }()

    /// Deviations and the ±10 share by hand. Expert x, evaluators e1, e2 on calls k1, k2, k3:
    ///   x : k1 all yes = 100 · k2 close no = 2/4 = 50 · k3 verify partial = 3.5/4 = 87.5
    ///   e1: k1 greet no = 75 (−25) · k2 same as x = 50 (0) · k3 all yes = 100 (+12.5)
    ///   e2: k1 all yes = 100 (0) · k2 verify partial, close no = 1.5/4 = 37.5 (−12.5) · k3 missing close
    /// e1: 3 compared, within ±10: k2 only → 1/3; mean dev (−25 + 0 + 12.5)/3 = −4.1667,
    /// mean |dev| 37.5/3 = 12.5. e2: k3 not complete → 2 compared, within: k1 → 1/2,
    /// mean dev −6.25, mean |dev| 6.25. All: 2 of 5.
    @Test func deviationsAndSharesByHand() {
        func member(_ id: Int64, _ name: String, _ role: CalibrationMemberRole) -> CalibrationMember {
            CalibrationMember(userID: id, name: name, role: role, answers: 0, callsDone: 0)
        }
        let s = CalibrationSession(id: 1, name: "t", cardID: "calib", cardHash: "h", state: .closed, createdBy: "q", createdAt: "t",
                                   closedBy: "q", closedAt: "t", calls: ["k1", "k2", "k3"], callCount: 3,
                                   members: [member(1, "x", .expert), member(2, "e1", .evaluator), member(3, "e2", .evaluator)], manualCriteria: 3)
        var answers: [CalibrationAnswer] = []
        func give(_ user: Int64, _ call: String, _ greet: String?, _ verify: String?, _ close: String?) {
            for (c, a) in [("greet", greet), ("verify", verify), ("close", close)] {
                if let a { answers.append(CalibrationAnswer(callID: call, userID: user, userName: "\(user)", criterionID: c, answer: a, comment: nil, answeredAt: "t")) }
            }
        }
        give(1, "k1", "yes", "yes", "yes"); give(1, "k2", "yes", "yes", "no"); give(1, "k3", "yes", "partial", "yes")
        give(2, "k1", "no", "yes", "yes"); give(2, "k2", "yes", "yes", "no"); give(2, "k3", "yes", "yes", "yes")
        give(3, "k1", "yes", "yes", "yes"); give(3, "k2", "yes", "partial", "no"); give(3, "k3", "yes", "yes", nil)
        let facts = Dictionary(uniqueKeysWithValues: ["k1", "k2", "k3"].map { ($0, CallFacts(callID: $0, values: ["call.answered": .flag(true)])) })
        let r = Calibrations.compute(session: s, card: Self.card, facts: facts, answers: answers)
        func score(_ m: String, _ c: String) -> Double? { r.scores.first { $0.member == m && $0.callID == c }?.score }
        #expect(score("x", "k1") == 100 && score("x", "k2") == 50 && score("x", "k3") == 87.5)
        #expect(score("e1", "k1") == 75 && score("e1", "k3") == 100 && score("e2", "k2") == 37.5 && score("e2", "k3") == nil)
        #expect(r.scores.first { $0.member == "e2" && $0.callID == "k3" }?.unanswered == 1)
        let e1 = r.evaluators.first { $0.evaluator == "e1" }!, e2 = r.evaluators.first { $0.evaluator == "e2" }!
        #expect(e1.compared == 3 && e1.within == 1 && abs((e1.withinShare ?? 0) - 1.0 / 3.0) < 1e-12)
        #expect(abs((e1.meanDeviation ?? 0) - -12.5 / 3.0) < 1e-12 && e1.meanAbsoluteDeviation == 12.5)
        #expect(e2.compared == 2 && e2.within == 1 && e2.withinShare == 0.5 && e2.meanDeviation == -6.25 && e2.meanAbsoluteDeviation == 6.25)
        #expect(r.overall.compared == 5 && r.overall.within == 2)
        // Exactly 10 points off counts as within: |−12.5| does not, and a deviation of 0 does.
        #expect(r.deviations.first { $0.evaluator == "e2" && $0.callID == "k2" }?.within(10) == false)
        #expect(CalibrationDeviation(callID: "k", evaluator: "e", score: 90, expertScore: 100).within(10) == true)
        // Close, among e1 and e2: k1 (yes, yes), k2 (no, no), k3 (yes, —: one answer, left out).
        // Percent 1; o_yy = 2, o_nn = 2 → α = 1 − 3·0/8 = 1. Against the expert: 5 answers on
        // calls the expert answered (e2's k3 is missing), all 5 equal to the expert's.
        let close = r.criteria.first { $0.criterionID == "close" }!
        #expect(close.agreement.units == 2 && close.agreement.percent == 1 && close.agreement.alpha == 1)
        #expect(close.comparedWithExpert == 5 && close.matchingExpert == 5)
        let greet = r.criteria.first { $0.criterionID == "greet" }!
        #expect(greet.comparedWithExpert == 6 && greet.matchingExpert == 5, "e1's no on k1")
        // With one evaluator only, agreement is undefined and said so; deviations still come.
        var one = s
        one.members = [member(1, "x", .expert), member(2, "e1", .evaluator)]
        let r1 = Calibrations.compute(session: one, card: Self.card, facts: facts, answers: answers)
        #expect(r1.criteria.allSatisfy { $0.agreement.alpha == nil && $0.agreement.percent == nil })
        #expect(r1.evaluators.count == 1 && r1.evaluators[0].compared == 3)
    }
}
