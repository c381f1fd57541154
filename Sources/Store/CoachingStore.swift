import CallQAModel
import Foundation
import GRDB

// Coaching notes. A note is about an agent: a reader sees it when that agent is within their
// scope (the agent has a call the scope admits — the rule of the agent page), and sees of its
// references only the calls in scope. Roles are checked against `CoachingRules` here too.

/// Which coaching notes to list.
public struct CoachingFilter: Sendable, Equatable {
    public var agentID: String?
    /// Only notes the agent has not acknowledged.
    public var unacknowledged = false
    /// Only notes whose follow-up date is before this day (`YYYY-MM-DD`) and not done.
    public var overdueBefore: String?
    /// When the notes were written (epoch bounds, or UTC days).
    public var written: Period = .all
    public var limit = 1000

    public init(agentID: String? = nil, unacknowledged: Bool = false, overdueBefore: String? = nil, written: Period = .all) {
        self.agentID = agentID
        self.unacknowledged = unacknowledged
        self.overdueBefore = overdueBefore
        self.written = written
    }
}

/// How recording a note went.
public enum AddCoachingOutcome: Sendable, Equatable {
    case added(CoachingNote)
    /// No such agent in the scope.
    case notFound
    /// Only supervisors and QA write coaching notes.
    case refused(Role)
    /// A referenced call that is not one of the agent's calls in scope.
    case badReference(String)
}

/// How acknowledging a note or closing its follow-up went.
public enum CoachingActionOutcome: Sendable, Equatable {
    case done(CoachingNote)
    case notFound
    case refused(Role)
    /// Already acknowledged, or the follow-up already marked done.
    case already(CoachingNote)
    /// The note plans no follow-up.
    case noFollowUp
}

