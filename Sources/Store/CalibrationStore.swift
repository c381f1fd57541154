import CallQAModel
import Foundation
import GRDB

// Calibration sessions. Blindness lives here, not in the pages: while a session is open the
// store hands out a member's own answers only (`calibrationAnswers(…, userID:)`), and
// `revealedCalibrationAnswers` answers nil; every answer comes out only once the session is
// closed, and a closed session never opens again (schema triggers). Calibration answers are
// their own table: they never reach `evaluations`, so the calls' official scores never move.

/// How creating a session went.
public enum CreateCalibrationOutcome: Sendable, Equatable {
    case created(CalibrationSession)
    /// A call that does not exist or is outside the creator's scope.
    case unknownCall(String)
}

/// How saving a member's answers went.
public enum SaveCalibrationOutcome: Sendable, Equatable {
    /// Stored: answers added or changed, and answers removed (an empty answer clears one).
    case saved(changed: Int)
    /// No such session, call of the session or member (or out of scope).
    case notFound
    /// The session is closed: its answers never change.
    case closed
}

/// How closing a session went.
public enum CloseCalibrationOutcome: Sendable, Equatable {
    case closed(CalibrationSession)
    case notFound
    case alreadyClosed
}

/// One answer a member gives in a session (empty `answer`: clear it).
public struct CalibrationAnswerInput: Sendable, Equatable {
    public var criterionID: String
    public var answer: String
    public var comment: String?

    public init(criterionID: String, answer: String, comment: String? = nil) {
        self.criterionID = criterionID
        self.answer = answer
        self.comment = comment
    }
}

extension CallStore {
    /// Creates an open session over `callIDs` (each must be in `scope`), scored with the card
    /// version `cardHash`, with one expert and the evaluators (user ids of existing accounts,
    /// checked by the caller), in one transaction.
    public func createCalibrationSession(name: String, cardID: String, cardHash: String, manualCriteria: Int, expertUserID: Int64,
                                         evaluatorUserIDs: [Int64], callIDs: [String], by: String, nowEpoch: Double,
                                         scope: Scope) throws(StoreError) -> CreateCalibrationOutcome {
        try write { db in
            let (sc, sa) = scope.sql()
            for id in callIDs {
                if try Int.fetchOne(db, sql: "SELECT 1 FROM calls c WHERE c.call_id = ? AND \(sc)", arguments: StatementArguments([id] + sa)) == nil {
                    return .unknownCall(id)
                }
            }
            try db.execute(sql: """
                INSERT INTO calibration_sessions (name, card_id, card_hash, manual_criteria, state, created_by, created_at)
                VALUES (?, ?, ?, ?, 'open', ?, ?)
                """, arguments: [name, cardID, cardHash, manualCriteria, by, Self.iso(nowEpoch)])
            let sid = db.lastInsertedRowID
            for (i, id) in callIDs.enumerated() {
                try db.execute(sql: "INSERT INTO calibration_calls (session_id, call_id, position) VALUES (?, ?, ?)", arguments: [sid, id, i + 1])
            }
            try db.execute(sql: "INSERT INTO calibration_members (session_id, user_id, role) VALUES (?, ?, 'expert')", arguments: [sid, expertUserID])
            for u in evaluatorUserIDs {
                try db.execute(sql: "INSERT INTO calibration_members (session_id, user_id, role) VALUES (?, ?, 'evaluator')", arguments: [sid, u])
            }
            guard let s = try Self.calibrationSessions(db, id: sid, member: nil, scope: scope).first else { return .unknownCall(callIDs.first ?? "") }
            return .created(s)
        }
    }

    /// Sessions newest first: all of them (`member` nil: QA and admins) or those `member` (a
    /// user id) takes part in; each lists only the calls in `scope`.
    public func calibrationSessions(member: Int64?, scope: Scope) throws(StoreError) -> [CalibrationSession] {
        try read { db in try Self.calibrationSessions(db, id: nil, member: member, scope: scope) }
    }

    /// One session as `calibrationSessions` shows it; nil when it does not exist or `member`
    /// (when given) does not take part in it.
    public func calibrationSession(id: Int64, member: Int64?, scope: Scope) throws(StoreError) -> CalibrationSession? {
        try read { db in try Self.calibrationSessions(db, id: id, member: member, scope: scope).first }
    }

