import CallAnalysis
import CallQAModel
import Foundation
import GRDB

extension CallStore {
    /// Scoring inputs of the calls in scope started in the period, or of the given ids.
    public func scoringInputs(period: Period = .all, callIDs: [String]? = nil, scope: Scope) throws(StoreError) -> [ScoringInput] {
        try read { db in
            var sql = """
                SELECT c.*, a.content_sha256, a.parameters_hash, a.analyzer_version, \(Self.analysisFactColumns),
                       a.longest_silence_start_s, a.health, a.recording_path AS analysed_path, t.words_sha256
                FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id LEFT JOIN transcripts t ON t.call_id = c.call_id WHERE 1
                """
            let (condition, periodArgs) = period.sql()
            let (scoped, scopeArgs) = scope.sql()
            sql += " AND " + condition + " AND " + scoped
            var args: [any DatabaseValueConvertible] = periodArgs + scopeArgs
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
                var transcripts: [String: Row] = [:], transcriptParties: [String: [Row]] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT * FROM transcripts WHERE call_id IN (\(marks))", arguments: StatementArguments(ids)) {
                    transcripts[r["call_id"]] = r
                }
                for r in try Row.fetchAll(db, sql: "SELECT * FROM transcript_parties WHERE call_id IN (\(marks)) ORDER BY party",
                                          arguments: StatementArguments(ids)) {
                    transcriptParties[r["call_id"], default: []].append(r)
                }
                for r in chunk {
                    let id: String = r["call_id"]
                    var facts = Self.facts(r, parties: parties[id] ?? [], events: events[id] ?? [])
                    Self.addTranscript(&facts, transcripts[id].map { Self.storedTranscript($0, parties: transcriptParties[id] ?? []) })
                    inputs.append(ScoringInput(facts: facts, dataFingerprint: Self.dataFingerprint(r, answers: answerText[id] ?? []),
                                               answers: answers[id] ?? [:], startedEpoch: r["started_epoch"], team: r["team"]))
                }
            }
            return inputs
        }
    }

    /// The whole-call fact columns of `analyses`, selected as `a_<column>` (a `calls` column
    /// may have the same name: `hold_s`).
    static let analysisFactColumns = FactSchema.analysisColumns.map { "a.\($0.column) AS a_\($0.column)" }.joined(separator: ", ")

    /// A call's facts from its stored row (calls + `a_` analysis columns), its party rows and
    /// its events, as the fact schema says where each fact is stored.
    static func facts(_ r: Row, parties: [Row], events: [Row]) -> CallFacts {
        var v: [String: FactValue] = [:]
        for (name, column, kind) in FactSchema.callColumns {
            switch kind {
            case .number: if let x: Double = r[column] { v[name] = .number(x) }
            case .text: if let x: String = r[column] { v[name] = .text(x) }
            case .flag: v[name] = .flag((r[column] as Int?) == 1)
            }
        }
        if let attrs: String = r["attributes"], let data = attrs.data(using: .utf8),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] {
            for (k, x) in obj { v["call.attr.\(k)"] = .text(x) }
        }
        var spans: [String: [EvidenceSpan]] = [:]
        var absent: String?
        if (r["a_duration_s"] as Double?) != nil {
            let flags = Set(((r["health"] as String?) ?? "").split(separator: ",").map(String.init))
            var party: [String: Row] = [:]
            for p in parties { party[p["party"]] = p }
            for e in FactSchema.entries {
                switch e.source {
                case let .analysis(column): if let x: Double = r["a_" + column] { v[e.name] = .number(x) }
                case let .party(p, column): if let x: Double = party[p]?[column] { v[e.name] = .number(x) }
                case let .health(flag): v[e.name] = .flag(flags.contains(flag.rawValue))
                case .call, .attribute, .transcript: break
                }
            }
            if let start: Double = r["longest_silence_start_s"], let len: Double = r["a_longest_silence_s"] {
                spans["audio.longest_silence_s"] = [EvidenceSpan(startS: start, endS: start + len)]
            }
            for p in parties {
                let party: String = p["party"]
                let prefix = "audio.\(party)."
                if let start: Double = p["longest_monologue_start_s"], let len: Double = p["longest_monologue_s"] {
                    spans[prefix + "longest_monologue_s"] = [EvidenceSpan(startS: start, endS: start + len)]
                }
            }
            for e in events {
                let span = EvidenceSpan(startS: e["start_s"], endS: e["end_s"])
                switch (AudioEventKind(rawValue: e["kind"]), e["party"] as String?) {
                case (.deadAir?, _):
                    spans["audio.dead_air_count", default: []].append(span)
                    spans["audio.dead_air_s", default: []].append(span)
                case (.hold?, _): spans["audio.hold_s", default: []].append(span)
                case (.tone?, _): spans["audio.tone_s", default: []].append(span)
                case (.overtalk?, _):
                    spans["audio.overtalk_s", default: []].append(span)
                    spans["audio.overtalk_ratio", default: []].append(span)
                case (.interruption?, "agent"?): spans["audio.interruptions.by_agent", default: []].append(span)
                case (.interruption?, "customer"?): spans["audio.interruptions.by_customer", default: []].append(span)
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

    /// A call's transcript into its facts: the words (for phrase criteria) and each party's
    /// words per minute; without one, why.
    static func addTranscript(_ facts: inout CallFacts, _ stored: StoredTranscript?) {
        guard let stored else {
            facts.transcriptAbsentReason = facts.hasAudio ? "not transcribed yet (callqa transcribe)" : (facts.audioAbsentReason ?? "no analysed recording")
            return
        }
        facts.transcript = stored.transcript
        for p in stored.transcript.parties {
            if let wpm = p.wordsPerMinute { facts.values["audio.\(p.party).words_per_min"] = .number(wpm) }
        }
    }

    /// Stores a card version (once per content hash).
    public func registerCard(_ card: CardVersion) throws(StoreError) {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            try db.execute(sql: """
                INSERT INTO scorecards (card_id, content_hash, name, target, file, yaml, first_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [card.id, card.contentHash, card.name, card.target, card.file, card.text, now])
        }
    }

    /// Current scores of a card per call in scope (nil score = not scorable / nothing answered).
    public func currentScores(cardID: String, scope: Scope) throws(StoreError) -> [String: Double?] {
        try read { db in
            var out: [String: Double?] = [:]
            let (sc, sa) = scope.sql()
            for r in try Row.fetchAll(db, sql: """
                SELECT s.call_id, s.score FROM scores s JOIN calls c ON c.call_id = s.call_id
                WHERE s.card_id = ? AND s.is_current = 1 AND \(sc)
                """, arguments: StatementArguments([cardID] + sa)) {
                out[r["call_id"]] = r["score"] as Double?
            }
            return out
        }
    }

    /// Stores scores of one card in one transaction. A nil score means the card no longer
    /// applies to the call: its previous score stops being current (it stays queryable).
    public func saveScores(card: CardVersion, _ items: [(callID: String, score: CallScore?, inputsHash: String)]) throws(StoreError) {
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

    /// Current scores of a call with their results, one per card; none when the call is
    /// outside the scope.
    public func storedScores(callID: String, scope: Scope) throws(StoreError) -> [StoredScore] {
        try read { db in
            let (sc, sa) = scope.sql()
            let scores = try Row.fetchAll(db, sql: """
                SELECT s.*, k.name AS card_name, k.yaml AS card_yaml, k.file AS card_file FROM scores s
                JOIN scorecards k ON k.card_id = s.card_id AND k.content_hash = s.card_hash
                JOIN calls c ON c.call_id = s.call_id
                WHERE s.call_id = ? AND s.is_current = 1 AND \(sc) ORDER BY s.card_id
                """, arguments: StatementArguments([callID] + sa))
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

    /// Which of these call ids are stored (and in scope).
    public func existingCalls(_ ids: [String], scope: Scope) throws(StoreError) -> Set<String> {
        try read { db in
            var out = Set<String>()
            let (sc, sa) = scope.sql()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                out.formUnion(try String.fetchAll(db, sql: "SELECT c.call_id FROM calls c WHERE c.call_id IN (\(marks)) AND \(sc)",
                                                  arguments: StatementArguments(chunk + sa)))
            }
            return out
        }
    }
}
