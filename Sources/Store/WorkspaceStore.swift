import CallQAModel
import Foundation
import GRDB

// The workspace's reads and writes of call data (`callqa serve`): the calls list with its
// filters and keyset pagination, a call's evaluator answers and survey, the evaluations
// saved from the browser, and acknowledgements. Every read takes a `Scope`.

/// The filters of the calls list. Agent, team and queue are the scope's narrowing filters;
/// everything here is bound as an SQL argument, never spliced into the text.
public struct CallListFilter: Sendable, Equatable {
    public var period: Period = .all
    public var direction: CallDirection?
    public var dialed: String?
    /// Only calls with a current score on this card (and that card's score shown).
    public var cardID: String?
    /// Score range, percent (inclusive).
    public var minScore: Double?
    public var maxScore: Double?
    /// Only calls with a critical fail.
    public var criticalFail = false
    /// Only calls with a provisional score (manual criteria not answered yet).
    public var provisional = false
    /// Dead air at least this long in all (s).
    public var minDeadAirS: Double?
    /// At least this many interruptions (by either party).
    public var minInterruptions: Int?
    /// Only NPS detractors (score 0–6).
    public var detractor = false
    /// Only recordings with this health flag.
    public var health: String?
    /// Only calls whose transcript holds these words (`TranscriptQuery`).
    public var transcript: TranscriptQuery?

    public init() {}
}

/// How the calls list is sorted; each key is a fixed SQL expression (never user text).
public enum CallListSort: String, Sendable, CaseIterable {
    case started, score, agent
    case deadAir = "dead_air"
    case interruptions, handle

    /// The expression the list sorts and pages by (NULLs become a value below every real one).
    var expression: String {
        switch self {
        case .started: "started_epoch"
        case .score: "coalesce(score, -1)"
        case .agent: "coalesce(agent_id, '')"
        case .deadAir: "coalesce(dead_air_s, -1)"
        case .interruptions: "coalesce(interruptions, -1)"
        case .handle: "coalesce(handle_s, -1)"
        }
    }

    var isText: Bool { self == .agent }
}

/// Where a page of the list starts: after the row with this sort value and call id.
public struct CallListCursor: Sendable, Equatable {
    public var value: String
    public var callID: String

    public init(value: String, callID: String) {
        self.value = value
        self.callID = callID
    }
}

/// A stored evaluator answer, as the call page's history shows it.
public struct StoredEvaluation: Sendable, Equatable {
    public var cardID: String
    public var criterionID: String
    public var answer: String
    public var evaluator: String
    public var evaluatedAt: String
    public var comment: String?
    /// `web`, or the CSV file it was imported from.
    public var source: String
    public var importedAt: String
}

extension [StoredEvaluation] {
    /// Changes whenever any stored answer of these rows changes: a form carries it, and a
    /// save whose form was rendered from other answers is refused as stale.
    public var fingerprint: String {
        let text = sorted { ($0.cardID, $0.criterionID) < ($1.cardID, $1.criterionID) }
            .map { [$0.cardID, $0.criterionID, $0.answer, $0.evaluator, $0.evaluatedAt, $0.comment ?? "\u{1}"].joined(separator: "\u{0}") }
            .joined(separator: "\u{2}")
        return String(SHA256.hex([UInt8](text.utf8)).prefix(32))
    }
}

/// An evaluation of a call on a card to acknowledge (agent page).
public struct EvaluationToAcknowledge: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var startedAt: String
    /// Latest answer time and its evaluator.
    public var evaluatedAt: String
    public var evaluator: String
    public var answers: Int
    /// When and by whom it was acknowledged; nil when not yet.
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?
}

/// How saving evaluations from the browser went.
public enum SaveEvaluationsOutcome: Sendable, Equatable {
    /// Stored (how many answers changed).
    case saved(changed: Int)
    /// The call's answers changed since the form was rendered: nothing stored.
    case stale
    /// No such call in the scope.
    case notFound
}

