#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Voices behind the talker (the README's detector, step 1b): colleagues on the floor behind
/// the agent, a street or a shop behind the customer. Their babble never falls back to the
/// line's noise for long, so the minimum-statistics floor (`NoiseTracker`) sits under it and
/// all of it stood over the thresholds as talk (98 % of the non-speech frames of the
/// harness's babble calls).
///
/// **Heard**: either of two signs.
/// - *While the other party talks* (stereo only): turns alternate, so what this channel
///   holds while the other party talks (`farTalks(power:)`) is mostly its background. The
///   median of its smoothed SNR over the last 1,000 such frames (10 s of the other party's
///   talk; digital silence counts as −30 dB), once 100 are in, stands over
///   `background_gate_db` with voices behind the talker, also where they are no louder than
///   the line's noise, which the other sign misses; with stationary noise it stays at the
///   noise. The sign holds until the median falls 0.5 dB under the gate. It is not taken on
///   a clean line (more than 2 % of the last ≈ 5 s digital silence: nothing is behind a
///   talker whose pauses are silent).
/// - *Never back to the noise*: the 10th percentile of the smoothed SNR, followed frame by
///   frame, stands more than `background_trigger_db` over the floor of a line whose noise is
///   measured (stationary line noise: −1.5…0 dB).
///
/// **Taken off** (`background_margin_db` over 0) where the first sign is seen, or the second
/// on a stereo call (on a mono call the other party's talk fills this party's pauses, and
/// the 10th percentile then says nothing about what is behind): a frame is talk only as
/// far as its power stands over the channel's background level, the 30th percentile of its
/// smoothed frame power (the exact percentile of the first 3 s outside long tones, then
/// followed frame by frame in steps of 0.01 dB: it rises 0.3 dB a second and falls 0.7, so a
/// talker's turn of several seconds does not carry it up). A region is confirmed only where the power, smoothed like the SNR
/// (`smoothing_s`), stands `background_margin_db` over it, and grows only while it stands
/// `background_extend_db` over it (`RegionDecider`), on top of the usual thresholds over the
/// noise. The talker, 5–20 dB over the voices behind, stays talk; the voices, which make up
/// most of the frames under the talker's level, do not.
///
/// **Near the talker** (step 1c, stereo; whether or not voices are heard): `talkerFloor`, the
/// power a run must reach, follows this channel's loud level, and on a line whose pauses are
/// not digital silence also the background level (analyzer 21; see `talkerFloor`).
///
/// Lifecycle: `init(parameters:stereo:)`, then per 10 ms frame `farTalks(power:)` with the
/// other channel's frame (stereo), and, once the line's noise is known,
/// `update(smoothed:noise:lineNoiseMeasured:power:farTalks:)` or, for digital silence,
/// `updateSilence(lineNoiseMeasured:farTalks:)`; `heard` and `reference` are read after
/// each. Nothing to finish.
struct BackgroundVoicesTracker: Sendable {
    /// Step of the 10th-percentile tracker (dB): it moves `stepDB` × (fraction − 1) down when
    /// a frame lies under it and `stepDB` × fraction up otherwise, which holds it where that
    /// fraction of frames lie under it (the 10th rises 0.6 dB a second, falls 5.4).
    static let stepDB: Float = 0.06
    /// Step of the background level's 30th-percentile tracker (dB) once it has settled.
    static let levelStepDB: Float = 0.01
    /// Step of the other channel's loud and quiet level trackers (dB) once settled.
    static let farStepDB: Float = 0.05
    /// Step of this channel's loud level tracker (dB) once settled: it climbs 4.85 dB a
    /// second, about as fast as the other channel's 90th percentile (4.5), and falls 0.15.
    /// Four times that (tried) fell about as fast as the 90th, but a cough of 0.4 s, 18 dB
    /// over the voice, then held it up far enough to drop the party's soft words for 15 s.
    static let loudStepDB: Float = 0.05
    /// Frames (3 s) during which the level trackers settle from the first frame's level:
    /// the other channel's take steps of 0.3 dB, the background level steps of `stepDB` and
    /// then the exact 30th percentile of these frames.
    static let settlingFrames = 300
    /// Frames of the other party's talk whose median judges this channel's background.
    static let farWindow = 1000
    /// Such frames needed before the median is believed.
    static let minFarFrames = 100
    /// Hysteresis of `background_gate_db` (dB).
    static let gateHysteresisDB: Float = 0.5
    /// How far over `background_gate_db` the median while the other party talks must stand
    /// for the voices to be reported (`heard`, the health share), not only taken off (dB).
    /// This party talking over the other fills that median too: on the sample day's c-003,
    /// whose customer talks through half of the agent's words, it reached 1.4 dB on a line
    /// of stationary noise; babble 5–20 dB under the talker reads up to 13 dB on the
    /// harness's tuning calls (under 0.8 where it is as quiet as the line's noise).
    static let flagMarginDB: Float = 1.0
    /// Largest share of digital-silence frames (≈ 5 s average) of a line that can carry
    /// voices behind the talker.
    static let maxSilentShare: Float = 0.02
    /// Rate of the 30-second share of digital silence (per frame), and the share over which
    /// a line counts as clean for the narrowed margin of step 1c: 0.3 s of silence in the
    /// last 30 s (a dropout of a tenth of a second on a noisy line does not make it clean).
    static let longSilenceRate: Float = 1.0 / 3000
    static let minLongSilentShare: Float = 0.01

