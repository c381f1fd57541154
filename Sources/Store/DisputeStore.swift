import CallQAModel
import Foundation
import GRDB

// Disputes of evaluator answers: raised by an agent or supervisor within a window after the
// answer was stored, decided by QA (accepting changes the answer, in the same transaction as
// the decision), or withdrawn. Every function takes the reader's `Scope` (a dispute is of a
// call: outside the scope it does not exist) and the actor's role, checked against
// `DisputeRules` here too, so no caller can skip it. The state machine is also enforced by
// the schema's triggers (QALoopMigrations).

/// Which disputes to list.
public struct DisputeFilter: Sendable, Equatable {
    /// When the disputes were opened (epoch bounds, or UTC days).
    public var opened: Period = .all
    public var state: DisputeState?
    public var callID: String?
    public var limit = 1000

    public init(opened: Period = .all, state: DisputeState? = nil, callID: String? = nil) {
        self.opened = opened
        self.state = state
        self.callID = callID
    }
}

/// An evaluator answer as it was before another replaced it.
public struct ReplacedEvaluation: Sendable, Equatable {
    public var cardID: String
    public var criterionID: String
    public var answer: String
    public var evaluator: String
    public var evaluatedAt: String
    public var comment: String?
    public var source: String
    /// When the replacing answer was stored (ISO 8601 UTC).
    public var replacedAt: String
}

/// How raising a dispute went.
public enum OpenDisputeOutcome: Sendable, Equatable {
    case opened(Dispute)
    /// No such call in the scope, or no evaluator answer to that criterion.
    case notFound
    case refused(DisputeRefusal)
    /// The answer was stored longer ago than the window allows.
    case windowClosed(deadline: String)
    /// The criterion already has an open dispute.
    case alreadyOpen(Int64)
    /// This very answer was disputed and the dispute rejected: it is not disputed again.
    case alreadyRejected(Int64)
}

/// What QA decides.
public enum DisputeDecision: Sendable, Equatable {
    /// The answer becomes `newAnswer` (attributed to the deciding QA user).
    case accept(newAnswer: ManualAnswer)
    case reject
}

/// How deciding or withdrawing went.
public enum ResolveDisputeOutcome: Sendable, Equatable {
    case resolved(Dispute)
    /// No such dispute in the scope.
    case notFound
    case refused(DisputeRefusal)
    /// Accepting with the answer the criterion has already: nothing would change.
    case unchanged(current: String)
}

