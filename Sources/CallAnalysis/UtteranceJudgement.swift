/// How step 6 (`ConversationAnalyzer.activity`) judged one utterance of a channel, with the
/// figures it was judged on: what `vadtrace --utterances` prints, so that a stretch taken for
/// talk, hold or neither can be traced to its rule (the README's step 6). Recorded only when
/// frames are recorded (`ConversationAnalyzer(recordFrames:)`); the site's hold-music library
/// (`KnownAudioLibrary`) is applied after it and is not among these.
public struct UtteranceJudgement: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        /// Music on hold as a whole (dips like music for its held notes and steadiness, or holds
        /// its level).
        case hold
        /// A member region of an utterance that is hold on its own (words ran into it).
        case holdRegion
        /// The music side of an utterance split where words meet music.
        case musicSplitFromWords
        /// The words side of such a split: talk.
        case wordsSplitFromMusic
        /// Flat: its level or its spectrum swings far less than its line's talk so far.
        case flat
        /// A member region of a talk utterance that is flat on its own.
        case flatRegion
        /// Talk (and counted in its line's talk so far).
        case talk
        /// A piece within reach of hold on the line, chained to it (music cut by its quiet
        /// passages): hold, whatever it was judged before.
        case chainedToHold
    }

    /// The rule that made a stretch flat or hold (`AnalysisParameters` holds each one's figures).
    public enum Rule: String, Sendable {
        /// Swinging less in level and spectrum than any voice does, 1.5 s or more
        /// (`absoluteFlatLevelDB`), whatever the line's talk.
        case floor
        /// The same for a whole utterance of 0.6–1.5 s (`shortFlatLevelDB`).
        case shortFloor
        /// A whole utterance of 0.6–1.5 s with both swings far under the line's talk's (`shortFlatShare`).
        case shortAgainstTalk
        /// A whole utterance under 0.6 s whose level barely swings, against the line's talk and
        /// in dB (`briefFlatShare`, `briefFlatLevelDB`): no syllable's onset.
        case brief
        /// A whole utterance of 0.6–1.5 s whose level swings far under the line's talk's, that
        /// dips like music and holds notes (`shortMusicLevelShare`, `shortMusicHeldPeaks`).
        case shortLikeMusic
        /// Its level's swing far under the line's talk's and under the cap (`flatShare`, `flatMaxDepthDB`).
        case level
        /// Its spectrum's swing far under the line's talk's (`spectralFlatShare`).
        case spectrum
        /// Hold: dips like music (`holdMargin` under 0).
        case dips
        /// Hold: holds its level (`levelAllowance`), not swinging in level and spectrum as the
        /// line's talk does (`heldLevelTalkShare`).
        case heldLevel
        /// Hold: holds notes and dips faster than any voice (`speechMaxDipsPerS`).
        case beat
    }

    /// The utterance (frames, padded).
    public var span: FrameSpan
    public var verdict: Verdict
    /// Which rule decided a flat or hold verdict (nil for the others and for the music side of a
    /// split; a region joined from flat members, by the first member's rule where the joined
    /// region is not flat as a whole).
    public var rule: Rule?
    /// Its level's and its spectrum's syllabic swings (dB; `SyllabicModulationMeter`), nil
    /// where not measured (a mono recording's, and a chained piece's).
    public var levelSwingDB: Double?
    public var spectralSwingDB: Double?
    /// Its line's talk so far when it was judged (`SyllabicReference`): the median swings and
    /// the frames of talk behind them (nil for a chained piece: not judged against it).
    public var levelReferenceDB: Double?
    public var spectralReferenceDB: Double?
    public var referenceFrames: Int?
    /// Dips per second over the most a hold region may have (negative: dips like music;
    /// `AnalysisParameters.holdMargin`), its mean held peaks per measurement and its steady share.
    public var dipMargin: Double?
    public var heldPeaks: Double?
    public var steadyShare: Double?

    public init(span: FrameSpan, verdict: Verdict, rule: Rule? = nil, levelSwingDB: Double? = nil, spectralSwingDB: Double? = nil,
                levelReferenceDB: Double? = nil, spectralReferenceDB: Double? = nil, referenceFrames: Int? = nil,
                dipMargin: Double? = nil, heldPeaks: Double? = nil, steadyShare: Double? = nil) {
        self.span = span
        self.verdict = verdict
        self.rule = rule
        self.levelSwingDB = levelSwingDB
        self.spectralSwingDB = spectralSwingDB
        self.levelReferenceDB = levelReferenceDB
        self.spectralReferenceDB = spectralReferenceDB
        self.referenceFrames = referenceFrames
        self.dipMargin = dipMargin
        self.heldPeaks = heldPeaks
        self.steadyShare = steadyShare
    }
}
