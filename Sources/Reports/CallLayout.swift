import CallQAModel
import Foundation

/// `report call` for people: the call record, the conversation, levels and health, grouped,
/// with units and sensible rounding (CSV and JSON keep the raw `call_record` and `call_audio`).
public enum CallLayout {
    /// Every table of `report call`. For people (terminal, HTML): the grouped tables with units;
    /// else (CSV, JSON) the raw `call_record` and `call_audio` tables with every stored value.
    /// Then, per card, its criteria (with critical and fails-section marks) and its sections;
    /// `evidence` adds each card's evidence as its own table (the terminal has no room for it
    /// beside the criteria); last, the cards that did not score the call and why.
    public static func report(_ d: CallDetail, scores: [StoredScore], notScored: [(cardID: String, reason: String)],
                              forPeople: Bool, evidence: Bool, links: Links = .files) -> [ReportTable] {
        var tables = forPeople ? Self.tables(d) : [
            ReportTable(name: "call_record", title: "Call \(d.callID): call record", columns: [Column("field", .text), Column("value", .text)],
                        rows: d.record.map { [.text($0.0), .text($0.1)] }),
            ReportTable(name: "call_audio", title: "Audio metrics" + (d.health.isEmpty ? "" : " — health: " + d.health.joined(separator: ", ")),
                        columns: [Column("metric", .text), Column("value", .text)], rows: d.analysis.map { [.text($0.0), .text($0.1)] }),
        ]
        if let legs = legsTable(d.legs, agentID: Dictionary(d.record, uniquingKeysWith: { a, _ in a })["agent_id"],
                                hasRecording: d.recordingPath != nil, forPeople: forPeople) { tables.append(legs) }
        for s in scores {
            tables.append(ScoreRendering.criteriaTable(s, name: "call_score_" + s.cardID, title: ScoreRendering.head(s, withCall: false),
                                                       recordingPath: d.recordingPath, links: links))
            tables.append(ScoreRendering.sectionsTable(s, name: "call_sections_" + s.cardID, title: "Sections of \(s.cardID)"))
            if evidence {
                tables.append(ReportTable(name: "call_evidence_" + s.cardID, title: "Evidence of \(s.cardID)",
                                          columns: [Column("criterion", .text).width(22), Column("evidence", .text).width(76),
                                                    Column("evidence_link", nil, .text, inTable: false)],
                                          rows: s.results.map { r in
                                              [.text(r.criterionID), .text(r.evidence),
                                               .opt(d.recordingPath.flatMap { p in r.evidenceStartS.flatMap { links.recording(d.callID, p, $0) } })]
                                          }))
            }
        }
        if !notScored.isEmpty {
            tables.append(ReportTable(name: "call_not_scored", title: "Cards that did not score this call",
                                      columns: [Column("scorecard", "card", .text).width(22), Column("reason", .text).width(76)],
                                      rows: notScored.map { [.text($0.cardID), .text("not scored: " + $0.reason)] }))
        }
        return tables
    }

    /// A transferred call's legs (agent, start, talk, recording, scored), titled with whose
    /// the scores are; nil for a call of one leg.
    /// For people the recording of a leg without its own reads `(the call's)` and scored
    /// `yes`/`no`; CSV and JSON get null and true/false-like 1/0.
    public static func legsTable(_ legs: [StoredLeg], agentID: String?, hasRecording: Bool = true, forPeople: Bool = true) -> ReportTable? {
        guard let note = transferNote(legs, agentID: agentID, hasRecording: hasRecording) else { return nil }
        return ReportTable(name: "call_legs", title: note,
                           columns: [Column("leg", .count), Column("agent_id", "agent", .text).width(24), Column("started_at", "started", .text).width(25),
                                     Column("talk_s", .seconds), Column("recording", .text).width(30), Column("scored", forPeople ? .text : .count)],
                           rows: legs.map { l in
                               [.int(l.leg), l.agentID.map { .text($0) } ?? .null, l.startedAt.map { .text($0) } ?? .null,
                                l.talkS.map { .number($0) } ?? .null,
                                l.recording.map { .text($0) } ?? (forPeople ? .text("(the call's)") : .null),
                                forPeople ? .text(l.scored ? "yes" : "no") : .int(l.scored ? 1 : 0)]
                           })
    }