extension CallStore {
    /// Raises a dispute of the stored answer to one criterion of a call, by `by` (role
    /// `role`), if the answer was stored at most `window` ago and the criterion has no open
    /// dispute, all in one transaction.
    public func openDispute(callID: String, cardID: String, criterionID: String, reason: String, by: String, role: Role,
                            window: DisputeWindow, nowEpoch: Double, scope: Scope) throws(StoreError) -> OpenDisputeOutcome {
        if case let .failure(r) = DisputeRules.next(from: nil, .open, by: role) { return .refused(r) }
        let now = Self.iso(nowEpoch)
        return try write { db in
            let (sc, sa) = scope.sql()
            guard let e = try Row.fetchOne(db, sql: """
                SELECT e.answer, e.evaluator, e.evaluated_at, e.imported_at FROM evaluations e JOIN calls c ON c.call_id = e.call_id
                WHERE e.call_id = ? AND e.card_id = ? AND e.criterion_id = ? AND \(sc)
                """, arguments: StatementArguments([callID, cardID, criterionID] + sa)) else { return .notFound }
            let answer: String = e["answer"], evaluator: String = e["evaluator"], evaluatedAt: String = e["evaluated_at"]
            let storedAt: String = e["imported_at"]
            let storedEpoch = Timestamp.parse(storedAt, zone: nil)?.epochS ?? 0
            if !window.isOpen(storedEpoch: storedEpoch, nowEpoch: nowEpoch) {
                return .windowClosed(deadline: Self.iso(window.deadline(storedEpoch: storedEpoch)))
            }
            if let id = try Int64.fetchOne(db, sql: """
                SELECT dispute_id FROM disputes WHERE call_id = ? AND card_id = ? AND criterion_id = ? AND state = 'open'
                """, arguments: [callID, cardID, criterionID]) { return .alreadyOpen(id) }
            if let id = try Int64.fetchOne(db, sql: """
                SELECT dispute_id FROM disputes WHERE call_id = ? AND card_id = ? AND criterion_id = ? AND state = 'rejected'
                    AND answer = ? AND evaluator = ? AND evaluated_at = ? ORDER BY dispute_id DESC LIMIT 1
                """, arguments: [callID, cardID, criterionID, answer, evaluator, evaluatedAt]) { return .alreadyRejected(id) }
            try db.execute(sql: """
                INSERT INTO disputes (call_id, card_id, criterion_id, answer, evaluator, evaluated_at, answer_stored_at, window_days,
                    deadline_at, state, reason, opened_by, opened_role, opened_at, opened_epoch)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                """, arguments: [callID, cardID, criterionID, answer, evaluator, evaluatedAt, storedAt, window.days,
                                 Self.iso(window.deadline(storedEpoch: storedEpoch)), reason, by, role.rawValue, now, nowEpoch])
            let id = db.lastInsertedRowID
            try Self.appendDisputeEvent(db, id: id, action: .open, actor: by, role: role, at: now, epoch: nowEpoch, reason: reason,
                                        before: answer, after: answer)
            guard let d = try Self.disputes(db, where: "d.dispute_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            return .opened(d)
        }
    }

    /// Accepts or rejects an open dispute (QA), or withdraws it (the agent or supervisor).
    /// Accepting stores `newAnswer` for the criterion as an evaluator answer by `by` (source
    /// `dispute`, the reason as its comment) in the same transaction as the decision; the
    /// answer it replaces stays in `evaluation_history`. The caller rescores the call.
    public func resolveDispute(id: Int64, decision: DisputeDecision?, reason: String?, by: String, role: Role, nowEpoch: Double,
                               scope: Scope) throws(StoreError) -> ResolveDisputeOutcome {
        let action: DisputeAction = switch decision {
        case .accept?: .accept
        case .reject?: .reject
        case nil: .withdraw
        }
        let now = Self.iso(nowEpoch)
        let outcome: ResolveDisputeOutcome = try write { db in
            guard let d = try Self.disputes(db, where: "d.dispute_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            let next: DisputeState
            switch DisputeRules.next(from: d.state, action, by: role) {
            case let .failure(r): return .refused(r)
            case let .success(s): next = s
            }
            let current = try String.fetchOne(db, sql: "SELECT answer FROM evaluations WHERE call_id = ? AND card_id = ? AND criterion_id = ?",
                                              arguments: [d.callID, d.cardID, d.criterionID]) ?? d.answer
            var after = current
            if case let .accept(newAnswer)? = decision {
                guard newAnswer.description != current else { return .unchanged(current: current) }
                let session = try ImportSession(db: db, kind: "evaluations", file: "dispute")
                let row = EvaluationRow(callID: d.callID, cardID: d.cardID, criterionID: d.criterionID, answer: newAnswer, evaluator: by,
                                        evaluatedAt: now, comment: "dispute \(id) accepted: \(reason ?? "")",
                                        source: SourceRef(file: "dispute", line: Int(id)))
                // The decision is later than any stored answer unless a clock runs behind: the
                // answer is then written with the stored answer's time, never refused as older.
                var stored = try session.evaluation(row, evaluatedEpoch: nowEpoch)
                if case let .olderThanStored(at, _) = stored {
                    var later = row
                    later.evaluatedAt = at
                    stored = try session.evaluation(later, evaluatedEpoch: Timestamp.parse(at, zone: nil)?.epochS ?? nowEpoch)
                }
                guard case .stored = stored else {
                    throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "dispute \(id): the new answer could not be stored (\(stored))")
                }
                try session.finish(rows: 1, stored: 1)
                after = newAnswer.description
            }
            try db.execute(sql: """
                UPDATE disputes SET state = ?, resolved_by = ?, resolved_at = ?, resolution = ?, new_answer = ?
                WHERE dispute_id = ? AND state = 'open'
                """, arguments: [next.rawValue, by, now, reason, action == .accept ? after : nil, id])
            try Self.appendDisputeEvent(db, id: id, action: action, actor: by, role: role, at: now, epoch: nowEpoch, reason: reason,
                                        before: current, after: after)
            guard let resolved = try Self.disputes(db, where: "d.dispute_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            return .resolved(resolved)
        }
        if case .resolved = outcome, action == .accept { _ = try refreshAggregates() }
        return outcome
    }

    /// Disputes of calls in scope matching `filter`, newest first, each with its history.
    public func disputes(_ filter: DisputeFilter, scope: Scope) throws(StoreError) -> [Dispute] {
        try read { db in
            var conditions: [String] = [], args: [any DatabaseValueConvertible] = []
            let (pc, pa) = filter.opened.sql(epoch: "d.opened_epoch", at: "d.opened_at")
            conditions.append(pc); args += pa
            if let s = filter.state { conditions.append("d.state = ?"); args.append(s.rawValue) }
            if let c = filter.callID { conditions.append("d.call_id = ?"); args.append(c) }
            return try Self.disputes(db, where: conditions.joined(separator: " AND "), args, scope: scope, limit: filter.limit)
        }
    }

    /// One dispute of a call in scope; nil when there is none (or it is out of scope).
    public func dispute(id: Int64, scope: Scope) throws(StoreError) -> Dispute? {
        try read { db in try Self.disputes(db, where: "d.dispute_id = ?", [id], scope: scope, limit: 1).first }
    }

    /// The evaluator answers of a call in scope that later answers replaced, oldest first.
    public func replacedEvaluations(callID: String, scope: Scope) throws(StoreError) -> [ReplacedEvaluation] {
        try read { db in
            let (sc, sa) = scope.sql()
            return try Row.fetchAll(db, sql: """
                SELECT h.* FROM evaluation_history h JOIN calls c ON c.call_id = h.call_id
                WHERE h.call_id = ? AND \(sc) ORDER BY h.card_id, h.criterion_id, h.history_id
                """, arguments: StatementArguments([callID] + sa)).map { r in
                ReplacedEvaluation(cardID: r["card_id"], criterionID: r["criterion_id"], answer: r["answer"], evaluator: r["evaluator"],
                                   evaluatedAt: r["evaluated_at"], comment: r["comment"], source: r["source_file"], replacedAt: r["replaced_at"])
            }
        }
    }

    static func iso(_ epoch: Double) -> String { Timestamp(epochS: epoch.rounded(.down), offsetS: 0).iso8601 }

    static func appendDisputeEvent(_ db: Database, id: Int64, action: DisputeAction, actor: String, role: Role, at: String, epoch: Double,
                                   reason: String?, before: String, after: String) throws {
        try db.execute(sql: """
            INSERT INTO dispute_events (dispute_id, action, actor, role, at, at_epoch, reason, answer_before, answer_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, action.event, actor, role.rawValue, at, epoch, reason, before, after])
    }

    static func disputes(_ db: Database, where condition: String, _ args: [any DatabaseValueConvertible], scope: Scope,
                         limit: Int) throws -> [Dispute] {
        let (sc, sa) = scope.sql()
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.*, c.agent_id, c.team FROM disputes d JOIN calls c ON c.call_id = d.call_id
            WHERE \(condition) AND \(sc) ORDER BY d.opened_epoch DESC, d.dispute_id DESC LIMIT ?
            """, arguments: StatementArguments(args + sa + [max(1, min(limit, 100_000))]))
        guard !rows.isEmpty else { return [] }
        let ids: [Int64] = rows.map { $0["dispute_id"] }
        var history: [Int64: [DisputeEvent]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
            for r in try Row.fetchAll(db, sql: """
                SELECT * FROM dispute_events WHERE dispute_id IN (\(Array(repeating: "?", count: part.count).joined(separator: ",")))
                ORDER BY event_id
                """, arguments: StatementArguments(part)) {
                let action = DisputeAction.allCases.first { $0.event == (r["action"] as String) } ?? .open
                history[r["dispute_id"], default: []].append(DisputeEvent(
                    action: action, actor: r["actor"], role: Role(rawValue: r["role"]) ?? .agent, at: r["at"], reason: r["reason"],
                    answerBefore: r["answer_before"], answerAfter: r["answer_after"]))
            }
        }
        return rows.map { r in
            let id: Int64 = r["dispute_id"]
            return Dispute(id: id, callID: r["call_id"], cardID: r["card_id"], criterionID: r["criterion_id"], agentID: r["agent_id"],
                           team: r["team"], state: DisputeState(rawValue: r["state"]) ?? .open, answer: r["answer"], evaluator: r["evaluator"],
                           evaluatedAt: r["evaluated_at"], answerStoredAt: r["answer_stored_at"], windowDays: r["window_days"],
                           deadline: r["deadline_at"], reason: r["reason"], openedBy: r["opened_by"],
                           openedRole: Role(rawValue: r["opened_role"]) ?? .agent, openedAt: r["opened_at"], openedEpoch: r["opened_epoch"],
                           resolvedBy: r["resolved_by"], resolvedAt: r["resolved_at"], resolution: r["resolution"], newAnswer: r["new_answer"],
                           history: history[id] ?? [])
        }
    }
}
