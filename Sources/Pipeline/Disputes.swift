import CallQAModel
import Foundation
import Scorecard
import Store

/// Disputes as the workspace and the command line use them: the account acting is a value
/// (role and scope), every rule is checked in the store as well (`DisputeRules`, the window,
/// one open dispute per criterion), and an accepted dispute rescores the call at once, the
/// way a save of the evaluate form does.
public enum Disputes {
    /// The outcome of raising, deciding or withdrawing a dispute.
    public enum Result: Sendable, Equatable {
        /// Done; for an accepted dispute, the card's score before and after the rescoring.
        case done(Dispute, before: WebEvaluation.ScoreState?, after: WebEvaluation.ScoreState?)
        /// The call, answer or dispute is unknown or outside the account's scope.
        case notFound
        /// The role may not act, or the dispute's state does not allow it.
        case refused(DisputeRefusal)
        /// Not allowed now, for people (the window has closed, a dispute is already open, …).
        case conflict(String)
        /// The input does not do (no reason, an answer that does not fit the criterion).
        case invalid(String)
    }

    /// Raises a dispute of one criterion's answer on a call, with a reason.
    public static func open(_ store: CallStore, callID: String, cardID: String, criterionID: String, reason: String, by account: Account,
                            window: DisputeWindow, nowEpoch: Double) throws -> Result {
        guard let text = DisputeText.reason(reason) else {
            return .invalid("a dispute needs a reason (1 to \(DisputeText.maxCharacters) characters)")
        }
        switch try store.openDispute(callID: callID, cardID: cardID, criterionID: criterionID, reason: text, by: account.name, role: account.role,
                                     window: window, nowEpoch: nowEpoch, scope: account.scope) {
        case let .opened(d): return .done(d, before: nil, after: nil)
        case .notFound: return .notFound
        case let .refused(r): return .refused(r)
        case let .windowClosed(deadline):
            return .conflict("the answer to \(criterionID) could be disputed until \(deadline) (\(Self.days(window.days)) after it was stored)")
        case let .alreadyOpen(id): return .conflict("\(criterionID) already has an open dispute (#\(id))")
        case let .alreadyRejected(id): return .conflict("this answer to \(criterionID) was disputed already and the dispute rejected (#\(id))")
        }
    }

    /// QA accepts an open dispute, giving the new answer (`yes`, `no`, `partial`, `n/a` or a
    /// scale point, checked against the card's criterion) and a reason; the call is rescored.
    public static func accept(_ store: CallStore, id: Int64, newAnswer: String, reason: String, by account: Account,
                              nowEpoch: Double) throws -> Result {
        guard let text = DisputeText.reason(reason) else { return .invalid("accepting needs a reason (1 to \(DisputeText.maxCharacters) characters)") }
        guard let d = try store.dispute(id: id, scope: account.scope) else { return .notFound }
        // The role and the state first: a refusal says why, whatever the answer given.
        if case let .failure(r) = DisputeRules.next(from: d.state, .accept, by: account.role) { return .refused(r) }
        let cards = try WebEvaluation.cards(store)
        guard let criterion = cards.first(where: { $0.id == d.cardID })?.criteria.first(where: { $0.id == d.criterionID }), criterion.isManual else {
            return .conflict("card \(d.cardID) has no manual criterion \(d.criterionID) any more: the answer cannot be changed")
        }
        guard let answer = ManualAnswer(newAnswer), answer.mismatch(for: criterion.answering) == nil else {
            let why = ManualAnswer(newAnswer)?.mismatch(for: criterion.answering) ?? "expected yes, no, partial, n/a or a number"
            return .invalid("\(d.criterionID): \(why), got \"\(newAnswer)\"")
        }
        let before = try WebEvaluation.state(store, callID: d.callID, cardID: d.cardID)
        switch try store.resolveDispute(id: id, decision: .accept(newAnswer: answer), reason: text, by: account.name, role: account.role,
                                        nowEpoch: nowEpoch, scope: account.scope) {
        case .notFound: return .notFound
        case let .refused(r): return .refused(r)
        case let .unchanged(current): return .conflict("\(d.criterionID) is answered \(current) already: accept with another answer, or reject")
        case let .resolved(resolved):
            try rescore(store, callID: d.callID, cards: cards)
            return .done(resolved, before: before, after: try WebEvaluation.state(store, callID: d.callID, cardID: d.cardID))
        }
    }

    /// QA rejects an open dispute with a reason; the answer stays.
    public static func reject(_ store: CallStore, id: Int64, reason: String, by account: Account, nowEpoch: Double) throws -> Result {
        guard let text = DisputeText.reason(reason) else { return .invalid("rejecting needs a reason (1 to \(DisputeText.maxCharacters) characters)") }
        return try resolve(store, id: id, decision: .reject, reason: text, by: account, nowEpoch: nowEpoch)
    }

