#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Voices behind the talker (the README's detector, step 1b): colleagues on the floor behind
/// the agent, a street or a shop behind the customer. Their babble never falls back to the
/// line's noise for long, so the minimum-statistics floor (`NoiseTracker`) sits under it and
/// all of it stood over the thresholds as talk (98 % of the non-speech frames of the
/// harness's babble calls). On a line with stationary noise, the 10th percentile of the
/// smoothed SNR is at or under the noise (−1.5…0 dB in the harness's calls, at every SNR);
/// with babble it stands over it. While it stands more than `background_trigger_db` over the
/// floor of a line whose noise is measured, the channel carries background voices (counted
/// for health); with `background_margin_db` over 0, every frame's SNR is then measured
/// against the 30th percentile plus that margin: the talker, 5–20 dB louder than the voices
/// behind, mostly stays talk (its quiet syllables do not), the voices mostly do not.
///
/// Lifecycle: `init(parameters:)`, then once per 10 ms frame, once the line's noise is known,
/// `update(smoothed:noise:lineNoiseMeasured:)` or, for digital silence,
/// `updateSilence(lineNoiseMeasured:)`; `heard` and `factor` are read after each. Nothing to
/// finish.
struct BackgroundVoicesTracker: Sendable {
    /// Step of the percentile trackers (dB): each moves `stepDB` × (fraction − 1) down when a
    /// frame lies under it and `stepDB` × fraction up otherwise, which holds it where that
    /// fraction of frames lie under it (the 10th rises 0.6 dB a second, falls 5.4). A
    /// histogram of the last 30 s, read twice a second, measured the same on the harness and
    /// cost 10 % of the analysis.
    static let stepDB: Float = 0.06
    /// `background_trigger_db`: the 10th percentile over this (dB) means voices behind.
    let triggerDB: Float
    /// `background_margin_db` as a power ratio; 0: background voices are measured, not
    /// taken off.
    let margin: Float

    /// The 10th and 30th percentiles of the smoothed SNR (dB), followed frame by frame.
    private var lowDB: Float = 0
    private var levelDB: Float = 0
    private var framesSeen = 0
    /// Whether the channel carries background voices now.
    private(set) var heard = false
    /// What the noise-whitened SNR is divided by: 1, or the background's level over the
    /// noise times `margin` while the channel carries background voices.
    private(set) var factor: Float = 1

    init(parameters: AnalysisParameters) {
        triggerDB = Float(parameters.backgroundTriggerDB)
        margin = parameters.backgroundMarginDB > 0 ? Float(pow(10, parameters.backgroundMarginDB / 10)) : 0
    }

    /// Takes a frame with signal.
    /// - Parameters:
    ///   - smoothed: its smoothed band powers (`NoiseTracker.smoothed`).
    ///   - noise: what it is measured against: the line's band noise plus the other party's
    ///     echo expected in it (echo is no voice behind).
    ///   - lineNoiseMeasured: whether the line's noise stands over its floors
    ///     (`NoiseTracker.measured`): on a clean line, quiet sounds of the talker's own would
    ///     pass for a background.
    @inline(__always)
    mutating func update(smoothed: SIMD4<Float>, noise: SIMD4<Float>, lineNoiseMeasured: Bool) {
        add((smoothed / noise).sum() * 0.25, lineNoiseMeasured: lineNoiseMeasured)
    }

    /// Takes a frame of digital silence: the quietest background there is (a clean line's
    /// pauses).
    @inline(__always)
    mutating func updateSilence(lineNoiseMeasured: Bool) {
        add(0, lineNoiseMeasured: lineNoiseMeasured)
    }

    /// - Parameter ratio: the frame's smoothed SNR (linear, mean over the bands).
    @inline(__always)
    private mutating func add(_ ratio: Float, lineNoiseMeasured: Bool) {
        let x = fastDB(max(ratio, 1e-3))
        if framesSeen == 0 {
            lowDB = x
            levelDB = x
        }
        framesSeen += 1
        lowDB += Self.stepDB * (x < lowDB ? -0.9 : 0.1)
        levelDB += Self.stepDB * (x < levelDB ? -0.7 : 0.3)
        guard framesSeen >= 100 else { return }
        // Voices behind the talker never let the line fall back to its noise: the 10th
        // percentile stays over it (hold music of a few seconds, or a talker's long turn,
        // does not hold it up that long); their level is the 30th.
        heard = lowDB > triggerDB && lineNoiseMeasured
        factor = heard && margin > 0 ? max(1, pow(10, levelDB / 10) * margin) : 1
    }
}
