import CallAnalysis
import CallQAModel
import Foundation
import GRDB

/// Transcripts: one current transcript per call (`transcripts`), each party's words
/// (`transcript_parties`) and their full-text index (`transcript_fts`).
extension CallStore {
    /// The analysed calls in scope started in the period (or these `callIDs`), in start
    /// order, with what transcription needs and their stored transcript's provenance.
    public func transcriptionCandidates(period: Period = .all, callIDs: [String]? = nil, scope: Scope) throws(StoreError) -> [TranscriptionCandidate] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            var sql = """
                SELECT c.call_id, c.queue, c.team, c.agent_id, c.started_epoch, a.recording_path, a.content_sha256,
                       a.analyzer_version, a.parameters_hash, a.channels, a.channels_used, a.duration_s,
                       t.model, t.model_sha256, t.engine, t.settings, t.settings_hash, t.content_sha256 AS t_content, t.analysis_hash
                FROM calls c JOIN analyses a ON a.call_id = c.call_id LEFT JOIN transcripts t ON t.call_id = c.call_id
                WHERE \(pc) AND \(sc)
                """
            var args: [any DatabaseValueConvertible] = pa + sa
            if let callIDs {
                guard !callIDs.isEmpty else { return [] }
                sql += " AND c.call_id IN (\(Array(repeating: "?", count: callIDs.count).joined(separator: ",")))"
                args += callIDs
            }
            sql += " ORDER BY c.started_epoch, c.call_id"
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            var out: [TranscriptionCandidate] = []
            out.reserveCapacity(rows.count)
            for chunkStart in stride(from: 0, to: rows.count, by: 500) {
                let chunk = rows[chunkStart..<min(rows.count, chunkStart + 500)]
                let ids = chunk.map { $0["call_id"] as String }
                var parties: [String: [Row]] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT call_id, party, talk_s, segments FROM party_metrics
                    WHERE call_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ","))) ORDER BY party
                    """, arguments: StatementArguments(ids)) {
                    parties[r["call_id"], default: []].append(r)
                }
                for r in chunk {
                    let id: String = r["call_id"]
                    var stored: TranscriptProvenance?
                    if let model: String = r["model"] {
                        stored = TranscriptProvenance(model: model, modelSHA256: r["model_sha256"], engine: r["engine"], settings: r["settings"],
                                                      settingsHash: r["settings_hash"], contentSHA256: r["t_content"], analysisHash: r["analysis_hash"])
                    }
                    let used = ((r["channels_used"] as String?) ?? "").split(separator: ",").compactMap { Int($0) }
                    let ps = (parties[id] ?? []).map { p -> (party: String, segments: [(startS: Double, endS: Double)], talkS: Double?) in
                        let spans = SegmentCodec.decode(p["segments"] as String? ?? "[]") ?? []
                        return (p["party"], spans.map { (Double($0.start) * frameDuration, Double($0.end) * frameDuration) }, p["talk_s"])
                    }
                    out.append(TranscriptionCandidate(
                        callID: id, queue: r["queue"], team: r["team"], agentID: r["agent_id"], startedEpoch: r["started_epoch"],
                        recordingPath: r["recording_path"], contentSHA256: r["content_sha256"],
                        analysisHash: Self.analysisHash(version: r["analyzer_version"], parametersHash: r["parameters_hash"]),
                        fileChannels: r["channels"], channelsUsed: used, durationS: r["duration_s"] ?? 0, parties: ps, stored: stored))
                }
            }
            return out
        }
    }

    /// What identifies an analysis for its transcript: analyzer version and parameters hash.
    static func analysisHash(version: String, parametersHash: String) -> String { version + "/" + parametersHash }

    /// Stores a call's transcript, replacing the one it had, in one transaction — only when
    /// the call's analysis is still the one it was made from (same recording content and
    /// analysis); returns false, storing nothing, when the call was analysed again (or is
    /// gone) meanwhile.
    @discardableResult
    public func saveTranscript(_ t: CallTranscript, provenance p: TranscriptProvenance, wallS: Double) throws(StoreError) -> Bool {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        return try write { db in
            guard let a = try Row.fetchOne(db, sql: "SELECT content_sha256, analyzer_version, parameters_hash FROM analyses WHERE call_id = ?",
                                           arguments: [t.callID]),
                  a["content_sha256"] as String == p.contentSHA256,
                  Self.analysisHash(version: a["analyzer_version"], parametersHash: a["parameters_hash"]) == p.analysisHash else { return false }
            try db.execute(sql: "DELETE FROM transcripts WHERE call_id = ?", arguments: [t.callID])
            let encoded = t.parties.map { (party: $0, json: TranscriptCodec.encode($0.words)) }
            let wordsHash = SHA256.hex(Array(([t.language] + encoded.map { "\($0.party.party):\($0.json):\($0.party.skipped ?? "")" })
                .joined(separator: "\u{1F}").utf8))
            try db.execute(sql: """
                INSERT INTO transcripts (call_id, model, model_sha256, engine, settings, settings_hash, content_sha256, analysis_hash,
                    language, language_source, language_probability, words, redactions, speech_s, wall_s, words_sha256, transcribed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [t.callID, p.model, p.modelSHA256, p.engine, p.settings, p.settingsHash, p.contentSHA256, p.analysisHash,
                                 t.language, t.languageSource, t.languageProbability, t.wordCount, t.redactions,
                                 t.parties.reduce(0) { $0 + $1.speechS }, wallS, wordsHash, now])
            for (party, json) in encoded {
                let text = party.words.filter { !$0.isRedacted }.map { TranscriptText.words($0.text).joined(separator: " ") }
                    .filter { !$0.isEmpty }.joined(separator: " ")
                try db.execute(sql: """
                    INSERT INTO transcript_parties (call_id, party, words, speech_s, talk_s, words_per_min, redactions, skipped, words_json, text)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [t.callID, party.party, party.words.count, party.speechS, party.talkS, party.wordsPerMinute,
                                     party.redactions, party.skipped, json, text])
            }
            return true
        }
    }

    /// A call's transcript when the call is in scope and has one.
    public func transcript(callID: String, scope: Scope) throws(StoreError) -> StoredTranscript? {
        try read { db in
            let (sc, sa) = scope.sql()
            guard let r = try Row.fetchOne(db, sql: """
                SELECT t.* FROM transcripts t JOIN calls c ON c.call_id = t.call_id WHERE t.call_id = ? AND \(sc)
                """, arguments: StatementArguments([callID] + sa)) else { return nil }
            let parties = try Row.fetchAll(db, sql: "SELECT * FROM transcript_parties WHERE call_id = ? ORDER BY party", arguments: [callID])
            return Self.storedTranscript(r, parties: parties)
        }
    }

    static func storedTranscript(_ r: Row, parties: [Row]) -> StoredTranscript {
        let ps = parties.map { p in
            PartyTranscript(party: p["party"], words: TranscriptCodec.decode(p["words_json"]) ?? [], speechS: p["speech_s"],
                            talkS: p["talk_s"], redactions: p["redactions"], skipped: p["skipped"])
        }
        let t = CallTranscript(callID: r["call_id"], language: r["language"], languageSource: r["language_source"],
                               languageProbability: r["language_probability"], parties: ps)
        let p = TranscriptProvenance(model: r["model"], modelSHA256: r["model_sha256"], engine: r["engine"], settings: r["settings"],
                                     settingsHash: r["settings_hash"], contentSHA256: r["content_sha256"], analysisHash: r["analysis_hash"])
        return StoredTranscript(transcript: t, provenance: p, wallS: r["wall_s"], transcribedAt: r["transcribed_at"])
    }

    /// Calls in scope started in the period whose transcripts hold every term of `query`,
    /// newest first, at most `limit`, one hit per call (its best-ranked party).
    public func searchTranscripts(_ query: TranscriptQuery, period: Period = .all, scope: Scope, limit: Int = 200) throws(StoreError) -> [TranscriptHit] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            let rows = try Row.fetchAll(db, sql: """
                SELECT tp.call_id, tp.party, snippet(transcript_fts, 0, '[', ']', '…', 12) AS snippet
                FROM transcript_fts JOIN transcript_parties tp ON tp.id = transcript_fts.rowid
                JOIN calls c ON c.call_id = tp.call_id
                WHERE transcript_fts MATCH ? AND \(pc) AND \(sc)
                ORDER BY c.started_epoch DESC, c.call_id, transcript_fts.rank
                """, arguments: StatementArguments([query.match] + pa + sa))
            var seen = Set<String>(), out: [TranscriptHit] = []
            for r in rows where seen.insert(r["call_id"]).inserted {
                out.append(TranscriptHit(callID: r["call_id"], party: r["party"], snippet: r["snippet"]))
                if out.count >= limit { break }
            }
            return out
        }
    }

    /// How many calls in scope have a transcript, words and redactions in all (for
    /// summaries).
    public func transcriptTotals(period: Period = .all, scope: Scope) throws(StoreError) -> (calls: Int, words: Int, redactions: Int) {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            let r = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, coalesce(sum(t.words), 0) AS w, coalesce(sum(t.redactions), 0) AS x
                FROM transcripts t JOIN calls c ON c.call_id = t.call_id WHERE \(pc) AND \(sc)
                """, arguments: StatementArguments(pa + sa))
            return (r?["n"] ?? 0, r?["w"] ?? 0, r?["x"] ?? 0)
        }
    }

    /// Copies the transcripts of another callqa database — `transcribe --shard I/N` run on a
    /// copy of this one, on another machine — into this one, 500 calls per transaction. A
    /// transcript is taken only where this database has its call analysed from the same
    /// recording content with the same analysis (what `saveTranscript` checks); one whose
    /// model, settings and words are those of the transcript here already is left as it is.
    /// The other database is opened read-only.
    ///
    /// With `requireRedaction` (the importing run redacts), a transcript whose stored settings
    /// do not say `"redact": true` — the shard ran with `transcription.redact: false`, so its
    /// words may hold card numbers in clear — is not taken: listed in `unredacted`, nothing
    /// of it written. After any import the full-text index is optimised
    /// (`compactTranscriptIndex`), so the replaced transcripts' words leave the file.
    public func importTranscripts(fromDatabase path: String, requireRedaction: Bool = true) throws(StoreError) -> TranscriptImportSummary {
        let other = try CallStore(path: path, readOnly: true)
        var summaryChanged = false
        defer { if summaryChanged { try? compactTranscriptIndex() } }
        var summary = TranscriptImportSummary()
        var after = ""
        while true {
            let (rows, parties) = try other.read { db -> ([Row], [String: [Row]]) in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT call_id, model, model_sha256, engine, settings, settings_hash, content_sha256, analysis_hash, language,
                           language_source, language_probability, words, redactions, speech_s, wall_s, words_sha256, transcribed_at
                    FROM transcripts WHERE call_id > ? ORDER BY call_id LIMIT 500
                    """, arguments: [after])
                var parties: [String: [Row]] = [:]
                if let first = rows.first, let last = rows.last {
                    for r in try Row.fetchAll(db, sql: """
                        SELECT call_id, party, words, speech_s, talk_s, words_per_min, redactions, skipped, words_json, text
                        FROM transcript_parties WHERE call_id BETWEEN ? AND ? ORDER BY call_id, party
                        """, arguments: [first["call_id"] as String, last["call_id"] as String]) {
                        parties[r["call_id"], default: []].append(r)
                    }
                }
                return (rows, parties)
            }
            guard let last = rows.last else { break }
            after = last["call_id"]
            try write { db in
                for r in rows {
                    let id: String = r["call_id"]
                    guard let a = try Row.fetchOne(db, sql: "SELECT content_sha256, analyzer_version, parameters_hash FROM analyses WHERE call_id = ?",
                                                   arguments: [id]),
                          a["content_sha256"] as String == r["content_sha256"] as String,
                          Self.analysisHash(version: a["analyzer_version"], parametersHash: a["parameters_hash"]) == r["analysis_hash"] as String else {
                        summary.notMatching.append(id)
                        continue
                    }
                    if requireRedaction, !Self.settingsRedact(r["settings"]) {
                        summary.unredacted.append(id)
                        continue
                    }
                    if let here = try Row.fetchOne(db, sql: "SELECT model_sha256, engine, settings_hash, words_sha256 FROM transcripts WHERE call_id = ?",
                                                   arguments: [id]),
                       ["model_sha256", "engine", "settings_hash", "words_sha256"].allSatisfy({ here[$0] as String == r[$0] as String }) {
                        summary.unchanged += 1
                        continue
                    }
                    try db.execute(sql: "DELETE FROM transcripts WHERE call_id = ?", arguments: [id])
                    try db.execute(sql: """
                        INSERT INTO transcripts (call_id, model, model_sha256, engine, settings, settings_hash, content_sha256, analysis_hash,
                            language, language_source, language_probability, words, redactions, speech_s, wall_s, words_sha256, transcribed_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: StatementArguments(r.databaseValues.map { $0 as (any DatabaseValueConvertible)? }))
                    for p in parties[id] ?? [] {
                        try db.execute(sql: """
                            INSERT INTO transcript_parties (call_id, party, words, speech_s, talk_s, words_per_min, redactions, skipped, words_json, text)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: StatementArguments(p.databaseValues.map { $0 as (any DatabaseValueConvertible)? }))
                    }
                    summary.imported += 1
                    summaryChanged = true
                }
            }
        }
        return summary
    }

    /// Whether a transcript's stored settings JSON says its digit runs were redacted
    /// (`"redact": true`); anything else — false, missing, not JSON — is taken as not.
    static func settingsRedact(_ settings: String?) -> Bool {
        guard let data = settings?.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let redact = object["redact"] as? Bool else { return false }
        return redact
    }

    /// Merges the full-text index of transcripts into one segment (FTS5 'optimize'), which
    /// drops the tokens of deleted and replaced transcripts that the index otherwise keeps
    /// until some later merge (SQLite 3.40 has no FTS5 secure-delete); the freed pages are
    /// zeroed (`PRAGMA secure_delete` is on) and the WAL is checkpointed, so the words are
    /// gone from the database file. Run after anything that replaces or deletes transcripts.
    public func compactTranscriptIndex() throws(StoreError) {
        try optimizeTranscriptIndex()
        checkpoint()
    }

    /// FTS5 'optimize' of the transcripts' index alone (the caller checkpoints); nearly
    /// free when the index is one segment with nothing deleted.
    public func optimizeTranscriptIndex() throws(StoreError) {
        try write { db in try db.execute(sql: "INSERT INTO transcript_fts (transcript_fts) VALUES ('optimize')") }
    }
}

/// What `importTranscripts(fromDatabase:)` did.
public struct TranscriptImportSummary: Sendable, Equatable {
    /// Transcripts copied (new here, or replacing another).
    public var imported = 0
    /// Already here with the same model, engine, settings and words.
    public var unchanged = 0
    /// Calls whose transcript was not copied: not in this database, or analysed here from
    /// another recording or with another analysis (`callqa transcribe` here makes them).
    public var notMatching: [String] = []
    /// Calls not taken because the shard transcribed them with redaction off while this
    /// import requires redaction: their words may hold card numbers in clear.
    public var unredacted: [String] = []

    public init() {}
}
