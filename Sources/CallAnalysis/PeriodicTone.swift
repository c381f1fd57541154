/// Tells exactly periodic tones from voices: beeps and buzzers of any waveform (a sine of
/// any frequency, a square or sawtooth wave, a tone with harmonics) repeat themselves
/// sample for sample, period after period, at one level. Many harmonics defeat the order-4
/// predictor of the per-frame tone test (a 300 Hz sawtooth holds 11 harmonics in the
/// telephone band and predicts no better than a vowel), hiss defeats it for a sine under
/// about 15 dB, and such tones are no call-progress plan.
///
/// The test: the normalised difference between a frame and the signal `lag` samples
/// earlier, d = Σ(x − x₋L)² / (Σx² + Σx₋L²) (each sum about its mean, so a DC offset
/// neither hides nor fakes a repetition), with L between 15 and 30 ms, i.e. one or more
/// whole periods of any tone above 33 Hz. An exact repetition gives d ≈ 0; white noise adds
/// about noise / (tone + noise), so the line's noise (1.5 × its quietest frame of the last
/// 4–5 s, at most a fifth of the frame's power) is taken off both sums first, and the
/// threshold grows with the noise share. A voice repeats itself only roughly over 15–30 ms:
/// its pitch drifts, its vocal tract moves, its level swells.
///
/// Frames count while d stays under the threshold at one lag and the level (a 30 ms
/// average) within ±2 dB of where the run began. The detector makes a tone of `minFrames`
/// (0.25 s). Over the 5,896 voice files of the call-progress fit's check (1.75 million
/// frames: the asterisk prompts, the accuracy harness's espeak-ng utterances, the sample
/// calls) and 1,448 noisy copies of 724 prompts (10 and 5 dB white noise; PCM, µ-law, GSM),
/// no voice made a run of 20 frames; runs of 15 were made tones in 3 noisy copies. Tones
/// 5 dB or more over white noise run whole through PCM and µ-law, and through GSM 6.10 for
/// harmonic tones; GSM at 10 dB and under breaks sines apart (their level shakes by
/// several dB; see `SineToneFit`).
///
/// Cost: the lag is searched (every lag from 15 to 30 ms, one dot product each) only after
/// `searchStreak` frames in a row of one shape and level, clearly over the line's quietest,
/// and again every `searchEvery` frames while the streak lasts; while a lag holds, one
/// difference per sample. Voices seldom hold still that long: about 1,900 searches in an
/// hour of a stereo call. This test and the sine fit it cues (`SineToneFit`) cost 10–12 %
/// of the analysis (README, step 5c).
struct PeriodicToneTest: Sendable {
    /// Frames of one shape and level before a lag is searched (and between searches).
    static let searchStreak = 6
    /// Frames between two searches while a streak lasts and no lag holds.
    static let searchEvery = 6
    /// Periodic frames in a row that make a tone (`PeriodicToneTracker`): 0.25 s, short enough
    /// for a special information tone's 0.33 s segments once the search has found the lag.
    static let minFrames = 25
    /// Failing frames a run may hold between two repeating ones.
    static let maxMisses = 1
    /// Level a run may wander from where it began: ±2 dB.
    static let levelRatio: Float = 1.585
    /// The most of a frame's power the noise correction may take off.
    static let noiseCap: Float = 0.2
    /// The line's mean noise power over its quietest 10 ms frame of the last 4–5 s: of
    /// 400 frames of 80 samples of white noise the quietest holds about 0.6 of the mean.
    static let floorToNoise: Float = 1.5
    /// Threshold added per unit of noise share (noise / frame power), up to `maxNoiseShare`:
    /// noise left in the difference after the correction spreads a tone's d by about half
    /// the noise share (90th percentile, 5–10 dB SNR, PCM and GSM).
    static let noiseAllowance: Float = 0.6
    static let maxNoiseShare: Float = 0.25

    let frameLength: Int
    /// Largest normalised difference a frame of a periodic tone leaves (`periodic_difference`);
    /// 0: the test is off.
    let maxDifference: Float
    /// Lags searched: 15–30 ms, in steps of `coarseStep` (about an 8 kHz sample), then the
    /// best refined to the sample.
    let minLag: Int
    let maxLag: Int
    let coarseStep: Int

