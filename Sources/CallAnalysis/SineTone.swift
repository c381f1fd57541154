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
/// least-squares solution over k = 2…9. A sinusoid of that frequency is fitted by least
/// squares to each 10 ms of the window with its own amplitude and phase (at 5 dB SNR the
/// estimate can be 10 Hz off, which turns the phase by most of a cycle over 80 ms); the
/// window holds a sine when they explain at least `minShare` (`call_tone_share`) of its
/// energy, or `continueShare` of that to go on with a run. The frequency is then refined
/// from how far the sine's phase moves from one 10 ms piece to the next. Consecutive windows hold the same sine while the frequency stays
/// within 1 % of the run's mean so far (one failing window is bridged); `CallProgressChainTracker`
/// makes a tone of `CallProgressToneTest.minWindows` of them (0.32 s), as of a tone plan.
/// Above `highHz` GSM 6.10 also makes the frequency wander by 1–2 % from one 10 ms piece
/// to the next: there each piece is also fitted ±`partDetune` off, and a run holds within
/// `highTolerance` and goes on at `highContinueShare`.
/// Over the 5,896 voice files and 1,448 noisy copies of `PeriodicToneTest`'s check, talk
/// and tone time are the same with and without the fit, also with the tolerance at 1.5 %
/// or `call_tone_share` at 0.4; at 2 %, 10 files lose 0.3–0.5 s (README, step 5d).
///
/// Cost: a window is fitted only when one of the `followWindows` before held a sine or a
/// frame cued it (`FrameFeatureExtractor.sineCueStreak`, `highSineCueStreak`,
/// `sineGateRun`): about 14,000 windows an hour of a stereo call of speech (14,192 on the
/// bench's hour, counted with a uprobe on `fit`), about 1.2 µs each on a 2-core Intel Xeon,
/// 7 % of the analysis (perf, 2026-12-07), 70 % of it the autocorrelation's 11 lags.
struct SineToneFit: Sendable {
    /// Window codes for `FrameFeatures.callTone`, after the tone plans' 1–9: a new run of
    /// windows takes the other code, so that `CallProgressChainTracker` starts a new run.
    static let codes: (UInt8, UInt8) = (10, 11)
    /// Frequency tolerance of a run, relative to the mean frequency of its windows so far.
    static let tolerance: Float = 0.01
    /// Failing windows a run may hold between two passing ones (as `CallProgressChainTracker`
    /// bridges them).
    static let maxMisses = CallProgressToneTest.maxMisses
    /// Subwindows per window, each fitted with its own amplitude and phase.
    static let parts = 8
    /// Share of `minShare` a window needs to go on with a run (0.4 of its energy at the
    /// default `call_tone_share`).
    static let continueShare: Float = 0.8
    /// Above this frequency (Hz) a run's tolerance is `highTolerance` and each subwindow is
    /// also fitted at ±`partDetune` of the window's frequency.
    static let highHz: Float = 1800
    static let highTolerance: Float = 0.03
    static let partDetune = 0.02
    /// Share of `minShare` a window needs to go on with a run above `highHz`.
    static let highContinueShare: Float = 0.4

    /// Every `stride`-th sample is used (about 8 kHz).
    let stride: Int
    /// Samples used per window.
    let count: Int
    /// Samples from one subwindow's start to the next, and samples fitted in each (a
    /// multiple of 8, at most `partStep`).
    let partStep: Int
    let partLength: Int
    /// Rate of the samples used (Hz).
    let rate: Double
    let minShare: Float
    /// The current run: its windows' summed frequency (Hz), its windows, its failing
    /// windows since the last passing one.
    private var runSum: Float = 0
    private var runWindows = 0
    private var misses = 0
    private var code = SineToneFit.codes.0
    /// Windows since the last one that held a sine.
    private var sinceSine = Int.max / 2

