import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import GRDB


extension CallStore {
    /// Answered and unanswered calls in scope with an agent in the period, with their current
    /// score on `cardID` (nil: the scores of whichever card scored them, one row per card).
    public func agentCallRows(period: Period, cardID: String?, scope: Scope) throws(StoreError) -> [AgentCallRow] {
        try read { db in
            let (cond, args) = period.sql()
            var sql = """
                SELECT c.call_id, c.agent_id, g.agent_name, c.team, c.queue, c.local_date, c.started_at, c.answered,
                       c.handle_s, a.silence_ratio, a.overtalk_ratio, p.talk_ratio AS agent_talk_ratio,
                       coalesce(a.recording_path, c.recording_path) AS path,
                       s.card_id, s.status, s.score, s.target, s.critical_failed
                FROM calls c
                LEFT JOIN agents g ON g.agent_id = c.agent_id
                LEFT JOIN analyses a ON a.call_id = c.call_id
                LEFT JOIN party_metrics p ON p.call_id = c.call_id AND p.party = 'agent'
                LEFT JOIN scores s ON s.call_id = c.call_id AND s.is_current = 1
                """
            var all: [any DatabaseValueConvertible] = []
            if let cardID { sql += " AND s.card_id = ?"; all.append(cardID) }
            let (sc, sa) = scope.sql()
            sql += " WHERE c.agent_id IS NOT NULL AND \(cond) AND \(sc) ORDER BY c.agent_id, c.started_epoch, s.card_id"
            all += args + sa
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(all)).map { r in
                AgentCallRow(callID: r["call_id"], agentID: r["agent_id"], agentName: r["agent_name"], team: r["team"],
                             queue: r["queue"], localDate: r["local_date"], startedAt: r["started_at"],
                             answered: (r["answered"] as Int) == 1, handleS: r["handle_s"], agentTalkRatio: r["agent_talk_ratio"],
                             silenceRatio: r["silence_ratio"], overtalkRatio: r["overtalk_ratio"], recordingPath: r["path"],
                             cardID: r["card_id"], status: (r["status"] as String?).flatMap(ScoreStatus.init(rawValue:)),
                             score: r["score"], target: r["target"], criticalFailed: (r["critical_failed"] as Int?) == 1)
            }
        }
    }

    /// Criteria not fully met on the current scores of these calls (those in scope), with evidence.
    public func failedCriteria(callIDs: [String], cardID: String?, scope: Scope) throws(StoreError) -> [FailedCriterion] {
        try read { db in
            var out: [FailedCriterion] = []
            let (sc, sa) = scope.sql()
            for start in stride(from: 0, to: callIDs.count, by: 500) {
                let chunk = Array(callIDs[start..<min(callIDs.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var args: [any DatabaseValueConvertible] = chunk + sa
                var sql = """
                    SELECT r.call_id, r.card_id, r.criterion_id, r.outcome, r.evidence, r.evidence_start_s, r.critical,
                           coalesce(a.recording_path, c.recording_path) AS path
                    FROM criterion_results r
                    JOIN scores s ON s.call_id = r.call_id AND s.card_id = r.card_id AND s.card_hash = r.card_hash AND s.is_current = 1
                    JOIN calls c ON c.call_id = r.call_id
                    LEFT JOIN analyses a ON a.call_id = r.call_id
                    WHERE r.outcome IN ('not_met', 'partial') AND r.call_id IN (\(marks)) AND \(sc)
                    """
                if let cardID { sql += " AND r.card_id = ?"; args.append(cardID) }
                sql += " ORDER BY r.call_id, r.card_id, r.position"
                out += try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { r in
                    FailedCriterion(callID: r["call_id"], cardID: r["card_id"], criterionID: r["criterion_id"],
                                    outcome: Outcome(rawValue: r["outcome"]) ?? .notMet, evidence: r["evidence"],
                                    evidenceStartS: r["evidence_start_s"], recordingPath: r["path"], critical: (r["critical"] as Int) == 1)
                }
            }
            return out
        }
    }

    /// The current version of each card used in the scores of calls in scope.
    public func storedCards(scope: Scope) throws(StoreError) -> [StoredCard] {
        try read { db in
            let (sc, sa) = scope.sql()
            return try Row.fetchAll(db, sql: """
                SELECT DISTINCT k.card_id, k.name, k.target, k.content_hash FROM scorecards k
                JOIN scores s ON s.card_id = k.card_id AND s.card_hash = k.content_hash AND s.is_current = 1
                JOIN calls c ON c.call_id = s.call_id
                WHERE \(sc)
                ORDER BY k.card_id
                """, arguments: StatementArguments(sa)).map { StoredCard(id: $0["card_id"], name: $0["name"], target: $0["target"], hash: $0["content_hash"]) }
        }
    }

    /// The YAML of the card version that the current scores of `cardID` use (file, hash, text);
    /// nil when no current score uses the card.
    public func currentCardText(cardID: String) throws(StoreError) -> (file: String, hash: String, yaml: String)? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT k.file, k.content_hash, k.yaml FROM scorecards k JOIN scores s ON s.card_id = k.card_id AND s.card_hash = k.content_hash
                WHERE k.card_id = ? AND s.is_current = 1 LIMIT 1
                """, arguments: [cardID]).map { (file: $0["file"], hash: $0["content_hash"], yaml: $0["yaml"]) }
        }
    }

    /// Everything about one call; nil when unknown or outside the scope (the two are one
    /// answer: a reader cannot tell a call that exists from one that does not).
    public func callDetail(_ id: String, scope: Scope) throws(StoreError) -> CallDetail? {
        try read { db in
            let (sc, sa) = scope.sql()
            guard let c = try Row.fetchOne(db, sql: "SELECT * FROM calls c WHERE c.call_id = ? AND \(sc)",
                                           arguments: StatementArguments([id] + sa)) else { return nil }
            var record: [(String, String)] = []
            for col in ["call_id", "agent_id", "agent_name", "team", "queue", "direction", "started_at", "wait_s", "answered",
                        "talk_s", "hold_s", "acw_s", "handle_s", "dialed", "recording", "recording_status", "recording_error"] {
                if let v = c[col] as DatabaseValue?, !v.isNull { record.append((col, "\(v.storage.value ?? "")")) }
            }
            var analysis: [(String, String)] = []
            var health: [String] = []
            var duration: Double?
            var path: String? = c["recording_path"]
            if let a = try Row.fetchOne(db, sql: "SELECT * FROM analyses WHERE call_id = ?", arguments: [id]) {
                for col in ["container", "encoding", "sample_rate", "channels", "duration_s", "silence_s", "silence_ratio", "non_talk_s",
                            "overtalk_s", "overtalk_ratio", "interruptions_by_agent", "interruptions_by_customer", "dead_air_count",
                            "dead_air_s", "longest_silence_s", "longest_silence_start_s", "hold_s", "talk_to_listen",
                            "agent_response_gap_s", "analyzer_version", "content_sha256"] {
                    if let v = a[col] as DatabaseValue?, !v.isNull { analysis.append((col, "\(v.storage.value ?? "")")) }
                }
                health = ((a["health"] as String?) ?? "").split(separator: ",").map(String.init)
                duration = a["duration_s"]
                path = a["recording_path"]
                for p in try Row.fetchAll(db, sql: "SELECT * FROM party_metrics WHERE call_id = ? ORDER BY party", arguments: [id]) {
                    let party: String = p["party"]
                    for col in ["talk_s", "talk_ratio", "segment_count", "longest_monologue_s", "speech_dbfs", "noise_dbfs", "snr_db", "peak_dbfs", "clipped_share",
                                "echo_coupling_db", "echo_delay_ms", "echo_applied_share", "background_voices_share"] {
                        if let v = p[col] as DatabaseValue?, !v.isNull { analysis.append(("\(party).\(col)", "\(v.storage.value ?? "")")) }
                    }
                }
            }
            let segments = try Row.fetchAll(db, sql: "SELECT party, segments FROM party_metrics WHERE call_id = ? ORDER BY party", arguments: [id]).map {
                (party: $0["party"] as String, spans: SegmentCodec.decode($0["segments"]) ?? [])
            }
            let events = try Row.fetchAll(db, sql: "SELECT kind, party, start_s, end_s FROM audio_events WHERE call_id = ? ORDER BY start_s", arguments: [id]).map {
                (kind: $0["kind"] as String, party: $0["party"] as String?, startS: $0["start_s"] as Double, endS: $0["end_s"] as Double)
            }
            return CallDetail(callID: id, record: record, analysis: analysis, health: health, durationS: duration,
                              segments: segments, events: events, recordingPath: path, legs: try Self.legs(db, id))
        }
    }

    /// The legs of a transferred call in scope, in order; empty for a call of one leg (or
    /// outside the scope).
    public func callLegs(_ id: String, scope: Scope) throws(StoreError) -> [StoredLeg] {
        try read { db in
            let (sc, sa) = scope.sql()
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM calls c WHERE c.call_id = ? AND \(sc)", arguments: StatementArguments([id] + sa)) != nil else {
                return []
            }
            return try Self.legs(db, id)
        }
    }

    static func legs(_ db: Database, _ id: String) throws -> [StoredLeg] {
        try Row.fetchAll(db, sql: "SELECT * FROM call_legs WHERE call_id = ? ORDER BY leg", arguments: [id]).map {
            StoredLeg(leg: $0["leg"], agentID: $0["agent_id"], talkS: $0["talk_s"], startedAt: $0["started_at"],
                      recording: $0["recording"], scored: ($0["scored"] as Int?) != 0)
        }
    }
}

extension DatabaseValue.Storage {
    var value: Any? {
        switch self {
        case .null: nil
        case let .int64(i): i
        case let .double(d):
            // Four decimals at most: figures to read, not to recompute.
            d == d.rounded() ? String(format: "%.1f", d) : String(format: "%.4f", d).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
        case let .string(s): s
        case let .blob(b): "\(b.count) bytes"
        }
    }
}