extension CallStore {
    /// One page of the calls list: calls in scope and period matching `filter`, sorted by
    /// `sort` (then call id), starting after `after`, at most `limit` rows.
    public func callList(_ filter: CallListFilter, sort: CallListSort, descending: Bool, after: CallListCursor?, limit: Int,
                         scope: Scope) throws(StoreError) -> [CallListRow] {
        try read { db in
            var args: [any DatabaseValueConvertible] = []
            let card = filter.cardID
            let cardCond = card == nil ? "" : " AND s.card_id = ?"
            func cardArg() { if let card { args.append(card) } }
            var inner = """
                SELECT c.call_id, c.started_at, c.started_epoch, c.agent_id, coalesce(g.agent_name, c.agent_name) AS agent_name,
                       c.team, c.queue, c.direction, c.answered, c.handle_s, a.duration_s, a.dead_air_s, a.health,
                       CASE WHEN a.call_id IS NULL THEN NULL ELSE coalesce(a.interruptions_by_agent, 0) + coalesce(a.interruptions_by_customer, 0) END AS interruptions,
                       (SELECT s.card_id FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond) ORDER BY s.score IS NULL, s.score, s.card_id LIMIT 1) AS card_id,
                       (SELECT min(s.score) FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond)) AS score,
                       (SELECT count(*) FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond)) AS scored,
                       (SELECT max(s.status = 'provisional') FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond)) AS provisional,
                       (SELECT max(s.critical_failed) FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond)) AS critical_failed,
                       (SELECT min(v.score) FROM surveys v WHERE v.linked_call_id = c.call_id AND v.answered = 1 AND v.score IS NOT NULL) AS nps,
                       \(filter.transcript == nil ? "NULL" : """
                       (SELECT tp.party || ': ' || snippet(transcript_fts, 0, '[', ']', '…', 10) FROM transcript_fts
                        JOIN transcript_parties tp ON tp.id = transcript_fts.rowid
                        WHERE transcript_fts MATCH ? AND tp.call_id = c.call_id ORDER BY transcript_fts.rank LIMIT 1)
                       """) AS snippet
                FROM calls c
                LEFT JOIN agents g ON g.agent_id = c.agent_id
                LEFT JOIN analyses a ON a.call_id = c.call_id
                """
            for _ in 0..<5 { cardArg() }
            if let t = filter.transcript { args.append(t.match) }
            let (pc, pa) = filter.period.sql()
            let (sc, sa) = scope.sql()
            inner += " WHERE \(pc) AND \(sc)"
            args += pa + sa
            if let d = filter.direction { inner += " AND c.direction = ?"; args.append(d.rawValue) }
            if let d = filter.dialed { inner += " AND c.dialed = ?"; args.append(d) }
            if let h = filter.health { inner += " AND (',' || a.health || ',') LIKE ? ESCAPE '\\'"; args.append("%," + Self.likeEscaped(h) + ",%") }
            if let m = filter.minDeadAirS { inner += " AND a.dead_air_s >= ?"; args.append(m) }
            if let t = filter.transcript {
                inner += """
                     AND c.call_id IN (SELECT tp.call_id FROM transcript_fts JOIN transcript_parties tp ON tp.id = transcript_fts.rowid
                                       WHERE transcript_fts MATCH ?)
                    """
                args.append(t.match)
            }
            var outer = "SELECT * FROM (\(inner)) WHERE 1"
            if card != nil { outer += " AND scored > 0" }
            if let m = filter.minScore { outer += " AND score >= ?"; args.append(m) }
            if let m = filter.maxScore { outer += " AND score <= ?"; args.append(m) }
            if filter.criticalFail { outer += " AND critical_failed = 1" }
            if filter.provisional { outer += " AND provisional = 1" }
            if let m = filter.minInterruptions { outer += " AND interruptions >= ?"; args.append(m) }
            if filter.detractor { outer += " AND nps <= 6" }
            let key = sort.expression, op = descending ? "<" : ">", dir = descending ? "DESC" : "ASC"
            if let after {
                let v: any DatabaseValueConvertible = sort.isText ? after.value : (Double(after.value) ?? 0)
                outer += " AND (\(key) \(op) ? OR (\(key) = ? AND call_id \(op) ?))"
                args += [v, v, after.callID]
            }
            outer += " ORDER BY \(key) \(dir), call_id \(dir) LIMIT ?"
            args.append(max(1, min(limit, 10_000)))
            return try Row.fetchAll(db, sql: outer, arguments: StatementArguments(args)).map { r in
                CallListRow(callID: r["call_id"], startedAt: r["started_at"], startedEpoch: r["started_epoch"], agentID: r["agent_id"],
                            agentName: r["agent_name"], team: r["team"], queue: r["queue"], direction: r["direction"],
                            answered: (r["answered"] as Int) == 1, handleS: r["handle_s"], durationS: r["duration_s"],
                            deadAirS: r["dead_air_s"], interruptions: r["interruptions"],
                            health: ((r["health"] as String?) ?? "").split(separator: ",").map(String.init),
                            cardID: r["card_id"], score: r["score"], provisional: (r["provisional"] as Int?) == 1,
                            criticalFailed: (r["critical_failed"] as Int?) == 1, nps: r["nps"], snippet: r["snippet"])
            }
        }
    }

