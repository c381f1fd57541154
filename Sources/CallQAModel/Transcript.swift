import Foundation

/// One transcribed word: its text as the recogniser wrote it (with the punctuation it
/// attached, e.g. `Bank,`), where it is in the recording (s from the start) and how sure the
/// recogniser was (0–1, the mean probability of its tokens). A redacted digit run is one
/// word whose text is `TranscriptWord.redactedText`.
public struct TranscriptWord: Sendable, Equatable {
    public var text: String
    /// Start and end in the recording (s).
    public var startS: Double
    public var endS: Double
    /// 0–1.
    public var confidence: Double

    public init(text: String, startS: Double, endS: Double, confidence: Double) {
        self.text = text
        self.startS = startS
        self.endS = endS
        self.confidence = confidence
    }

    /// What a redacted digit run reads as, in the database, the pages and the reports.
    public static let redactedText = "[redacted]"

    public var isRedacted: Bool { text == Self.redactedText }
}

/// One party's transcript: `agent` and `customer` on stereo recordings (each channel
/// alone), `mixed` on mono ones (no speaker labels are invented).
public struct PartyTranscript: Sendable, Equatable {
    /// `agent`, `customer` or `mixed`.
    public var party: String
    public var words: [TranscriptWord]
    /// Speech given to the recogniser (s): the party's speech segments, padded.
    public var speechS: Double
    /// The party's talk time from the analysis (s), the denominator of words per minute.
    public var talkS: Double?
    /// Digit runs replaced by `[redacted]` before storage.
    public var redactions: Int
    /// Why the party has no words although it spoke (`customer channel not transcribed`).
    public var skipped: String?

    public init(party: String, words: [TranscriptWord], speechS: Double, talkS: Double?, redactions: Int, skipped: String? = nil) {
        self.party = party
        self.words = words
        self.speechS = speechS
        self.talkS = talkS
        self.redactions = redactions
        self.skipped = skipped
    }

    /// Words per minute of the party's talk time; nil without talk time or when skipped.
    public var wordsPerMinute: Double? {
        guard skipped == nil, let talkS, talkS >= 1 else { return nil }
        return Double(words.count) / (talkS / 60)
    }

    /// The words joined by spaces (what the full-text index holds).
    public var text: String { words.map(\.text).joined(separator: " ") }
}

/// A call's transcript with what made it: the model (file name and SHA-256), the settings
/// (JSON and its hash) and the recording's content hash, so a change of any of them makes
/// it out of date.
public struct CallTranscript: Sendable, Equatable {
    public var callID: String
    /// ISO 639-1 code (`en`, `ru`).
    public var language: String
    /// `detected` (with `languageProbability`), `queue` (the settings' language of the
    /// call's queue), `setting` (one language for every call) or `model` (an English-only model).
    public var languageSource: String
    public var languageProbability: Double?
    public var parties: [PartyTranscript]

    public init(callID: String, language: String, languageSource: String, languageProbability: Double? = nil, parties: [PartyTranscript]) {
        self.callID = callID
        self.language = language
        self.languageSource = languageSource
        self.languageProbability = languageProbability
        self.parties = parties
    }

    public var redactions: Int { parties.reduce(0) { $0 + $1.redactions } }
    public var wordCount: Int { parties.reduce(0) { $0 + $1.words.count } }

    public func party(_ name: String) -> PartyTranscript? { parties.first { $0.party == name } }

    /// Every word of every party in time order, with its party: the conversation as read.
    public var turns: [(party: String, word: TranscriptWord)] {
        parties.flatMap { p in p.words.map { (p.party, $0) } }
            .sorted { ($0.1.startS, $0.0) < ($1.1.startS, $1.0) }
    }
}

/// The stored form of a party's words: a JSON array of `[start_cs, end_cs, confidence_pct,
/// "text"]` (centiseconds and whole percent keep it compact and exact).
public enum TranscriptCodec {
    public static func encode(_ words: [TranscriptWord]) -> String {
        var out = "["
        for (i, w) in words.enumerated() {
            if i > 0 { out += "," }
            let s = Int((w.startS * 100).rounded()), e = Int((w.endS * 100).rounded())
            let c = Int((min(1, max(0, w.confidence)) * 100).rounded())
            out += "[\(s),\(e),\(c),\(JSONText.string(w.text))]"
        }
        return out + "]"
    }

    /// nil when the text is not such an array.
    public static func decode(_ text: String) -> [TranscriptWord]? {
        guard let data = text.data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [[Any]] else { return nil }
        var words: [TranscriptWord] = []
        words.reserveCapacity(array.count)
        for item in array {
            guard item.count == 4, let s = (item[0] as? NSNumber)?.doubleValue, let e = (item[1] as? NSNumber)?.doubleValue,
                  let c = (item[2] as? NSNumber)?.doubleValue, let t = item[3] as? String else { return nil }
            words.append(TranscriptWord(text: t, startS: s / 100, endS: e / 100, confidence: c / 100))
        }
        return words
    }
}

/// Text as phrase criteria and the search compare it: lower case, diacritics and letter
/// case folded, apostrophes unified and dropped inside words (`don't` = `dont`), every
/// other character that is not a letter or a digit a word boundary.
public enum TranscriptText {
    /// Digit runs this long or longer are always redacted before storage (card, phone and
    /// account numbers); shorter ones only after a word that announces a code.
    public static let redactionMinDigits = 5