    /// `background_trigger_db`: the 10th percentile over this (dB) means voices behind.
    let triggerDB: Float
    /// `background_gate_db`: the median while the other party talks over this (dB) means
    /// voices behind.
    let gateDB: Float
    /// `background_margin_db` over 0: voices heard are taken off.
    let takesOff: Bool
    /// `background_talker_db` under the talker's loud level, as a power share (0: off, or mono).
    let talkerShare: Float
    /// `background_talker_near_db` under it, as a power share: the most the margin narrows to
    /// (equal to `talkerShare` when it never narrows).
    let nearShare: Float
    /// `background_talker_over_db` over the background level, as a power factor.
    let overBackground: Float
    /// Whether there is another channel (stereo).
    let stereo: Bool

    /// The 10th percentile of the smoothed SNR (dB), followed frame by frame.
    private var lowDB: Float = 0
    private var framesSeen = 0
    /// The smoothed SNR (dB) of the frames where the other party talked.
    private var whileFarTalks: SlidingQuantiles
    /// Their median (dB; −99 before `minFarFrames` of them), and whether it says voices are
    /// behind (with hysteresis).
    private var farMedianDB: Float = -99
    private var farSign = false
    /// Share of digital-silence frames over the last ≈ 5 s.
    private var silentShare: Float = 0
    /// The same over the last ≈ 30 s: a clean line's long turn (or its music on hold) holds
    /// no silence for many seconds, and the 5-second share falls under `maxSilentShare`.
    private var silentShareLong: Float = 0
    /// The frame power smoothed over about 3 frames (full scale²; negative before the first).
    private var smoothedPower: Float = -1
    /// The 30th percentile of `smoothedPower` (full scale²), and the frames it has taken
    /// (frames of a long tone are not among its first `settlingFrames`, analyzer 21).
    /// The percentile trackers here step in the power domain (a step of d dB is a factor
    /// 10^(d/10)): no logarithm per frame.
    private var level: Float = 0
    private var levelFrames = 0
    /// The first `settlingFrames` values of `smoothedPower`, until the level settles.
    private var settling: [Float] = []
    /// The other channel's loud and quiet levels: the 90th and 10th percentiles of its frame
    /// power (full scale²), and the frames they have taken.
    private var farLoud: Float = 0
    private var farQuiet: Float = 0
    private var farFrames = 0
    /// This channel's loud level (its talker's: the 97th percentile of its frame power, full
    /// scale²), followed over the frames with signal but long tones (settling like the other
    /// channel's, then up 0.97 × `loudStepDB` and down 0.03 × per frame: 4.85 dB/s up, 0.15
    /// down), and the frames it has taken. Not the 90th like the other channel's (analyzer
    /// 18): for a party who talks a quarter or a third of the call that lies in its own
    /// quieter syllables, 4–5 dB under its loud frames, and for one who talks less than a
    /// tenth of it over voices behind it (a customer who mostly listens in a shop) it is the
    /// voices' level, which step 1c then took for the talker.
    private var loud: Float = 0
    private var loudFrames = 0
    /// The smoothed SNR (dB) of the frame taken last (tracing).
    private(set) var lastInput: Float = -99
    /// Whether the channel carries background voices now.
    private(set) var heard = false
    /// Whether they are taken off now (see the type's notes).
    private(set) var takenOff = false

