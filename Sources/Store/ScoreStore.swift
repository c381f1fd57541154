import CallAnalysis
import CallRecords
import Foundation
import GRDB
import Scorecard

/// What scoring needs about one call.
public struct ScoringInput: Sendable {
    public var facts: CallFacts
    /// Changes whenever the call record or its analysis changes.
    public var dataFingerprint: String
    /// Evaluator answers per card id, per criterion id.
    public var answers: [String: [String: EvaluatorAnswer]]
    public var startedEpoch: Double
    public var team: String?
}

/// A stored score with its per-criterion results, for `explain` and reports.
public struct StoredScore: Sendable {
    public var callID: String
    public var cardID: String
    public var cardName: String
    public var cardHash: String
    public var status: ScoreStatus
    public var score: Double?
    public var criticalScore: Double?
    public var criticalFailed: Bool
    public var target: Double
    public var unanswered: Int
    public var reason: String?
    public var scoredAt: String
    public var results: [StoredCriterionResult]
    /// The card version's YAML and file (for section weights and names); nil when not loaded.
    public var cardYAML: String? = nil
    public var cardFile: String? = nil
}

public struct StoredCriterionResult: Sendable {
    public var sectionID: String
    public var criterionID: String
    public var outcome: Outcome
    public var credit: Double?
    public var earned: Double
    public var possible: Double
    public var critical: Bool
    public var failsSection: Bool
    public var provenance: String
    public var evidence: String
    public var evidenceStartS: Double?
    public var evidenceEndS: Double?
}

/// An evaluator answer ready to store.
public struct EvaluationRow: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String
    public var answer: String
    public var evaluator: String
    public var evaluatedAt: String
    public var comment: String?
    public var source: SourceRef

    public init(callID: String, cardID: String, criterionID: String, answer: String, evaluator: String,
                evaluatedAt: String, comment: String?, source: SourceRef) {
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
        self.answer = answer
        self.evaluator = evaluator
        self.evaluatedAt = evaluatedAt
        self.comment = comment
        self.source = source
    }
}

/// A rejected row of an import (evaluations, surveys).
public struct ImportErrorRow: Sendable, Equatable {
    public var source: SourceRef
    public var field: String?
    public var message: String

    public init(source: SourceRef, field: String?, message: String) {
        self.source = source
        self.field = field
        self.message = message
    }
}

