import CallRecords
import Foundation
import GRDB
import Scorecard

/// What decides whether a call's scores are up to date, with the facts card filters read.
/// Lighter than `ScoringInput`: no evidence spans, no evaluator answers, no segments.
public struct ScoringKey: Sendable {
    /// The call's facts without evidence spans; party values only when asked for.
    public var facts: CallFacts
    /// Changes whenever the call record, its analysis or its evaluator answers change (the
    /// same value as `ScoringInput.dataFingerprint`).
    public var dataFingerprint: String

    public var callID: String { facts.callID }
}

/// A call's current score on a card, as stored: what it was computed from, and its outcome.
public struct CurrentScoreState: Sendable, Equatable {
    public var cardHash: String
    /// The card hash and the call's data fingerprint when it was scored.
    public var inputsHash: String
    public var status: ScoreStatus
    /// 0–100; nil when not scorable.
    public var score: Double?
    public var criticalFailed: Bool
}

extension CallStore {
    /// The scoring keys of the calls started in the period, in scoring order (start, call id).
    /// `partyFacts`: also read the per-party values (`audio.agent.*`, …), for cards whose
    /// `applies_to.when` names one.
    public func scoringKeys(period: Period = .all, partyFacts: Bool) throws(StoreError) -> [ScoringKey] {
        try read { db in
            let (condition, args) = period.sql()
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, a.content_sha256, a.parameters_hash, a.analyzer_version, a.duration_s, a.silence_s,
                       a.silence_ratio, a.non_talk_s, a.overtalk_s, a.overtalk_ratio, a.interruptions_by_agent,
                       a.interruptions_by_customer, a.dead_air_count, a.dead_air_s, a.longest_silence_s,
                       a.longest_silence_start_s, a.hold_s AS audio_hold_s, a.tone_s, a.talk_to_listen,
                       a.agent_response_gap_s, a.health, a.recording_path AS analysed_path
                FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id WHERE \(condition)
                ORDER BY c.started_epoch, c.call_id
                """, arguments: StatementArguments(args))
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
                var parties: [String: [Row]] = [:]
                if partyFacts {
                    for r in try Row.fetchAll(db, sql: """
                        SELECT call_id, party, talk_s, talk_ratio, segment_count, longest_monologue_s, longest_monologue_start_s,
                               speech_dbfs, noise_dbfs, snr_db, clipped_share
                        FROM party_metrics WHERE call_id IN (\(marks))
                        """, arguments: StatementArguments(ids)) {
                        parties[r["call_id"], default: []].append(r)
                    }
                }
                for r in chunk {
                    let id: String = r["call_id"]
                    var facts = Self.facts(r, parties: parties[id] ?? [], events: [])
                    facts.spans = [:]
                    keys.append(ScoringKey(facts: facts, dataFingerprint: Self.dataFingerprint(r, answers: answerText[id] ?? [])))
                }
            }
            return keys
        }
    }

    /// The current score of every call on a card, with what it was computed from.
    public func currentScoreStates(cardID: String) throws(StoreError) -> [String: CurrentScoreState] {
        try read { db in
            var out: [String: CurrentScoreState] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT call_id, card_hash, inputs_hash, status, score, critical_failed FROM scores WHERE card_id = ? AND is_current = 1
                """, arguments: [cardID]) {
                out[r["call_id"]] = CurrentScoreState(cardHash: r["card_hash"], inputsHash: r["inputs_hash"],
                                                      status: ScoreStatus(rawValue: r["status"]) ?? .notScorable, score: r["score"],
                                                      criticalFailed: (r["critical_failed"] as Int) == 1)
            }
            return out
        }
    }

    /// One evaluator answer as it enters a call's data fingerprint.
    static func answerText(_ r: Row, _ a: ManualAnswer) -> String {
        "\(r["card_id"] as String)/\(r["criterion_id"] as String)=\(a)/\(r["evaluator"] as String)/\(r["evaluated_at"] as String? ?? "")/\(r["comment"] as String? ?? "")"
    }

    /// A call's data fingerprint: its record, its analysis (content, parameters, analyzer
    /// version), its recording status and its evaluator answers (`answerText`, in card and
    /// criterion order).
    static func dataFingerprint(_ r: Row, answers: [String]) -> String {
        let fp = [r["record_fingerprint"] as String, r["content_sha256"] as String? ?? "-", r["parameters_hash"] as String? ?? "-",
                  r["analyzer_version"] as String? ?? "-", r["recording_status"] as String] + answers
        return SHA256.hex(Array(fp.joined(separator: "\u{1F}").utf8))
    }
}