    // The settled steps as factors, held per instance: a static costs a lazy-initialisation
    // check per frame.
    private let farUp = Steps.farUp, farDown = Steps.farDown
    private let loudUp = Steps.loudUp, loudDown = Steps.loudDown
    private let levelUp = Steps.levelUp, levelDown = Steps.levelDown

    /// - Parameter stereo: whether there is another channel (its talk is the first sign).
    init(parameters: AnalysisParameters, stereo: Bool) {
        triggerDB = Float(parameters.backgroundTriggerDB)
        gateDB = Float(parameters.backgroundGateDB)
        takesOff = parameters.backgroundMarginDB > 0
        talkerShare = stereo && parameters.backgroundTalkerDB > 0 ? Float(pow(10, -parameters.backgroundTalkerDB / 10)) : 0
        nearShare = talkerShare > 0 && parameters.backgroundTalkerNearDB > 0
            ? max(talkerShare, Float(pow(10, -parameters.backgroundTalkerNearDB / 10))) : talkerShare
        overBackground = Float(pow(10, parameters.backgroundTalkerOverDB / 10))
        self.stereo = stereo
        whileFarTalks = SlidingQuantiles(window: Self.farWindow, scale: 1, fractions: [0.5], refreshEvery: 64)
    }

    /// The power a frame's is compared with while voices behind are taken off (full scale²):
    /// the background level; 0 when they are not.
    var reference: Float { takenOff ? level : 0 }

    /// Near the talker (step 1c, stereo): the power a run of talk must come within, or follow
    /// within a second a run that did (`RegionDecider`), to be confirmed (full scale²):
    /// `background_talker_db` under this channel's loud level, once that has settled (3 s);
    /// 0 before, on a mono call, or when it is off. On a line whose pauses are not digital
    /// silence (analyzer 21: under 2 % of the last 5 s and 1 % of the last 30 s), also
    /// `background_talker_over_db` over the background level (`level`, the 30th percentile of
    /// the smoothed power), but never more than `background_talker_near_db` under the loud
    /// level: where noise or voices behind the talker stand within 21 dB of it, their bursts
    /// come within 15 dB of it, and only how far a run stands over them tells the talker (on a
    /// quiet line the background lies far under the loud level and the margin stays 15 dB). Kept as the loud level moves
    /// (read for every frame, taken only on frames with signal).
    private(set) var talkerFloor: Float = 0

    /// The median of the smoothed SNR while the other party talks (dB), once known.
    var whileFarTalksDB: Float? { farMedianDB > -99 ? farMedianDB : nil }

    /// The 10th percentile, the median while the other party talks (−99 before it is known),
    /// whether voices are heard, and the background level in dBFS (tracing).
    var traceValues: SIMD4<Float> { SIMD4(lowDB, whileFarTalksDB ?? -99, heard ? 1 : 0, fastDB(max(level, 1e-12))) }

    /// Takes the other channel's frame power (full scale²) at the time of the frame about to
    /// be given; returns whether the other party talks in it: its power is within 10 dB of its
    /// loud level and 10 dB over its quiet level (after its first second). The loud level
    /// rises 4.5 dB a second and falls 0.5 (27 and 3 in the first 3 s), so it stays at the
    /// other party's voice through its pauses: a floor's keyboards and distant voices on that
    /// line, tens of dB under it, are no talk.
    @inline(__always)
    mutating func farTalks(power: Float) -> Bool {
        let x = max(power, 1e-12)
        if farFrames == 0 {
            farLoud = x
            farQuiet = x
        }
        farFrames += 1
        if farFrames > Self.settlingFrames {
            farLoud *= x < farLoud ? farDown : farUp
            farQuiet *= x < farQuiet ? 1 / farUp : 1 / farDown
        } else {
            farLoud *= x < farLoud ? Steps.farDownSettling : Steps.farUpSettling
            farQuiet *= x < farQuiet ? 1 / Steps.farUpSettling : 1 / Steps.farDownSettling
        }
        return farFrames > 100 && x > farLoud * 0.1 && x > farQuiet * 10
    }

