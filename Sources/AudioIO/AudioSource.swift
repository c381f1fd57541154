/// What a recording is: container, encoding, rate, channels and length.
public struct AudioFormat: Sendable, Equatable {
    /// Container name, e.g. `"WAV"`, `"FLAC"`, `"MP3"`.
    public var container: String
    /// Sample encoding, e.g. `"PCM16"`, `"µ-law"`, `"GSM 6.10"`.
    public var encoding: String
    /// Samples per second per channel (Hz), > 0.
    public var sampleRate: Int
    /// Number of interleaved channels, ≥ 1.
    public var channels: Int
    /// Frames the file declares (one frame = one sample per channel).
    public var frames: Int64

    public init(container: String, encoding: String, sampleRate: Int, channels: Int, frames: Int64) {
        self.container = container
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        self.frames = frames
    }

    /// `"WAV µ-law"`-style label for reports.
    public var label: String { "\(container) \(encoding)" }
}

/// A block of de-interleaved samples, reused between reads so that streaming
/// allocates nothing per block. Samples are floats, full scale = ±1.0.
public struct AudioBlock: Sendable {
    /// One buffer per channel; only the first `frameCount` samples of each are valid.
    public var channels: [[Float]]
    /// Number of valid frames in this block.
    public var frameCount: Int

    /// Creates an empty block able to hold `capacity` frames of `channelCount` channels.
    public init(channelCount: Int, capacity: Int) {
        channels = Array(repeating: [Float](repeating: 0, count: capacity), count: channelCount)
        frameCount = 0
    }

    /// Frames one read may fill.
    public var capacity: Int { channels.first?.count ?? 0 }
}

/// A stream of audio that can be read block by block.
///
/// The libsndfile reader (`SndFileSource`) and the in-memory `MemorySource`
/// used by tests both conform.
public protocol AudioSource {
    /// The stream's format, known after opening.
    var format: AudioFormat { get }
    /// Fills `block` with up to `block.capacity` frames; returns the number read, 0 at end.
    mutating func read(into block: inout AudioBlock) throws(AudioIOError) -> Int
}

/// An audio source over samples held in memory (tests, generated signals).
public struct MemorySource: AudioSource {
    public let format: AudioFormat
    private let samples: [[Float]]
    private var position = 0

    /// `samples[c]` is channel c; all channels must have the same length.
    public init(samples: [[Float]], sampleRate: Int) {
        precondition(!samples.isEmpty, "at least one channel")
        self.samples = samples
        format = AudioFormat(container: "memory", encoding: "float", sampleRate: sampleRate,
                             channels: samples.count, frames: Int64(samples[0].count))
    }

    public mutating func read(into block: inout AudioBlock) throws(AudioIOError) -> Int {
        let total = samples[0].count
        let n = min(block.capacity, total - position)
        guard n > 0 else { block.frameCount = 0; return 0 }
        for c in 0..<samples.count {
            for i in 0..<n { block.channels[c][i] = samples[c][position + i] }
        }
        position += n
        block.frameCount = n
        return n
    }
}
