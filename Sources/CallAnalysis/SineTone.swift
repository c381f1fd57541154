#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A steady sine of any frequency over an 80 ms window (`CallProgressToneTest`'s windows):
/// a 1 kHz test tone, a fax calling tone, a beep, the special information tone's segments.
/// Where the periodic test (`PeriodicToneTest`) loses such a tone, a codec is to blame:
/// GSM 6.10 shakes a sine's level by several dB from frame to frame under 10 dB of hiss,
/// while its frequency and most of its energy stay.
///
/// The frequency is estimated from the window's autocorrelation r(k): for a sinusoid,
/// r(k + 1) + r(k − 1) = 2 cos ω · r(k), and white noise adds to r(0) only, so cos ω is the
/// least-squares solution over k = 2…9. The sinusoid at that frequency (and 1.5 Hz either
/// side) is then fitted by least squares; the window holds a sine when it explains at least
/// `minShare` (`call_tone_share`) of the window's energy. Consecutive windows hold the same
/// sine while its frequency stays within 0.5 % of where the run began; `ChannelDetector`
/// makes a tone of `CallProgressToneTest.minWindows` of them (0.32 s), as of a tone plan.
/// Over the 5,896 voice files and 1,448 noisy copies of `PeriodicToneTest`'s check, no voice
/// held a sine that way for more than 3 windows (a prototype, every window fitted).
///
/// Cost: a window is fitted only when one of its frames ended a run of 3 frames repeating
/// the signal before them (`PeriodicToneTest`) or the window before held a sine: voices
/// seldom do either.
struct SineToneFit: Sendable {
    /// Window codes for `FrameFeatures.callTone`, after the tone plans' 1–9: a new run of
    /// windows takes the other code, so that `ChannelDetector` starts a new run.
    static let codes: (UInt8, UInt8) = (10, 11)
    /// Frequency tolerance of a run, relative to its first window.
    static let tolerance: Float = 0.005

    /// Every `stride`-th sample is used (about 8 kHz).
    let stride: Int
    /// Samples used per window.
    let count: Int
    /// Rate of the samples used (Hz).
    let rate: Double
    let minShare: Float
    /// Frequency (Hz) and code of the current run; 0 when the last window held no sine.
    private var runFrequency: Float = 0
    private var code = SineToneFit.codes.0

    init(sampleRate: Int, frameLength: Int, minShare: Double) {
        stride = max(1, sampleRate / 8000)
        count = CallProgressToneTest.windowFrames * frameLength / stride
        rate = Double(sampleRate) / Double(stride)
        self.minShare = Float(minShare)
    }

    /// Whether the last window held a sine (the next one is then fitted whatever it is).
    var inRun: Bool { runFrequency > 0 }

    /// A window that was not fitted ends any run.
    mutating func skip() { runFrequency = 0 }

    /// The code of the window whose samples start at `window` (`count` × `stride` samples),
    /// or 0.
    mutating func push(_ window: UnsafePointer<Float>) -> UInt8 {
        guard let (hz, share) = fit(window), share >= minShare, hz >= 100, Double(hz) <= 0.45 * rate else {
            runFrequency = 0
            return 0
        }
        if runFrequency == 0 || abs(hz - runFrequency) > Self.tolerance * runFrequency {
            code = code == Self.codes.0 ? Self.codes.1 : Self.codes.0
            runFrequency = hz
        }
        return code
    }

    /// The window's sine: its frequency (Hz) and the share of the window's energy it explains.
    private func fit(_ window: UnsafePointer<Float>) -> (Float, Float)? {
        let n = count
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: n + 11) { buffer -> (Float, Float)? in
            let y = buffer.baseAddress!, r = y + n
            // The samples used, about their mean, in Double: the fit takes differences of sums.
            var mean = 0.0
            for m in 0..<n {
                y[m] = Double(window[m * stride])
                mean += y[m]
            }
            mean /= Double(n)
            for m in 0..<n { y[m] -= mean }
            for k in 0...10 {
                var sum = 0.0
                for m in k..<n { sum += y[m] * y[m - k] }
                r[k] = sum
            }
            guard r[0] > 0 else { return nil }
            var num = 0.0, den = 0.0
            for k in 2...9 {
                num += r[k] * (r[k + 1] + r[k - 1])
                den += r[k] * r[k]
            }
            guard den > 0 else { return nil }
            let c = num / (2 * den)
            guard c > -1 && c < 1 else { return nil }
            let omega = acos(c)
            let delta = 2 * Double.pi * 1.5 / rate
            var best = 0.0, bestOmega = omega
            for step in -1...1 {
                let w = omega + Double(step) * delta
                // cos and sin of w·m by rotation.
                let cw = cos(w), sw = sin(w)
                var co = 1.0, si = 0.0
                var yc = 0.0, ys = 0.0, cc = 0.0, ss = 0.0, cs = 0.0
                for m in 0..<n {
                    yc += y[m] * co; ys += y[m] * si
                    cc += co * co; ss += si * si; cs += co * si
                    (co, si) = (co * cw - si * sw, si * cw + co * sw)
                }
                let det = cc * ss - cs * cs
                guard det > 0 else { continue }
                let explained = (yc * yc * ss - 2 * yc * ys * cs + ys * ys * cc) / det
                if explained > best { best = explained; bestOmega = w }
            }
            return (Float(bestOmega * rate / (2 * Double.pi)), Float(best / r[0]))
        }
    }
}
