/// Syllabic modulation: how much a channel's level swings at the pace of syllables. A voice
/// rises and falls 8–10 dB three to six times a second, whatever the line: on a 5 dB line its
/// syllables still come out of the noise and fall back into it. Music on hold under the line's
/// noise hums along at one level: on the accuracy sets' 10 and 5 dB calls (a first look, over
/// whole utterances), the 1st percentile of speech utterances' swing was 0.59–0.63 of their
/// channel's median, the median of the music the detector took for talk 0.34–0.35 of it.
///
/// Per frame, the frame's level (dB) less its level over the last 0.25 s: the mean of the
/// last 5 frames' dB less the mean of the last 25 frames' (a band pass of about 2–10 Hz on the
/// level). Beside it the spectral swing (`add(power:bands:)`): how far the frame's spectral
/// shape lies from the shape of the last 0.25 s. Their running sums over every decided frame
/// (`ModulationSums`) give the swings of any stretch as a difference of two marks, as the dips
/// do (`RegionDecider`): no list grows with the call.
struct SyllabicModulationMeter: Sendable {
    /// Running sums over every frame taken so far.
    private(set) var sums = ModulationSums()
    /// The last 25 frames' levels (dB), a ring; `next` is the oldest's slot. Inline: no
    /// uniqueness check of a buffer per frame.
    private var ring = InlineArray<25, Float>(repeating: 0)
    private var next = 0
    private var short = 0.0, long = 0.0
    private var filled = false

    /// The last 25 frames' spectral shapes (`add(power:bands:)`), a ring beside `ring`, and
    /// their sum (single precision, summed afresh from the ring each time it comes round: no
    /// drift, and no conversion to double per frame).
    private var shapes = InlineArray<25, SIMD4<Float>>(repeating: .zero)
    private var shapeSum = SIMD4<Float>.zero

    /// Takes the next frame's power (full scale², > 0) and its noise-whitened band SNRs
    /// (`ChannelDetector`: band power over the band's noise and expected echo).
    ///
    /// The spectral swing: the frame's spectral shape (its four bands' SNRs in dB less their
    /// mean, so the level is out of it) less the shape's mean over the last 0.25 s; the sum of
    /// its squares over the bands. A voice moves its formants from sound to sound (a vowel,
    /// a fricative, a nasal) several times a second; music holds its timbre for notes and
    /// bars. On the accuracy sets' seen utterances (analyzer 21's, 9,000 of them) the
    /// lowest speech utterance's RMS swing was 0.60–0.73 of its channel's median, the median
    /// music the detector took for talk 0.51 (10 dB lines) to 0.65 (20 dB); the level swing
    /// tells them apart less well (the music 0.33–0.43, the lowest speech 0.37–0.57).
    @inline(__always)
    mutating func add(power: Float, bands: SIMD4<Float>) {
        // Band SNRs floored at −30 dB (a band with no noise measured yet — its SNR negative —
        // or not finite, or 1e12 and over, taken as that floor): a band deep under its noise
        // has no shape to give, and `fastDB` reads bits, not values, outside (0, ∞).
        let floor = SIMD4<Float>(repeating: 1e-3)
        let b = floor.replacing(with: bands, where: bands .> floor .& bands .< SIMD4(repeating: 1e12))
        let logs = fastDB(SIMD8(lowHalf: SIMD4(power, 1, 1, 1), highHalf: b))
        // Digital silence (a clean line's pauses) counts as −100 dBFS, not −200.
        let db = max(logs[0], -100)
        let l = logs.highHalf
        let shape = l - l.sum() / 4
        if !filled {
            // The first frame fills the rings: no swing before there is a level to swing from.
            for k in 0..<25 { ring[k] = db; shapes[k] = shape }
            short = 5 * Double(db)
            long = 25 * Double(db)
            shapeSum = shape * 25
            filled = true
        }
        let oldest = ring[next]
        let fifthBack = ring[(next + 20) % 25]
        let oldestShape = shapes[next]
        ring[next] = db
        shapes[next] = shape
        next = next == 24 ? 0 : next + 1
        short += Double(db) - Double(fifthBack)
        long += Double(db) - Double(oldest)
        if next == 0 {
            shapeSum = .zero
            for k in 0..<25 { shapeSum += shapes[k] }
        } else {
            shapeSum += shape - oldestShape
        }
        let swing = short / 5 - long / 25
        let change = shape - shapeSum * (1 / 25)
        sums.frames += 1
        sums.sum += swing
        sums.sumSquares += swing * swing
        sums.spectralSquares += Double((change * change).sum())
    }

