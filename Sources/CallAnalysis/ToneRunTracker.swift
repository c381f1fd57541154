#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Steady tones frame by frame (the README's detector, step 5): a tone keeps its spectral
/// shape, the normalised autocorrelations ρ₁, ρ₂ barely move from frame to frame nor drift
/// from where the run started, its level stays within ±2 dB of the run's start, and the frame
/// is predictable (order-4 prediction gain ≥ `tone_gain_db`). Speech changes shape within a
/// few frames (formant transitions, voicing changes). A run of `minToneFrames`
/// (`min_tone_s`) is a tone; runs of `minRawToneFrames` (0.3 s) are long tones, cut out of
/// speech wherever they fall.
///
/// The same test runs on the signal itself (ρ₁, ρ₂ of the samples, order-2 prediction gain of
/// the averaged shape), counted only from `minRawToneFrames`: white noise swamps a low tone
/// in the differenced signal, not in the raw one, and 0.3 s of unchanging shape and level is
/// no vowel. Both tests work on 30 ms averages (see `ToneRun`).
///
/// Also marks each frame whose shape barely moved from the frame before (|Δρ₁| < 0.04,
/// |Δρ₂| < 0.08): music on hold holds notes, speech moves between sounds (step 6).
///
/// Lifecycle: `init(parameters:)`, then `update(_:)` once per 10 ms frame; nothing to finish
/// (a run still open at the end has been marked frame by frame).
struct ToneRunTracker: Sendable {
    /// Shortest tone run (frames, `min_tone_s`, at least 2).
    let minToneFrames: Int
    /// 0.3 s in frames: a shorter run of unchanging raw shape and level can be a held vowel.
    let minRawToneFrames: Int
    /// Prediction gain a tone frame needs (power ratio, `tone_gain_db`).
    let toneGain: Float
    /// 1 / `toneGain`: the largest order-2 residual a raw tone frame may leave.
    let maxRawResidual: Float

    /// The tone test on the differenced signal (order-4 gain) and on the signal itself.
    private var toneRun = ToneRun()
    private var rawRun = ToneRun()
    /// The previous frame's ρ₁, ρ₂ and power (full scale²); nil before the first frame.
    private var previous: (rho1: Float, rho2: Float, power: Float)?

    /// What one frame adds: whether its shape held still from the frame before, and the tone
    /// run it continues, if that run is long enough to be a tone (marked back to its start).
    struct Marks {
        var steady: Bool
        var run: FrameMark?
    }

    init(parameters: AnalysisParameters) {
        let fps = 1.0 / frameDuration
        minToneFrames = max(2, Int((parameters.minToneS * fps).rounded()))
        minRawToneFrames = Int((0.3 * fps).rounded())
        toneGain = Float(pow(10, parameters.toneGainDB / 10))
        maxRawResidual = 1 / toneGain
    }

    /// Takes the next frame.
    @inline(__always)
    mutating func update(_ f: FrameFeatures) -> Marks {
        let steady = previous.map { abs(f.rho1 - $0.rho1) < 0.04 && abs(f.rho2 - $0.rho2) < 0.08 } ?? false
        let valid = f.power > 0 && (previous?.power ?? 0) > 0
        previous = (f.rho1, f.rho2, f.power)
        let gain = toneGain, maxResidual = maxRawResidual
        toneRun.update(SIMD4(f.rho1, f.rho2, f.power, f.predictionGain), valid: valid) { $0.w >= gain }
        // The same test on the signal itself (order-2 predictor of the averaged shape): a
        // low tone under white noise keeps its shape there while the differenced signal is
        // mostly noise. e₁ = 1 − ρ₁², e₁·e₂ = e₁² − (ρ₂ − ρ₁²)²; gain 1/e₂ ≥ tone gain ⇔
        // e₁·e₂ ≤ e₁ · maxResidual (e₁ > 0): no division per frame.
        rawRun.update(SIMD4(f.rawRho1, f.rawRho2, f.power, 0), valid: valid) { a in
            let e1 = 1 - a.x * a.x
            let c = a.y - a.x * a.x
            return e1 > 0 && e1 * e1 - c * c <= e1 * maxResidual
        }
        let run = max(toneRun.length >= minToneFrames ? toneRun.length : 0,
                      rawRun.length >= minRawToneFrames ? rawRun.length : 0)
        guard run > 0 else { return Marks(steady: steady, run: nil) }
        // The whole steady run (as far as it is still in the window) is tone; runs of 0.3 s
        // or more are also long: no vowel holds its shape and level that long.
        return Marks(steady: steady, run: FrameMark(run >= minRawToneFrames ? [.tone, .longTone] : .tone, back: run - 1))
    }
}

/// A run of frames that hold a tone's shape and level, judged on 30 ms averages of
/// (ρ₁, ρ₂, power, gain): two tones a few tens of hertz apart (ring-back 440 + 480 Hz) beat,
/// and a single 10 ms frame at a beat null looks neither steady nor predictable. Steady:
/// |Δρ₁| < 0.04 and |Δρ₂| < 0.08 from the previous average, within 0.06 / 0.12 of where the
/// run started, level within ±2 dB of it (a vowel swells and fades), and predictable.
struct ToneRun: Sendable {
    private var history = (SIMD4<Float>.zero, SIMD4<Float>.zero)
    private var average = SIMD4<Float>.zero
    private var anchor = SIMD4<Float>.zero
    /// Frames in the current run (0: none).
    private(set) var length = 0

    /// - Parameters:
    ///   - frame: (ρ₁, ρ₂, power, prediction gain) of the frame.
    ///   - valid: this frame and the one before carry signal.
    ///   - predictable: whether the averaged frame is predictable enough for a tone.
    @inline(__always)
    mutating func update(_ frame: SIMD4<Float>, valid: Bool, predictable: (SIMD4<Float>) -> Bool) {
        let averaged = (frame + history.0 + history.1) * (1 / 3)
        let previous = average
        history = (frame, history.0)
        average = averaged
        guard valid, predictable(averaged) else {
            length = 0
            return
        }
        let held = abs(averaged.x - previous.x) < 0.04 && abs(averaged.y - previous.y) < 0.08
        let steady = held && abs(averaged.x - anchor.x) < 0.06 && abs(averaged.y - anchor.y) < 0.12
            && averaged.z < anchor.z * 1.585 && averaged.z > anchor.z * 0.631
        if steady && length > 0 {
            length += 1
        } else {
            length = 1
            anchor = averaged
        }
    }
}