    /// This channel's loud level takes a frame's power (see `loud`).
    @inline(__always)
    private mutating func followLoud(_ x: Float) {
        if loudFrames == 0 { loud = x }
        loudFrames += 1
        if loudFrames > Self.settlingFrames {
            loud *= x < loud ? loudDown : loudUp
            talkerFloor = loud * talkerShare
            // On a line with something behind its talker, the margin narrows as that rises
            // (see `talkerFloor`); a line whose pauses are digital silence has nothing behind.
            // The background level has settled: it settles on the frames the loud level does.
            assert(levelFrames >= Self.settlingFrames)
            if nearShare > talkerShare && silentShare < Self.maxSilentShare && silentShareLong < Self.minLongSilentShare {
                talkerFloor = min(loud * nearShare, max(talkerFloor, level * overBackground))
            }
        } else {
            loud *= x < loud ? Steps.farDownSettling : Steps.farUpSettling
        }
    }

    /// Percentile steps as power factors: 10^(dB/10) of each tracker's step.
    private enum Steps {
        /// The other channel's loud level: up 0.9 × `farStepDB`, down 0.1 × (0.3 dB while settling).
        static let farUp = factor(0.9 * farStepDB)
        static let farDown = factor(-0.1 * farStepDB)
        /// This channel's loud level (97th percentile): up 0.97 ×, down 0.03 × `loudStepDB`.
        static let loudUp = factor(0.97 * loudStepDB)
        static let loudDown = factor(-0.03 * loudStepDB)
        static let farUpSettling = factor(0.9 * 0.3)
        static let farDownSettling = factor(-0.1 * 0.3)
        /// The background level (30th percentile): up 0.3 ×, down 0.7 × `levelStepDB`
        /// (`stepDB` while settling).
        static let levelUp = factor(0.3 * levelStepDB)
        static let levelDown = factor(-0.7 * levelStepDB)
        static let levelUpSettling = factor(0.3 * stepDB)
        static let levelDownSettling = factor(-0.7 * stepDB)

        static func factor(_ db: Float) -> Float { Float(pow(10, Double(db) / 10)) }
    }

    /// Takes a frame with signal.
    /// - Parameters:
    ///   - smoothed: its smoothed band powers (`NoiseTracker.smoothed`).
    ///   - noise: what it is measured against: the line's band noise plus the other party's
    ///     echo expected in it (echo is no voice behind).
    ///   - farNoise: what it is measured against while the other party talks: the same with
    ///     the line's noise floored lower (`NoiseTracker.backgroundBands`, analyzer 28); `noise`
    ///     when nil.
    ///   - lineNoiseMeasured: whether the line's noise stands over its floors
    ///     (`NoiseTracker.measured`): on a clean line, quiet sounds of the talker's own would
    ///     pass for a background.
    ///   - power: the frame's power (full scale²).
    ///   - farTalks: whether the other party talks in this frame (`farTalks(power:)`).
    ///   - tonal: whether the frame is in a long tone (step 5: a run of steady tone of 0.3 s
    ///     or more, which no vowel holds): a ring-back or a test tone is no talker and does
    ///     not move the loud level. (Leaving out step 5's shorter runs as well changed no file
    ///     of the tuning sets.)
    @inline(__always)
    mutating func update(smoothed: SIMD4<Float>, noise: SIMD4<Float>, farNoise: SIMD4<Float>? = nil, lineNoiseMeasured: Bool,
                         power: Float, farTalks: Bool, tonal: Bool = false) {
        let x = Self.snrDB(smoothed, over: noise)
        lastInput = x
        silentShare -= silentShare * 0.002
        silentShareLong -= silentShareLong * Self.longSilenceRate
        smoothedPower = smoothedPower < 0 ? power : smoothedPower * 0.6 + power * 0.4
        let p = max(smoothedPower, 1e-12)
        if !tonal { followLoud(max(power, 1e-12)) }
        // A long tone (a ring-back at the call's start) does not start the background level
        // either: settled on it, the level would take a minute to fall back, and the margin
        // near the talker narrow on it meanwhile. Once settled, a tone moves it 0.3 dB a second.
        // (A tone is known as long from its 30th frame: each tone's first 0.3 s still enters.)
        if !tonal || levelFrames >= Self.settlingFrames { followLevel(p) }
        if farTalks { addWhileFarTalks(farNoise.map { Self.snrDB(smoothed, over: $0) } ?? x) }
        add(x, lineNoiseMeasured: lineNoiseMeasured)
    }