    /// `add(power:bands:)` with a flat spectrum (tests of the level swing alone).
    mutating func add(power: Float) { add(power: power, bands: SIMD4(repeating: 1)) }
}

/// Running sums of the per-frame swing (`SyllabicModulationMeter`); a stretch's own are the
/// difference of its two marks.
struct ModulationSums: Sendable, Equatable {
    var frames = 0
    var sum = 0.0
    var sumSquares = 0.0
    /// The sum of the per-frame spectral swings (squared, dB²).
    var spectralSquares = 0.0

    static func - (a: ModulationSums, b: ModulationSums) -> ModulationSums {
        ModulationSums(frames: a.frames - b.frames, sum: a.sum - b.sum, sumSquares: a.sumSquares - b.sumSquares,
                       spectralSquares: a.spectralSquares - b.spectralSquares)
    }

    /// The RMS spectral swing (dB), nil without frames.
    var spectralDB: Double? {
        guard frames > 0 else { return nil }
        return max(0, spectralSquares / Double(frames)).squareRoot()
    }

    /// The standard deviation of the swing (dB), nil without frames.
    var depthDB: Double? {
        guard frames > 0 else { return nil }
        let mean = sum / Double(frames)
        return max(0, sumSquares / Double(frames) - mean * mean).squareRoot()
    }
}

/// A channel's own talk's syllabic modulation so far: the frame-weighted median depth of the
/// utterances taken as talk before, and the median of their spectral swings (two histograms
/// of 0.1 dB bins up to 25 dB; memory fixed).
/// Causal and per channel, so a stretch is judged against the same line's talker, whatever
/// the noise, and the same way however the call is cut into settled stretches.
///
/// Stereo only (`judges`): a mono recording holds both parties, and the quieter one swings less
/// (its syllables sink into the noise sooner) — a 5 dB line's second voice was taken for flat.
public struct SyllabicReference: Sendable, Equatable {
    private var bins = [Int](repeating: 0, count: 250)
    /// The same of the talk's spectral swing (`ModulationSums.spectralDB`).
    private var spectralBins = [Int](repeating: 0, count: 250)
    /// Frames of talk behind it.
    public private(set) var frames = 0
    /// Whether stretches are judged against it at all (a stereo call's channel: one party).
    public let judges: Bool

    public init(judges: Bool = true) {
        self.judges = judges
    }

    /// Adds a stretch of talk: its level swing and spectral swing (dB), `n` frames long.
    mutating func add(depthDB: Double, spectralDB: Double, frames n: Int) {
        guard n > 0, depthDB.isFinite, spectralDB.isFinite else { return }
        bins[min(249, max(0, Int(depthDB * 10)))] += n
        spectralBins[min(249, max(0, Int(spectralDB * 10)))] += n
        frames += n
    }

    /// The median depth (dB, the middle of its 0.1 dB bin), nil without talk.
    var medianDB: Double? { Self.median(bins, frames) }

    /// The median spectral swing (dB, the middle of its 0.1 dB bin), nil without talk.
    var spectralMedianDB: Double? { Self.median(spectralBins, frames) }

    private static func median(_ bins: [Int], _ frames: Int) -> Double? {
        guard frames > 0 else { return nil }
        var seen = 0
        for (k, n) in bins.enumerated() {
            seen += n
            if 2 * seen >= frames { return (Double(k) + 0.5) / 10 }
        }
        return nil
    }
}
