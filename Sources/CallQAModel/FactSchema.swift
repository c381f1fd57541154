import CallAnalysis

/// The facts rules may name, each defined once: its name, kind, unit and label, whether it
/// exists only on stereo recordings, where it is stored (`calls` / `analyses` /
/// `party_metrics` column, or a health flag) and how it is measured from an analysis. Card
/// lint (names and kinds), the fact builder (stored row → `CallFacts`), the database mapping
/// (analysis → columns) and evidence texts (labels, units) all read this one list; a test
/// checks that every entry is produced for an analysed stereo call and that every column
/// exists in the database.
public enum FactSchema {
    public enum Kind: String, Sendable { case number, text, flag }

    /// Where a fact is stored.
    public enum Source: Sendable, Equatable {
        /// A column of `calls` (the call record).
        case call(column: String)
        /// A column of `analyses` (whole-call audio figures).
        case analysis(column: String)
        /// A column of `party_metrics`, in the row of `party`.
        case party(String, column: String)
        /// Whether `analyses.health` lists the flag.
        case health(HealthFlag)
        /// A manifest's extra column (`call.attr.NAME`), stored in `calls.attributes`.
        case attribute
        /// A column of `transcript_parties`, in the row of `party`: present when the call has
        /// a transcript (`callqa transcribe`).
        case transcript(String, column: String)
    }

    /// How a stored audio figure is measured from an analysis (the database mapping).
    public enum Measure: Sendable {
        case whole(@Sendable (ConversationMetrics) -> Double?)
        case party(@Sendable (PartyMetrics) -> Double?)
    }

    public struct Entry: Sendable {
        public var name: String
        public var kind: Kind
        /// Words used in evidence: "longest silence".
        public var label: String
        /// "s", "ratio", "dB", "dBFS", "" — how values print in evidence.
        public var unit: String
        /// Present only on stereo recordings (per-party and two-channel figures).
        public var stereoOnly: Bool
        public var source: Source
        /// For stored audio figures: how they are computed from an analysis.
        public var measure: Measure?

        public init(name: String, kind: Kind, label: String, unit: String, stereoOnly: Bool, source: Source, measure: Measure? = nil) {
            self.name = name
            self.kind = kind
            self.label = label
            self.unit = unit
            self.stereoOnly = stereoOnly
            self.source = source
            self.measure = measure
        }
    }

    /// The parties with their own figures, in storage order.
    public static let parties = ["agent", "customer", "mixed"]

