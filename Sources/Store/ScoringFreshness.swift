import CallQAModel
import Foundation
import GRDB

extension CallStore {
    /// The scoring keys of the calls in scope started in the period (only those of `callIDs`
    /// when given), in scoring order (start, call id). `partyFacts`: also read the per-party
    /// values (`audio.agent.*`, …), for cards whose `applies_to.when` names one.
    public func scoringKeys(period: Period = .all, callIDs: [String]? = nil, partyFacts: Bool, scope: Scope) throws(StoreError) -> [ScoringKey] {
        if let callIDs, callIDs.isEmpty { return [] }
        return try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            let (ic, ia) = Self.idCondition(callIDs)
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, a.content_sha256, a.parameters_hash, a.analyzer_version, \(Self.analysisFactColumns),
                       a.longest_silence_start_s, a.health, a.recording_path AS analysed_path, t.words_sha256
                FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id LEFT JOIN transcripts t ON t.call_id = c.call_id
                WHERE \(pc) AND \(sc) AND \(ic)
                ORDER BY c.started_epoch, c.call_id
                """, arguments: StatementArguments(pa + sa + ia))
            var keys: [ScoringKey] = []
            keys.reserveCapacity(rows.count)
            for chunkStart in stride(from: 0, to: rows.count, by: 500) {
                let chunk = rows[chunkStart..<min(rows.count, chunkStart + 500)]
                let ids = chunk.map { $0["call_id"] as String }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                var answerText: [String: [String]] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT call_id, card_id, criterion_id, answer, evaluator, evaluated_at, comment FROM evaluations
                    WHERE call_id IN (\(marks)) ORDER BY card_id, criterion_id
                    """, arguments: StatementArguments(ids)) {
                    guard let a = ManualAnswer(r["answer"] as String) else { continue }
                    answerText[r["call_id"], default: []].append(Self.answerText(r, a))
                }
                var wordsPerMinute: [String: [Row]] = [:]
                if partyFacts {
                    for r in try Row.fetchAll(db, sql: "SELECT call_id, party, talk_s, words, skipped, words_per_min FROM transcript_parties WHERE call_id IN (\(marks))",
                                              arguments: StatementArguments(ids)) {
                        wordsPerMinute[r["call_id"], default: []].append(r)
                    }
                }
                var parties: [String: [Row]] = [:]
                if partyFacts {
                    for r in try Row.fetchAll(db, sql: """
                        SELECT call_id, party, longest_monologue_start_s, \(FactSchema.partyColumns.map(\.column).joined(separator: ", "))
                        FROM party_metrics WHERE call_id IN (\(marks))
                        """, arguments: StatementArguments(ids)) {
                        parties[r["call_id"], default: []].append(r)
                    }
                }
                for r in chunk {
                    let id: String = r["call_id"]
                    var facts = Self.facts(r, parties: parties[id] ?? [], events: [])
                    facts.spans = [:]
                    for w in wordsPerMinute[id] ?? [] {
                        if let v: Double = w["words_per_min"] { facts.values["audio.\(w["party"] as String).words_per_min"] = .number(v) }
                    }
                    keys.append(ScoringKey(facts: facts, dataFingerprint: Self.dataFingerprint(r, answers: answerText[id] ?? [])))
                }
            }
            return keys
        }
    }

    /// The current score of every call in scope on a card (of `callIDs` when given), with
    /// what it was computed from.
    public func currentScoreStates(cardID: String, callIDs: [String]? = nil, scope: Scope) throws(StoreError) -> [String: CurrentScoreState] {
        if let callIDs, callIDs.isEmpty { return [:] }
        return try read { db in
            var out: [String: CurrentScoreState] = [:]
            let (sc, sa) = scope.sql()
            let (ic, ia) = Self.idCondition(callIDs)
            for r in try Row.fetchAll(db, sql: """
                SELECT s.call_id, s.card_hash, s.inputs_hash, s.status, s.score, s.critical_failed FROM scores s
                JOIN calls c ON c.call_id = s.call_id
                WHERE s.card_id = ? AND s.is_current = 1 AND \(sc) AND \(ic)
                """, arguments: StatementArguments([cardID] + sa + ia)) {
                out[r["call_id"]] = CurrentScoreState(cardHash: r["card_hash"], inputsHash: r["inputs_hash"],
                                                      status: ScoreStatus(rawValue: r["status"]) ?? .notScorable, score: r["score"],
                                                      criticalFailed: (r["critical_failed"] as Int) == 1)
            }
            return out
        }
    }

    /// `c.call_id IN (…)` for a list of ids, `1` for none (every call). Lists are short here
    /// (one cycle of `callqa watch`); SQLite takes up to 32,766 parameters.
    static func idCondition(_ ids: [String]?) -> (String, [any DatabaseValueConvertible]) {
        guard let ids else { return ("1", []) }
        return ("c.call_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))", ids)
    }

    /// One evaluator answer as it enters a call's data fingerprint.
    static func answerText(_ r: Row, _ a: ManualAnswer) -> String {
        "\(r["card_id"] as String)/\(r["criterion_id"] as String)=\(a)/\(r["evaluator"] as String)/\(r["evaluated_at"] as String? ?? "")/\(r["comment"] as String? ?? "")"
    }

    /// A call's data fingerprint: its record, its analysis (content, parameters, analyzer
    /// version), its recording status, its evaluator answers (`answerText`, in card and
    /// criterion order) and its transcript's words, when it has one (calls without a
    /// transcript keep the fingerprint they had before transcripts existed).
    static func dataFingerprint(_ r: Row, answers: [String]) -> String {
        var fp = [r["record_fingerprint"] as String, r["content_sha256"] as String? ?? "-", r["parameters_hash"] as String? ?? "-",
                  r["analyzer_version"] as String? ?? "-", r["recording_status"] as String] + answers
        if let words: String = r["words_sha256"] { fp.append("transcript:" + words) }
        return SHA256.hex(Array(fp.joined(separator: "\u{1F}").utf8))
    }
}