    init(sampleRate: Int, frameLength: Int, minShare: Double) {
        stride = max(1, sampleRate / 8000)
        count = CallProgressToneTest.windowFrames * frameLength / stride
        partStep = count / Self.parts
        partLength = partStep / 8 * 8
        rate = Double(sampleRate) / Double(stride)
        self.minShare = Float(minShare)
    }

    /// Windows after one that held a sine that are fitted whatever they are: the next tone of
    /// a sequence (the special information tone's next segment) can take a few windows to
    /// explain half of one, and nothing may cue the fit meanwhile.
    static let followWindows = 4

    /// Whether the next window is fitted whatever it is: a run is open, or a window held a
    /// sine lately.
    var wanted: Bool { runWindows > 0 || sinceSine < Self.followWindows }

    /// Whether a run of windows holding one sine above `hz` is open.
    func runOpen(above hz: Float) -> Bool { runWindows > 0 && runSum / Float(runWindows) > hz }

    /// A window that was not fitted ends any run.
    mutating func skip() {
        runWindows = 0
        misses = 0
        sinceSine += 1
    }

    /// The code of the window whose samples start at `window` (`count` × `stride` samples),
    /// or 0.
    mutating func push(_ window: UnsafePointer<Float>) -> UInt8 {
        // A run goes on at `continueShare` of `minShare`: through GSM 6.10 at 5 dB a sine of
        // 1.8 kHz explains 0.4–0.7 of its windows.
        let mean = runWindows > 0 ? runSum / Float(runWindows) : 0
        let high = mean >= Self.highHz
        let need = runWindows == 0 ? minShare : (high ? Self.highContinueShare : Self.continueShare) * minShare
        guard let (hz, share) = fit(window), share >= need, hz >= 100, Double(hz) <= 0.45 * rate else {
            if runWindows > 0 && misses < Self.maxMisses {
                misses += 1
                sinceSine += 1
            } else {
                skip()
            }
            return 0
        }
        sinceSine = 0
        if runWindows == 0 || abs(hz - mean) > (high ? Self.highTolerance : Self.tolerance) * mean {
            code = code == Self.codes.0 ? Self.codes.1 : Self.codes.0
            runSum = 0
            runWindows = 0
        }
        runSum += hz
        runWindows += 1
        misses = 0
        return code
    }