    /// The lag the current run holds, 0 when none.
    private var lag = 0
    /// Failing frames since the run's last repeating one.
    private var misses = 0
    /// Level (30 ms average power) at the run's first frame.
    private var anchorLevel: Float = 0
    /// The frame's level: its power averaged with the two frames before.
    private var level: Float = 0
    private var recentPowers: (Float, Float) = (0, 0)
    /// Frames in a row of one shape and level, clearly over the line's quietest.
    private var streak = 0
    /// The same with the shape held within 1.5 × `shapeHeld`'s bounds: the sine fit's cue
    /// (`FrameFeatureExtractor.sineCueStreak`). At 5 dB SNR the differenced signal's shape
    /// is mostly hiss and moves by 0.1–0.4 from frame to frame under a sine.
    private(set) var cueStreak = 0

    init(sampleRate: Int, frameLength: Int, maxDifference: Double) {
        self.frameLength = frameLength
        self.maxDifference = Float(maxDifference)
        minLag = max(2, Int((Double(sampleRate) * 0.015).rounded()))
        maxLag = max(minLag + 1, Int((Double(sampleRate) * 0.030).rounded()))
        coarseStep = max(1, Int((Double(sampleRate) / 8000).rounded()))
    }

    /// Whether the frame gets the test at all: clearly over the line's quietest frame, or
    /// part of a run. The caller assembles `maxLag` samples of history only for these.
    @inline(__always)
    /// - Parameters: shape, before: the frame's spectral shape and the frame before's (see
    ///   `shapeHeld`).
    mutating func wantsSamples(power: Float, shape: SIMD4<Float>, before: SIMD4<Float>, floor: Float) -> Bool {
        let beforeLevel = level
        // The level is a 30 ms average: GSM 6.10 rebuilds a steady tone with a level that
        // shakes by 1–1.5 dB (standard deviation) from frame to frame at 10 dB SNR.
        level = (power + recentPowers.0 + recentPowers.1) * (1 / 3)
        recentPowers = (power, recentPowers.0)
        // Most frames are pauses: decided before the shape is compared.
        guard maxDifference > 0, power > 3 * floor, power.isFinite else {
            streak = 0
            cueStreak = 0
            lag = 0
            return false
        }
        // The sine fit's cue first: the same level, a shape held half as tightly again.
        let cue = level < 1.26 * beforeLevel && beforeLevel < 1.26 * level && shapeHeld(shape, before, within: 1.5)
        cueStreak = cue ? cueStreak + 1 : 0
        let steady = cue && shapeHeld(shape, before)
        streak = steady ? streak + 1 : 0
        return lag > 0 || (streak >= Self.searchStreak && streak % Self.searchEvery == 0)
    }

    /// `push`'s answers: the frame does not repeat the signal before it; it repeats it at a
    /// newly found lag (a new run); it goes on repeating it at the run's lag.
    static let none: UInt8 = 0, starts: UInt8 = 1, continues: UInt8 = 2

