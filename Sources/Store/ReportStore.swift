import CallAnalysis
import CallQAModel
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
            // A version is listed when one call in scope has a current score with it: probed
            // card version by card version (a handful), stopping at the first such call. One
            // agent's calls are few: probe them (CROSS JOIN keeps calls outermost); otherwise
            // walk the card's current scores until one is in scope.
            let probe = scope.namesAgent
                ? "SELECT 1 FROM calls c CROSS JOIN scores s ON s.call_id = c.call_id"
                : "SELECT 1 FROM scores s JOIN calls c ON c.call_id = s.call_id"
            return try Row.fetchAll(db, sql: """
                SELECT k.card_id, k.name, k.target, k.content_hash FROM scorecards k
                WHERE EXISTS (\(probe) WHERE s.card_id = k.card_id AND s.card_hash = k.content_hash AND s.is_current = 1 AND \(sc))
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
            let call = StoredCallRecord(
                callID: c["call_id"], agentID: c["agent_id"], agentName: c["agent_name"], team: c["team"], queue: c["queue"],
                direction: (c["direction"] as String?).flatMap(CallDirection.init(rawValue:)), startedAt: c["started_at"],
                waitS: c["wait_s"], answered: (c["answered"] as Int) == 1, talkS: c["talk_s"], holdS: c["hold_s"], acwS: c["acw_s"],
                handleS: c["handle_s"], dialed: c["dialed"], recording: c["recording"],
                recordingStatus: RecordingStatus(rawValue: c["recording_status"]) ?? .none, recordingError: c["recording_error"],
                recordingPath: c["recording_path"])
            var audio: StoredAnalysis?
            var parties: [StoredParty] = []
            if let a = try Row.fetchOne(db, sql: "SELECT * FROM analyses WHERE call_id = ?", arguments: [id]) {
                audio = StoredAnalysis(
                    recordingPath: a["recording_path"], contentSHA256: a["content_sha256"], container: a["container"], encoding: a["encoding"],
                    sampleRate: a["sample_rate"], channels: a["channels"], analyzerVersion: a["analyzer_version"], durationS: a["duration_s"],
                    silenceS: a["silence_s"], silenceRatio: a["silence_ratio"], nonTalkS: a["non_talk_s"], overtalkS: a["overtalk_s"],
                    overtalkRatio: a["overtalk_ratio"], interruptionsByAgent: a["interruptions_by_agent"],
                    interruptionsByCustomer: a["interruptions_by_customer"], deadAirCount: a["dead_air_count"], deadAirS: a["dead_air_s"],
                    longestSilenceS: a["longest_silence_s"], longestSilenceStartS: a["longest_silence_start_s"], holdS: a["hold_s"],
                    toneS: a["tone_s"], talkToListen: a["talk_to_listen"], agentResponseGapS: a["agent_response_gap_s"],
                    health: ((a["health"] as String?) ?? "").split(separator: ",").map(String.init))
                parties = try Row.fetchAll(db, sql: "SELECT * FROM party_metrics WHERE call_id = ? ORDER BY party", arguments: [id]).map { p in
                    StoredParty(party: p["party"], talkS: p["talk_s"], talkRatio: p["talk_ratio"], segmentCount: p["segment_count"],
                                longestMonologueS: p["longest_monologue_s"], longestMonologueStartS: p["longest_monologue_start_s"],
                                speechDBFS: p["speech_dbfs"], noiseDBFS: p["noise_dbfs"], snrDB: p["snr_db"], peakDBFS: p["peak_dbfs"],
                                clippedShare: p["clipped_share"], echoCouplingDB: p["echo_coupling_db"], echoDelayMs: p["echo_delay_ms"],
                                echoAppliedShare: p["echo_applied_share"], backgroundVoicesShare: p["background_voices_share"],
                                segments: SegmentCodec.decode(p["segments"]) ?? [])
                }
            }
            let events = try Row.fetchAll(db, sql: "SELECT kind, party, start_s, end_s FROM audio_events WHERE call_id = ? ORDER BY start_s", arguments: [id]).compactMap { e in
                AudioEventKind(rawValue: e["kind"]).map { AudioEvent(kind: $0, party: e["party"], startS: e["start_s"], endS: e["end_s"]) }
            }
            return CallDetail(call: call, audio: audio, parties: parties, events: events, legs: try Self.legs(db, id, scope: scope))
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
            return try Self.legs(db, id, scope: scope)
        }
    }

    /// Another agent's id on a leg of a call the reader may see, when the reader's access does
    /// not reach that agent (a transfer to another team): named like this instead.
    public static let otherAgent = "(another agent)"

    static func legs(_ db: Database, _ id: String, scope: Scope) throws -> [StoredLeg] {
        var legs = try Row.fetchAll(db, sql: "SELECT * FROM call_legs WHERE call_id = ? ORDER BY leg", arguments: [id]).map {
            StoredLeg(leg: $0["leg"], agentID: $0["agent_id"], talkS: $0["talk_s"], startedAt: $0["started_at"],
                      recording: $0["recording"], scored: ($0["scored"] as Int?) != 0)
        }
        // A restricted reader sees the agents of the legs within their access only.
        switch scope.access {
        case .everything:
            break
        case let .agent(own):
            for i in legs.indices where legs[i].agentID != nil && legs[i].agentID != own { legs[i].agentID = otherAgent }
        case let .teams(teams):
            for i in legs.indices {
                guard let agent = legs[i].agentID else { continue }
                let team = try String.fetchOne(db, sql: "SELECT team FROM agents WHERE agent_id = ?", arguments: [agent])
                if !(team.map(teams.contains) ?? false) { legs[i].agentID = otherAgent }
            }
        }
        return legs
    }
}

extension CallStore {
    /// The recording of a call in scope (the analysed file, else the one the record resolved
    /// to); nil when the call is unknown, outside the scope, or has none: the three alike.
    public func recordingPath(callID: String, scope: Scope) throws(StoreError) -> String? {
        try read { db in
            let (sc, sa) = scope.sql()
            return try String.fetchOne(db, sql: """
                SELECT coalesce(a.recording_path, c.recording_path) FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
                WHERE c.call_id = ? AND \(sc)
                """, arguments: StatementArguments([callID] + sa))
        }
    }
}
