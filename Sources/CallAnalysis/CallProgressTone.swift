#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells call-progress tones (ring-back, dial tone, busy) from speech over an 80 ms window:
/// the share of the window's energy that the sinusoids of one national tone plan explain,
/// fitted by least squares at their exact frequencies.
///
/// Why a fit: codecs rebuild a steady tone frame by frame (GSM 6.10 every 20 ms), so the
/// per-frame shape and predictability tests of `ToneRun` break up where the tone is still
/// 18 dB over the noise; over 80 ms its frequencies still hold 0.92–0.96 of the energy there
/// (median per codec and SNR band of the harness's ring-back: 0.97–1.0, 0.84 for GSM at
/// 10 dB under brown noise). Speech
/// moves its harmonics within that time: over 1.76 million frames of voices (the asterisk
/// prompts, the harness's espeak-ng utterances, the sample calls) no plan explained at least
/// half of the windows for more than 0.21 s (windows every 10 ms, in a prototype); a tone
/// takes `minWindows` in a row, 0.32 s. In white noise a tone keeps a share of about
/// tone / (tone + noise): tones 2 dB or more over white noise are found whole (tests), at
/// the level of the noise only in part.
///
/// The plans (ITU-T E.180 Supplement 2): 350 + 440 Hz (North American dial tone),
/// 440 + 480 (North American ring-back), 480 + 620 (busy, reorder), 400 + 450 (ring-back in
/// the UK, Ireland, Australia, New Zealand), 350 + 450 (UK dial tone), and single 400, 425
/// (most of Europe), 440 and 450 Hz.
///
/// Windows end every `hopFrames` frames (40 ms), each made of two halves of 4 frames. Cost:
/// per 10 ms frame, one correlation with the seven frequencies on every
/// `sampleRate / 1600`-th sample (16 samples at 8 kHz; what lies above 800 Hz folds onto
/// the band: in a prototype, the harness's tones and the voices gave the same runs as on
/// every second sample), with the sines and
/// cosines already turned to the frame's place in its half; per 40 ms, the two halves
/// joined (one rotation) and the plans' quadratic forms. The caller may skip the correlation
/// of frames at the line's noise floor, and windows of no measured frame are not fitted. The
/// fit takes about 9–12 % of the analysis time (bench).
struct CallProgressToneTest: Sendable {
    /// Frequencies (Hz) of the lanes; the eighth lane is unused.
    static let frequenciesHz: [Double] = [350, 400, 425, 440, 450, 480, 620, 0]
    /// The pair plans, as lane indices into `frequenciesHz` (`bestPlan` spells these lanes
    /// out); the single-tone plans are lanes 1–4 (400, 425, 440, 450 Hz). Plan codes: 1–5
    /// for the pairs in this order, 6–9 for the single tones.
    static let pairs: [(Int, Int)] = [(0, 3), (3, 5), (5, 6), (1, 4), (0, 4)]
    /// Frames per window: 80 ms resolves tones 25 Hz apart and is shorter than any cadence.
    static let windowFrames = 8
    /// A window ends every `hopFrames` frames (half a window).
    static let hopFrames = 4
    /// Windows in a row, one plan throughout, that make a tone: 8 + 6 × 4 frames, 0.32 s
    /// (no vowel holds still that long; see `ToneRunTracker`'s long tones).
    static let minWindows = 7
    /// Failing windows a run may hold between two passing ones (hiss, a codec frame).
    static let maxMisses = 1
    /// Half the rate of the samples fitted (`stride`): a sine above it folds onto the band
    /// (2 kHz onto 400 Hz).
    static let foldHz: Float = 800
    /// `push`'s answer on frames where no window ends.
    static let notEvaluated = UInt8.max