    /// The window's sine: its frequency (Hz) and the share of the energy of the window's
    /// subwindows that sinusoids of that frequency explain, one per subwindow (own amplitude
    /// and phase).
    ///
    /// In Float and SIMD: the autocorrelation with eight lanes per lag; the projections
    /// y·cos(ωm), y·sin(ωm) with eight samples' phases per step, turned by 8ω; the sums
    /// Σcos², Σsin², Σcos·sin, which need no samples, in closed form and Double.
    private func fit(_ window: UnsafePointer<Float>) -> (Float, Float)? {
        let used = Self.parts * partStep
        guard partLength >= 8 else { return nil }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: used + 24) { buffer -> (Float, Float)? in
            // The samples used, about their mean, then zeros for the lags to reach past the
            // end (y[m + k] = 0 there).
            let y = buffer.baseAddress!
            if stride == 1 {
                y.update(from: window, count: used)
            } else {
                for m in 0..<used { y[m] = window[m * stride] }
            }
            for m in used..<(used + 24) { y[m] = 0 }
            let raw = UnsafeMutableRawPointer(y)
            func load(_ m: Int) -> SIMD8<Float> { raw.loadUnaligned(fromByteOffset: m * 4, as: SIMD8<Float>.self) }
            // The mean in eight lanes (one running sum would chain 640 dependent additions:
            // a third of the fit's time).
            var sum = SIMD8<Float>.zero
            var m = 0
            while m < used {
                sum += load(m)
                m += 8
            }
            let mean = SIMD8<Float>(repeating: sum.sum() / Float(used))
            m = 0
            while m < used {
                raw.storeBytes(of: load(m) - mean, toByteOffset: m * 4, as: SIMD8<Float>.self)
                m += 8
            }
            // r(k) = Σ y[m]·y[m + k], k = 0…10, over whole vectors (the zeros pad the last).
            var acc = (SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero,
                       SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero,
                       SIMD8<Float>.zero)
            // Lags 0…5, then 6…10, each over the whole window: eleven eight-lane sums at once
            // (22 registers without AVX) spilled to the stack on every turn. The same sums in
            // the same order.
            let end = raw + used * 4
            var q = UnsafeRawPointer(raw)
            while q < end {
                let a = q.loadUnaligned(as: SIMD8<Float>.self)
                acc.0 += a * a
                acc.1 += a * q.loadUnaligned(fromByteOffset: 4, as: SIMD8<Float>.self)
                acc.2 += a * q.loadUnaligned(fromByteOffset: 8, as: SIMD8<Float>.self)
                acc.3 += a * q.loadUnaligned(fromByteOffset: 12, as: SIMD8<Float>.self)
                acc.4 += a * q.loadUnaligned(fromByteOffset: 16, as: SIMD8<Float>.self)
                acc.5 += a * q.loadUnaligned(fromByteOffset: 20, as: SIMD8<Float>.self)
                q += 32
            }
            q = UnsafeRawPointer(raw)
            while q < end {
                let a = q.loadUnaligned(as: SIMD8<Float>.self)
                acc.6 += a * q.loadUnaligned(fromByteOffset: 24, as: SIMD8<Float>.self)
                acc.7 += a * q.loadUnaligned(fromByteOffset: 28, as: SIMD8<Float>.self)
                acc.8 += a * q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                acc.9 += a * q.loadUnaligned(fromByteOffset: 36, as: SIMD8<Float>.self)
                acc.10 += a * q.loadUnaligned(fromByteOffset: 40, as: SIMD8<Float>.self)
                q += 32
            }
            let r = (Double(acc.0.sum()), Double(acc.1.sum()), Double(acc.2.sum()), Double(acc.3.sum()),
                     Double(acc.4.sum()), Double(acc.5.sum()), Double(acc.6.sum()), Double(acc.7.sum()),
                     Double(acc.8.sum()), Double(acc.9.sum()), Double(acc.10.sum()))
            guard r.0 > 0 else { return nil }
            // cos ω: least squares of r(k + 1) + r(k − 1) = 2 cos ω · r(k) over k = 2…9.
            let num = r.2 * (r.3 + r.1) + r.3 * (r.4 + r.2) + r.4 * (r.5 + r.3) + r.5 * (r.6 + r.4)
                + r.6 * (r.7 + r.5) + r.7 * (r.8 + r.6) + r.8 * (r.9 + r.7) + r.9 * (r.10 + r.8)
            let den = r.2 * r.2 + r.3 * r.3 + r.4 * r.4 + r.5 * r.5 + r.6 * r.6 + r.7 * r.7 + r.8 * r.8 + r.9 * r.9
            guard den > 0 else { return nil }
            let c = num / (2 * den)
            guard c > -1 && c < 1 else { return nil }
            let s = (1 - c * c).squareRoot()
            let omega = acos(c)
            // Above `highHz` a codec may rebuild a sine with its frequency wandering by
            // 1–2 % from 10 ms to 10 ms (GSM 6.10 under hiss): each subwindow is also fitted
            // at ω(1 ± `partDetune`) and keeps the best of the three.
            let high = omega * rate >= 2 * Double.pi * Double(Self.highHz)
            let steps = partLength / 8
            return withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * steps) { phases -> (Float, Float)? in
                let p = phases.baseAddress!
                // Calls `each` per subwindow with the energy a sinusoid of frequency w
                // (cos w = cw, sin w = sw) explains and the projections Σy·cos(wm),
                // Σy·sin(wm); false where the fit is singular.
                func project(_ w: Double, _ cw: Double, _ sw: Double,
                             _ each: (Int, Double, Double, Double) -> Void) -> Bool {
                    // Lane j starts at phase ω·j; each step turns every lane by 8ω.
                    var co = SIMD8<Float>(), si = SIMD8<Float>()
                    var pc = 1.0, ps = 0.0
                    for j in 0..<8 {
                        co[j] = Float(pc); si[j] = Float(ps)
                        (pc, ps) = (pc * cw - ps * sw, ps * cw + pc * sw)
                    }
                    let turnCos = Float(pc), turnSin = Float(ps)
                    // Over n = partLength samples: Σcos(2ωm) = sin(nω)·cos((n−1)ω) / sin ω and
                    // Σsin(2ωm) = sin(nω)·sin((n−1)ω) / sin ω; Σcos², Σsin², Σcos·sin from them.
                    let n = Double(partLength)
                    let sn = sin(n * w), cn = cos(n * w)
                    let ratio = sn / sw
                    let c2 = ratio * (cn * cw + sn * sw), s2 = ratio * (sn * cw - cn * sw)
                    let cc = (n + c2) / 2, ss = (n - c2) / 2, cs = s2 / 2
                    let det = cc * ss - cs * cs
                    guard det > 0 else { return false }
                    // Every subwindow starts at phase 0: the phases of its steps, once.
                    for k in 0..<steps {
                        p[2 * k] = co; p[2 * k + 1] = si
                        (co, si) = (co * turnCos - si * turnSin, si * turnCos + co * turnSin)
                    }
                    for part in 0..<Self.parts {
                        var yc = SIMD8<Float>.zero, ys = SIMD8<Float>.zero
                        let start = part * partStep
                        for k in 0..<steps {
                            let v = load(start + 8 * k)
                            yc += v * p[2 * k]
                            ys += v * p[2 * k + 1]
                        }
                        let pC = Double(yc.sum()), pS = Double(ys.sum())
                        each(part, (pC * pC * ss - 2 * pC * pS * cs + pS * pS * cc) / det, pC, pS)
                    }
                    return true
                }
                // Per subwindow, the best explained energy (`parts` is 8).
                var best = SIMD8<Double>()
                // Σ A(s)·conj(A(s − 1)) of the subwindows' projections A = Σy·e^(−iωm): its
                // angle is how far the sine's phase moves from one subwindow to the next.
                var turnRe = 0.0, turnIm = 0.0, lastC = 0.0, lastS = 0.0
                let fitted = project(omega, c, s) { part, e, pC, pS in
                    best[part] = e
                    if part > 0 {
                        // (pC − i·pS)·(lastC + i·lastS)
                        turnRe += pC * lastC + pS * lastS
                        turnIm += pC * lastS - pS * lastC
                    }
                    (lastC, lastS) = (pC, pS)
                }
                guard fitted else { return nil }
                if high {
                    for detune in [-Self.partDetune, Self.partDetune] {
                        let w = omega * (1 + detune)
                        _ = project(w, cos(w), sin(w)) { part, e, _, _ in best[part] = max(best[part], e) }
                    }
                }
                let explained = best.sum()
                // The frequency refined: the phase moves by ω₀·partStep a subwindow; what it
                // moves beyond ω·partStep (within ±π: ±rate / (2·partStep), 50 Hz at 8 kHz)
                // is the estimate's error.
                var error = atan2(turnIm, turnRe) - (omega * Double(partStep)).truncatingRemainder(dividingBy: 2 * .pi)
                if error > .pi { error -= 2 * .pi } else if error < -.pi { error += 2 * .pi }
                let refined = omega + error / Double(partStep)
                // The subwindows' energy: the window's, unless they leave samples out.
                var energy = r.0
                if partLength < partStep {
                    var e = SIMD8<Float>.zero
                    for part in 0..<Self.parts {
                        for k in 0..<steps {
                            let v = load(part * partStep + 8 * k)
                            e += v * v
                        }
                    }
                    energy = Double(e.sum())
                }
                guard energy > 0 else { return nil }
                return (Float(refined * rate / (2 * Double.pi)), Float(explained / energy))
            }
        }
    }
}