    static func likeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// The evaluator answers stored for a call in scope (empty outside it), by card and criterion.
    public func evaluations(callID: String, scope: Scope) throws(StoreError) -> [StoredEvaluation] {
        try read { db in try Self.evaluations(db, callID: callID, scope: scope) }
    }

    static func evaluations(_ db: Database, callID: String, scope: Scope) throws -> [StoredEvaluation] {
        let (sc, sa) = scope.sql()
        return try Row.fetchAll(db, sql: """
            SELECT e.card_id, e.criterion_id, e.answer, e.evaluator, e.evaluated_at, e.comment, e.source_file, e.imported_at
            FROM evaluations e JOIN calls c ON c.call_id = e.call_id
            WHERE e.call_id = ? AND \(sc) ORDER BY e.card_id, e.criterion_id
            """, arguments: StatementArguments([callID] + sa)).map { r in
            StoredEvaluation(cardID: r["card_id"], criterionID: r["criterion_id"], answer: r["answer"], evaluator: r["evaluator"],
                             evaluatedAt: r["evaluated_at"], comment: r["comment"], source: r["source_file"], importedAt: r["imported_at"])
        }
    }

    /// The survey answers linked to a call in scope (by call id, or by the caller and time
    /// window as `nps import` links them), answered ones only, as the reports count them.
    public func callSurveys(callID: String, scope: Scope) throws(StoreError) -> [SurveyFact] {
        try read { db in
            let (sc, sa) = scope.sql()
            return try Row.fetchAll(db, sql: """
                SELECT v.linked_call_id AS call_id, v.score, v.csat, v.comment, v.answered_at, c.agent_id, c.agent_name, c.team, c.queue, c.local_date
                FROM surveys v JOIN calls c ON c.call_id = v.linked_call_id
                WHERE v.linked_call_id = ? AND v.answered = 1 AND \(sc) ORDER BY v.answered_epoch
                """, arguments: StatementArguments([callID] + sa)).map { r in
                SurveyFact(callID: r["call_id"], score: r["score"], csat: r["csat"], comment: r["comment"], answeredAt: r["answered_at"],
                           agentID: r["agent_id"], agentName: r["agent_name"], team: r["team"], queue: r["queue"], localDate: r["local_date"])
            }
        }
    }