    /// Every `stride`-th sample of the frame is used.
    let stride: Int
    /// Samples used per frame; 0 when the sample rate cannot carry 620 Hz.
    let count: Int
    /// Per frame position p in a half window (0–3), per used sample m: cos and sin of each
    /// lane's frequency at that time counted from the half's start, for the frame's samples
    /// minus their mean (the fit ignores each frame's DC); interleaved cos, sin, cos, …
    private let frameBasis: ConstantTable
    /// cos and sin of each lane's phase over a half window (the second half's turn).
    private let halfTurnCos: SIMD8<Float>
    private let halfTurnSin: SIMD8<Float>
    /// The pairs' inverse Gram matrices (upper triangle, row by row, over cos a, sin a,
    /// cos b, sin b), lane i for pair i.
    private let pairInverse: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                              SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    /// Per lane: the inverse Gram matrix of its single tone over the window (cc, cs, ss).
    private let singleCC: SIMD8<Float>
    private let singleCS: SIMD8<Float>
    private let singleSS: SIMD8<Float>
    private let minShare: Float
    /// The half window being filled and the one before: correlations and energy.
    private var halfCos = SIMD8<Float>.zero, halfSin = SIMD8<Float>.zero, halfEnergy: Float = 0
    private var lastCos = SIMD8<Float>.zero, lastSin = SIMD8<Float>.zero, lastEnergy: Float = 0
    /// Whether any frame of the half being filled, and of the one before, was measured.
    private var halfMeasured = false, lastMeasured = false
    private var position = 0
    private var halves = 0
    /// Windows since the last one a plan explained.
    private var windowsSincePlan = Int.max / 2

    /// Whether one of the last three windows held a tone: its frames are then measured
    /// whatever their level (see `FrameFeatureExtractor`).
    var toneLately: Bool { windowsSincePlan < 3 }

    /// - Parameters:
    ///   - frameLength: samples per frame.
    ///   - minShare: share of the window's energy (0–1) one plan must explain.
    init(sampleRate: Int, frameLength: Int, minShare: Double) {
        stride = max(1, sampleRate / 1600)
        let rate = Double(sampleRate) / Double(stride)
        let n = rate > 2 * 700 ? frameLength / stride : 0
        count = n
        self.minShare = Float(minShare)
        let w = Self.windowFrames
        let lanes = Self.frequenciesHz.count
        // Per-frame basis (Double for the Gram matrices, Float for the correlations).
        var c = [[Double]](repeating: [Double](repeating: 0, count: count), count: lanes)
        var s = c
        for k in 0..<lanes where count > 0 {
            let omega = 2 * Double.pi * Self.frequenciesHz[k] / rate
            let cs = (0..<count).map { cos(omega * Double($0)) }, ss = (0..<count).map { sin(omega * Double($0)) }
            let cm = cs.reduce(0, +) / Double(count), sm = ss.reduce(0, +) / Double(count)
            c[k] = cs.map { $0 - cm }
            s[k] = ss.map { $0 - sm }
        }
        // Frame j starts j·frameLength samples into the window: its basis is the frame basis
        // rotated by that phase, cos(α + θ) = cos α·cos θ − sin α·sin θ and
        // sin(α + θ) = sin α·cos θ + cos α·sin θ.
        let alpha = (0..<w).map { j in (0..<lanes).map { 2 * Double.pi * Self.frequenciesHz[$0] * Double(j * frameLength) / Double(sampleRate) } }
        // A frame at position p of its half: its basis turned by α_p (the window's basis for
        // the first half; the second half is turned once more by α₄ when the halves join).
        let h = Self.hopFrames
        var table: [SIMD8<Float>] = []
        for p in 0..<h {
            for m in 0..<n {
                var tc = SIMD8<Float>.zero, ts = SIMD8<Float>.zero
                for k in 0..<lanes {
                    let ca = cos(alpha[p][k]), sa = sin(alpha[p][k])
                    tc[k] = Float(ca * c[k][m] - sa * s[k][m])
                    ts[k] = Float(sa * c[k][m] + ca * s[k][m])
                }
                table += [tc, ts]
            }
        }
        frameBasis = ConstantTable(table)
        halfTurnCos = SIMD8(alpha[h].map { Float(cos($0)) })
        halfTurnSin = SIMD8(alpha[h].map { Float(sin($0)) })
        // The window basis of lane k, cos part then sin part, for the Gram matrices.
        func basis(_ k: Int) -> ([Double], [Double]) {
            var bc: [Double] = [], bs: [Double] = []
            for j in 0..<w {
                let ca = cos(alpha[j][k]), sa = sin(alpha[j][k])
                for m in 0..<n {
                    bc.append(ca * c[k][m] - sa * s[k][m])
                    bs.append(sa * c[k][m] + ca * s[k][m])
                }
            }
            return (bc, bs)
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var pairInverse = [SIMD8<Float>](repeating: .zero, count: 10)
        var singleCC = SIMD8<Float>.zero, singleCS = SIMD8<Float>.zero, singleSS = SIMD8<Float>.zero
        if n > 0 {
            for (p, (a, b)) in Self.pairs.enumerated() {
                let (ac, asn) = basis(a), (bc, bsn) = basis(b)
                let vectors = [ac, asn, bc, bsn]
                let gram = vectors.map { u in vectors.map { dot(u, $0) } }
                let inverse = Self.invert(gram)
                var u = 0
                for i in 0..<4 { for j in i..<4 { pairInverse[u][p] = Float(inverse[i][j]); u += 1 } }
            }
            for k in 0..<lanes where Self.frequenciesHz[k] > 0 {
                let (kc, ks) = basis(k)
                let gcc = dot(kc, kc), gcs = dot(kc, ks), gss = dot(ks, ks)
                let det = gcc * gss - gcs * gcs
                singleCC[k] = Float(gss / det)
                singleCS[k] = Float(-gcs / det)
                singleSS[k] = Float(gcc / det)
            }
        }
        let g = pairInverse
        self.pairInverse = (g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9])
        self.singleCC = singleCC
        self.singleCS = singleCS
        self.singleSS = singleSS
    }