    /// One line on a transfer: `transferred: leg 1 PJSIP/1001 100 s → leg 2 PJSIP/1002 295 s;
    /// the recording covers legs 1–2: scores are PJSIP/1002's`. Nil for a call of one leg.
    public static func transferNote(_ legs: [StoredLeg], agentID: String?, hasRecording: Bool = true) -> String? {
        guard legs.count > 1 else { return nil }
        let path = legs.map { "leg \($0.leg) \($0.agentID ?? "no agent") \($0.talkS.map { JSONValue.format($0, decimals: 0) } ?? "?") s" }
            .joined(separator: " → ")
        let covered = legs.filter(\.scored).map { String($0.leg) }
        let who = agentID.map { "scores are \($0)'s" } ?? "scores have no agent"
        let notCovered = legs.filter { !$0.scored }
        var note = "transferred: \(path); " + (hasRecording ? "the recording covers leg\(covered.count == 1 ? "" : "s") \(covered.joined(separator: ", ")): \(who)"
            : "no recording: \(who) (most talk)")
        if !notCovered.isEmpty {
            note += " (not scored: " + notCovered.map { "leg \($0.leg) " + ($0.recording.map { "has its own recording \($0)" } ?? "has no recording") }
                .joined(separator: "; ") + ")"
        }
        return note
    }