    /// A frame's smoothed SNR against `noise` (dB, the bands' mean power ratio; −30 dB at least).
    @inline(__always)
    private static func snrDB(_ smoothed: SIMD4<Float>, over noise: SIMD4<Float>) -> Float {
        fastDB(max((smoothed / noise).sum() * 0.25, 1e-3))
    }

    /// The background level takes a frame's smoothed power (see `level`).
    @inline(__always)
    private mutating func followLevel(_ p: Float) {
        if levelFrames == 0 {
            level = p
            settling.reserveCapacity(Self.settlingFrames)
        }
        levelFrames += 1
        if levelFrames <= Self.settlingFrames {
            settle(p)
        } else {
            level *= p < level ? levelDown : levelUp
        }
    }

    /// The background level's first `settlingFrames` frames: followed in larger steps, and
    /// kept, so that their exact 30th percentile starts the slow tracker. Out of line: the
    /// per-frame code stays small.
    @inline(never)
    private mutating func settle(_ p: Float) {
        level *= p < level ? Steps.levelDownSettling : Steps.levelUpSettling
        settling.append(p)
        if levelFrames == Self.settlingFrames {
            settling.sort()
            level = settling[Self.settlingFrames * 3 / 10]
            settling = []
        }
    }

    /// Takes a frame of digital silence: the quietest background there is (a clean line's
    /// pauses), also while the other party talks.
    @inline(__always)
    mutating func updateSilence(lineNoiseMeasured: Bool, farTalks: Bool) {
        if farTalks { addWhileFarTalks(-30) }
        lastInput = -30
        silentShare += (1 - silentShare) * 0.002
        silentShareLong += (1 - silentShareLong) * Self.longSilenceRate
        add(-30, lineNoiseMeasured: lineNoiseMeasured)
    }

    /// A frame's smoothed SNR (dB) while the other party talks; the median and the sign it
    /// gives as they stand after it.
    @inline(__always)
    private mutating func addWhileFarTalks(_ x: Float) {
        whileFarTalks.add(x)
        guard whileFarTalks.count >= Self.minFarFrames else { return }
        farMedianDB = whileFarTalks.values[0]
        farSign = farMedianDB > gateDB - (farSign ? Self.gateHysteresisDB : 0)
    }

    /// - Parameter x: the frame's smoothed SNR (dB, mean over the bands).
    @inline(__always)
    private mutating func add(_ x: Float, lineNoiseMeasured: Bool) {
        if framesSeen == 0 { lowDB = x }
        framesSeen += 1
        lowDB += Self.stepDB * (x < lowDB ? -0.9 : 0.1)
        guard framesSeen >= 100 else { return }
        let clean = silentShare >= Self.maxSilentShare
        let far = farSign && !clean
        // Voices behind the talker never let the line fall back to its noise: the 10th
        // percentile stays over it (hold music of a few seconds, or a talker's long turn,
        // does not hold it up that long).
        let never = lineNoiseMeasured && lowDB > triggerDB
        heard = never || (!clean && farMedianDB > gateDB + Self.flagMarginDB)
        takenOff = takesOff && levelFrames > 0 && (far || (never && stereo))
    }
}
