import AudioIO
import CallQAModel
import Foundation

/// What changes a transcript besides the model and the recording: stored with it (as JSON
/// and its hash), so a change makes every transcript made otherwise out of date.
public struct TranscriptionSettings: Sendable, Equatable {
    /// Longest recogniser window (s), 5–28.
    public var windowS = 25.0
    /// Added before and after each speech segment (s), 0–1.
    public var padS = 0.2
    /// Silence between pieces of a window (s), 0.1–2.
    public var gapS = 0.3
    /// Transcribe the customer's channel (stereo); false leaves it out entirely.
    public var customerChannel = true
    /// Replace digit runs before storage (see `Redactor`). On by default.
    public var redact = true
    /// One language for every call (`en`, `ru`); nil: per queue, else detected.
    public var language: String?
    /// A language per queue name (case-insensitive), before `language` and detection.
    public var languagesByQueue: [String: String] = [:]
    /// Detection picks among these (`[en, de, ru]`); empty: any language whisper knows.
    public var detectAmong: [String] = []

    public init() {}

    /// The settings as stored (keys sorted; the transcriber's version included, so a change
    /// of how windows or words are made re-runs transcripts as a setting change does).
    public var json: String {
        let queues = languagesByQueue.sorted { $0.key < $1.key }.map { (JSONText.string($0.key), JSONText.string($0.value)) }
        return JSONText.object([
            ("customer_channel", customerChannel ? "true" : "false"),
            ("detect_among", "[" + detectAmong.map(JSONText.string).joined(separator: ",") + "]"),
            ("gap_s", JSONValueText.number(gapS)),
            ("language", language.map(JSONText.string) ?? "null"),
            ("languages_by_queue", "{" + queues.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"),
            ("pad_s", JSONValueText.number(padS)),
            ("redact", redact ? "true" : "false"),
            ("transcriber", JSONText.string(CallTranscriber.version)),
            ("window_s", JSONValueText.number(windowS)),
        ])
    }

    /// The language set for a queue (`languagesByQueue`, else `language`); nil: detect.
    public func language(forQueue queue: String?) -> (code: String, source: String)? {
        if let q = queue?.lowercased(), let code = languagesByQueue.first(where: { $0.key.lowercased() == q })?.value {
            return (code, "queue")
        }
        return language.map { ($0, "setting") }
    }
}

enum JSONValueText {
    static func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}

/// One call to transcribe: the recording, how its channels map to parties, and each
/// party's speech segments and talk time from its analysis.
public struct TranscriptionJob: Sendable {
    public var callID: String
    public var path: String
    public var queue: String?
    /// `agent`/`customer` → 0-based channel of the file (stereo), or `mixed` → its channel (mono).
    public var channels: [String: Int]
    /// Channels the file had when analysed.
    public var fileChannels: Int
    public var durationS: Double
    /// Each party's speech (s) and talk time (s).
    public var parties: [(party: String, segments: [(startS: Double, endS: Double)], talkS: Double?)]

    public init(callID: String, path: String, queue: String?, channels: [String: Int], fileChannels: Int, durationS: Double,
                parties: [(party: String, segments: [(startS: Double, endS: Double)], talkS: Double?)]) {
        self.callID = callID
        self.path = path
        self.queue = queue
        self.channels = channels
        self.fileChannels = fileChannels
        self.durationS = durationS
        self.parties = parties
    }
}

/// What a transcription measured besides the transcript.
public struct TranscriptionStats: Sendable, Equatable {
    /// Speech given to the recogniser (s), every party.
    public var speechS = 0.0
    /// Recogniser windows run.
    public var windows = 0
}

/// Transcribes one call: plans each party's windows from its speech segments, streams the
/// recording once (libsndfile, block by block), cuts each window's pieces out of the party's
/// channel, converts them to 16 kHz and runs the recogniser as soon as a window is whole.
/// Memory holds one window per party, not the call.
public struct CallTranscriber {
    /// Version of how windows, words and redaction are made; part of the stored settings.
    public static let version = "callqa-transcribe 2"
    /// Language detection waits for a window with this much speech (s), else takes the first.
    public static let detectionSpeechS = 4.0

    public let settings: TranscriptionSettings

    public init(settings: TranscriptionSettings) {
        self.settings = settings
    }

