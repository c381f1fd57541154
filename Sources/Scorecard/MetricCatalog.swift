import CallAnalysis
import StrictYAML

/// The facts rules may name. Names outside this list are lint errors, with a suggestion.
public enum MetricCatalog {
    public enum Kind: String, Sendable { case number, text, flag }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var kind: Kind
        /// Words used in evidence: "longest silence".
        public var label: String
        /// "s", "%", "dB", "" — how values print in evidence.
        public var unit: String
        /// Present only on stereo recordings (per-party and two-channel figures).
        public var stereoOnly: Bool
    }

    /// Every known metric, in documentation order.
    public static let entries: [Entry] = {
        var e: [Entry] = []
        func add(_ n: String, _ k: Kind, _ label: String, _ unit: String = "", stereo: Bool = false) {
            e.append(Entry(name: n, kind: k, label: label, unit: unit, stereoOnly: stereo))
        }
        // Call record.
        add("call.wait_s", .number, "queue wait", "s")
        add("call.talk_s", .number, "talk time (call record)", "s")
        add("call.hold_s", .number, "hold time (call record)", "s")
        add("call.acw_s", .number, "after-call work", "s")
        add("call.handle_s", .number, "handle time", "s")
        add("call.answered", .flag, "answered")
        add("call.direction", .text, "direction")
        add("call.queue", .text, "queue")
        add("call.team", .text, "team")
        add("call.agent_id", .text, "agent")
        add("call.dialed", .text, "dialed number")
        // Audio, whole call.
        add("audio.duration_s", .number, "recording length", "s")
        add("audio.silence_s", .number, "silence", "s")
        add("audio.silence_ratio", .number, "silence share", "ratio")
        add("audio.non_talk_s", .number, "non-talk time", "s")
        add("audio.overtalk_s", .number, "overtalk", "s", stereo: true)
        add("audio.overtalk_ratio", .number, "overtalk share", "ratio", stereo: true)
        add("audio.interruptions.by_agent", .number, "interruptions by the agent", "", stereo: true)
        add("audio.interruptions.by_customer", .number, "interruptions by the customer", "", stereo: true)
        add("audio.dead_air_count", .number, "dead-air gaps", "")
        add("audio.dead_air_s", .number, "dead air", "s")
        add("audio.longest_silence_s", .number, "longest silence", "s")
        add("audio.hold_s", .number, "music on hold", "s")
        add("audio.tone_s", .number, "tones", "s")
        add("audio.talk_to_listen", .number, "talk-to-listen ratio", "", stereo: true)
        add("audio.agent.response_gap_s", .number, "mean agent response gap", "s", stereo: true)
        // Audio, per party.
        for (party, stereo) in [("agent", true), ("customer", true), ("mixed", false)] {
            let who = party == "mixed" ? "speech" : "\(party)"
            add("audio.\(party).talk_s", .number, "\(who) talk time", "s", stereo: stereo)
            add("audio.\(party).talk_ratio", .number, "\(who) talk share", "ratio", stereo: stereo)
            add("audio.\(party).segments", .number, "\(who) utterances", "", stereo: stereo)
            add("audio.\(party).longest_monologue_s", .number, "longest \(party == "mixed" ? "utterance" : "\(party) monologue")", "s", stereo: stereo)
            add("audio.\(party).speech_dbfs", .number, "\(who) level", "dBFS", stereo: stereo)
            add("audio.\(party).noise_dbfs", .number, "\(who) noise floor", "dBFS", stereo: stereo)
            add("audio.\(party).snr_db", .number, "\(who) SNR", "dB", stereo: stereo)
            add("audio.\(party).clipped_share", .number, "\(who) clipped samples", "ratio", stereo: stereo)
        }
        for flag in HealthFlag.allCases {
            add("audio.health.\(flag.rawValue)", .flag, "health: \(flag.rawValue.replacingOccurrences("_", " "))")
        }
        return e
    }()

    static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })

    /// The entry of a name; `call.attr.NAME` (a manifest's extra column) is text.
    public static func entry(_ name: String) -> Entry? {
        if let e = byName[name] { return e }
        if name.hasPrefix("call.attr."), name.count > 10 {
            return Entry(name: name, kind: .text, label: String(name.dropFirst(10)), unit: "", stereoOnly: false)
        }
        return nil
    }

    /// The known name closest to `name` (edit distance ≤ 4), for "did you mean".
    public static func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        for e in entries {
            let d = editDistance(name, e.name)
            if d <= 4, best == nil || d < best!.1 { best = (e.name, d) }
        }
        // "longest_silence" → "audio.longest_silence_s": try with the namespace added.
        if best == nil {
            for prefix in ["audio.", "call.", "audio.agent.", "audio.customer."] {
                for e in entries {
                    let d = editDistance(prefix + name, e.name)
                    if d <= 3, best == nil || d < best!.1 { best = (e.name, d) }
                }
            }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int { StrictYAML.editDistance(a, b) }
}

extension String {
    func replacingOccurrences(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
