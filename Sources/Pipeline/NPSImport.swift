import CallQAModel
import CallRecords
import Foundation
import Store

/// What an NPS import did.
public struct SurveyImportSummary: Sendable {
    public var rows = 0
    /// New rows stored (answers and no-answers).
    public var imported = 0
    /// Of the new rows: "no answer / timed out" (empty score).
    public var noAnswer = 0
    public var alreadyImported = 0
    /// The first `ImportSession.keptMessages` rejected rows (all of them are in `import_errors`).
    public var rejected: [ImportErrorRow] = []
    public var rejectedCount = 0
    /// Over the whole database after the import.
    public var linked = 0
    public var waiting = 0
    public var fileError: String?
    /// The file has no `answered_at` column: the rows took their call's start time (said in
    /// the summary line); nil when the file has the column.
    public var timeFromCall: Int?

    /// `; no answered_at column: 9 surveys took their call's start time`, or empty.
    public var timeFromCallNote: String {
        timeFromCall.map { "; no answered_at column: \($0) survey\($0 == 1 ? "" : "s") took their call's start time" } ?? ""
    }
}

/// Where survey rows come from. Every source goes through the same checks, storing and
/// linking: what `callqa nps import` does with a file, the API does with a request body.
public enum SurveyInput: Sendable {
    /// CSV: a file, or CSV bytes (`CSVReader(bytes:name:)`); `open` may be called twice (a
    /// file without `answered_at` is read once for its call ids first).
    case csv(name: String, open: @Sendable () throws -> CSVReader)
    /// Rows already split into fields under `header` (JSON objects turned into columns);
    /// row n (from 1) is reported as `name:n`.
    case rows(name: String, header: [String], rows: [[String]])

    /// What rejected rows name as their file.
    public var name: String {
        switch self {
        case let .csv(name, _), let .rows(name, _, _): name
        }
    }

    /// The header, lowercased and trimmed as the checks expect; nil for an empty source.
    fileprivate func header() throws -> (header: [String], reader: CSVReader?)? {
        switch self {
        case let .csv(_, open):
            let reader = try open()
            guard let h = try reader.next() else { return nil }
            return (h.fields.map { $0.trimmedSpaces.lowercased() }, reader)
        case let .rows(_, header, _):
            return (header.map { $0.trimmedSpaces.lowercased() }, nil)
        }
    }

    /// The non-empty values of column `index` in every data row.
    fileprivate func values(ofColumn index: Int) throws -> Set<String> {
        var out = Set<String>()
        func add(_ fields: [String]) {
            guard fields.count > index else { return }
            let v = fields[index].trimmedSpaces
            if !v.isEmpty { out.insert(v) }
        }
        switch self {
        case let .csv(_, open):
            let reader = try open()
            _ = try reader.next()
            while let r = try reader.next() { add(r.fields) }
        case let .rows(_, _, rows):
            rows.forEach(add)
        }
        return out
    }

    /// Streams the data rows through `body`, rejecting unreadable records and rows with
    /// another number of fields than the header; returns the rows read.
    fileprivate func eachRow(_ session: ImportSession, reader: CSVReader?, columns: Int,
                             _ body: (SourceRef, [String]) throws -> Void) throws -> Int {
        switch self {
        case let .csv(name, _):
            guard let reader else { return 0 }
            return try session.eachRow(of: reader, path: name, columns: columns, body)
        case let .rows(name, _, rows):
            for (i, fields) in rows.enumerated() {
                let ref = SourceRef(file: name, line: i + 1)
                guard fields.count == columns else {
                    try session.reject(ref, field: nil, "expected \(columns) fields as in the header, got \(fields.count)")
                    continue
                }
                try body(ref, fields)
            }
            return rows.count
        }
    }
}

/// `callqa nps import` (and the API's survey import): post-call survey answers (0–10),
/// joined to calls.
public enum NPSImport {
    /// Default window for joining a survey without call id to its caller's call (s).
    public static let defaultWindowS = 24.0 * 3600