    public func transcribe(_ job: TranscriptionJob, session: WhisperSession) throws(TranscriptionError) -> (CallTranscript, TranscriptionStats) {
        let source: SndFileSource
        do { source = try SndFileSource(path: job.path) } catch { throw .audio(path: job.path, reason: error.description) }
        guard source.format.channels == job.fileChannels else {
            throw .channels(path: job.path, expected: job.fileChannels, found: source.format.channels)
        }
        let rate = Double(source.format.sampleRate)
        let resampler = Resampler(from: source.format.sampleRate)
        struct PartyState {
            var party: String
            var channel: Int
            var windows: [SpeechWindow]
            var talkS: Double?
            var window = 0
            var piece = 0
            var pieceSamples: [Float] = []
            var windowSamples: [Float] = []
            var words: [TranscriptWord] = []
            var skipped: String?
            var speechS: Double = 0
        }
        var states: [PartyState] = []
        for p in job.parties {
            guard let channel = job.channels[p.party] else { continue }
            var state = PartyState(party: p.party, channel: channel, windows: [], talkS: p.talkS)
            if p.party == "customer" && !settings.customerChannel {
                state.skipped = "customer channel not transcribed (transcription.customer_channel: false)"
            } else {
                state.windows = WindowPlanner.plan(segments: p.segments, durationS: job.durationS, maxWindowS: settings.windowS,
                                                   padS: settings.padS, gapS: settings.gapS)
                state.speechS = state.windows.reduce(0) { $0 + $1.speechS }
            }
            states.append(state)
        }
        var stats = TranscriptionStats()
        stats.speechS = states.reduce(0) { $0 + $1.speechS }
        // The language: fixed by the model or the settings, else detected on the first window
        // with enough speech (windows wait for it).
        var language: (code: String, source: String, probability: Double?)?
        if !session.model.isMultilingual {
            language = ("en", "model", nil)
        } else if let set = settings.language(forQueue: job.queue) {
            language = (set.code, set.source, nil)
        }
        var pending: [(state: Int, window: Int, samples: [Float])] = []
        func run(_ s: Int, _ w: Int, _ samples: [Float], language code: String) throws(TranscriptionError) {
            let segments = try session.transcribe(samples: samples, language: code)
            states[s].words += WordAssembler.words(segments, window: states[s].windows[w])
            stats.windows += 1
        }
        func windowReady(_ s: Int, _ w: Int, _ samples: [Float]) throws(TranscriptionError) {
            if let language {
                try run(s, w, samples, language: language.code)
                return
            }
            pending.append((s, w, samples))
            if states[s].windows[w].speechS >= Self.detectionSpeechS, let found = session.detectLanguage(samples: samples, among: settings.detectAmong) {
                language = (found.code, "detected", found.probability)
                for p in pending { try run(p.state, p.window, p.samples, language: found.code) }
                pending = []
            }
        }
        var block = AudioBlock(channelCount: source.format.channels, capacity: 8192)
        var frame: Int64 = 0
        while true {
            let n: Int
            do { n = try source.read(into: &block) } catch { throw .audio(path: job.path, reason: error.description) }
            if n == 0 { break }
            let blockStart = frame
            frame += Int64(n)
            for s in states.indices {
                while states[s].window < states[s].windows.count {
                    let w = states[s].window
                    let piece = states[s].windows[w].pieces[states[s].piece]
                    let a = Int64((piece.startS * rate).rounded()), b = Int64((piece.endS * rate).rounded())
                    let from = max(a, blockStart), to = min(b, frame)
                    if to > from {
                        let channel = block.channels[states[s].channel]
                        states[s].pieceSamples += channel[Int(from - blockStart)..<Int(to - blockStart)]
                    }
                    guard b <= frame else { break }   // the piece goes on in the next block
                    // The piece is whole: at 16 kHz, into its place in the window.
                    let converted = resampler.convert(states[s].pieceSamples)
                    states[s].pieceSamples.removeAll(keepingCapacity: true)
                    let at = Int((piece.windowStartS * 16_000).rounded())
                    if states[s].windowSamples.count < at {
                        states[s].windowSamples += [Float](repeating: 0, count: at - states[s].windowSamples.count)
                    }
                    states[s].windowSamples += converted
                    states[s].piece += 1
                    if states[s].piece == states[s].windows[w].pieces.count {
                        let samples = states[s].windowSamples
                        states[s].windowSamples = []
                        states[s].piece = 0
                        states[s].window += 1
                        try windowReady(s, w, samples)
                    }
                }
            }
        }
        // A recording shorter than its analysis said (truncated since): what was read counts.
        for s in states.indices where states[s].window < states[s].windows.count {
            let w = states[s].window
            if !states[s].pieceSamples.isEmpty {
                let piece = states[s].windows[w].pieces[states[s].piece]
                let at = Int((piece.windowStartS * 16_000).rounded())
                if states[s].windowSamples.count < at {
                    states[s].windowSamples += [Float](repeating: 0, count: at - states[s].windowSamples.count)
                }
                states[s].windowSamples += resampler.convert(states[s].pieceSamples)
            }
            if !states[s].windowSamples.isEmpty { try windowReady(s, w, states[s].windowSamples) }
            states[s].window = states[s].windows.count
        }
        if !pending.isEmpty {
            // No window had enough speech: detect on the longest one.
            let longest = pending.max { $0.samples.count < $1.samples.count }!
            let found = session.detectLanguage(samples: longest.samples, among: settings.detectAmong)
            language = (found?.code ?? "en", found == nil ? "default" : "detected", found?.probability)
            for p in pending { try run(p.state, p.window, p.samples, language: language!.code) }
        }
        var parties: [PartyTranscript] = []
        for (n, s) in states.enumerated() {
            var words = s.words.sorted { $0.startS < $1.startS }
            var runs = 0
            // A code the other party asked for is redacted from this party's answer.
            let others = states.indices.filter { $0 != n }.flatMap { states[$0].words }
            if settings.redact { (words, runs) = Redactor.redact(words, otherParty: others) }
            parties.append(PartyTranscript(party: s.party, words: words, speechS: s.speechS, talkS: s.talkS, redactions: runs, skipped: s.skipped))
        }
        let lang = language ?? (settings.language ?? "en", settings.language == nil ? "none" : "setting", nil)
        return (CallTranscript(callID: job.callID, language: lang.code, languageSource: lang.source,
                               languageProbability: lang.probability, parties: parties), stats)
    }
}