    /// Stores evaluator answers from the browser or the API exactly as `evaluations import`
    /// stores a file's rows (one import run of kind `evaluations`, source file `source`:
    /// `web` or `api`), in one transaction, only when the call is in `scope` and its stored
    /// answers still have the fingerprint the form (or the API client) read.
    public func saveEvaluations(_ rows: [EvaluationRow], callID: String, expectedFingerprint: String, nowEpoch: Double,
                                source: String = "web", scope: Scope) throws(StoreError) -> SaveEvaluationsOutcome {
        let outcome: SaveEvaluationsOutcome = try write { db in
            let (sc, sa) = scope.sql()
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM calls c WHERE c.call_id = ? AND \(sc)", arguments: StatementArguments([callID] + sa)) != nil else {
                return .notFound
            }
            guard try Self.evaluations(db, callID: callID, scope: scope).fingerprint == expectedFingerprint else { return .stale }
            let session = try ImportSession(db: db, kind: "evaluations", file: source)
            var stored = 0
            for r in rows where r.callID == callID {
                if case .stored = try session.evaluation(r, evaluatedEpoch: nowEpoch) { stored += 1 }
            }
            try session.finish(rows: rows.count, stored: stored)
            return .saved(changed: stored)
        }
        if case .saved = outcome { _ = try refreshAggregates() }
        return outcome
    }

    /// The calls of `agentID` (in scope and period) with evaluator answers, newest first, with
    /// whether the agent acknowledged the evaluation after its latest answer.
    public func evaluationsToAcknowledge(agentID: String, period: Period, scope: Scope) throws(StoreError) -> [EvaluationToAcknowledge] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.requiring(agent: agentID).sql()
            return try Row.fetchAll(db, sql: """
                SELECT e.call_id, e.card_id, c.started_at, max(e.evaluated_at) AS at, count(*) AS n,
                       (SELECT e2.evaluator FROM evaluations e2 WHERE e2.call_id = e.call_id AND e2.card_id = e.card_id
                        ORDER BY e2.evaluated_at DESC LIMIT 1) AS evaluator,
                       k.acknowledged_at, k.acknowledged_by, k.evaluated_at AS acked_version
                FROM evaluations e JOIN calls c ON c.call_id = e.call_id
                LEFT JOIN evaluation_acknowledgements k ON k.call_id = e.call_id AND k.card_id = e.card_id
                WHERE \(pc) AND \(sc)
                GROUP BY e.call_id, e.card_id ORDER BY c.started_epoch DESC, e.call_id, e.card_id LIMIT 500
                """, arguments: StatementArguments(pa + sa)).map { r in
                let at: String = r["at"]
                let current = (r["acked_version"] as String?) == at
                return EvaluationToAcknowledge(callID: r["call_id"], cardID: r["card_id"], startedAt: r["started_at"], evaluatedAt: at,
                                               evaluator: r["evaluator"] ?? "", answers: r["n"],
                                               acknowledgedAt: current ? r["acknowledged_at"] : nil,
                                               acknowledgedBy: current ? r["acknowledged_by"] : nil)
            }
        }
    }

    /// Records that `by` acknowledged the evaluation of a call on a card (its answers as they
    /// are now). False when the call is not in scope or has no answers on that card.
    public func acknowledgeEvaluation(callID: String, cardID: String, by: String, nowEpoch: Double, scope: Scope) throws(StoreError) -> Bool {
        let now = Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0).iso8601
        return try write { db in
            let (sc, sa) = scope.sql()
            guard let latest = try String.fetchOne(db, sql: """
                SELECT max(e.evaluated_at) FROM evaluations e JOIN calls c ON c.call_id = e.call_id
                WHERE e.call_id = ? AND e.card_id = ? AND \(sc)
                """, arguments: StatementArguments([callID, cardID] + sa)) else { return false }
            try db.execute(sql: """
                INSERT INTO evaluation_acknowledgements (call_id, card_id, evaluated_at, acknowledged_by, acknowledged_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(call_id, card_id) DO UPDATE SET evaluated_at = excluded.evaluated_at,
                    acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at
                """, arguments: [callID, cardID, latest, by, now])
            return true
        }
    }
}
