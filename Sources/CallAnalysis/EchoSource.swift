#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The other channel's evidence, as it enters one channel's `ChannelDetector` (stereo; the
/// README's detector, step 1a): the echo of the other party expected in each of this
/// channel's frames, band powers that the detector adds to the line's noise before it
/// measures a frame's SNR, so that the echo confirms no speech while this party's own voice,
/// 20 dB and more over its echo, still does.
///
/// `EchoTracker` measures the coupling; the other channel's envelope of each frame travels
/// with the frame through the detector's lookahead window (`LookaheadWindow`), so that a
/// frame is measured, when it is decided, against its own envelope times the coupling known
/// then (`expected(envelope:)`).
///
/// On a mono call the source is inactive: it expects no echo anywhere.
///
/// Lifecycle: `init(parameters:stereo:)`; per frame `update(near:nearNoise:far:)` as
/// the frame enters the window and `expected(envelope:)` with its envelope as it leaves it;
/// `estimate` at the end.
struct EchoSource: Sendable {
    /// Whether there is another channel (stereo).
    let active: Bool
    private var tracker: EchoTracker
    /// The echo margin as a power ratio (`echo_margin_db`): the echo expected in a frame
    /// counts this much louder.
    let margin: Float
    /// `margin` in every lane, held as a vector: read as a scalar, the compiler loaded it with
    /// a 16-byte load that reached into the envelopes stored just before on every frame (a
    /// store that cannot be forwarded: a stall per frame in the profile).
    private let marginLanes: SIMD4<Float>

    /// - Parameter stereo: whether there is another channel; without one the source is inactive.
    init(parameters: AnalysisParameters, stereo: Bool) {
        active = stereo
        tracker = EchoTracker(maxCouplingDB: parameters.echoMaxCouplingDB)
        margin = Float(pow(10, parameters.echoMarginDB / 10))
        marginLanes = SIMD4(repeating: margin)
    }

    /// Takes the next frame of both channels; returns the echo expected in this channel's
    /// frame (band powers, margin included; 0 while no coupling is proven, and on mono) and
    /// the other channel's envelope there (band powers; what `expected(envelope:)` takes as
    /// the frame is decided; 0 on mono).
    /// - Parameters:
    ///   - near: this channel's frame; `nearNoise` its band noise (negative while unknown),
    ///     `nearNoiseMeasured` whether that is the line's noise, not a floor
    ///     (`NoiseTracker.measured`).
    ///   - far: the other channel's frame at the same time.
    @inline(__always)
    mutating func update(near: FrameFeatures, nearNoise: SIMD4<Float>, nearNoiseMeasured: Bool = true,
                         far: FrameFeatures) -> (expected: SIMD4<Float>, envelope: SIMD4<Float>) {
        guard active else { return (.zero, .zero) }
        return update(near: near, nearLog: logPower(near.power), nearNoise: nearNoise, nearNoiseMeasured: nearNoiseMeasured,
                      far: far, farLog: logPower(far.power))
    }

    /// `update(near:nearNoise:nearNoiseMeasured:far:)` with both frames' log powers
    /// (`logPower`) known (a block's are taken once, `logPowers`).
    @inline(__always)
    mutating func update(near: FrameFeatures, nearLog: Float, nearNoise: SIMD4<Float>, nearNoiseMeasured: Bool = true,
                         far: FrameFeatures, farLog: Float) -> (expected: SIMD4<Float>, envelope: SIMD4<Float>) {
        guard active else { return (.zero, .zero) }
        let envelope = tracker.update(near: near.bands, nearPower: near.power, nearLog: nearLog, nearNoise: nearNoise,
                                      nearNoiseMeasured: nearNoiseMeasured, far: far.bands, farLog: farLog)
        return (tracker.coupling * envelope * marginLanes, envelope)
    }

    /// The echo expected (band powers, margin included) in a frame of the other channel's
    /// `envelope` with the coupling a frame is decided against now (`EchoTracker.decisionCoupling`:
    /// the one proven, or one kept through double talk), and whether a coupling gave it: as the
    /// frame leaves the lookahead window, and again for frames held back from the call's start
    /// (`ChannelDetector`, hindsight), decided once the coupling is proven.
    @inline(__always)
    func expected(envelope: SIMD4<Float>) -> (expected: SIMD4<Float>, applied: Bool) {
        let coupling = tracker.decisionCoupling
        return (coupling * envelope * marginLanes, coupling > 0)
    }

    /// What the tracker found, with the share of the `decidedFrames` frames of which
    /// `appliedFrames` were measured against a proven coupling; nil on mono or before enough
    /// evidence.
    func estimate(decidedFrames: Int, appliedFrames: Int) -> EchoEstimate? {
        guard active, tracker.farActiveFrames >= EchoTracker.minEvidence, let best = tracker.bestLag else { return nil }
        return EchoEstimate(couplingDB: Double(tracker.couplingDB), delayMs: Double(best.lag) * frameDuration * 1000,
                            correlation: best.correlation,
                            appliedShare: decidedFrames > 0 ? Double(appliedFrames) / Double(decidedFrames) : 0)
    }
}