    /// Reads the file; stores every valid row and the rejected rows in one transaction; links
    /// surveys to calls (by call id, or by hashed caller within `windowS` after the call).
    public static func run(path: String, store: CallStore, hasher: CallerHasher, zone: Timestamp.Zone?,
                           windowS: Double = defaultWindowS) throws -> SurveyImportSummary {
        try run(.csv(name: path, open: { try CSVReader(path: path) }), store: store, hasher: hasher, zone: zone, windowS: windowS)
    }

    /// Imports the rows of `input`: every valid row and the rejected rows in one
    /// transaction, then links surveys to calls (by call id, or by hashed caller within
    /// `windowS` after the call).
    public static func run(_ input: SurveyInput, store: CallStore, hasher: CallerHasher, zone: Timestamp.Zone?,
                           windowS: Double = defaultWindowS) throws -> SurveyImportSummary {
        var summary = SurveyImportSummary()
        let path = input.name
        var header: [String] = []
        let reader: CSVReader?
        do {
            guard let h = try input.header() else {
                summary.fileError = "\(path): empty file: expected a header with call_id, score, answered_at, comment"
                return summary
            }
            header = h.header
            reader = h.reader
        } catch {
            summary.fileError = (error as? CSVError)?.description ?? "\(error)"
            return summary
        }
        if Set(header).count != header.count {
            summary.fileError = "\(path):1: a column appears twice in the header"
            return summary
        }
        // No answered_at but a call_id on every row: each survey takes its call's start time
        // (it links by call_id, so the time only orders re-imports); the summary says so.
        var callTimes: [String: Timestamp]?
        if header.contains("score"), header.contains("call_id") || header.contains("caller"), !header.contains("answered_at") {
            let near = header.first { Suggest.nearest($0, in: ["answered_at"]) != nil }
            if let near {
                summary.fileError = "\(path):1: header has no 'answered_at' column (is '\(near)' a typo of it?); rename the column"
                return summary
            }
            guard let idColumn = header.firstIndex(of: "call_id") else {
                summary.fileError = "\(path):1: header has no 'answered_at' column: surveys without call_id are linked by caller within a window after the call, which needs the time each survey was answered, as ISO 8601 with offset (2026-11-24T09:20:00+01:00). Add the column, or a call_id column"
                return summary
            }
            do {
                let wanted = try input.values(ofColumn: idColumn)
                callTimes = try store.callStarts(ids: Array(wanted), scope: .everything)
            } catch let e as StoreError {
                throw e
            } catch {
                summary.fileError = (error as? CSVError)?.description ?? "\(error)"
                return summary
            }
            summary.timeFromCall = 0
        }
        let missing = ["score", "answered_at"].filter { !header.contains($0) && !($0 == "answered_at" && callTimes != nil) }
        if !missing.isEmpty || !(header.contains("call_id") || header.contains("caller")) {
            summary.fileError = "\(path):1: header needs score, answered_at and call_id (or caller); found: \(header.joined(separator: ", "))"
            return summary
        }
        let index = Dictionary(header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        // One transaction: the whole file or nothing; rows stream through, checked against the
        // database (earlier rows of this file included), so memory stays flat.
        var summary2 = summary
        do {
            let (_, links) = try store.importSession(kind: "surveys", file: path, surveyWindowS: windowS) { session -> (Void, rows: Int, stored: Int) in
                var s = summary2
                defer { summary2 = s }
                defer {
                    s.rejected = session.rejected
                    s.rejectedCount = session.rejectedCount
                }
                func reject(_ ref: SourceRef, _ field: String?, _ message: String) throws {
                    try session.reject(ref, field: field, message)
                }
                let rows = try input.eachRow(session, reader: reader, columns: header.count) { ref, fields in
                    let t = { (k: String) -> String in index[k].map { fields[$0].trimmedSpaces } ?? "" }
                    let scoreText = t("score")
                    var score: Int?
                    if !scoreText.isEmpty {
                        guard scoreText.count <= 2, scoreText.allSatisfy({ $0.isASCII && $0.isNumber }), let sc = Int(scoreText), (0...10).contains(sc) else {
                            try reject(ref, "score", "expected a whole number from 0 to 10 (empty = no answer), got \"\(scoreText)\"")
                            return
                        }
                        score = sc
                    }
                    var csat: Int?
                    if header.contains("csat"), !t("csat").isEmpty {
                        guard let c = Int(t("csat")), (1...5).contains(c) else {
                            try reject(ref, "csat", "expected a whole number from 1 to 5, got \"\(t("csat"))\"")
                            return
                        }
                        csat = c
                    }
                    if let callTimes {
                        guard callTimes[t("call_id")] != nil else {
                            try reject(ref, "call_id", t("call_id").isEmpty
                                ? "no call_id, and the file has no answered_at column: the survey has no time and no call"
                                : "call '\(t("call_id"))' is not ingested yet and the file has no answered_at column: ingest the call first, or add answered_at")
                            return
                        }
                        s.timeFromCall = (s.timeFromCall ?? 0) + 1
                    }
                    guard let when = callTimes?[t("call_id")] ?? Timestamp.parse(t("answered_at"), zone: zone) else {
                        try reject(ref, "answered_at", "expected ISO 8601 with offset (e.g. 2026-11-24T09:20:00+01:00), got \"\(t("answered_at"))\"")
                        return
                    }
                    let callID = t("call_id").isEmpty ? nil : t("call_id")
                    let callerHash = t("caller").isEmpty ? nil : hasher.hash(t("caller"))
                    guard callID != nil || callerHash != nil else {
                        try reject(ref, "call_id", t("caller").isEmpty ? "no call_id and no caller: the survey cannot be joined to a call"
                                   : "no call_id and the caller is withheld (\(t("caller"))): the survey cannot be joined to a call")
                        return
                    }
                    let surveyID = t("survey_id").isEmpty ? nil : t("survey_id")
                    let comment = index["comment"].flatMap { fields[$0].isEmpty ? nil : fields[$0] }
                    let key = surveyID.map { "survey:" + $0 } ?? callID.map { "call:" + $0 } ?? "caller:\(callerHash!)@\(when.epochS)"
                    let fp = SHA256.hex(Array([surveyID ?? "", callID ?? "", callerHash ?? "", scoreText, csat.map(String.init) ?? "",
                                               String(when.epochS), comment ?? ""].joined(separator: "\u{1F}").utf8))
                    let row = SurveyRow(key: key, surveyID: surveyID, callID: callID, callerHash: callerHash,
                                        answered: score != nil || csat != nil, score: score, csat: csat, answeredAt: when,
                                        comment: comment, fingerprint: fp, source: ref)
                    switch try session.survey(row) {
                    case .stored:
                        s.imported += 1
                        if !row.answered { s.noAnswer += 1 }
                    case .alreadyImported:
                        s.alreadyImported += 1
                    case let .duplicateInFile(first, identical):
                        if identical {
                            try reject(ref, nil, "duplicate row (same as line \(first))")
                        } else if let surveyID {
                            try reject(ref, "survey_id", "duplicate survey_id '\(surveyID)' (first at line \(first))")
                        } else {
                            try reject(ref, "call_id", "a second survey for call '\(callID ?? "")' without survey_id (first at line \(first))")
                        }
                    case .conflict:
                        try reject(ref, surveyID != nil ? "survey_id" : "call_id",
                                   "conflicts with a stored survey (\(key.replacingOccurrences(of: ":", with: " "))) that has different content")
                    case .olderThanStored:
                        break
                    }
                }
                s.rows = rows
                return ((), s.rows, s.imported)
            }
            summary = summary2
            summary.linked = links?.linked ?? 0
            summary.waiting = links?.waiting ?? 0
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.database(path: store.path, reason: "\(error)")
        }
        return summary
    }
}
