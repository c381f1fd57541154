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
/// `EchoTracker` measures the coupling; this source keeps the other channel's envelope of
/// each frame still in the detector's lookahead window (a first-in, first-out queue in step
/// with it), so that a frame is measured, when it is decided, against its own envelope times
/// the coupling known then.
///
/// On a mono call the source is inactive: it expects no echo anywhere.
///
/// Lifecycle: `init(parameters:lookahead:stereo:)`; per frame `update(near:nearNoise:far:)` as
/// the frame enters the window and `remove()` as it leaves it, in the same order; `estimate`
/// at the end.
struct EchoSource: Sendable {
    /// Whether there is another channel (stereo).
    let active: Bool
    private var tracker: EchoTracker
    /// The echo margin as a power ratio (`echo_margin_db`): the echo expected in a frame
    /// counts this much louder.
    let margin: Float
    /// `margin` in every lane, held as a vector: read as a scalar, the compiler loads it with
    /// a 16-byte load that reached into `envelopes`, stored just before on every frame (a
    /// store that cannot be forwarded: a stall per frame in the profile).
    private let marginLanes: SIMD4<Float>
    /// The other channel's envelope (band powers, see `EchoTracker.update`) of each frame in
    /// the lookahead window, oldest at `head`.
    private var envelopes: [SIMD4<Float>]
    private var head = 0
    private var count = 0

    /// - Parameters:
    ///   - lookahead: frames the detector's decisions lag (its window holds one more).
    ///   - stereo: whether there is another channel; without one the source is inactive.
    init(parameters: AnalysisParameters, lookahead: Int, stereo: Bool) {
        active = stereo
        tracker = EchoTracker(maxCouplingDB: parameters.echoMaxCouplingDB)
        margin = Float(pow(10, parameters.echoMarginDB / 10))
        marginLanes = SIMD4(repeating: margin)
        envelopes = Array(repeating: .zero, count: stereo ? lookahead + 1 : 0)
    }

    /// Takes the next frame of both channels; returns the echo expected in this channel's
    /// frame (band powers, margin included; 0 while no coupling is proven, and on mono).
    /// - Parameters:
    ///   - near: this channel's frame; `nearNoise` its band noise (negative while unknown),
    ///     `nearNoiseMeasured` whether that is the line's noise, not a floor
    ///     (`NoiseTracker.measured`).
    ///   - far: the other channel's frame at the same time.
    @inline(__always)
    mutating func update(near: FrameFeatures, nearNoise: SIMD4<Float>, nearNoiseMeasured: Bool = true,
                         far: FrameFeatures) -> SIMD4<Float> {
        guard active else { return .zero }
        let envelope = tracker.update(near: near.bands, nearPower: near.power, nearNoise: nearNoise,
                                      nearNoiseMeasured: nearNoiseMeasured, far: far.bands, farPower: far.power)
        var slot = head + count
        if slot >= envelopes.count { slot -= envelopes.count }
        envelopes[slot] = envelope
        count += 1
        return tracker.coupling * envelope * marginLanes
    }

    /// The oldest frame leaves the window: the echo expected in it with the coupling known
    /// now (band powers, margin included), whether a proven coupling was applied, and the
    /// other channel's envelope of the frame (what a coupling proven later is applied to,
    /// see `expected(envelope:)`).
    @inline(__always)
    mutating func remove() -> (expected: SIMD4<Float>, applied: Bool, envelope: SIMD4<Float>) {
        guard active else { return (.zero, false, .zero) }
        let envelope = envelopes[head]
        head += 1
        if head == envelopes.count { head = 0 }
        count -= 1
        let coupling = tracker.coupling
        return (coupling * envelope * marginLanes, coupling > 0, envelope)
    }

    /// The echo expected (band powers, margin included) in a frame of the other channel's
    /// `envelope` with the coupling known now: for frames held back from the call's start
    /// (`ChannelDetector`, hindsight), decided once the coupling is proven.
    @inline(__always)
    func expected(envelope: SIMD4<Float>) -> (expected: SIMD4<Float>, applied: Bool) {
        let coupling = tracker.coupling
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
