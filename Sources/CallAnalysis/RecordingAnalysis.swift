/// What a recording is, as the reader described it.
public struct RecordingInfo: Sendable, Equatable {
    /// Container, e.g. "WAV", "FLAC", "MPEG".
    public var container: String
    /// Encoding, e.g. "PCM16", "µ-law", "GSM 6.10".
    public var encoding: String
    /// Hz.
    public var sampleRate: Int
    public var channels: Int
    /// Frames the header declares.
    public var frames: Int64

    public init(container: String, encoding: String, sampleRate: Int, channels: Int, frames: Int64) {
        self.container = container
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        self.frames = frames
    }
}

/// Which stereo channel carries the agent.
public enum AgentChannel: String, Sendable, CaseIterable, Codable {
    case left, right

    /// 0 for left, 1 for right.
    public var index: Int { self == .left ? 0 : 1 }
}

/// How to analyse recordings.
public struct AnalysisOptions: Sendable, Equatable {
    public var parameters = AnalysisParameters()
    public var agentChannel: AgentChannel = .left
    /// For files with more than two channels: the 0-based channels to analyse, in order
    /// (agent, customer), or one channel for mono analysis. Ignored when nil.
    public var channelSelection: [Int]?
    /// Frames per read; memory is bounded by this. 16,384 (2 s at 8 kHz, 128 kB of floats
    /// for a stereo call): the analysis's work per block (the reader's call into libsndfile
    /// and its read, the detectors' and extractors' set-up, the settled stretches handed
    /// over) cost 3–4 % of a one-hour call at 4,096; the results do not depend on it.
    public var blockFrames = 16_384
    /// The site's hold music and announcements (`--hold-music`): where one plays it is hold,
    /// never talk. nil: none given.
    public var knownAudio: KnownAudioLibrary?

    public init() {}
}

/// Everything measured about one recording.
public struct RecordingAnalysis: Sendable, Equatable {
    public var file: String
    public var format: RecordingInfo
    public var metrics: ConversationMetrics
    public var options: AnalysisOptions
    /// Channels analysed, 0-based, in the order (agent, customer) or (mixed).
    public var channelsUsed: [Int]
    /// Set when the data is shorter than the header declares.
    public var truncation: (declaredBytes: Int64, presentBytes: Int64)?
    public var nonFiniteSamples: Int64
    /// Per channel analysed (`channelsUsed`' order): the stretches step 6 judged music on hold as
    /// a whole (`ChannelActivity.judgedHold`), what `callqa learn-hold-music` keeps.
    public var judgedHold: [[FrameSpan]] = []

    public init(file: String, format: RecordingInfo, metrics: ConversationMetrics, options: AnalysisOptions,
                channelsUsed: [Int], truncation: (declaredBytes: Int64, presentBytes: Int64)?, nonFiniteSamples: Int64) {
        self.file = file
        self.format = format
        self.metrics = metrics
        self.options = options
        self.channelsUsed = channelsUsed
        self.truncation = truncation
        self.nonFiniteSamples = nonFiniteSamples
    }

    public static func == (a: RecordingAnalysis, b: RecordingAnalysis) -> Bool {
        a.file == b.file && a.format == b.format && a.metrics == b.metrics && a.options == b.options
            && a.channelsUsed == b.channelsUsed && a.truncation?.declaredBytes == b.truncation?.declaredBytes
            && a.truncation?.presentBytes == b.truncation?.presentBytes && a.nonFiniteSamples == b.nonFiniteSamples
            && a.judgedHold == b.judgedHold
    }
}

