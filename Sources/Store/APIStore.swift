import CallQAModel
import Foundation
import GRDB

// The API's own reads of call data (`/api/v1`); every one takes a `Scope`. The calls list,
// a call, its evaluations and the agents' summaries are the pages' reads (WorkspaceStore,
// ReportStore).

/// One stored evaluator answer with its call, as the API's evaluations list gives it.
public struct EvaluationListRow: Sendable, Equatable {
    public var callID: String
    public var startedAt: String
    public var agentID: String?
    public var team: String?
    public var queue: String?
    public var cardID: String
    public var criterionID: String
    public var answer: String
    public var evaluator: String
    public var evaluatedAt: String
    public var comment: String?
    /// `web`, `api`, or the CSV file it was imported from.
    public var source: String
    public var importedAt: String
}

/// Where a page of the evaluations list starts: after this call, card and criterion (the
/// table's key, so pages neither skip nor repeat a row while answers are added).
public struct EvaluationListCursor: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String

    public init(callID: String, cardID: String, criterionID: String) {
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
    }
}

extension CallStore {
    /// One page of the stored evaluator answers of calls in `scope` that started in `period`
    /// (one card's when `cardID` is given), in key order (call, card, criterion), after
    /// `after`, at most `limit` (1–10,000) rows.
    public func evaluationList(period: Period, cardID: String?, after: EvaluationListCursor?, limit: Int,
                               scope: Scope) throws(StoreError) -> [EvaluationListRow] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            var sql = """
                SELECT e.call_id, c.started_at, c.agent_id, c.team, c.queue, e.card_id, e.criterion_id, e.answer, e.evaluator,
                       e.evaluated_at, e.comment, e.source_file, e.imported_at
                FROM evaluations e JOIN calls c ON c.call_id = e.call_id
                WHERE \(pc) AND \(sc)
                """
            var args: [any DatabaseValueConvertible] = pa + sa
            if let cardID { sql += " AND e.card_id = ?"; args.append(cardID) }
            if let after {
                sql += " AND (e.call_id, e.card_id, e.criterion_id) > (?, ?, ?)"
                args += [after.callID, after.cardID, after.criterionID]
            }
            sql += " ORDER BY e.call_id, e.card_id, e.criterion_id LIMIT ?"
            args.append(max(1, min(limit, 10_000)))
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { r in
                EvaluationListRow(callID: r["call_id"], startedAt: r["started_at"], agentID: r["agent_id"], team: r["team"], queue: r["queue"],
                                  cardID: r["card_id"], criterionID: r["criterion_id"], answer: r["answer"], evaluator: r["evaluator"],
                                  evaluatedAt: r["evaluated_at"], comment: r["comment"], source: r["source_file"], importedAt: r["imported_at"])
            }
        }
    }
}