    /// The grouped tables of one call: "Call", "Conversation", "Levels and health".
    public static func tables(_ d: CallDetail) -> [ReportTable] {
        let rec = Dictionary(d.record, uniquingKeysWith: { a, _ in a })
        let an = Dictionary(d.analysis, uniquingKeysWith: { a, _ in a })
        func num(_ v: String?) -> Double? { v.flatMap { Double($0) } }
        func secs(_ v: String?) -> String? { num(v).map { JSONValue.format($0, decimals: 1) + " s" } }
        func pct(_ v: String?) -> String? { num(v).map { JSONValue.format($0 * 100, decimals: 1) + " %" } }
        func db(_ v: String?, _ unit: String = "dBFS") -> String? { num(v).map { JSONValue.format($0, decimals: 1) + " " + unit } }
        func clock(_ v: String?) -> String? {
            num(v).map { s in let t = Int(s.rounded(.down)); return String(format: "%02d:%02d", t / 60, t % 60) }
        }
        func join(_ parts: [String?], _ sep: String = ", ") -> String? {
            let p = parts.compactMap { $0 }
            return p.isEmpty ? nil : p.joined(separator: sep)
        }
        func table(_ name: String, _ title: String, _ items: [(String, String?)]) -> ReportTable {
            ReportTable(name: name, title: title, columns: [Column("item", .text).width(22), Column("value", .text).width(76)],
                        rows: items.compactMap { k, v in v.map { [.text(k), .text($0)] } })
        }
        let answered: String? = rec["answered"].map { $0 == "1" || $0 == "true" ? "yes" : "no (abandoned)" }
        let call = table("call_summary", "Call \(d.callID)", [
            ("agent", join([rec["agent_id"], rec["agent_name"]], " · ")),
            ("team · queue", join([rec["team"], rec["queue"]], " · ")),
            ("direction", rec["direction"]),
            ("started", rec["started_at"]),
            ("answered", answered),
            ("queue wait", secs(rec["wait_s"])),
            ("talk · hold · ACW", join([secs(rec["talk_s"]), secs(rec["hold_s"]), secs(rec["acw_s"])], " · ")),
            ("handle time", secs(rec["handle_s"])),
            ("dialed", rec["dialed"]),
            ("recording", join([rec["recording"], rec["recording_status"].map { "(\($0))" }], " ")),
            ("recording error", rec["recording_error"]),
        ])
        var tables = [call]
        guard !d.analysis.isEmpty else { return tables }
        func party(_ p: String) -> String? {
            join([secs(an["\(p).talk_s"]).map { "talk \($0)" + (pct(an["\(p).talk_ratio"]).map { " (\($0))" } ?? "") },
                  an["\(p).segment_count"].map { "\($0) segments" },
                  secs(an["\(p).longest_monologue_s"]).map { "longest monologue \($0)" }])
        }
        let stereo = an["agent.talk_s"] != nil
        tables.append(table("call_conversation", "Conversation", [
            ("duration", secs(an["duration_s"])),
            ("agent", stereo ? party("agent") : nil),
            ("customer", stereo ? party("customer") : nil),
            ("speech (mono)", stereo ? nil : party("mixed")),
            ("talk to listen", stereo ? num(an["talk_to_listen"]).map { JSONValue.format($0, decimals: 2) } : nil),
            ("silence", join([secs(an["silence_s"]), pct(an["silence_ratio"]).map { "(\($0))" }], " ")),
            ("longest silence", join([secs(an["longest_silence_s"]), clock(an["longest_silence_start_s"]).map { "at \($0)" }], " ")),
            ("dead air", join([an["dead_air_count"].map { $0 == "1" ? "1 gap" : "\($0) gaps" }, secs(an["dead_air_s"])], ", ")),
            ("overtalk", join([secs(an["overtalk_s"]), pct(an["overtalk_ratio"]).map { "(\($0))" }], " ")),
            ("interruptions", stereo ? join([an["interruptions_by_agent"].map { "by agent \($0)" }, an["interruptions_by_customer"].map { "by customer \($0)" }]) : nil),
            ("agent response gap", stereo ? secs(an["agent_response_gap_s"]).map { "\($0) mean" } : nil),
            // Tones only when there are some (`tone_s` is in every analysis).
            ("hold (music / tones)", join([secs(an["hold_s"]), num(an["tone_s"]).flatMap { $0 > 0 ? secs(an["tone_s"]).map { "tones \($0)" } : nil }], ", ")),
        ]))
        func levels(_ p: String) -> String? {
            join([num(an["\(p).speech_dbfs"]).map { "speech " + JSONValue.format($0, decimals: 1) },
                  num(an["\(p).noise_dbfs"]).map { "noise " + JSONValue.format($0, decimals: 1) },
                  num(an["\(p).peak_dbfs"]).map { "peak " + JSONValue.format($0, decimals: 1) + " dBFS" },
                  db(an["\(p).snr_db"], "dB").map { "SNR \($0)" }, pct(an["\(p).clipped_share"]).map { "clipped \($0)" }], " · ")
        }
        /// The other party heard on this party's channel (echo taken off).
        func echo(_ p: String) -> String? {
            guard let share = num(an["\(p).echo_applied_share"]) else { return nil }
            return join([num(an["\(p).echo_coupling_db"]).map { "the other party at " + JSONValue.format($0, decimals: 1) + " dB" },
                         num(an["\(p).echo_delay_ms"]).map { JSONValue.format($0, decimals: 0) + " ms late" },
                         "taken off in " + (pct(String(share)) ?? "") + " of the call"], ", ")
        }
        /// Voices behind this party, from 30 % of the call (the health flag's threshold).
        func voices(_ p: String) -> String? {
            num(an["\(p).background_voices_share"]).flatMap { $0 >= 0.3 ? (pct(String($0)) ?? "") + " of the call" : nil }
        }
        let format = join([an["container"], an["encoding"], an["sample_rate"].map { "\($0) Hz" },
                           an["channels"].map { $0 == "2" ? "stereo" : $0 == "1" ? "mono" : "\($0) channels" }])
        tables.append(table("call_levels", "Levels and health", [
            ("health", d.health.isEmpty ? "ok" : d.health.joined(separator: ", ")),
            ("agent", stereo ? levels("agent") : nil),
            ("customer", stereo ? levels("customer") : nil),
            ("mixed", stereo ? nil : levels("mixed")),
            ("echo on agent line", stereo ? echo("agent") : nil),
            ("echo on customer line", stereo ? echo("customer") : nil),
            ("voices behind agent", stereo ? voices("agent") : nil),
            ("voices behind customer", stereo ? voices("customer") : nil),
            ("voices behind", stereo ? nil : voices("mixed")),
            ("recording", format),
            ("analysed by", an["analyzer_version"]),
            ("sha-256", an["content_sha256"].map { String($0.prefix(16)) + "…" }),
        ]))
        return tables
    }
}