    /// Every known metric, in documentation order.
    public static let entries: [Entry] = {
        var e: [Entry] = []
        func call(_ n: String, _ k: Kind, _ label: String, _ unit: String = "", column: String) {
            e.append(Entry(name: n, kind: k, label: label, unit: unit, stereoOnly: false, source: .call(column: column)))
        }
        func audio(_ n: String, _ label: String, _ unit: String, stereo: Bool = false, column: String,
                   _ measure: @escaping @Sendable (ConversationMetrics) -> Double?) {
            e.append(Entry(name: n, kind: .number, label: label, unit: unit, stereoOnly: stereo, source: .analysis(column: column),
                           measure: .whole(measure)))
        }
        // Call record.
        call("call.wait_s", .number, "queue wait", "s", column: "wait_s")
        call("call.talk_s", .number, "talk time (call record)", "s", column: "talk_s")
        call("call.hold_s", .number, "hold time (call record)", "s", column: "hold_s")
        call("call.acw_s", .number, "after-call work", "s", column: "acw_s")
        call("call.handle_s", .number, "handle time", "s", column: "handle_s")
        call("call.answered", .flag, "answered", column: "answered")
        call("call.direction", .text, "direction", column: "direction")
        call("call.queue", .text, "queue", column: "queue")
        call("call.team", .text, "team", column: "team")
        call("call.agent_id", .text, "agent", column: "agent_id")
        call("call.dialed", .text, "dialed number", column: "dialed")
        // Audio, whole call.
        audio("audio.duration_s", "recording length", "s", column: "duration_s") { $0.durationS }
        audio("audio.silence_s", "silence", "s", column: "silence_s") { $0.silenceS }
        audio("audio.silence_ratio", "silence share", "ratio", column: "silence_ratio") { $0.silenceRatio }
        audio("audio.non_talk_s", "non-talk time", "s", column: "non_talk_s") { $0.nonTalkS }
        audio("audio.overtalk_s", "overtalk", "s", stereo: true, column: "overtalk_s") { $0.overtalkS }
        audio("audio.overtalk_ratio", "overtalk share", "ratio", stereo: true, column: "overtalk_ratio") { $0.overtalkRatio }
        audio("audio.interruptions.by_agent", "interruptions by the agent", "", stereo: true, column: "interruptions_by_agent") {
            $0.interruptionsByAgent.map(Double.init)
        }
        audio("audio.interruptions.by_customer", "interruptions by the customer", "", stereo: true, column: "interruptions_by_customer") {
            $0.interruptionsByCustomer.map(Double.init)
        }
        audio("audio.dead_air_count", "dead-air gaps", "", column: "dead_air_count") { Double($0.deadAir.count) }
        audio("audio.dead_air_s", "dead air", "s", column: "dead_air_s") { Double(SpanMath.total($0.deadAir)) * frameDuration }
        audio("audio.longest_silence_s", "longest silence", "s", column: "longest_silence_s") { $0.longestSilenceS }
        audio("audio.hold_s", "music on hold", "s", column: "hold_s") { $0.holdS }
        audio("audio.tone_s", "tones", "s", column: "tone_s") { $0.toneS }
        audio("audio.talk_to_listen", "talk-to-listen ratio", "", stereo: true, column: "talk_to_listen") { $0.talkToListen }
        audio("audio.agent.response_gap_s", "mean agent response gap", "s", stereo: true, column: "agent_response_gap_s") { $0.agentResponseGapS }
        // Audio, per party.
        let perParty: [(key: String, column: String, unit: String, label: @Sendable (String, String) -> String,
                        measure: @Sendable (PartyMetrics) -> Double?)] = [
            ("talk_s", "talk_s", "s", { who, _ in "\(who) talk time" }, { $0.talkS }),
            ("talk_ratio", "talk_ratio", "ratio", { who, _ in "\(who) talk share" }, { $0.talkRatio }),
            ("segments", "segment_count", "", { who, _ in "\(who) utterances" }, { Double($0.segmentCount) }),
            ("longest_monologue_s", "longest_monologue_s", "s",
             { _, party in "longest \(party == "mixed" ? "utterance" : "\(party) monologue")" }, { $0.longestMonologueS }),
            ("speech_dbfs", "speech_dbfs", "dBFS", { who, _ in "\(who) level" }, { $0.levels.activeSpeechDBFS }),
            ("noise_dbfs", "noise_dbfs", "dBFS", { who, _ in "\(who) noise floor" }, { $0.levels.noiseFloorDBFS }),
            ("snr_db", "snr_db", "dB", { who, _ in "\(who) SNR" }, { $0.levels.snrDB }),
            ("clipped_share", "clipped_share", "ratio", { who, _ in "\(who) clipped samples" }, { $0.levels.clippedShare }),
        ]
        for party in parties {
            let who = party == "mixed" ? "speech" : party
            for f in perParty {
                e.append(Entry(name: "audio.\(party).\(f.key)", kind: .number, label: f.label(who, party), unit: f.unit,
                               stereoOnly: party != "mixed", source: .party(party, column: f.column), measure: .party(f.measure)))
            }
        }
        // From the transcript, per party: words per minute of the party's talk time.
        for party in parties {
            let who = party == "mixed" ? "speech" : party
            e.append(Entry(name: "audio.\(party).words_per_min", kind: .number, label: "\(who) words per minute", unit: "",
                           stereoOnly: party != "mixed", source: .transcript(party, column: "words_per_min")))
        }
        for flag in HealthFlag.allCases {
            e.append(Entry(name: "audio.health.\(flag.rawValue)", kind: .flag, label: "health: \(flag.rawValue.replacingOccurrences("_", " "))",
                           unit: "", stereoOnly: false, source: .health(flag)))
        }
        return e
    }()

    public static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })

    /// The entry of a name; `call.attr.NAME` (a manifest's extra column) is text.
    public static func entry(_ name: String) -> Entry? {
        if let e = byName[name] { return e }
        if name.hasPrefix("call.attr."), name.count > 10 {
            return Entry(name: name, kind: .text, label: String(name.dropFirst(10)), unit: "", stereoOnly: false, source: .attribute)
        }
        return nil
    }

    /// The `analyses` columns of whole-call facts with how each is measured, in entry order.
    public static let analysisColumns: [(column: String, measure: @Sendable (ConversationMetrics) -> Double?)] =
        entries.compactMap { e in
            guard case let .analysis(column) = e.source, case let .whole(m)? = e.measure else { return nil }
            return (column, m)
        }

    /// The `party_metrics` columns of per-party facts with how each is measured (the same for
    /// every party), in entry order.
    public static let partyColumns: [(column: String, measure: @Sendable (PartyMetrics) -> Double?)] =
        entries.compactMap { e in
            guard case let .party(p, column) = e.source, p == parties[0], case let .party(m)? = e.measure else { return nil }
            return (column, m)
        }

    /// The `calls` columns of call-record facts, in entry order.
    public static let callColumns: [(name: String, column: String, kind: Kind)] = entries.compactMap { e in
        guard case let .call(column) = e.source else { return nil }
        return (e.name, column, e.kind)
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

    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}

extension String {
    func replacingOccurrences(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