extension CallStore {
    /// Records a coaching note for `agentID` (in `scope`), written by `by` with role `role`.
    public func addCoachingNote(agentID: String, keep: String, change: String, references: [CoachingReference], followUpDate: String?,
                                by: String, role: Role, nowEpoch: Double, scope: Scope) throws(StoreError) -> AddCoachingOutcome {
        guard CoachingRules.mayWrite(role) else { return .refused(role) }
        return try write { db in
            let agentScope = scope.requiring(agent: agentID)
            let (sc, sa) = agentScope.sql()
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM calls c WHERE \(sc) LIMIT 1", arguments: StatementArguments(sa)) != nil else {
                return .notFound
            }
            for r in references {
                if try Int.fetchOne(db, sql: "SELECT 1 FROM calls c WHERE c.call_id = ? AND \(sc)", arguments: StatementArguments([r.callID] + sa)) == nil {
                    return .badReference(r.callID)
                }
            }
            try db.execute(sql: """
                INSERT INTO coaching_notes (agent_id, author, author_role, created_at, created_epoch, keep_text, change_text, follow_up_date)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [agentID, by, role.rawValue, Self.iso(nowEpoch), nowEpoch, keep, change, followUpDate])
            let id = db.lastInsertedRowID
            for (i, r) in references.enumerated() {
                try db.execute(sql: "INSERT INTO coaching_refs (note_id, position, call_id, start_s, end_s) VALUES (?, ?, ?, ?, ?)",
                               arguments: [id, i + 1, r.callID, r.startS, r.endS])
            }
            guard let note = try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            return .added(note)
        }
    }

    /// Notes about agents in scope matching `filter`, newest first.
    public func coachingNotes(_ filter: CoachingFilter, scope: Scope) throws(StoreError) -> [CoachingNote] {
        try read { db in
            var conditions: [String] = [], args: [any DatabaseValueConvertible] = []
            if let a = filter.agentID { conditions.append("n.agent_id = ?"); args.append(a) }
            if filter.unacknowledged { conditions.append("n.acknowledged_at IS NULL") }
            if let d = filter.overdueBefore {
                conditions.append("n.follow_up_date IS NOT NULL AND n.follow_up_date < ? AND n.follow_up_done_at IS NULL")
                args.append(d)
            }
            let (pc, pa) = filter.written.sql(epoch: "n.created_epoch", at: "n.created_at")
            conditions.append(pc); args += pa
            return try Self.coachingNotes(db, where: conditions.joined(separator: " AND "), args, scope: scope, limit: filter.limit)
        }
    }

    /// One note about an agent in scope; nil otherwise.
    public func coachingNote(id: Int64, scope: Scope) throws(StoreError) -> CoachingNote? {
        try read { db in try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first }
    }

    /// The agent acknowledges a note about them (`scope` must be theirs).
    public func acknowledgeCoachingNote(id: Int64, by: String, role: Role, nowEpoch: Double, scope: Scope) throws(StoreError) -> CoachingActionOutcome {
        guard CoachingRules.mayAcknowledge(role) else { return .refused(role) }
        return try write { db in
            guard let note = try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            if note.acknowledged { return .already(note) }
            try db.execute(sql: "UPDATE coaching_notes SET acknowledged_by = ?, acknowledged_at = ? WHERE note_id = ? AND acknowledged_at IS NULL",
                           arguments: [by, Self.iso(nowEpoch), id])
            guard let done = try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            return .done(done)
        }
    }

    /// A supervisor or QA marks a note's follow-up done, with what came of it.
    public func completeCoachingFollowUp(id: Int64, result: String, by: String, role: Role, nowEpoch: Double,
                                         scope: Scope) throws(StoreError) -> CoachingActionOutcome {
        guard CoachingRules.mayWrite(role) else { return .refused(role) }
        return try write { db in
            guard let note = try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            guard note.followUpDate != nil else { return .noFollowUp }
            if note.followUpDoneAt != nil { return .already(note) }
            try db.execute(sql: """
                UPDATE coaching_notes SET follow_up_done_by = ?, follow_up_done_at = ?, follow_up_result = ?
                WHERE note_id = ? AND follow_up_done_at IS NULL
                """, arguments: [by, Self.iso(nowEpoch), result, id])
            guard let done = try Self.coachingNotes(db, where: "n.note_id = ?", [id], scope: scope, limit: 1).first else { return .notFound }
            return .done(done)
        }
    }

    static func coachingNotes(_ db: Database, where condition: String, _ args: [any DatabaseValueConvertible], scope: Scope,
                              limit: Int) throws -> [CoachingNote] {
        let (sc, sa) = scope.sql()
        let rows = try Row.fetchAll(db, sql: """
            SELECT n.* FROM coaching_notes n
            WHERE \(condition) AND EXISTS (SELECT 1 FROM calls c WHERE c.agent_id = n.agent_id AND \(sc))
            ORDER BY n.created_epoch DESC, n.note_id DESC LIMIT ?
            """, arguments: StatementArguments(args + sa + [max(1, min(limit, 100_000))]))
        return try rows.map { r in
            let id: Int64 = r["note_id"]
            let refs = try Row.fetchAll(db, sql: """
                SELECT f.call_id, f.start_s, f.end_s FROM coaching_refs f JOIN calls c ON c.call_id = f.call_id
                WHERE f.note_id = ? AND \(sc) ORDER BY f.position
                """, arguments: StatementArguments([id] + sa)).map { CoachingReference(callID: $0["call_id"], startS: $0["start_s"], endS: $0["end_s"]) }
            return CoachingNote(id: id, agentID: r["agent_id"], author: r["author"], authorRole: Role(rawValue: r["author_role"]) ?? .qa,
                                createdAt: r["created_at"], createdEpoch: r["created_epoch"], keep: r["keep_text"], change: r["change_text"],
                                references: refs, followUpDate: r["follow_up_date"], acknowledgedBy: r["acknowledged_by"],
                                acknowledgedAt: r["acknowledged_at"], followUpDoneBy: r["follow_up_done_by"], followUpDoneAt: r["follow_up_done_at"],
                                followUpResult: r["follow_up_result"])
        }
    }
}