    /// The answers of one member (`userID`) in a session, on the calls in scope: what that
    /// member may see of a session at any time. Everyone else's stay sealed until the close.
    public func calibrationAnswers(sessionID: Int64, userID: Int64, scope: Scope) throws(StoreError) -> [CalibrationAnswer] {
        try read { db in try Self.calibrationAnswers(db, sessionID: sessionID, userID: userID, scope: scope) }
    }

    /// Every member's answers on the calls in scope — only once the session is closed; nil
    /// while it is open (or when there is no such session).
    public func revealedCalibrationAnswers(sessionID: Int64, scope: Scope) throws(StoreError) -> [CalibrationAnswer]? {
        try read { db in
            guard try String.fetchOne(db, sql: "SELECT state FROM calibration_sessions WHERE session_id = ?", arguments: [sessionID]) == "closed" else {
                return nil
            }
            return try Self.calibrationAnswers(db, sessionID: sessionID, userID: nil, scope: scope)
        }
    }

    /// Stores a member's answers to the manual criteria of one call of an open session (the
    /// caller checks them against the session's card); an empty answer removes one.
    public func saveCalibrationAnswers(sessionID: Int64, callID: String, userID: Int64, answers: [CalibrationAnswerInput], nowEpoch: Double,
                                       scope: Scope) throws(StoreError) -> SaveCalibrationOutcome {
        try write { db in
            let (sc, sa) = scope.sql()
            guard let state = try String.fetchOne(db, sql: """
                SELECT s.state FROM calibration_sessions s
                JOIN calibration_members m ON m.session_id = s.session_id AND m.user_id = ?
                JOIN calibration_calls k ON k.session_id = s.session_id AND k.call_id = ?
                JOIN calls c ON c.call_id = k.call_id
                WHERE s.session_id = ? AND \(sc)
                """, arguments: StatementArguments([userID, callID, sessionID] + sa)) else { return .notFound }
            guard state == "open" else { return .closed }
            var changed = 0
            let now = Self.iso(nowEpoch)
            for a in answers {
                if a.answer.isEmpty {
                    try db.execute(sql: "DELETE FROM calibration_answers WHERE session_id = ? AND call_id = ? AND user_id = ? AND criterion_id = ?",
                                   arguments: [sessionID, callID, userID, a.criterionID])
                } else {
                    try db.execute(sql: """
                        INSERT INTO calibration_answers (session_id, call_id, user_id, criterion_id, answer, comment, answered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(session_id, call_id, user_id, criterion_id) DO UPDATE SET answer = excluded.answer,
                            comment = excluded.comment, answered_at = excluded.answered_at
                        WHERE answer IS NOT excluded.answer OR comment IS NOT excluded.comment
                        """, arguments: [sessionID, callID, userID, a.criterionID, a.answer, a.comment, now])
                }
                changed += db.changesCount
            }
            return .saved(changed: changed)
        }
    }

