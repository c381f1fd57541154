/// Syllabic modulation: how much a channel's level swings at the pace of syllables. A voice
/// rises and falls 8–10 dB three to six times a second, whatever the line: on a 5 dB line its
/// syllables still come out of the noise and fall back into it. Music on hold under the line's
/// noise hums along at one level: on the accuracy sets' 10 and 5 dB calls (a first look, over
/// whole utterances), the 1st percentile of speech utterances' swing was 0.59–0.63 of their
/// channel's median, the median of the music the detector took for talk 0.34–0.35 of it.
///
/// Per frame, the frame's level (dB) less its level over the last 0.25 s: the mean of the
/// last 5 frames' dB less the mean of the last 25 frames' (a band pass of about 2–10 Hz on the
/// level). Its running sums over every decided frame (`ModulationSums`) give the swing of any
/// stretch as a difference of two marks, as the dips do (`RegionDecider`): no list grows with
/// the call.
struct SyllabicModulationMeter: Sendable {
    /// Running sums over every frame taken so far.
    private(set) var sums = ModulationSums()
    /// The last 25 frames' levels (dB), a ring; `next` is the oldest's slot. Inline: no
    /// uniqueness check of a buffer per frame.
    private var ring = InlineArray<25, Float>(repeating: 0)
    private var next = 0
    private var short = 0.0, long = 0.0
    private var filled = false

    /// Takes the next frame's power (full scale², > 0).
    @inline(__always)
    mutating func add(power: Float) {
        // Digital silence (a clean line's pauses) counts as −100 dBFS, not −200.
        let db = max(fastDB(power), -100)
        if !filled {
            // The first frame fills the ring: no swing before there is a level to swing from.
            for k in 0..<25 { ring[k] = db }
            short = 5 * Double(db)
            long = 25 * Double(db)
            filled = true
        }
        let oldest = ring[next]
        let fifthBack = ring[(next + 20) % 25]
        ring[next] = db
        next = next == 24 ? 0 : next + 1
        short += Double(db) - Double(fifthBack)
        long += Double(db) - Double(oldest)
        let swing = short / 5 - long / 25
        sums.frames += 1
        sums.sum += swing
        sums.sumSquares += swing * swing
    }
}

/// Running sums of the per-frame swing (`SyllabicModulationMeter`); a stretch's own are the
/// difference of its two marks.
struct ModulationSums: Sendable, Equatable {
    var frames = 0
    var sum = 0.0
    var sumSquares = 0.0

    static func - (a: ModulationSums, b: ModulationSums) -> ModulationSums {
        ModulationSums(frames: a.frames - b.frames, sum: a.sum - b.sum, sumSquares: a.sumSquares - b.sumSquares)
    }

    /// The standard deviation of the swing (dB), nil without frames.
    var depthDB: Double? {
        guard frames > 0 else { return nil }
        let mean = sum / Double(frames)
        return max(0, sumSquares / Double(frames) - mean * mean).squareRoot()
    }
}

/// A channel's own talk's syllabic modulation so far: the frame-weighted median depth of the
/// utterances taken as talk before (a histogram of 0.1 dB bins up to 25 dB; memory fixed).
/// Causal and per channel, so a stretch is judged against the same line's talker, whatever
/// the noise, and the same way however the call is cut into settled stretches.
///
/// Stereo only (`judges`): a mono recording holds both parties, and the quieter one swings less
/// (its syllables sink into the noise sooner) — a 5 dB line's second voice was taken for flat.
public struct SyllabicReference: Sendable, Equatable {
    private var bins = [Int](repeating: 0, count: 250)
    /// Frames of talk behind it.
    public private(set) var frames = 0
    /// Whether stretches are judged against it at all (a stereo call's channel: one party).
    public let judges: Bool

    public init(judges: Bool = true) {
        self.judges = judges
    }

    mutating func add(depthDB: Double, frames n: Int) {
        guard n > 0, depthDB.isFinite else { return }
        bins[min(249, max(0, Int(depthDB * 10)))] += n
        frames += n
    }

    /// The median depth (dB, the middle of its 0.1 dB bin), nil without talk.
    var medianDB: Double? {
        guard frames > 0 else { return nil }
        var seen = 0
        for (k, n) in bins.enumerated() {
            seen += n
            if 2 * seen >= frames { return (Double(k) + 0.5) / 10 }
        }
        return nil
    }
}
