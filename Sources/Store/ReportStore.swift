import CallAnalysis
import CallRecords
import Foundation
import GRDB
import Scorecard

/// One call as the agent reports need it.
public struct AgentCallRow: Sendable, Equatable {
    public var callID: String
    public var agentID: String
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var localDate: String
    public var startedAt: String
    public var answered: Bool
    public var handleS: Double?
    public var agentTalkRatio: Double?
    public var silenceRatio: Double?
    public var overtalkRatio: Double?
    public var recordingPath: String?
    /// Current score on the card asked for (nil: not scored by it).
    public var cardID: String?
    public var status: ScoreStatus?
    public var score: Double?
    public var target: Double?
    public var criticalFailed: Bool
}

/// A failed (or partly met) criterion with its evidence, for coaching.
public struct FailedCriterion: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String
    public var outcome: Outcome
    public var evidence: String
    public var evidenceStartS: Double?
    public var recordingPath: String?
    public var critical: Bool
}

/// A card as stored (for names and criterion texts).
public struct StoredCard: Sendable, Equatable {
    public var id: String
    public var name: String
    public var target: Double
    public var hash: String

    public init(id: String, name: String, target: Double, hash: String) {
        self.id = id
        self.name = name
        self.target = target
        self.hash = hash
    }
}

/// Everything about one call for the per-call view.
public struct CallDetail: Sendable {
    public var callID: String
    public var record: [(String, String)]
    public var analysis: [(String, String)]
    public var health: [String]
    public var durationS: Double?
    /// Speech segments per party (agent, customer or mixed).
    public var segments: [(party: String, spans: [FrameSpan])]
    /// Audio events: kind, party, start, end.
    public var events: [(kind: String, party: String?, startS: Double, endS: Double)]
    public var recordingPath: String?
    /// The legs of a transferred call (Asterisk, one CDR per bridge); empty for one leg.
    public var legs: [StoredLeg] = []
}

/// One leg of a transferred call as stored in `call_legs`.
public struct StoredLeg: Sendable, Equatable {
    public var leg: Int
    public var agentID: String?
    public var talkS: Double?
    public var startedAt: String?
    /// The leg's own recording (`recordingfile`); nil when one recording holds the whole call.
    public var recording: String?
    /// The call's analysed recording covers this leg: the call's scores are this leg's agent's.
    public var scored: Bool

    public init(leg: Int, agentID: String?, talkS: Double?, startedAt: String?, recording: String?, scored: Bool) {
        self.leg = leg
        self.agentID = agentID
        self.talkS = talkS
        self.startedAt = startedAt
        self.recording = recording
        self.scored = scored
    }
}

extension CallStore {
    /// Answered and unanswered calls with an agent in the period, with their current score
    /// on `cardID` (nil: the scores of whichever card scored them, one row per card).
    public func agentCallRows(period: Period, cardID: String?) throws(StoreError) -> [AgentCallRow] {
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
            sql += " WHERE c.agent_id IS NOT NULL AND \(cond) ORDER BY c.agent_id, c.started_epoch, s.card_id"
            all += args
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

    /// Criteria not fully met on the current scores of these calls, with evidence.
    public func failedCriteria(callIDs: [String], cardID: String?) throws(StoreError) -> [FailedCriterion] {
        try read { db in
            var out: [FailedCriterion] = []
            for start in stride(from: 0, to: callIDs.count, by: 500) {
                let chunk = Array(callIDs[start..<min(callIDs.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var args: [any DatabaseValueConvertible] = chunk
                var sql = """
                    SELECT r.call_id, r.card_id, r.criterion_id, r.outcome, r.evidence, r.evidence_start_s, r.critical,
                           coalesce(a.recording_path, c.recording_path) AS path
                    FROM criterion_results r
                    JOIN scores s ON s.call_id = r.call_id AND s.card_id = r.card_id AND s.card_hash = r.card_hash AND s.is_current = 1
                    JOIN calls c ON c.call_id = r.call_id
                    LEFT JOIN analyses a ON a.call_id = r.call_id
                    WHERE r.outcome IN ('not_met', 'partial') AND r.call_id IN (\(marks))
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

    /// The current version of each card used in scores.
    public func storedCards() throws(StoreError) -> [StoredCard] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT k.card_id, k.name, k.target, k.content_hash FROM scorecards k
                JOIN scores s ON s.card_id = k.card_id AND s.card_hash = k.content_hash AND s.is_current = 1
                ORDER BY k.card_id
                """).map { StoredCard(id: $0["card_id"], name: $0["name"], target: $0["target"], hash: $0["content_hash"]) }
        }
    }

    /// Criterion texts of a card version, parsed from its stored YAML.
    public func criterionTexts(cardID: String) throws(StoreError) -> [String: String] {
        try read { db in
            guard let yaml = try String.fetchOne(db, sql: """
                SELECT k.yaml FROM scorecards k JOIN scores s ON s.card_id = k.card_id AND s.card_hash = k.content_hash
                WHERE k.card_id = ? AND s.is_current = 1 LIMIT 1
                """, arguments: [cardID]),
                let card = try? CardLoader.parse(text: yaml, file: cardID, contentHash: "") else { return [:] }
            return Dictionary(card.criteria.map { ($0.id, $0.text) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Everything about one call; nil when unknown.
    public func callDetail(_ id: String) throws(StoreError) -> CallDetail? {
        try read { db in
            guard let c = try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE call_id = ?", arguments: [id]) else { return nil }
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

    /// The legs of a transferred call, in order; empty for a call of one leg.
    public func callLegs(_ id: String) throws(StoreError) -> [StoredLeg] {
        try read { db in try Self.legs(db, id) }
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