    /// The agent or supervisor takes an open dispute back (a reason is optional).
    public static func withdraw(_ store: CallStore, id: Int64, reason: String?, by account: Account, nowEpoch: Double) throws -> Result {
        let text = reason.flatMap { DisputeText.reason($0) }
        return try resolve(store, id: id, decision: nil, reason: text, by: account, nowEpoch: nowEpoch)
    }

    static func resolve(_ store: CallStore, id: Int64, decision: DisputeDecision?, reason: String?, by account: Account, nowEpoch: Double) throws -> Result {
        switch try store.resolveDispute(id: id, decision: decision, reason: reason, by: account.name, role: account.role, nowEpoch: nowEpoch,
                                        scope: account.scope) {
        case .notFound: return .notFound
        case let .refused(r): return .refused(r)
        case let .unchanged(current): return .conflict("the answer is \(current) already")
        case let .resolved(d): return .done(d, before: nil, after: nil)
        }
    }

    /// Rescoring one call: `score`'s own run over the calls that started at its instant; only
    /// the calls whose inputs changed (this one) are scored again.
    static func rescore(_ store: CallStore, callID: String, cards: [Scorecard]) throws {
        guard let start = try store.callStarts(ids: [callID], scope: .everything)[callID] else { return }
        _ = try Scoring.run(cards: cards, store: store, period: Period(fromEpoch: start.epochS, toEpoch: start.epochS.nextUp))
    }

    static func days(_ d: Double) -> String {
        let n = d == d.rounded() ? String(Int(d)) : String(d)
        return n + (d == 1 ? " day" : " days")
    }

    /// A criterion of a call that the account may dispute now.
    public struct Disputable: Sendable, Equatable {
        public var cardID: String
        public var criterionID: String
        public var answer: String
        public var evaluator: String
        /// Until when (ISO 8601 UTC).
        public var deadline: String
    }

    /// What the call page shows of disputes: the call's disputes (with their history), the
    /// answers replaced over time, and the criteria the account may dispute now.
    public struct CallDisputes: Sendable, Equatable {
        public var disputes: [Dispute]
        public var replaced: [ReplacedEvaluation]
        public var disputable: [Disputable]
        public var window: DisputeWindow
    }

    /// The disputes of a call in the account's scope; nil when the call is not in it.
    public static func forCall(_ store: CallStore, callID: String, account: Account, window: DisputeWindow, nowEpoch: Double) throws -> CallDisputes? {
        let scope = account.scope
        guard try !store.existingCalls([callID], scope: scope).isEmpty else { return nil }
        let disputes = try store.disputes(DisputeFilter(callID: callID), scope: scope)
        var disputable: [Disputable] = []
        if DisputeRules.allowed(.open, account.role) {
            for e in try store.evaluations(callID: callID, scope: scope) {
                let stored = Timestamp.parse(e.importedAt, zone: nil)?.epochS ?? 0
                guard window.isOpen(storedEpoch: stored, nowEpoch: nowEpoch) else { continue }
                let mine = disputes.filter { $0.cardID == e.cardID && $0.criterionID == e.criterionID }
                if mine.contains(where: { $0.state == .open }) { continue }
                if mine.contains(where: { $0.state == .rejected && $0.answer == e.answer && $0.evaluator == e.evaluator && $0.evaluatedAt == e.evaluatedAt }) { continue }
                disputable.append(Disputable(cardID: e.cardID, criterionID: e.criterionID, answer: e.answer, evaluator: e.evaluator,
                                             deadline: Timestamp(epochS: window.deadline(storedEpoch: stored).rounded(.down), offsetS: 0).iso8601))
            }
        }
        return CallDisputes(disputes: disputes, replaced: try store.replacedEvaluations(callID: callID, scope: scope),
                            disputable: disputable, window: window)
    }

    /// The dispute report of a period (when disputes were opened): counts per evaluator whose
    /// answer was disputed, and per card criterion, with the share of decided disputes that
    /// were accepted (a criterion often disputed successfully is a badly written criterion).
    public static func report(_ store: CallStore, opened: Period, scope: Scope) throws -> DisputeReport {
        var filter = DisputeFilter(opened: opened)
        filter.limit = 100_000
        let all = try store.disputes(filter, scope: scope)
        func counts(_ key: (Dispute) -> [String]) -> [DisputeCounts] {
            var out: [[String]: DisputeCounts] = [:]
            for d in all {
                let k = key(d)
                var c = out[k] ?? DisputeCounts(key: k)
                c.opened += 1
                switch d.state {
                case .open: c.pending += 1
                case .accepted: c.accepted += 1
                case .rejected: c.rejected += 1
                case .withdrawn: c.withdrawn += 1
                }
                out[k] = c
            }
            // Most accepted first (the criteria to rewrite, the evaluators to calibrate), then most opened.
            return out.values.sorted { ($1.accepted, $1.opened, $0.key.joined(separator: "\u{0}")) < ($0.accepted, $0.opened, $1.key.joined(separator: "\u{0}")) }
        }
        return DisputeReport(disputes: all, byEvaluator: counts { [$0.evaluator] }, byCriterion: counts { [$0.cardID, $0.criterionID] })
    }
}
