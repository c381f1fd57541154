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

/// How the calls list is sorted; each key is a fixed SQL expression in `callList` (never user text).
public enum CallListSort: String, Sendable, CaseIterable {
    case started, score, agent
    case deadAir = "dead_air"
    case interruptions, handle

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
    ///
    /// Two steps in one statement: the page's call ids are chosen first, computing only what
    /// the filters and the sort key need (sorted by start, the default, this walks the index
    /// `calls_by_start_id` from the page's end and stops after `limit` matches); the shown
    /// values (score, card, marks, NPS) are then computed for those rows only.
    public func callList(_ filter: CallListFilter, sort: CallListSort, descending: Bool, after: CallListCursor?, limit: Int,
                         scope: Scope) throws(StoreError) -> [CallListRow] {
        try callList(filter, sort: sort, descending: descending, after: after, limit: limit, scope: scope, walkCap: Self.walkCap)
    }

    /// `walkCap`: how many index entries a sorted walk reads at most (nil: no walk; tests
    /// compare the ways).
    package func callList(_ filter: CallListFilter, sort: CallListSort, descending: Bool, after: CallListCursor?, limit: Int,
                          scope: Scope, walkCap: Int?) throws(StoreError) -> [CallListRow] {
        try read { db in
            let card = filter.cardID
            let cardCond = card == nil ? "" : " AND s.card_id = ?"
            let cardArgs: [any DatabaseValueConvertible] = card.map { [$0] } ?? []
            /// A condition or value over the call's current scores (of the filtered card).
            func scores(_ select: String, _ extra: String = "") -> String {
                "(SELECT \(select) FROM scores s WHERE s.call_id = c.call_id AND s.is_current = 1\(cardCond)\(extra))"
            }
            let interruptions = "CASE WHEN a.call_id IS NULL THEN NULL ELSE coalesce(a.interruptions_by_agent, 0) + coalesce(a.interruptions_by_customer, 0) END"
            let key: String, keyArgs: [any DatabaseValueConvertible]
            switch sort {
            case .started: (key, keyArgs) = ("c.started_epoch", [])
            case .score: (key, keyArgs) = ("coalesce(\(scores("min(s.score)")), -1)", cardArgs)
            case .agent: (key, keyArgs) = ("coalesce(c.agent_id, '')", [])
            case .deadAir: (key, keyArgs) = ("coalesce(a.dead_air_s, -1)", [])
            case .interruptions: (key, keyArgs) = ("coalesce(\(interruptions), -1)", [])
            case .handle: (key, keyArgs) = ("coalesce(c.handle_s, -1)", [])
            }
            // Step 1: the page's call ids and sort values.
            let (pc, pa) = filter.period.sql(impliedStartBounds: true)
            let (sc, sa) = scope.sql()
            var conditions = [pc, sc]
            var args: [any DatabaseValueConvertible] = pa + sa
            if let d = filter.direction { conditions.append("c.direction = ?"); args.append(d.rawValue) }
            if let d = filter.dialed { conditions.append("c.dialed = ?"); args.append(d) }
            if let h = filter.health { conditions.append("(',' || a.health || ',') LIKE ? ESCAPE '\\'"); args.append("%," + Self.likeEscaped(h) + ",%") }
            if let m = filter.minDeadAirS { conditions.append("a.dead_air_s >= ?"); args.append(m) }
            if let m = filter.minInterruptions { conditions.append("\(interruptions) >= ?"); args.append(m) }
            if card != nil { conditions.append("EXISTS \(scores("1"))"); args += cardArgs }
            if let m = filter.minScore { conditions.append("\(scores("min(s.score)")) >= ?"); args += cardArgs + [m] }
            if let m = filter.maxScore { conditions.append("\(scores("min(s.score)")) <= ?"); args += cardArgs + [m] }
            if filter.criticalFail { conditions.append("EXISTS \(scores("1", " AND s.critical_failed = 1"))"); args += cardArgs }
            if filter.provisional { conditions.append("EXISTS \(scores("1", " AND s.status = 'provisional'"))"); args += cardArgs }
            if filter.detractor {
                conditions.append("EXISTS (SELECT 1 FROM surveys v WHERE v.linked_call_id = c.call_id AND v.answered = 1 AND v.score <= 6)")
            }
            if let t = filter.transcript {
                conditions.append("""
                    c.call_id IN (SELECT tp.call_id FROM transcript_fts JOIN transcript_parties tp ON tp.id = transcript_fts.rowid
                                  WHERE transcript_fts MATCH ?)
                    """)
                args.append(t.match)
            }
            let op = descending ? "<" : ">", dir = descending ? "DESC" : "ASC"
            let cursorValue: (any DatabaseValueConvertible)? = after.map { a -> any DatabaseValueConvertible in
                sort.isText ? a.value : (Double(a.value) ?? 0)
            }
            /// The cursor's condition on a sort key expression (none without a cursor).
            func cursor(_ key: String, _ keyArgs: [any DatabaseValueConvertible], id: String = "c.call_id") -> (String, [any DatabaseValueConvertible]) {
                guard let after, let v = cursorValue else { return ("1", []) }
                return ("(\(key) \(op) ? OR (\(key) = ? AND \(id) \(op) ?))", keyArgs + [v] + keyArgs + [v, after.callID])
            }
            let (cc, ca) = cursor(key, keyArgs)
            let limitArg = max(1, min(limit, 10_000))
            let page = """
                SELECT c.call_id AS call_id, \(key) AS k FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
                WHERE \(conditions.joined(separator: " AND ")) AND \(cc)
                ORDER BY k \(dir), c.call_id \(dir) LIMIT ?
                """
            let pageArgs: [any DatabaseValueConvertible] = keyArgs + args + ca + [limitArg]
            // Step 2: what the list shows, for those rows only.
            func shown(_ page: String, _ pageArgs: [any DatabaseValueConvertible]) throws -> [CallListRow] {
            let sql = """
                SELECT c.call_id, c.started_at, c.started_epoch, c.agent_id, coalesce(g.agent_name, c.agent_name) AS agent_name,
                       c.team, c.queue, c.direction, c.answered, c.handle_s, a.duration_s, a.dead_air_s, a.health,
                       \(interruptions) AS interruptions,
                       \(scores("s.card_id", " ORDER BY s.score IS NULL, s.score, s.card_id LIMIT 1")) AS card_id,
                       \(scores("min(s.score)")) AS score,
                       \(scores("max(s.status = 'provisional')")) AS provisional,
                       \(scores("max(s.critical_failed)")) AS critical_failed,
                       (SELECT min(v.score) FROM surveys v WHERE v.linked_call_id = c.call_id AND v.answered = 1 AND v.score IS NOT NULL) AS nps,
                       \(filter.transcript == nil ? "NULL" : """
                       (SELECT tp.party || ': ' || snippet(transcript_fts, 0, '[', ']', '…', 10) FROM transcript_fts
                        JOIN transcript_parties tp ON tp.id = transcript_fts.rowid
                        WHERE transcript_fts MATCH ? AND tp.call_id = c.call_id ORDER BY transcript_fts.rank LIMIT 1)
                       """) AS snippet
                FROM (\(page)) p
                JOIN calls c ON c.call_id = p.call_id
                LEFT JOIN agents g ON g.agent_id = c.agent_id
                LEFT JOIN analyses a ON a.call_id = c.call_id
                ORDER BY p.k \(dir), p.call_id \(dir)
                """
            var shownArgs: [any DatabaseValueConvertible] = cardArgs + cardArgs + cardArgs + cardArgs
            if let t = filter.transcript { shownArgs.append(t.match) }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(shownArgs + pageArgs)).map { r in
                CallListRow(callID: r["call_id"], startedAt: r["started_at"], startedEpoch: r["started_epoch"], agentID: r["agent_id"],
                            agentName: r["agent_name"], team: r["team"], queue: r["queue"], direction: r["direction"],
                            answered: (r["answered"] as Int) == 1, handleS: r["handle_s"], durationS: r["duration_s"],
                            deadAirS: r["dead_air_s"], interruptions: r["interruptions"],
                            health: ((r["health"] as String?) ?? "").split(separator: ",").map(String.init),
                            cardID: r["card_id"], score: r["score"], provisional: (r["provisional"] as Int?) == 1,
                            criticalFailed: (r["critical_failed"] as Int?) == 1, nps: r["nps"], snippet: r["snippet"])
            }
            }
            // Sorted by another column than the start: the key's index, walked in the page's
            // order from the cursor, checking each call against the period, scope and filters,
            // stops after `limit` matches. The walk is capped (`walkCap` index entries): a
            // period or filter that matches little is answered the other way, reading the
            // period's calls. Either way the same rows: the walk's first `limit` matches are
            // the first `limit` of the whole order, as long as it covers every key (a call
            // without analysis has the key -1 for dead air and interruptions: it comes last
            // in descending order; ascending, only after a cursor past -1).
            if let walkCap, walkCap > 0, let walk = Self.walkIndex(sort, descending: descending, cursor: cursorValue) {
                let (wc, wa) = cursor(walk.key, [], id: walk.id)
                let rangeArgs: [any DatabaseValueConvertible] = cursorValue.map { [$0] } ?? []
                // Where the capped walk ends: the index's entry number `walkCap` from the cursor.
                let end = try Row.fetchOne(db, sql: """
                    SELECT \(walk.key) AS k, \(walk.id) AS id FROM \(walk.from)
                    WHERE \(walk.range(op)) AND \(wc) ORDER BY k \(dir), \(walk.id) \(dir) LIMIT 1 OFFSET ?
                    """, arguments: StatementArguments(rangeArgs + wa + [walkCap - 1]))
                var bound = "1", boundArgs: [any DatabaseValueConvertible] = []
                if let end {
                    let back = descending ? ">" : "<"
                    bound = "(\(walk.key) \(back) ? OR (\(walk.key) = ? AND \(walk.id) \(back)= ?))"
                    boundArgs = [end["k"] as DatabaseValue, end["k"] as DatabaseValue, end["id"] as String]
                }
                let walkPage = """
                    SELECT \(walk.id) AS call_id, \(walk.key) AS k FROM \(walk.from) \(walk.join)
                    WHERE \(walk.range(op)) AND \(wc) AND \(bound) AND \(conditions.joined(separator: " AND "))
                    ORDER BY k \(dir), \(walk.id) \(dir) LIMIT ?
                    """
                let rows = try shown(walkPage, rangeArgs + wa + boundArgs + args + [limitArg])
                if rows.count >= limitArg || (end == nil && walk.coversAll) { return rows }
            }
            return try shown(page, pageArgs)
        }
    }

    /// How many index entries a sorted walk of the calls list reads at most.
    static let walkCap = 5_000

    /// A sort key's index to walk in the page's order: the indexed table (`from`), the join
    /// of the other table (calls as `c`, analyses as `a`), the key expression and the call id
    /// column as the index has them, a condition on the key that starts the walk at the
    /// cursor (`range(op)`, one argument, the cursor's value; none without a cursor), and
    /// whether the index holds every call. Nil: no index for this sort, or the order starts
    /// with calls the index does not hold.
    static func walkIndex(_ sort: CallListSort, descending: Bool, cursor: (any DatabaseValueConvertible)?)
        -> (from: String, join: String, key: String, id: String, range: (String) -> String, coversAll: Bool)? {
        func range(_ key: String) -> (String) -> String {
            { op in cursor == nil ? "1" : "\(key) \(op)= ?" }
        }
        let onCalls = "LEFT JOIN analyses a ON a.call_id = c.call_id"
        let onAnalyses = "CROSS JOIN calls c ON c.call_id = a.call_id"
        switch sort {
        case .handle:
            let key = "coalesce(c.handle_s, -1)"
            return ("calls c INDEXED BY calls_by_handle", onCalls, key, "c.call_id", range(key), true)
        case .agent:
            let key = "coalesce(c.agent_id, '')"
            return ("calls c INDEXED BY calls_by_agent_key", onCalls, key, "c.call_id", range(key), true)
        case .deadAir, .interruptions:
            // Calls without an analysis (key -1) are not in the index: ascending, they come first.
            if !descending {
                guard let v = cursor as? Double, v >= 0 else { return nil }
            }
            let key = sort == .deadAir ? "a.dead_air_s" : "(coalesce(a.interruptions_by_agent, 0) + coalesce(a.interruptions_by_customer, 0))"
            let index = sort == .deadAir ? "analyses_by_dead_air" : "analyses_by_interruptions"
            return ("analyses a INDEXED BY \(index)", onAnalyses, key, "a.call_id", range(key), false)
        case .started, .score:
            return nil
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