    /// Tests a frame `wantsSamples` asked for. `frame[-maxLag ..< frameLength]` must be
    /// readable. Returns `none`, `starts` or `continues`.
    mutating func push(_ frame: UnsafePointer<Float>, power: Float, floor: Float) -> UInt8 {
        // The line's noise is taken off both sums (at most `noiseCap` of the frame's power),
        // and what it leaves in the difference (noise never cancels exactly) is allowed for
        // in the threshold: `maxDifference` on a clean line, up to 0.15 more at 6 dB SNR.
        let lineNoise = Self.floorToNoise * floor
        let noise = 2 * Float(frameLength) * min(lineNoise, Self.noiseCap * power)
        let threshold = maxDifference + Self.noiseAllowance * min(lineNoise / power, Self.maxNoiseShare)
        if lag > 0 {
            let held = level < Self.levelRatio * anchorLevel && anchorLevel < Self.levelRatio * level
            if held && difference(frame, lag: lag, noise: noise) < threshold {
                misses = 0
                return Self.continues
            }
            // Hiss or a codec frame can spoil one frame: the lag is kept over one.
            if held && misses < Self.maxMisses {
                misses += 1
                return Self.none
            }
            lag = 0
            guard streak >= Self.searchStreak else { return Self.none }
        }
        // The frame's own sums once; those of the window one lag back slide a sample per
        // lag; per lag, one dot product.
        let n = frameLength
        var a: Float = 0, aa: Float = 0, b: Float = 0, bb: Float = 0
        for j in 0..<n {
            let x = frame[j], y = frame[j - minLag]
            a += x; aa += x * x; b += y; bb += y * y
        }
        let inv = 1 / Float(n)
        let ex = aa - a * a * inv
        var best = Float.greatestFiniteMagnitude, bestLag = 0
        var l = minLag
        while l <= maxLag {
            if (l - minLag) % coarseStep == 0 {
                let d = Self.normalised(ex: ex, ey: bb - b * b * inv, exy: dot(frame, lag: l) - a * b * inv, noise: noise)
                if d < best { best = d; bestLag = l }
            }
            guard l < maxLag else { break }
            // Window [−l−1, n−l−1) next.
            let enter = frame[-l - 1], leave = frame[n - l - 1]
            b += enter - leave
            bb += enter * enter - leave * leave
            l += 1
        }
        if coarseStep > 1 {
            for l in max(minLag, bestLag - coarseStep + 1)...min(maxLag, bestLag + coarseStep - 1) where l != bestLag {
                let d = difference(frame, lag: l, noise: noise)
                if d < best { best = d; bestLag = l }
            }
        }
        guard best < threshold else { return Self.none }
        misses = 0
        lag = bestLag
        anchorLevel = level
        return Self.starts
    }

    /// Σ x·x₋L over the frame.
    @inline(__always)
    private func dot(_ frame: UnsafePointer<Float>, lag: Int) -> Float {
        let n = frameLength
        var xy = SIMD8<Float>.zero
        let px = UnsafeRawPointer(frame), py = UnsafeRawPointer(frame - lag)
        let stride = MemoryLayout<Float>.stride
        var j = 0
        while j + 8 <= n {
            xy += px.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
                * py.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
            j += 8
        }
        var sum = xy.sum()
        while j < n {
            sum += frame[j] * frame[j - lag]
            j += 1
        }
        return sum
    }

    /// Normalised difference between the frame and the signal `lag` samples before it,
    /// both about their means, with `noise` (the expected contribution of white noise to
    /// each sum, in sum units) taken off.
    @inline(__always)
    private func difference(_ frame: UnsafePointer<Float>, lag: Int, noise: Float) -> Float {
        let n = frameLength
        var sx = SIMD8<Float>.zero, sy = SIMD8<Float>.zero
        var xx = SIMD8<Float>.zero, yy = SIMD8<Float>.zero, xy = SIMD8<Float>.zero
        let px = UnsafeRawPointer(frame), py = UnsafeRawPointer(frame - lag)
        let stride = MemoryLayout<Float>.stride
        var j = 0
        while j + 8 <= n {
            let x = px.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
            let y = py.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
            sx += x; sy += y
            xx += x * x; yy += y * y; xy += x * y
            j += 8
        }
        var a = sx.sum(), b = sy.sum(), aa = xx.sum(), bb = yy.sum(), ab = xy.sum()
        while j < n {
            let x = frame[j], y = frame[j - lag]
            a += x; b += y; aa += x * x; bb += y * y; ab += x * y
            j += 1
        }
        let inv = 1 / Float(n)
        return Self.normalised(ex: aa - a * a * inv, ey: bb - b * b * inv, exy: ab - a * b * inv, noise: noise)
    }

    /// d = (Σx² + Σy² − 2Σxy − noise) / (Σx² + Σy² − noise) from the sums about their
    /// means; `greatestFiniteMagnitude` when the noise leaves nothing.
    @inline(__always)
    private static func normalised(ex: Float, ey: Float, exy: Float, noise: Float) -> Float {
        let den = ex + ey - noise
        guard den > 0 else { return .greatestFiniteMagnitude }
        return (ex + ey - 2 * exy - noise) / den
    }
}
