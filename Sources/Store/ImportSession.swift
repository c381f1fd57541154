import CallQAModel
import Foundation
import GRDB

/// One import (surveys or evaluations) as one transaction: rows are checked against the
/// database as they stream by, so memory does not grow with the file.
public final class ImportSession {
    let db: Database
    public let importID: Int64
    let now: String
    let callExistsStatement: Statement
    let rejectStatement: Statement
    let kind: String
    public private(set) var rejectedCount = 0

    init(db: Database, kind: String, file: String) throws {
        self.db = db
        self.kind = kind
        now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try db.execute(sql: "INSERT INTO import_runs (import_kind, source_file, started_at) VALUES (?, ?, ?)", arguments: [kind, file, now])
        importID = db.lastInsertedRowID
        callExistsStatement = try db.makeStatement(sql: "SELECT 1 FROM calls WHERE call_id = ?")
        rejectStatement = try db.makeStatement(sql: """
            INSERT INTO import_errors (import_kind, occurred_at, source_file, line, field, message)
            SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (
                SELECT 1 FROM import_errors WHERE import_kind = ? AND source_file = ? AND line IS ? AND message = ?)
            """)
    }

    public func callExists(_ id: String) throws -> Bool {
        try Int.fetchOne(callExistsStatement, arguments: [id]) != nil
    }

    /// The first `keptMessages` rejected rows, for the summary (all are in `import_errors`).
    public private(set) var rejected: [ImportErrorRow] = []
    public static let keptMessages = 1000

    /// Rejects a row: `file:line: column 'field': message`.
    public func reject(_ ref: SourceRef, field: String?, _ message: String) throws {
        try reject(ImportErrorRow(source: ref, field: field, message: "\(ref): \(field.map { "column '\($0)': " } ?? "")\(message)"))
    }

    /// Records a rejected row (once per file, line and message).
    public func reject(_ e: ImportErrorRow) throws {
        if rejected.count < Self.keptMessages { rejected.append(e) }
        rejectedCount += 1
        let line: Int? = e.source.line > 0 ? e.source.line : nil
        try rejectStatement.execute(arguments: [kind, now, e.source.file, line, e.field, e.message, kind, e.source.file, line, e.message])
    }

    private lazy var surveyLookup = try? db.makeStatement(sql: "SELECT row_fingerprint, import_id, source_file, source_line FROM surveys WHERE survey_key = ?")
    private lazy var surveyInsert = try? db.makeStatement(sql: """
        INSERT INTO surveys (survey_key, survey_id, call_id, caller_hash, answered, score, csat, answered_at,
            answered_epoch, comment, row_fingerprint, source_file, source_line, imported_at, import_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)

    public func survey(_ r: SurveyRow) throws -> RowOutcome {
        guard let lookup = surveyLookup, let insert = surveyInsert else { throw StoreError.database(path: "", reason: "cannot prepare survey statements") }
        if let row = try Row.fetchOne(lookup, arguments: [r.key]) {
            let fp: String = row["row_fingerprint"]
            if (row["import_id"] as Int64?) == importID { return .duplicateInFile(firstLine: row["source_line"], identical: fp == r.fingerprint) }
            guard fp == r.fingerprint else { return .conflict(file: row["source_file"], line: row["source_line"]) }
            // Seen in this import: a later repeat in the same file is a duplicate, not a re-import.
            try db.execute(sql: "UPDATE surveys SET import_id = ?, source_line = ? WHERE survey_key = ?", arguments: [importID, r.source.line, r.key])
            return .alreadyImported
        }
        try insert.execute(arguments: [r.key, r.surveyID, r.callID, r.callerHash, r.answered ? 1 : 0, r.score, r.csat,
                                       r.answeredAt.iso8601, r.answeredAt.epochS, r.comment, r.fingerprint, r.source.file,
                                       r.source.line, now, importID])
        return .stored
    }

    private lazy var evaluationLookup = try? db.makeStatement(sql: """
        SELECT answer, evaluator, evaluated_at, comment, import_id, source_file, source_line FROM evaluations
        WHERE call_id = ? AND card_id = ? AND criterion_id = ?
        """)
    private lazy var evaluationUpsert = try? db.makeStatement(sql: """
        INSERT INTO evaluations (call_id, card_id, criterion_id, answer, evaluator, evaluated_at, comment, source_file, source_line, imported_at, import_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(call_id, card_id, criterion_id) DO UPDATE SET answer = excluded.answer, evaluator = excluded.evaluator,
            evaluated_at = excluded.evaluated_at, comment = excluded.comment, source_file = excluded.source_file,
            source_line = excluded.source_line, imported_at = excluded.imported_at, import_id = excluded.import_id
        """)

    /// Stores an evaluator answer; a different answer to the same criterion replaces the
    /// stored one unless it is older.
    public func evaluation(_ e: EvaluationRow, evaluatedEpoch: Double) throws -> RowOutcome {
        guard let lookup = evaluationLookup, let upsert = evaluationUpsert else { throw StoreError.database(path: "", reason: "cannot prepare evaluation statements") }
        if let row = try Row.fetchOne(lookup, arguments: [e.callID, e.cardID, e.criterionID]) {
            let same = (row["answer"] as String) == e.answer.description && (row["evaluator"] as String) == e.evaluator
                && (row["evaluated_at"] as String) == e.evaluatedAt && (row["comment"] as String?) == e.comment
            if (row["import_id"] as Int64?) == importID { return .duplicateInFile(firstLine: row["source_line"], identical: same) }
            if same {
                // Seen in this import: a later answer to the same criterion in this file is a duplicate.
                try db.execute(sql: "UPDATE evaluations SET import_id = ?, source_line = ? WHERE call_id = ? AND card_id = ? AND criterion_id = ?",
                               arguments: [importID, e.source.line, e.callID, e.cardID, e.criterionID])
                return .alreadyImported
            }
            let old: String = row["evaluated_at"]
            if let t = Timestamp.parse(old, zone: nil), evaluatedEpoch < t.epochS {
                return .olderThanStored(evaluatedAt: old, evaluator: row["evaluator"])
            }
        }
        try upsert.execute(arguments: [e.callID, e.cardID, e.criterionID, e.answer.description, e.evaluator, e.evaluatedAt, e.comment,
                                       e.source.file, e.source.line, now, importID])
        return .stored
    }

    func finish(rows: Int, stored: Int) throws {
        try db.execute(sql: "UPDATE import_runs SET rows = ?, stored = ?, rejected = ? WHERE import_id = ?",
                       arguments: [rows, stored, rejectedCount, importID])
    }
}

extension CallStore {
    /// Runs one import in one transaction: everything the body stores and rejects, or nothing.
    /// Surveys are linked to their calls before the commit; then the report aggregates of
    /// the days it touched are rebuilt (the writers keep them current, reports only read).
    public func importSession<T>(kind: String, file: String, surveyWindowS: Double? = nil,
                                 _ body: (ImportSession) throws -> (T, rows: Int, stored: Int)) throws -> (T, LinkCounts?) {
        let result = try write { db in
            let session = try ImportSession(db: db, kind: kind, file: file)
            let (value, rows, stored) = try body(session)
            try session.finish(rows: rows, stored: stored)
            let links = try surveyWindowS.map { try Self.linkSurveys(db, windowS: $0) }
            return (value, links)
        }
        try refreshAggregates()
        return result
    }
}
