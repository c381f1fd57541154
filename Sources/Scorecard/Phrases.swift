import CallQAModel

/// A criterion answered from the call's transcript: were these words said, by whom, when.
///
/// ```yaml
/// auto:
///   phrase:
///     party: agent                  # agent | customer | any
///     any_of: ["thank you for calling", "welcome to acme"]   # met when one is said
///     none_of: ["calm down"]        # met when none is said (prohibited words)
///     within_s: [0, 30]             # only words starting in this span of the call (s)
///     within_last_s: 60             # only words starting in the call's last 60 s
/// ```
/// With both lists the criterion is met when one of `any_of` is said and none of `none_of`.
public struct PhraseRule: Sendable, Equatable {
    public enum Party: String, Sendable, CaseIterable {
        case agent, customer, any
    }

    public var party: Party
    /// Phrases as written in the card, and as normalised words.
    public var anyOf: [Phrase]
    public var noneOf: [Phrase]
    /// Words starting in [from, to] seconds of the call.
    public var withinS: (from: Double, to: Double)?
    /// Words starting in the last N seconds of the call.
    public var withinLastS: Double?

    public struct Phrase: Sendable, Equatable {
        public var text: String
        public var words: [String]

        public init(_ text: String) {
            self.text = text
            words = TranscriptText.words(text)
        }
    }

    public init(party: Party, anyOf: [String], noneOf: [String], withinS: (from: Double, to: Double)? = nil, withinLastS: Double? = nil) {
        self.party = party
        self.anyOf = anyOf.map(Phrase.init)
        self.noneOf = noneOf.map(Phrase.init)
        self.withinS = withinS
        self.withinLastS = withinLastS
    }

    public static func == (a: PhraseRule, b: PhraseRule) -> Bool {
        a.party == b.party && a.anyOf == b.anyOf && a.noneOf == b.noneOf && a.withinS?.from == b.withinS?.from
            && a.withinS?.to == b.withinS?.to && a.withinLastS == b.withinLastS
    }

    /// "the agent" / "the customer" / "anyone".
    var who: String { party == .any ? "anyone" : "the \(party.rawValue)" }

    /// " in 00:00–00:30" / " in the last 60 s" / "".
    var when: String {
        var parts: [String] = []
        if let w = withinS { parts.append("in \(EvidenceSpan(startS: w.from, endS: w.to).clock)") }
        if let l = withinLastS { parts.append("in the last \(FactValue.format(l)) s") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " and ")
    }
}

/// Where a phrase was found: the transcript words that matched and how far they are from
/// the phrase (0 = word for word).
public struct PhraseMatch: Sendable, Equatable {
    public var phrase: String
    public var party: String
    public var words: [TranscriptWord]
    public var cost: Double

    public var span: EvidenceSpan {
        EvidenceSpan(startS: words.first?.startS ?? 0, endS: words.map(\.endS).max() ?? 0)
    }

    /// `"thank you for calling acme bank" at 00:01–00:03`.
    public var quoted: String {
        "\"\(words.map(\.text).joined(separator: " "))\" at \(span.clock)"
    }
}

/// Finds phrases in transcripts, tolerant of the recogniser's errors: both sides are
/// normalised (`TranscriptText`: case, diacritics, punctuation, apostrophes), then the
/// phrase is aligned word by word against every stretch of the party's words (an
/// approximate-substring alignment). Costs: a word that differs by a letter or two costs
/// its share of letters changed (`acme`/`acne` 0.25; more than half changed counts as a
/// different word, 1), a phrase word missing or an extra word inside the match 1, two words
/// heard as one or one as two (`call back`/`callback`) by their letters. A phrase of n
/// words matches where the cost is at most `allowedCost(n)`: 0.3 for one word (a letter
/// in a word of four or more), then 0.2 per word (one word of five missing or wrong).
/// Chosen with the accuracy harness (`make accuracy`: phrase recall and false hits).
public enum PhraseMatcher {
    public static func allowedCost(words n: Int) -> Double { max(0.3, 0.2 * Double(n)) }

    /// Cost of hearing `heard` for `said`: 0 the same, else the share of letters changed
    /// (edit distance over the longer word), 1 when more than half changed.
    static func substitution(_ said: String, _ heard: String) -> Double {
        if said == heard { return 0 }
        let d = Double(FactSchema.editDistance(said, heard)) / Double(max(said.count, heard.count, 1))
        return d > 0.5 ? 1 : d
    }