    /// Closes an open session whose calls are all in `scope`: from now on every answer is
    /// revealed, and none changes.
    public func closeCalibrationSession(id: Int64, by: String, nowEpoch: Double, scope: Scope) throws(StoreError) -> CloseCalibrationOutcome {
        try write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM calibration_sessions WHERE session_id = ?", arguments: [id]) else {
                return .notFound
            }
            // Whoever closes a session reveals every call's answers: they must see every call.
            let (sc, sa) = scope.sql()
            let hidden = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM calibration_calls k LEFT JOIN calls c ON c.call_id = k.call_id AND \(sc)
                WHERE k.session_id = ? AND c.call_id IS NULL
                """, arguments: StatementArguments(sa + [id])) ?? 0
            guard hidden == 0 else { return .notFound }
            guard state == "open" else { return .alreadyClosed }
            try db.execute(sql: "UPDATE calibration_sessions SET state = 'closed', closed_by = ?, closed_at = ? WHERE session_id = ? AND state = 'open'",
                           arguments: [by, Self.iso(nowEpoch), id])
            guard let s = try Self.calibrationSessions(db, id: id, member: nil, scope: scope).first else { return .notFound }
            return .closed(s)
        }
    }

    static func calibrationAnswers(_ db: Database, sessionID: Int64, userID: Int64?, scope: Scope) throws -> [CalibrationAnswer] {
        let (sc, sa) = scope.sql()
        var args: [any DatabaseValueConvertible] = [sessionID]
        var who = ""
        if let userID { who = " AND a.user_id = ?"; args.append(userID) }
        return try Row.fetchAll(db, sql: """
            SELECT a.*, u.name FROM calibration_answers a
            JOIN calibration_calls k ON k.session_id = a.session_id AND k.call_id = a.call_id
            JOIN calls c ON c.call_id = a.call_id
            JOIN users u ON u.user_id = a.user_id
            WHERE a.session_id = ?\(who) AND \(sc) ORDER BY k.position, u.name COLLATE NOCASE, a.criterion_id
            """, arguments: StatementArguments(args + sa)).map { r in
            CalibrationAnswer(callID: r["call_id"], userID: r["user_id"], userName: r["name"], criterionID: r["criterion_id"],
                              answer: r["answer"], comment: r["comment"], answeredAt: r["answered_at"])
        }
    }

    static func calibrationSessions(_ db: Database, id: Int64?, member: Int64?, scope: Scope) throws -> [CalibrationSession] {
        var conditions: [String] = [], args: [any DatabaseValueConvertible] = []
        if let id { conditions.append("s.session_id = ?"); args.append(id) }
        if let member {
            conditions.append("EXISTS (SELECT 1 FROM calibration_members m WHERE m.session_id = s.session_id AND m.user_id = ?)")
            args.append(member)
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.* FROM calibration_sessions s WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND "))
            ORDER BY s.session_id DESC LIMIT 1000
            """, arguments: StatementArguments(args))
        let (sc, sa) = scope.sql()
        return try rows.map { r in
            let sid: Int64 = r["session_id"]
            let calls = try String.fetchAll(db, sql: """
                SELECT k.call_id FROM calibration_calls k JOIN calls c ON c.call_id = k.call_id
                WHERE k.session_id = ? AND \(sc) ORDER BY k.position
                """, arguments: StatementArguments([sid] + sa))
            let callCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM calibration_calls WHERE session_id = ?", arguments: [sid]) ?? 0
            let manual: Int = r["manual_criteria"]
            // Progress counts only: how many answers and finished calls, never which answers.
            let members = try Row.fetchAll(db, sql: """
                SELECT m.user_id, u.name, m.role,
                       (SELECT count(*) FROM calibration_answers a WHERE a.session_id = m.session_id AND a.user_id = m.user_id) AS answers,
                       (SELECT count(*) FROM (SELECT a.call_id FROM calibration_answers a WHERE a.session_id = m.session_id
                            AND a.user_id = m.user_id GROUP BY a.call_id HAVING count(*) >= ?)) AS done
                FROM calibration_members m JOIN users u ON u.user_id = m.user_id
                WHERE m.session_id = ? ORDER BY m.role = 'evaluator', u.name COLLATE NOCASE
                """, arguments: [manual, sid]).map { m in
                CalibrationMember(userID: m["user_id"], name: m["name"], role: CalibrationMemberRole(rawValue: m["role"]) ?? .evaluator,
                                  answers: m["answers"], callsDone: m["done"])
            }
            return CalibrationSession(id: sid, name: r["name"], cardID: r["card_id"], cardHash: r["card_hash"],
                                      state: CalibrationState(rawValue: r["state"]) ?? .open, createdBy: r["created_by"], createdAt: r["created_at"],
                                      closedBy: r["closed_by"], closedAt: r["closed_at"], calls: calls, callCount: callCount,
                                      members: members, manualCriteria: manual)
        }
    }
}

extension CallStore {
    /// The text of one stored card version (a calibration session scores with the version it
    /// was created with); nil when that version is not stored.
    public func cardVersionText(cardID: String, hash: String) throws(StoreError) -> (file: String, yaml: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT file, yaml FROM scorecards WHERE card_id = ? AND content_hash = ?", arguments: [cardID, hash])
                .map { (file: $0["file"], yaml: $0["yaml"]) }
        }
    }
}
