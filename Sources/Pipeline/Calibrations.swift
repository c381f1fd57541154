import Analytics
import CallQAModel
import Foundation
import Scorecard
import Store

/// Calibration sessions as the workspace and the command line use them. QA creates and
/// closes sessions; the members (QA or supervisors whose scope covers every call) answer the
/// card's manual criteria of each call blind; results exist only for a closed session.
public enum Calibrations {
    /// Points either side of the expert's score that count as calibrated.
    public static let tolerance = 10.0
    /// The share within the tolerance practitioners aim for.
    public static let aim = 0.85
    /// Most calls one session takes.
    public static let maxCalls = 200

    /// Why a session cannot be created or answered.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The role may not do this (only QA creates and closes).
        case role(Role, String)
        case invalid(String)
        public var description: String {
            switch self {
            case let .role(role, what): "\(role.withArticle) may not \(what) (only qa may)"
            case let .invalid(why): why
            }
        }
    }

    /// Creates a session: `callIDs` (in the creator's scope, each scored by the card), the
    /// evaluators and the expert (user names of enabled qa or supervisor accounts that may
    /// see every call). The card's latest stored version is pinned for the whole session.
    public static func create(_ store: CallStore, name: String, cardID: String, callIDs: [String], evaluators: [String], expert: String,
                              by account: Account, nowEpoch: Double) throws -> Swift.Result<CalibrationSession, Problem> {
        guard account.role == .qa else { return .failure(.role(account.role, "create a calibration session")) }
        guard let title = CalibrationText.name(name) else {
            return .failure(.invalid("name: expected 1 to \(CalibrationText.maxNameCharacters) characters"))
        }
        guard let text = try store.latestCardTexts().first(where: { $0.id == cardID }),
              let card = try? CardLoader.parse(text: text.yaml, file: text.file, contentHash: text.hash) else {
            let known = try store.latestCardTexts().map(\.id)
            return .failure(.invalid("unknown card '\(cardID)'; cards: \(known.joined(separator: ", "))"))
        }
        guard !card.manualCriteria.isEmpty else { return .failure(.invalid("card '\(cardID)' has no manual criteria to calibrate")) }
        var calls: [String] = []
        for c in callIDs.map({ $0.trimmingCharacters(in: .whitespaces) }) where !c.isEmpty && !calls.contains(c) { calls.append(c) }
        guard !calls.isEmpty, calls.count <= maxCalls else { return .failure(.invalid("calls: expected 1 to \(maxCalls) call ids")) }
        let inputs = try store.scoringInputs(period: .all, callIDs: calls, scope: account.scope)
        for c in calls {
            guard let input = inputs.first(where: { $0.facts.callID == c }) else { return .failure(.invalid("unknown call '\(c)'")) }
            if let why = ScoringEngine.exclusion(card, facts: input.facts) {
                return .failure(.invalid("card '\(cardID)' does not apply to call '\(c)': \(why)"))
            }
        }
        let users = try store.users()
        func member(_ name: String) -> Swift.Result<UserRecord, Problem> {
            guard let u = users.first(where: { $0.account.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                return .failure(.invalid("unknown user '\(name)'"))
            }
            guard !u.disabled else { return .failure(.invalid("user '\(u.account.name)' is disabled")) }
            guard u.account.role == .qa || u.account.role == .supervisor else {
                return .failure(.invalid("user '\(u.account.name)' is \(u.account.role.rawValue): calibration members are qa or supervisor accounts"))
            }
            return .success(u)
        }
        var names: [String] = []
        for e in evaluators.map({ $0.trimmingCharacters(in: .whitespaces) }) where !e.isEmpty {
            if !names.contains(where: { $0.caseInsensitiveCompare(e) == .orderedSame }) { names.append(e) }
        }
        guard !names.isEmpty else { return .failure(.invalid("evaluators: name at least one")) }
        if names.contains(where: { $0.caseInsensitiveCompare(expert) == .orderedSame }) {
            return .failure(.invalid("the expert '\(expert)' cannot also be one of the evaluators"))
        }
        var members: [UserRecord] = []
        for n in [expert] + names {
            switch member(n) {
            case let .failure(p): return .failure(p)
            case let .success(u):
                // A member must be able to listen to every call of the session.
                let visible = try store.existingCalls(calls, scope: u.account.scope)
                if let hidden = calls.first(where: { !visible.contains($0) }) {
                    return .failure(.invalid("user '\(u.account.name)' may not see call '\(hidden)' (\(u.account.role.rawValue) scope)"))
                }
                members.append(u)
            }
        }
        switch try store.createCalibrationSession(name: title, cardID: card.id, cardHash: card.contentHash, manualCriteria: card.manualCriteria.count,
                                                  expertUserID: members[0].account.userID, evaluatorUserIDs: members.dropFirst().map(\.account.userID),
                                                  callIDs: calls, by: account.name, nowEpoch: nowEpoch, scope: account.scope) {
        case let .created(s): return .success(s)
        case let .unknownCall(c): return .failure(.invalid("unknown call '\(c)'"))
        }
    }

    /// Which sessions an account may see: QA and admins every session, supervisors those
    /// they take part in, agents none (nil).
    static func memberFilter(_ account: Account) -> Int64?? {
        switch account.role {
        case .qa, .admin: .some(nil)
        case .supervisor: .some(account.userID)
        case .agent: nil
        }
    }

    /// The sessions the account may see, newest first.
    public static func sessions(_ store: CallStore, for account: Account) throws -> [CalibrationSession] {
        guard let member = memberFilter(account) else { return [] }
        return try store.calibrationSessions(member: member, scope: account.scope)
    }

    /// One session the account may see; nil otherwise (the one 404).
    public static func session(_ store: CallStore, id: Int64, for account: Account) throws -> CalibrationSession? {
        guard let member = memberFilter(account) else { return nil }
        return try store.calibrationSession(id: id, member: member, scope: account.scope)
    }

    /// The card version a session scores with.
    static func card(_ store: CallStore, _ s: CalibrationSession) throws -> Scorecard? {
        guard let t = try store.cardVersionText(cardID: s.cardID, hash: s.cardHash) else { return nil }
        return try? CardLoader.parse(text: t.yaml, file: t.file, contentHash: s.cardHash)
    }

    /// The form of one call of a session for a member: the card's manual criteria with the
    /// member's own answers (and nobody else's while the session is open).
    public struct Form: Sendable, Equatable {
        public var session: CalibrationSession
        public var callID: String
        public var cardName: String
        public var criteria: [ManualCriterionForm]
        /// The member's role in the session; nil for a reader who is not a member (QA, admin).
        public var memberRole: CalibrationMemberRole?
    }

    /// The form of `callID` in session `id` for the account; nil when the account may not see
    /// the session or the call is not one of it.
    public static func form(_ store: CallStore, id: Int64, callID: String, for account: Account) throws -> Form? {
        guard let s = try session(store, id: id, for: account), s.calls.contains(callID), let card = try card(store, s) else { return nil }
        let role = s.members.first { $0.userID == account.userID }?.role
        let own = role == nil ? [] : try store.calibrationAnswers(sessionID: id, userID: account.userID, scope: account.scope)
        var criteria: [ManualCriterionForm] = []
        for section in card.sections {
            for c in section.criteria where c.isManual {
                let kind: ManualCriterionForm.Kind
                if case let .scale(lo, hi) = c.answering { kind = .scale(min: lo, max: hi) } else { kind = .yesNo }
                let a = own.first { $0.callID == callID && $0.criterionID == c.id }
                criteria.append(ManualCriterionForm(id: c.id, text: c.text, sectionName: section.name, kind: kind, critical: c.critical,
                                                    answer: a?.answer, comment: a?.comment, evaluator: a?.userName, evaluatedAt: a?.answeredAt))
            }
        }
        return Form(session: s, callID: callID, cardName: card.name, criteria: criteria, memberRole: role)
    }

    /// The outcome of saving a member's answers.
    public enum SaveResult: Sendable, Equatable {
        case saved(changed: Int)
        /// Not a member, not a call of the session, or out of scope.
        case notFound
        /// The session is closed.
        case closed
        case invalid([String])
    }

    /// Stores a member's answers to one call (answers keyed by criterion id; an empty answer
    /// clears one), checked against the session's card version.
    public static func save(_ store: CallStore, id: Int64, callID: String, answers: [WebEvaluation.Answer], by account: Account,
                            nowEpoch: Double) throws -> SaveResult {
        guard let s = try session(store, id: id, for: account), s.members.contains(where: { $0.userID == account.userID }),
              s.calls.contains(callID), let card = try card(store, s) else { return .notFound }
        guard s.state == .open else { return .closed }
        var inputs: [CalibrationAnswerInput] = [], problems: [String] = []
        for a in answers {
            guard let criterion = card.criteria.first(where: { $0.id == a.criterionID }), criterion.isManual else {
                problems.append("card '\(card.id)' has no manual criterion '\(a.criterionID)'")
                continue
            }
            let text = a.answer.trimmingCharacters(in: .whitespaces)
            let comment = a.comment.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : String($0.prefix(2000)) }
            if text.isEmpty {
                inputs.append(CalibrationAnswerInput(criterionID: criterion.id, answer: "", comment: nil))
                continue
            }
            guard let answer = ManualAnswer(text), answer.mismatch(for: criterion.answering) == nil else {
                let why = ManualAnswer(text)?.mismatch(for: criterion.answering) ?? "expected yes, no, partial, n/a or a number"
                problems.append("\(criterion.id): \(why), got \"\(text)\"")
                continue
            }
            inputs.append(CalibrationAnswerInput(criterionID: criterion.id, answer: answer.description, comment: comment))
        }
        if !problems.isEmpty { return .invalid(problems) }
        switch try store.saveCalibrationAnswers(sessionID: id, callID: callID, userID: account.userID, answers: inputs, nowEpoch: nowEpoch,
                                                scope: account.scope) {
        case let .saved(changed): return .saved(changed: changed)
        case .notFound: return .notFound
        case .closed: return .closed
        }
    }

    /// QA closes a session: its answers are revealed and never change.
    public static func close(_ store: CallStore, id: Int64, by account: Account, nowEpoch: Double) throws -> Swift.Result<CalibrationSession, Problem>? {
        guard try session(store, id: id, for: account) != nil else { return nil }
        guard account.role == .qa else { return .failure(.role(account.role, "close a calibration session")) }
        switch try store.closeCalibrationSession(id: id, by: account.name, nowEpoch: nowEpoch, scope: account.scope) {
        case let .closed(s): return .success(s)
        case .notFound: return nil
        case .alreadyClosed: return .failure(.invalid("session \(id) is closed already"))
        }
    }

    /// The results of a closed session the account may see; nil while it is open (the
    /// answers are sealed) or when the account may not see it.
    public static func results(_ store: CallStore, id: Int64, for account: Account) throws -> CalibrationResults? {
        guard let s = try session(store, id: id, for: account), s.state == .closed,
              let answers = try store.revealedCalibrationAnswers(sessionID: id, scope: account.scope),
              let card = try card(store, s) else { return nil }
        let inputs = try store.scoringInputs(period: .all, callIDs: s.calls, scope: account.scope)
        return compute(session: s, card: card, facts: Dictionary(inputs.map { ($0.facts.callID, $0.facts) }, uniquingKeysWith: { a, _ in a }),
                       answers: answers)
    }

    /// The results of session `id` for the command line (which reads everything): the
    /// results, or why there are none (no such session, or it is still open).
    public static func report(_ store: CallStore, id: Int64) throws -> Swift.Result<CalibrationResults, Problem> {
        guard let s = try store.calibrationSession(id: id, member: nil, scope: .everything) else {
            let known = try store.calibrationSessions(member: nil, scope: .everything).map { String($0.id) }
            return .failure(.invalid("no calibration session \(id); sessions: \(known.isEmpty ? "none" : known.joined(separator: ", "))"))
        }
        guard s.state == .closed else {
            return .failure(.invalid("calibration session \(id) is open: its answers are sealed until it is closed (callqa calibration close \(id) --as USER)"))
        }
        guard let answers = try store.revealedCalibrationAnswers(sessionID: id, scope: .everything), let card = try card(store, s) else {
            return .failure(.invalid("calibration session \(id): its card version \(s.cardID) \(s.cardHash.prefix(8)) is not stored"))
        }
        let inputs = try store.scoringInputs(period: .all, callIDs: s.calls, scope: .everything)
        return .success(compute(session: s, card: card, facts: Dictionary(inputs.map { ($0.facts.callID, $0.facts) }, uniquingKeysWith: { a, _ in a }),
                                answers: answers))
    }

    /// The results from a session's answers (pure: the tests feed it by hand).
    public static func compute(session s: CalibrationSession, card: Scorecard, facts: [String: CallFacts], answers: [CalibrationAnswer]) -> CalibrationResults {
        var scores: [CalibrationScore] = []
        for call in s.calls {
            for m in s.members {
                var given: [String: EvaluatorAnswer] = [:]
                for a in answers where a.callID == call && a.userID == m.userID {
                    if let v = ManualAnswer(a.answer) { given[a.criterionID] = EvaluatorAnswer(answer: v, evaluator: m.name, evaluatedAt: a.answeredAt) }
                }
                let unanswered = card.manualCriteria.filter { given[$0.id] == nil }.count
                guard let f = facts[call] else {
                    scores.append(CalibrationScore(callID: call, member: m.name, role: m.role, score: nil, complete: false, criticalFailed: false, unanswered: unanswered))
                    continue
                }
                let sc = ScoringEngine.score(card, facts: f, answers: given)
                let complete = sc.status == .complete && unanswered == 0
                scores.append(CalibrationScore(callID: call, member: m.name, role: m.role, score: complete ? sc.score : nil, complete: complete,
                                               criticalFailed: sc.criticalFailed, unanswered: unanswered))
            }
        }
        let expert = s.expert
        var deviations: [CalibrationDeviation] = []
        var evaluators: [EvaluatorCalibration] = []
        for e in s.evaluators {
            var mine: [CalibrationDeviation] = []
            for call in s.calls {
                let own = scores.first { $0.callID == call && $0.member == e.name }?.score
                let index = expert.flatMap { x in scores.first { $0.callID == call && $0.member == x.name }?.score }
                mine.append(CalibrationDeviation(callID: call, evaluator: e.name, score: own, expertScore: index))
            }
            deviations += mine
            let d = mine.compactMap(\.deviation)
            let within = mine.filter { $0.within(tolerance) == true }.count
            evaluators.append(EvaluatorCalibration(
                evaluator: e.name, calls: s.calls.count, compared: d.count,
                meanDeviation: d.isEmpty ? nil : d.reduce(0, +) / Double(d.count),
                meanAbsoluteDeviation: d.isEmpty ? nil : d.reduce(0) { $0 + abs($1) } / Double(d.count),
                within: within, withinShare: d.isEmpty ? nil : Double(within) / Double(d.count)))
        }
        let evaluatorIDs = Set(s.evaluators.map(\.userID))
        var criteria: [CriterionAgreement] = []
        for c in card.manualCriteria {
            var units: [[String]] = []
            var compared = 0, matching = 0
            for call in s.calls {
                let given = answers.filter { $0.callID == call && $0.criterionID == c.id }
                let byEvaluators = given.filter { evaluatorIDs.contains($0.userID) }.map(\.answer)
                units.append(byEvaluators)
                if let x = expert, let index = given.first(where: { $0.userID == x.userID })?.answer {
                    compared += byEvaluators.count
                    matching += byEvaluators.filter { $0 == index }.count
                }
            }
            criteria.append(CriterionAgreement(criterionID: c.id, text: c.text, agreement: Agreement.measure(units),
                                               comparedWithExpert: compared, matchingExpert: matching))
        }
        return CalibrationResults(session: s, cardName: card.name, tolerance: tolerance, aim: aim, scores: scores, deviations: deviations,
                                  evaluators: evaluators, criteria: criteria, answers: answers)
    }
}