    /// Gauss–Jordan inverse of a small symmetric positive-definite matrix.
    private static func invert(_ m: [[Double]]) -> [[Double]] {
        let n = m.count
        var a = m.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            let d = a[col][col]
            a[col] = a[col].map { $0 / d }
            for r in 0..<n where r != col {
                let f = a[r][col]
                if f != 0 { a[r] = zip(a[r], a[col]).map { $0 - f * $1 } }
            }
        }
        return a.map { Array($0[n...]) }
    }

    /// Adds the frame at `x` (reads `stride`·`count` samples), whose power (mean square
    /// after removing its mean) is `power`; every `hopFrames` frames, tests the window of the
    /// last `windowFrames` frames. With `measure` false the frame's energy counts but its
    /// correlations are taken as nothing (a frame at the line's noise floor).
    /// - Returns: `notEvaluated` where no window ends; else 0 if no plan explains `minShare`
    ///   of the window, or 1 + the best plan's index (pairs first, then single tones).
    mutating func push(_ x: UnsafePointer<Float>, power: Float, measure: Bool = true) -> UInt8 {
        guard count > 0 else { return 0 }
        if measure {
            correlate(x)
            halfMeasured = true
        }
        // The frame's energy over the samples used, from its power over all of them (the
        // same in expectation: what lies above the used rate's Nyquist frequency folds in).
        halfEnergy += power * Float(count)
        position += 1
        guard position == Self.hopFrames else { return Self.notEvaluated }
        position = 0
        halves += 1
        // The window: the last half as it is, this one turned by half a window.
        let wc = lastCos + halfTurnCos * halfCos - halfTurnSin * halfSin
        let ws = lastSin + halfTurnSin * halfCos + halfTurnCos * halfSin
        let energy = lastEnergy + halfEnergy
        let measured = lastMeasured || halfMeasured
        (lastCos, lastSin, lastEnergy, lastMeasured) = (halfCos, halfSin, halfEnergy, halfMeasured)
        (halfCos, halfSin, halfEnergy, halfMeasured) = (.zero, .zero, 0, false)
        // A window none of whose frames was measured explains nothing (a pause).
        guard halves >= 2, energy > 0, measured else { return 0 }
        let plan = bestPlan(wc, ws, energy: energy)
        windowsSincePlan = plan != 0 ? 0 : windowsSincePlan + 1
        return plan
    }

    /// Adds the frame at `x`'s correlations to the half window.
    @inline(__always)
    private mutating func correlate(_ x: UnsafePointer<Float>) {
        var c0 = SIMD8<Float>.zero, s0 = SIMD8<Float>.zero, c1 = SIMD8<Float>.zero, s1 = SIMD8<Float>.zero
        let n = count, step = stride, offset = 2 * n * position
        // Straight from the table's memory: through `withUnsafeBufferPointer` the loop became
        // a closure of its own, its sums passed back through memory (a third of its cost).
        var t = UnsafePointer(frameBasis.base) + offset
        var p = x
        var m = 0
        while m + 2 <= n {
            let a = SIMD8<Float>(repeating: p.pointee), b = SIMD8<Float>(repeating: (p + step).pointee)
            c0 += t[0] * a
            s0 += t[1] * a
            c1 += t[2] * b
            s1 += t[3] * b
            p += 2 * step
            t += 4
            m += 2
        }
        if m < n {
            let a = SIMD8<Float>(repeating: p.pointee)
            c0 += t[0] * a
            s0 += t[1] * a
        }
        halfCos += c0 + c1
        halfSin += s0 + s1
    }

    /// The plan explaining most of a window whose correlations with the window basis are
    /// `wc` (cos) and `ws` (sin), if it explains at least `minShare` of `energy`; see `push`.
    @inline(__always)
    private func bestPlan(_ wc: SIMD8<Float>, _ ws: SIMD8<Float>, energy: Float) -> UInt8 {
        // Every lane's single tone, and every pair (lane i = pair i), at once.
        let singles = singleCC * wc * wc + 2 * singleCS * wc * ws + singleSS * ws * ws
        let ac = SIMD8(wc[0], wc[3], wc[5], wc[1], wc[0], 0, 0, 0), bc = SIMD8(wc[3], wc[5], wc[6], wc[4], wc[4], 0, 0, 0)
        let aS = SIMD8(ws[0], ws[3], ws[5], ws[1], ws[0], 0, 0, 0), bS = SIMD8(ws[3], ws[5], ws[6], ws[4], ws[4], 0, 0, 0)
        let g = pairInverse
        var diagonal = g.0 * ac * ac
        diagonal += g.4 * aS * aS
        diagonal += g.7 * bc * bc
        diagonal += g.9 * bS * bS
        var cross = g.1 * ac * aS
        cross += g.2 * ac * bc
        cross += g.3 * ac * bS
        cross += g.5 * aS * bc
        cross += g.6 * aS * bS
        cross += g.8 * bc * bS
        let pairs = diagonal + 2 * cross
        // A pair is a pair only if its second tone adds at least 15 % to what its stronger
        // tone explains alone (levels within 8 dB): a single 440 Hz tone is explained as
        // well by 440 + 480 Hz, and a run must keep to one plan.
        let stronger = vmax(SIMD8(singles[0], singles[3], singles[5], singles[1], singles[0], 0, 0, 0),
                            SIMD8(singles[3], singles[5], singles[6], singles[4], singles[4], 0, 0, 0))
        let candidates = pairs.replacing(with: 0, where: pairs .< 1.15 * stronger)
        var best = minShare * energy, plan: UInt8 = 0
        for i in 0..<5 where candidates[i] >= best {
            best = candidates[i]
            plan = UInt8(1 + i)
        }
        for i in 0..<4 where singles[1 + i] >= best {
            best = singles[1 + i]
            plan = UInt8(6 + i)
        }
        return plan
    }
}

/// Read-only vectors in memory of their own, for loops that must not go through an array's
/// accessors; filled once, freed with the last reference.
final class ConstantTable: @unchecked Sendable {
    let base: UnsafeMutablePointer<SIMD8<Float>>

    init(_ values: [SIMD8<Float>]) {
        base = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: max(1, values.count))
        base.initialize(from: values, count: values.count)
    }

    deinit { base.deallocate() }
}
