/// How much this channel's speech stands out in each of the four bands (the README's
/// detector, step 2): a running mean of each band's excess over the noise, learnt on frames
/// that are clearly speech (unweighted SNR above 3 dB), normalised into weights. Weighting the
/// band SNRs with them is a matched filter for this speaker over this line: with white hiss
/// the low bands dominate, with rumble the high ones; white, pink and brown noise are handled
/// alike.
///
/// Lifecycle: `init()`, then `update(bandSNR:)` once per 10 ms frame once the line's noise is
/// known; `weighted(_:)` measures a frame. Nothing to finish.
struct SpeakerWeights: Sendable {
    /// Running mean of each band's SNR excess (linear SNR − 1, at least 0) on speech frames.
    private var speechExcess = SIMD4<Float>(repeating: 1)
    /// The band weights (sum 1; each band at least 0.05 of the excess before normalising).
    private(set) var weights = SIMD4<Float>(repeating: 0.25)

    init() {}

    /// Takes a frame's band SNRs (band power over the noise it is measured against, linear).
    @inline(__always)
    mutating func update(bandSNR r: SIMD4<Float>) {
        guard r.sum() * 0.25 > 2 else { return }
        let excess = vmax(r - 1, .zero)
        speechExcess += (excess - speechExcess) * 0.01
        let floored = vmax(speechExcess, SIMD4<Float>(repeating: 0.05))
        weights = floored / floored.sum()
    }

    /// The speaker-weighted SNR (linear) of a frame's band SNRs.
    @inline(__always)
    func weighted(_ r: SIMD4<Float>) -> Float { (r * weights).sum() }
}