extension CallStore {
    /// Scoring inputs of the calls started in the period, or of the given ids.
    public func scoringInputs(period: Period = .all, callIDs: [String]? = nil) throws(StoreError) -> [ScoringInput] {
        try read { db in
            var sql = """
                SELECT c.*, a.content_sha256, a.parameters_hash, a.analyzer_version, a.duration_s, a.silence_s,
                       a.silence_ratio, a.non_talk_s, a.overtalk_s, a.overtalk_ratio, a.interruptions_by_agent,
                       a.interruptions_by_customer, a.dead_air_count, a.dead_air_s, a.longest_silence_s,
                       a.longest_silence_start_s, a.hold_s AS audio_hold_s, a.tone_s, a.talk_to_listen,
                       a.agent_response_gap_s, a.health, a.recording_path AS analysed_path
                FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id WHERE 1
                """
            let (condition, periodArgs) = period.sql()
            sql += " AND " + condition
            var args: [any DatabaseValueConvertible] = periodArgs
            if let ids = callIDs {
                guard !ids.isEmpty else { return [] }
                sql += " AND c.call_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))"
                args += ids
            }
            sql += " ORDER BY c.started_epoch, c.call_id"
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            var inputs: [ScoringInput] = []
            inputs.reserveCapacity(rows.count)
            for chunkStart in stride(from: 0, to: rows.count, by: 500) {
                let chunk = Array(rows[chunkStart..<min(rows.count, chunkStart + 500)])
                let ids = chunk.map { $0["call_id"] as String }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                var parties: [String: [Row]] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT * FROM party_metrics WHERE call_id IN (\(marks))", arguments: StatementArguments(ids)) {
                    parties[r["call_id"], default: []].append(r)
                }
                var events: [String: [Row]] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT * FROM audio_events WHERE call_id IN (\(marks)) ORDER BY start_s", arguments: StatementArguments(ids)) {
                    events[r["call_id"], default: []].append(r)
                }
                var answers: [String: [String: [String: EvaluatorAnswer]]] = [:]
                var answerText: [String: [String]] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT * FROM evaluations WHERE call_id IN (\(marks)) ORDER BY card_id, criterion_id", arguments: StatementArguments(ids)) {
                    let call: String = r["call_id"]
                    guard let a = ManualAnswer(r["answer"] as String) else { continue }
                    let ans = EvaluatorAnswer(answer: a, evaluator: r["evaluator"], evaluatedAt: r["evaluated_at"], comment: r["comment"])
                    answers[call, default: [:]][r["card_id"], default: [:]][r["criterion_id"]] = ans
                    answerText[call, default: []].append(Self.answerText(r, a))
                }
                for r in chunk {
                    let id: String = r["call_id"]
                    let facts = Self.facts(r, parties: parties[id] ?? [], events: events[id] ?? [])
                    inputs.append(ScoringInput(facts: facts, dataFingerprint: Self.dataFingerprint(r, answers: answerText[id] ?? []),
                                               answers: answers[id] ?? [:], startedEpoch: r["started_epoch"], team: r["team"]))
                }
            }
            return inputs
        }
    }

    static func facts(_ r: Row, parties: [Row], events: [Row]) -> CallFacts {
        var v: [String: FactValue] = [:]
        func num(_ key: String, _ column: String) { if let x: Double = r[column] { v[key] = .number(x) } }
        func text(_ key: String, _ column: String) { if let x: String = r[column] { v[key] = .text(x) } }
        num("call.wait_s", "wait_s"); num("call.talk_s", "talk_s"); num("call.hold_s", "hold_s")
        num("call.acw_s", "acw_s"); num("call.handle_s", "handle_s")
        v["call.answered"] = .flag((r["answered"] as Int) == 1)
        text("call.direction", "direction"); text("call.queue", "queue"); text("call.team", "team")
        text("call.agent_id", "agent_id"); text("call.dialed", "dialed")
        if let attrs: String = r["attributes"], let data = attrs.data(using: .utf8),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] {
            for (k, x) in obj { v["call.attr.\(k)"] = .text(x) }
        }
        var spans: [String: [EvidenceSpan]] = [:]
        var absent: String?
        if let duration: Double = r["duration_s"] {
            v["audio.duration_s"] = .number(duration)
            num("audio.silence_s", "silence_s"); num("audio.silence_ratio", "silence_ratio"); num("audio.non_talk_s", "non_talk_s")
            num("audio.overtalk_s", "overtalk_s"); num("audio.overtalk_ratio", "overtalk_ratio")
            num("audio.interruptions.by_agent", "interruptions_by_agent"); num("audio.interruptions.by_customer", "interruptions_by_customer")
            num("audio.dead_air_count", "dead_air_count"); num("audio.dead_air_s", "dead_air_s")
            num("audio.longest_silence_s", "longest_silence_s"); num("audio.hold_s", "audio_hold_s"); num("audio.tone_s", "tone_s")
            num("audio.talk_to_listen", "talk_to_listen"); num("audio.agent.response_gap_s", "agent_response_gap_s")
            let flags = Set(((r["health"] as String?) ?? "").split(separator: ",").map(String.init))
            for f in HealthFlag.allCases { v["audio.health.\(f.rawValue)"] = .flag(flags.contains(f.rawValue)) }
            if let start: Double = r["longest_silence_start_s"], let len: Double = r["longest_silence_s"] {
                spans["audio.longest_silence_s"] = [EvidenceSpan(startS: start, endS: start + len)]
            }
            for p in parties {
                let party: String = p["party"]
                let prefix = "audio.\(party)."
                for (key, column) in [("talk_s", "talk_s"), ("talk_ratio", "talk_ratio"), ("segments", "segment_count"),
                                      ("longest_monologue_s", "longest_monologue_s"), ("speech_dbfs", "speech_dbfs"),
                                      ("noise_dbfs", "noise_dbfs"), ("snr_db", "snr_db"), ("clipped_share", "clipped_share")] {
                    if let x: Double = p[column] { v[prefix + key] = .number(x) }
                }
                if let start: Double = p["longest_monologue_start_s"], let len: Double = p["longest_monologue_s"] {
                    spans[prefix + "longest_monologue_s"] = [EvidenceSpan(startS: start, endS: start + len)]
                }
            }
            for e in events {
                let span = EvidenceSpan(startS: e["start_s"], endS: e["end_s"])
                switch (e["kind"] as String, e["party"] as String?) {
                case ("dead_air", _):
                    spans["audio.dead_air_count", default: []].append(span)
                    spans["audio.dead_air_s", default: []].append(span)
                case ("hold", _): spans["audio.hold_s", default: []].append(span)
                case ("overtalk", _):
                    spans["audio.overtalk_s", default: []].append(span)
                    spans["audio.overtalk_ratio", default: []].append(span)
                case ("interruption", "agent"?): spans["audio.interruptions.by_agent", default: []].append(span)
                case ("interruption", "customer"?): spans["audio.interruptions.by_customer", default: []].append(span)
                default: break
                }
            }
            // The longest overtalk spans first: they are the evidence worth hearing.
            for key in ["audio.overtalk_s", "audio.overtalk_ratio"] {
                spans[key]?.sort { ($0.endS - $0.startS) > ($1.endS - $1.startS) }
            }
        } else {
            switch r["recording_status"] as String {
            case "none": absent = "no recording"
            case "missing": absent = "recording missing"
            case "failed": absent = "recording could not be analysed"
            case "outside_root": absent = "recording path refused"
            default: absent = "no analysed recording"
            }
        }
        return CallFacts(callID: r["call_id"], agentID: r["agent_id"], values: v, audioAbsentReason: absent, spans: spans,
                         recordingPath: r["analysed_path"] ?? r["recording_path"])
    }

    /// Stores a card version (once per content hash).
    public func registerCard(_ card: Scorecard) throws(StoreError) {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            try db.execute(sql: """
                INSERT INTO scorecards (card_id, content_hash, name, target, file, yaml, first_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [card.id, card.contentHash, card.name, card.target, card.file, card.text, now])
        }
    }

    /// Current (card hash, inputs hash) per call for a card.
    public func currentScoreKeys(cardID: String) throws(StoreError) -> [String: (cardHash: String, inputsHash: String)] {
        try read { db in
            var out: [String: (String, String)] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT call_id, card_hash, inputs_hash FROM scores WHERE card_id = ? AND is_current = 1", arguments: [cardID]) {
                out[r["call_id"]] = (r["card_hash"], r["inputs_hash"])
            }
            return out
        }
    }

    /// Current scores of a card per call (nil score = not scorable / nothing answered).
    public func currentScores(cardID: String) throws(StoreError) -> [String: Double?] {
        try read { db in
            var out: [String: Double?] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT call_id, score FROM scores WHERE card_id = ? AND is_current = 1", arguments: [cardID]) {
                out[r["call_id"]] = r["score"] as Double?
            }
            return out
        }
    }

    /// Stores scores of one card in one transaction. A nil score means the card no longer
    /// applies to the call: its previous score stops being current (it stays queryable).
    public func saveScores(card: Scorecard, _ items: [(callID: String, score: CallScore?, inputsHash: String)]) throws(StoreError) {
        guard !items.isEmpty else { return }
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            let retire = try db.makeStatement(sql: "UPDATE scores SET is_current = 0 WHERE call_id = ? AND card_id = ? AND is_current = 1")
            let deleteSame = try db.makeStatement(sql: "DELETE FROM scores WHERE call_id = ? AND card_id = ? AND card_hash = ?")
            let insert = try db.makeStatement(sql: """
                INSERT INTO scores (call_id, card_id, card_hash, is_current, inputs_hash, status, score, critical_score,
                    critical_failed, weighted_earned, weighted_possible, target, unanswered, reason, scored_at)
                VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let result = try db.makeStatement(sql: """
                INSERT INTO criterion_results (call_id, card_id, card_hash, section_id, criterion_id, position, outcome, credit,
                    earned, possible, critical, fails_section, provenance, evidence, evidence_start_s, evidence_end_s)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (callID, score, inputsHash) in items {
                try retire.execute(arguments: [callID, card.id])
                guard let s = score else { continue }
                try deleteSame.execute(arguments: [callID, card.id, card.contentHash])
                try insert.execute(arguments: [callID, card.id, card.contentHash, inputsHash, s.status.rawValue, s.score,
                                               s.criticalScore, s.criticalFailed ? 1 : 0, s.weightedEarned, s.weightedPossible,
                                               s.target, s.unanswered, s.reason, now])
                for (i, r) in s.results.enumerated() {
                    try result.execute(arguments: [callID, card.id, card.contentHash, r.sectionID, r.criterionID, i, r.outcome.rawValue,
                                                   r.credit, r.earned, r.possible, r.critical ? 1 : 0, r.failsSection ? 1 : 0,
                                                   r.provenance, r.evidence, r.evidenceSpan?.startS, r.evidenceSpan?.endS])
                }
            }
        }
    }

    /// Current scores of a call with their results, one per card.
    public func storedScores(callID: String) throws(StoreError) -> [StoredScore] {
        try read { db in
            let scores = try Row.fetchAll(db, sql: """
                SELECT s.*, k.name AS card_name, k.yaml AS card_yaml, k.file AS card_file FROM scores s
                JOIN scorecards k ON k.card_id = s.card_id AND k.content_hash = s.card_hash
                WHERE s.call_id = ? AND s.is_current = 1 ORDER BY s.card_id
                """, arguments: [callID])
            return try scores.map { s in
                let results = try Row.fetchAll(db, sql: """
                    SELECT * FROM criterion_results WHERE call_id = ? AND card_id = ? AND card_hash = ? ORDER BY position
                    """, arguments: [callID, s["card_id"] as String, s["card_hash"] as String]).map { r in
                    StoredCriterionResult(sectionID: r["section_id"], criterionID: r["criterion_id"],
                                          outcome: Outcome(rawValue: r["outcome"]) ?? .unanswered, credit: r["credit"],
                                          earned: r["earned"], possible: r["possible"], critical: (r["critical"] as Int) == 1,
                                          failsSection: (r["fails_section"] as Int) == 1, provenance: r["provenance"],
                                          evidence: r["evidence"], evidenceStartS: r["evidence_start_s"], evidenceEndS: r["evidence_end_s"])
                }
                return StoredScore(callID: callID, cardID: s["card_id"], cardName: s["card_name"], cardHash: s["card_hash"],
                                   status: ScoreStatus(rawValue: s["status"]) ?? .notScorable, score: s["score"],
                                   criticalScore: s["critical_score"], criticalFailed: (s["critical_failed"] as Int) == 1,
                                   target: s["target"], unanswered: s["unanswered"], reason: s["reason"], scoredAt: s["scored_at"],
                                   results: results, cardYAML: s["card_yaml"], cardFile: s["card_file"])
            }
        }
    }

    // MARK: Evaluations

    /// Which of these call ids are stored.
    public func existingCalls(_ ids: [String]) throws(StoreError) -> Set<String> {
        try read { db in
            var out = Set<String>()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                out.formUnion(try String.fetchAll(db, sql: "SELECT call_id FROM calls WHERE call_id IN (\(marks))", arguments: StatementArguments(chunk)))
            }
            return out
        }
    }
}