    /// The best match of `phrase` in `words` (normalised keys beside them), or nil.
    public static func find(_ phrase: PhraseRule.Phrase, in words: [(key: String, word: TranscriptWord)], party: String) -> PhraseMatch? {
        let p = phrase.words
        let n = p.count, m = words.count
        guard n > 0, m > 0 else { return nil }
        let big = Double.greatestFiniteMagnitude / 4
        // d[i][j]: cost of aligning the first i phrase words so that the match ends at transcript word j;
        // from[i][j]: where in the transcript that alignment started.
        var d = [[Double]](repeating: [Double](repeating: big, count: m + 1), count: n + 1)
        var from = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for j in 0...m { d[0][j] = 0; from[0][j] = j }
        for i in 1...n {
            d[i][0] = Double(i)
            from[i][0] = 0
            for j in 1...m {
                let t = words[j - 1].key
                var best = d[i - 1][j - 1] + substitution(p[i - 1], t), start = from[i - 1][j - 1]
                // A phrase word the recogniser dropped.
                if d[i - 1][j] + 1 < best { best = d[i - 1][j] + 1; start = from[i - 1][j] }
                // An extra word inside the match (row 0 starts anywhere for free instead).
                if d[i][j - 1] + 1 < best { best = d[i][j - 1] + 1; start = from[i][j - 1] }
                // Two heard words for one said, and one heard word for two said.
                if j >= 2 {
                    let c = d[i - 1][j - 2] + substitution(p[i - 1], words[j - 2].key + t)
                    if c < best { best = c; start = from[i - 1][j - 2] }
                }
                if i >= 2 {
                    let c = d[i - 2][j - 1] + substitution(p[i - 2] + p[i - 1], t)
                    if c < best { best = c; start = from[i - 2][j - 1] }
                }
                d[i][j] = best
                from[i][j] = start
            }
        }
        var bestJ = 0
        for j in 1...m where d[n][j] < d[n][bestJ] || bestJ == 0 { bestJ = j }
        let cost = d[n][bestJ]
        guard cost <= allowedCost(words: n) + 1e-9 else { return nil }
        let startIndex = from[n][bestJ]
        guard startIndex < bestJ else { return nil }
        return PhraseMatch(phrase: phrase.text, party: party, words: words[startIndex..<bestJ].map(\.word), cost: cost)
    }

    /// The words a rule looks at, per party, with their normalised keys: the party's (or
    /// every party's for `any`), starting within the rule's span of the call.
    static func candidates(_ rule: PhraseRule, transcript: CallTranscript, durationS: Double?) -> [(party: String, words: [(key: String, word: TranscriptWord)])] {
        let parties = rule.party == .any ? transcript.parties.map(\.party) : [rule.party.rawValue]
        var out: [(String, [(key: String, word: TranscriptWord)])] = []
        for name in parties {
            guard let p = transcript.party(name), p.skipped == nil else { continue }
            let end = durationS ?? (p.words.last?.endS ?? 0)
            let words = p.words.filter { w in
                if let s = rule.withinS, w.startS < s.from || w.startS > s.to { return false }
                if let l = rule.withinLastS, w.startS < end - l { return false }
                return true
            }.compactMap { w -> (key: String, word: TranscriptWord)? in
                let k = TranscriptText.word(w.text)
                return k.isEmpty || w.isRedacted ? nil : (k, w)
            }
            out.append((name, words))
        }
        return out
    }

    /// How a rule came out on a transcript.
    public enum Verdict: Sendable, Equatable {
        /// Met, with the words that show it (the `any_of` phrase found; none of `none_of`).
        case met(evidence: String, span: EvidenceSpan?)
        case notMet(evidence: String, span: EvidenceSpan?)
        /// The transcript cannot answer it (the party's channel was not transcribed, mono).
        case cannotTell(String)
    }

    public static func judge(_ rule: PhraseRule, transcript: CallTranscript, durationS: Double?) -> Verdict {
        if rule.party != .any {
            if transcript.party(rule.party.rawValue) == nil {
                return transcript.party("mixed") != nil
                    ? .cannotTell("mono recording: the transcript cannot tell who said what (use party: any)")
                    : .cannotTell("the \(rule.party.rawValue)'s channel has no transcript")
            }
            if let why = transcript.party(rule.party.rawValue)?.skipped { return .cannotTell(why) }
        }
        let pools = candidates(rule, transcript: transcript, durationS: durationS)
        let transcribed = pools.reduce(0) { $0 + $1.words.count }
        func first(_ phrases: [PhraseRule.Phrase]) -> PhraseMatch? {
            var found: [PhraseMatch] = []
            for ph in phrases {
                for pool in pools { if let m = find(ph, in: pool.words, party: pool.party) { found.append(m) } }
            }
            return found.min { $0.span.startS < $1.span.startS }
        }
        if let bad = first(rule.noneOf) {
            return .notMet(evidence: "\(bad.party) said \(bad.quoted) (prohibited: \"\(bad.phrase)\")", span: bad.span)
        }
        if !rule.anyOf.isEmpty {
            guard let good = first(rule.anyOf) else {
                let list = rule.anyOf.prefix(3).map { "\"\($0.text)\"" }.joined(separator: ", ") + (rule.anyOf.count > 3 ? ", …" : "")
                return .notMet(evidence: "not said by \(rule.who)\(rule.when): \(list) (\(transcribed) words transcribed there)", span: nil)
            }
            return .met(evidence: "\(good.party) said \(good.quoted) (phrase \"\(good.phrase)\")", span: good.span)
        }
        let list = rule.noneOf.prefix(3).map { "\"\($0.text)\"" }.joined(separator: ", ") + (rule.noneOf.count > 3 ? ", …" : "")
        return .met(evidence: "none of \(list) said by \(rule.who)\(rule.when) (\(transcribed) words transcribed there)", span: nil)
    }
}