    /// The words of `text`, normalised; empty strings never occur.
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var out: [String] = []
        var current = ""
        for ch in folded {
            if ch.isLetter || ch.isNumber {
                current.append(ch)
            } else if ch == "'" || ch == "’" || ch == "`" || ch == "ʼ" {
                continue
            } else if !current.isEmpty {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// One transcript word normalised: its pieces joined (`e-mail` → `email`); empty for
    /// punctuation alone.
    public static func word(_ text: String) -> String { words(text).joined() }
}

/// What a stored transcript was made from: when any of it differs from what a run would use
/// now, the transcript is out of date and made again.
public struct TranscriptProvenance: Sendable, Equatable {
    /// The model file's name (`ggml-base-q8_0.bin`) and SHA-256.
    public var model: String
    public var modelSHA256: String
    /// `whisper.cpp 1.8.5`.
    public var engine: String
    /// The settings as JSON (`TranscriptionSettings.json`) and its hash.
    public var settings: String
    public var settingsHash: String
    /// The recording's SHA-256 and the analysis (analyzer version and parameters hash)
    /// whose speech segments were heard.
    public var contentSHA256: String
    public var analysisHash: String

    public init(model: String, modelSHA256: String, engine: String, settings: String, settingsHash: String,
                contentSHA256: String, analysisHash: String) {
        self.model = model
        self.modelSHA256 = modelSHA256
        self.engine = engine
        self.settings = settings
        self.settingsHash = settingsHash
        self.contentSHA256 = contentSHA256
        self.analysisHash = analysisHash
    }

    /// Why `stored` is out of date against this provenance; nil when it is current.
    public func staleness(of stored: TranscriptProvenance) -> String? {
        if stored.contentSHA256 != contentSHA256 { return "the recording changed" }
        if stored.analysisHash != analysisHash { return "the recording was analysed again" }
        if stored.modelSHA256 != modelSHA256 { return "another model (\(stored.model) → \(model))" }
        if stored.engine != engine { return "another engine (\(stored.engine) → \(engine))" }
        if stored.settingsHash != settingsHash { return "other settings" }
        return nil
    }
}

/// An analysed call as transcription needs it: its recording and analysis, each party's
/// speech segments and talk time, and its stored transcript's provenance, if any.
public struct TranscriptionCandidate: Sendable {
    public var callID: String
    public var queue: String?
    public var team: String?
    public var agentID: String?
    public var startedEpoch: Double
    public var recordingPath: String
    public var contentSHA256: String
    /// `analyzer_version` + `parameters_hash` of the analysis.
    public var analysisHash: String
    /// Channels of the file and the 1-based channels the analysis used (agent first on stereo).
    public var fileChannels: Int
    public var channelsUsed: [Int]
    public var durationS: Double
    /// `agent`, `customer` (stereo) or `mixed` (mono): speech segments (s) and talk time (s).
    public var parties: [(party: String, segments: [(startS: Double, endS: Double)], talkS: Double?)]
    public var stored: TranscriptProvenance?

    public init(callID: String, queue: String?, team: String?, agentID: String?, startedEpoch: Double, recordingPath: String,
                contentSHA256: String, analysisHash: String, fileChannels: Int, channelsUsed: [Int], durationS: Double,
                parties: [(party: String, segments: [(startS: Double, endS: Double)], talkS: Double?)], stored: TranscriptProvenance?) {
        self.callID = callID
        self.queue = queue
        self.team = team
        self.agentID = agentID
        self.startedEpoch = startedEpoch
        self.recordingPath = recordingPath
        self.contentSHA256 = contentSHA256
        self.analysisHash = analysisHash
        self.fileChannels = fileChannels
        self.channelsUsed = channelsUsed
        self.durationS = durationS
        self.parties = parties
        self.stored = stored
    }
}

/// A stored transcript with its provenance, as pages and reports show it.
public struct StoredTranscript: Sendable, Equatable {
    public var transcript: CallTranscript
    public var provenance: TranscriptProvenance
    public var wallS: Double
    public var transcribedAt: String

    public init(transcript: CallTranscript, provenance: TranscriptProvenance, wallS: Double, transcribedAt: String) {
        self.transcript = transcript
        self.provenance = provenance
        self.wallS = wallS
        self.transcribedAt = transcribedAt
    }
}

/// One call found by a transcript search.
public struct TranscriptHit: Sendable, Equatable {
    public var callID: String
    public var party: String
    /// The words around the match, the matched ones between `[` and `]`.
    public var snippet: String

    public init(callID: String, party: String, snippet: String) {
        self.callID = callID
        self.party = party
        self.snippet = snippet
    }
}

/// A search typed by a person, made safe for SQLite's FTS5: words (letters and digits
/// only) all of which must occur, and "quoted phrases" whose words must occur in order.
/// Nothing else of FTS5's syntax gets through.
public struct TranscriptQuery: Sendable, Equatable {
    /// Each term is one word, or several that must be adjacent.
    public var terms: [[String]]

    public init?(_ text: String) {
        var terms: [[String]] = []
        var inQuote = false
        for (i, part) in text.split(separator: "\"", omittingEmptySubsequences: false).enumerated() {
            inQuote = i % 2 == 1
            let words = TranscriptText.words(String(part)).map { String($0.prefix(64)) }
            if inQuote { if !words.isEmpty { terms.append(words) } } else { terms += words.map { [$0] } }
        }
        guard !terms.isEmpty else { return nil }
        self.terms = Array(terms.prefix(16))
    }

    /// The FTS5 MATCH expression: each term a quoted string (`"thank you" "calling"`).
    public var match: String {
        terms.map { "\"" + $0.joined(separator: " ") + "\"" }.joined(separator: " ")
    }

    /// As typed back to a person: `thank you, calling`.
    public var label: String {
        terms.map { $0.count > 1 ? "\"" + $0.joined(separator: " ") + "\"" : $0[0] }.joined(separator: " ")
    }
}
