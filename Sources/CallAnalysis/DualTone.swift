#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells a DTMF digit from speech in one 10 ms frame: the share of the frame's energy that
/// two sinusoids explain, one at a keypad row frequency (697, 770, 852, 941 Hz) and one at a
/// column frequency (1209, 1336, 1477, 1633 Hz), each fitted by least squares.
///
/// A digit leaves almost nothing unexplained, also through GSM 6.10 and MP3 and under line
/// noise (median share 0.95–1.0 on the accuracy harness's digits, 0.84 at the first
/// percentile, GSM at 5 dB); in 718,000 frames of real and synthetic voices no three frames
/// in a row of one row and column reach 0.85. Works on every `stride`-th sample (≈ 4 kHz):
/// the frame still spans 10 ms, so the frequency resolution is unchanged at half the cost;
/// what lies above 2 kHz folds into the frame's energy, never into the fit.
struct DualToneTest: Sendable {
    /// Keypad frequencies (Hz): rows, then columns.
    static let frequenciesHz: [Double] = [697, 770, 852, 941, 1209, 1336, 1477, 1633]
    /// Every `stride`-th sample of the frame is used.
    let stride: Int
    /// Samples used per frame; 0 when the sample rate cannot carry the column tones.
    let count: Int
    /// Per used sample: cos and sin of each frequency, minus their means over the frame (so
    /// the fit ignores DC without subtracting it from the samples).
    private let cosines: [SIMD8<Float>]
    private let sines: [SIMD8<Float>]
    /// Inverse of each frequency's 2×2 Gram matrix [[Σc², Σcs], [Σcs, Σs²]]: the energy the
    /// best-fitting sinusoid explains is (C S)·G⁻¹·(C S)ᵀ for correlations C = Σx·c, S = Σx·s.
    private let inverseCC: SIMD8<Float>
    private let inverseCS: SIMD8<Float>
    private let inverseSS: SIMD8<Float>
    private let minShare: Float
    private let maxTwist: Float

    /// - Parameters:
    ///   - frameLength: samples per frame.
    ///   - minShare: share of the frame's energy (0–1) the two tones must explain.
    ///   - maxTwistDB: largest level difference between the two tones (dB); keypads stay
    ///     within about 4–8 dB.
    init(sampleRate: Int, frameLength: Int, minShare: Double, maxTwistDB: Double) {
        stride = max(1, sampleRate / 4000)
        let rate = Double(sampleRate) / Double(stride)
        // The highest column tone needs some room under the Nyquist frequency of what is used.
        count = rate > 2 * 1700 ? frameLength / stride : 0
        self.minShare = Float(minShare)
        maxTwist = Float(pow(10, maxTwistDB / 10))
        var cosines = [SIMD8<Float>](repeating: .zero, count: count)
        var sines = [SIMD8<Float>](repeating: .zero, count: count)
        var cc = SIMD8<Float>.zero, cs = SIMD8<Float>.zero, ss = SIMD8<Float>.zero
        for (k, f) in Self.frequenciesHz.enumerated() where count > 0 {
            let w = 2 * Double.pi * f / rate
            var c = (0..<count).map { cos(w * Double($0)) }
            var s = (0..<count).map { sin(w * Double($0)) }
            let cMean = c.reduce(0, +) / Double(count), sMean = s.reduce(0, +) / Double(count)
            c = c.map { $0 - cMean }
            s = s.map { $0 - sMean }
            let gcc = zip(c, c).reduce(0) { $0 + $1.0 * $1.1 }
            let gcs = zip(c, s).reduce(0) { $0 + $1.0 * $1.1 }
            let gss = zip(s, s).reduce(0) { $0 + $1.0 * $1.1 }
            let det = gcc * gss - gcs * gcs
            cc[k] = Float(gss / det)
            cs[k] = Float(-gcs / det)
            ss[k] = Float(gcc / det)
            for m in 0..<count {
                cosines[m][k] = Float(c[m])
                sines[m][k] = Float(s[m])
            }
        }
        self.cosines = cosines
        self.sines = sines
        inverseCC = cc
        inverseCS = cs
        inverseSS = ss
    }

    /// The digit the frame at `x` holds: 0 for none, else 1 + 4·row + column (rows and
    /// columns numbered 0–3 in `frequenciesHz` order). Reads `stride`·`count` samples.
    /// The two tones' levels may differ by `maxTwistDB` at most.
    ///
    /// - Parameter floorPower: the line's quietest frame power (mean square) of late. Under
    ///   loud hiss a digit cannot explain `minShare` of the frame; it still explains at least
    ///   half and leaves no more than the hiss (≤ 2.5 × the quietest frame, which lies ≈ 2.4
    ///   dB under the mean of 10 ms frames of white noise), which is also accepted.
    /// - Returns: the digit, and whether the two tones explain at least half of the frame
    ///   (worth testing the next frame whatever it looks like).
    func classify(_ x: UnsafePointer<Float>, floorPower: Float) -> (digit: UInt8, likely: Bool) {
        guard count > 0 else { return (0, false) }
        // Two sets of accumulators, even and odd samples: the additions of one set do not
        // wait for the other's.
        var c0 = SIMD8<Float>.zero, s0 = SIMD8<Float>.zero, c1 = SIMD8<Float>.zero, s1 = SIMD8<Float>.zero
        var sum: Float = 0, squares: Float = 0
        cosines.withUnsafeBufferPointer { cb in
            sines.withUnsafeBufferPointer { sb in
                var m = 0
                var p = x
                let step = stride
                while m + 2 <= count {
                    let a = p.pointee, b = (p + step).pointee
                    c0 += cb[m] * a
                    s0 += sb[m] * a
                    c1 += cb[m + 1] * b
                    s1 += sb[m + 1] * b
                    sum += a + b
                    squares += a * a + b * b
                    p += 2 * step
                    m += 2
                }
                if m < count {
                    let a = p.pointee
                    c0 += cb[m] * a
                    s0 += sb[m] * a
                    sum += a
                    squares += a * a
                }
            }
        }
        let energy = squares - sum * sum / Float(count)
        guard energy > 0 else { return (0, false) }
        let c = c0 + c1, s = s0 + s1
        let explained = inverseCC * c * c + 2 * inverseCS * c * s + inverseSS * s * s
        var row = 0, column = 4
        for k in 1..<4 where explained[k] > explained[row] { row = k }
        for k in 5..<8 where explained[k] > explained[column] { column = k }
        let a = explained[row], b = explained[column]
        let half = a + b >= 0.5 * energy
        let fits = a + b >= minShare * energy || (half && energy - a - b <= 2.5 * floorPower * Float(count))
        guard fits, a <= maxTwist * b, b <= maxTwist * a else { return (0, half) }
        return (UInt8(1 + 4 * row + column - 4), true)
    }
}
