/// Held notes: the spectral peaks (lines) of a frame that stand at the same frequency
/// 0.2 and 0.4 s later. Music on hold holds notes and chords: its peaks below 1.5 kHz stay
/// put for hundreds of milliseconds, through codecs and noise; a voice's harmonics move
/// with its pitch and its sounds, so few of them are still in place 0.4 s on (a synthetic
/// voice that holds one pitch keeps more). Measured on every `gridFrames`-th frame that stands
/// 3 dB over the line's quietest of the last 4–5 s: the 64 ms ending with the frame (513
/// samples at 8 kHz; at higher rates the mean of every `lagStep` samples), halved to 4 kHz
/// by a (1, 2, 1)/4 filter, under a 256-point Hann window, its power spectrum by a
/// 256-point real FFT (15.6 Hz bins at 8 kHz), and the bins between 100 Hz and 1.5 kHz
/// that are the highest within ±3 bins and 6 dB over one of the bins 3 away.
/// A frame's value is the number of its peaks that both measured frames before it have in
/// the same bin (see `measure` for a gap); not measured when the frame itself was not.
struct SpectralLineTest: Sendable {
    /// Frames between two measured frames (0.2 s), and between the oldest and the newest of
    /// the three frames compared (0.4 s).
    static let gridFrames = 20
    static let lagFrames = 40
    /// A pair (one of the three frames unmeasured) counts the peaks it holds beyond this
    /// many: over 0.2–0.4 s a voice keeps about as many of its peaks in two frames as
    /// music keeps in three, fewer than a triple's scale allows without it.
    static let pairDiscount = 2
    /// FFT length (samples at 4 kHz: the window's samples, averaged by `lagStep`, halved).
    static let size = 256
    /// Peak bins: [100, 1500) Hz; at most 128 bins (two 64-bit masks).
    static let lowHz = 100.0, highHz = 1500.0
    /// A peak stands this many times (6 dB) over a bin 3 away, on one side at least.
    static let prominence: Float = 3.981

    let lagStep: Int
    /// Samples of history the window needs before the frame's end.
    let windowSamples: Int
    private let lowBin: Int
    private let highBin: Int
    private let hann: [Float]
    /// The window in the FFT's input order (8 kHz input loop): w[2·rev(u)] for u < size/2,
    /// then w[2·rev(u) + 1].
    private let hannReversed: [Float]
    /// Complex FFT of size/2 points: cos and −sin of each stage's twiddles from the third
    /// stage on (stage of length L: 2πj/L for j < L/2, stages one after the other), and the
    /// bit-reversed order.
    private let stageCos: [Float]
    private let stageSin: [Float]
    private let reversed: [Int]
    /// Post-processing twiddles of the real FFT: e^{−2πik/size}.
    private let realCos: [Float]
    private let realSin: [Float]
    /// The masks of the last `lagFrames / gridFrames` measured grid frames (oldest first),
    /// nil where a grid frame was not measured.
    private var history: [(UInt64, UInt64)?]

    init(sampleRate: Int, lagStep: Int) {
        self.lagStep = lagStep
        windowSamples = (2 * Self.size + 1) * lagStep
        let binHz = Double(sampleRate) / Double(2 * lagStep) / Double(Self.size)
        lowBin = max(4, Int(Self.lowHz / binHz))
        highBin = min(Self.size / 2 - 3, lowBin + 128, Int(Self.highHz / binHz))
        hann = (0..<Self.size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(Self.size))) }
        let half = Self.size / 2
        let stages = sequence(first: 8, next: { $0 * 2 }).prefix { $0 <= half }
        let angles = stages.flatMap { len in (0..<len / 2).map { 2 * Double.pi * Double($0) / Double(len) } }
        stageCos = angles.map { Float(cos($0)) }
        stageSin = angles.map { Float(-sin($0)) }
        let bits = half.trailingZeroBitCount
        reversed = (0..<half).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
        hannReversed = reversed.map { [hann] n in hann[2 * n] } + reversed.map { [hann] n in hann[2 * n + 1] }
        realCos = (0...half).map { Float(cos(2 * Double.pi * Double($0) / Double(Self.size))) }
        realSin = (0...half).map { Float(-sin(2 * Double.pi * Double($0) / Double(Self.size))) }
        history = Array(repeating: nil, count: Self.lagFrames / Self.gridFrames)
    }

    /// Grid frames near the line's floor between two looks at the line's own peaks (2 s of
    /// them: at 1 s, a contact-center call's music over the line's floor was learned as the line's).
    static let lineEvery = 10
    /// Fewest bins the line's own peaks (`lineMask`) are believed from: mains hum holds a
    /// harmonic every 50 or 60 Hz (9–12 of them between 100 Hz and 1.5 kHz on a buzzing line);
    /// one or two bins in the same place three times can be chance, and were on the harmonics of
    /// music over a faint hum (`heldout3`'s floor calls lost hold found with one-bin masks).
    static let minLineBins = 3
    /// The line's own held peaks (`lineMask`): those in the same bin at the last three looks.
    private var lineLooks: [(UInt64, UInt64)?] = [nil, nil, nil]
    private var toNextLook = 0
    /// Peaks the line holds near its floor (mains hum's harmonics, a fan's whine): in the same
    /// bin at three looks at grid frames within 6 dB of the line's quietest (`lineEvery` such
    /// frames apart), at least `minLineBins` of them; no frame's held notes count them. Kept
    /// while the line is never near its floor (a talker's long turn); cleared by three looks
    /// that share fewer.
    private(set) var lineMask: (UInt64, UInt64) = (0, 0)

    /// A grid frame that was not measured (too quiet): it holds nothing for the frames after it.
    mutating func skip() {
        history.removeFirst()
        history.append(nil)
    }

    /// A grid frame too quiet to be measured for held notes (see `skip`) but near the line's
    /// floor, whose window ends at `end`: a look at the line's own peaks now and then (`look`).
    mutating func skip(quietEndingAt end: UnsafePointer<Float>) {
        skip()
        // The spectrum only for a look (one such frame in `lineEvery`).
        if lookDue() { look(at: peaks(endingAt: end)) }
    }

    /// Counts a grid frame near the line's floor; whether it is the `lineEvery`-th, a look.
    private mutating func lookDue() -> Bool {
        toNextLook -= 1
        guard toNextLook <= 0 else { return false }
        toNextLook = Self.lineEvery
        return true
    }

    /// A look at the line's own peaks: the peak bins of a grid frame near its floor.
    private mutating func look(at mask: (UInt64, UInt64)?) {
        lineLooks.removeFirst()
        lineLooks.append(mask)
        guard let a = lineLooks[0], let b = lineLooks[1], let c = lineLooks[2] else { return }
        let m = (a.0 & b.0 & c.0, a.1 & b.1 & c.1)
        lineMask = m.0.nonzeroBitCount + m.1.nonzeroBitCount >= Self.minLineBins ? m : (0, 0)
    }

    /// Measures the grid frame whose window ends at `end` (`windowSamples` readable before
    /// it); returns its peaks held through the two grid frames before (`lagFrames` back) or,
    /// when one of those was not measured (struck notes: a gap), those it holds with the
    /// other less `pairDiscount`; nil when neither was measured. A window that holds a sample that is not a number (a frame the
    /// extractor made silent) is not measured either.
    /// `lookAtLine`: the frame lies near the line's floor, and is also a look at its own peaks.
    mutating func measure(endingAt end: UnsafePointer<Float>, lookAtLine: Bool = false) -> Int? {
        let all = peaks(endingAt: end)
        if lookAtLine && lookDue() { look(at: all) }
        let mask = all.map { ($0.0 & ~lineMask.0, $0.1 & ~lineMask.1) }
        let oldest = history.removeFirst()
        let middle = history[0]
        history.append(mask)
        guard let m = mask else { return nil }
        if let a = oldest, let b = middle {
            return (m.0 & a.0 & b.0).nonzeroBitCount + (m.1 & a.1 & b.1).nonzeroBitCount
        }
        guard let b = oldest ?? middle else { return nil }
        return max(0, (m.0 & b.0).nonzeroBitCount + (m.1 & b.1).nonzeroBitCount - Self.pairDiscount)
    }

    /// The peak bins of the window ending at `end`, bit k for bin `lowBin + k`; nil when its
    /// spectrum is not a number (NaN or infinite samples in the window: every comparison
    /// would fail, and the window would count as measured with no peaks).
    func peaks(endingAt end: UnsafePointer<Float>) -> (UInt64, UInt64)? {
        // The FFT's working arrays and the power spectrum on the stack (three allocations:
        // one of more than 1 kB would be on the heap): as arrays of the test they were
        // retained and released, with the tables, on every measured frame.
        let half = Self.size / 2
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: half) { re in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: half) { im in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: half + 1) { power in
                    spectrum(endingAt: end, re: re.baseAddress!, im: im.baseAddress!, power: power.baseAddress!)
                    return peaks(power: power.baseAddress!)
                }
            }
        }
    }

    /// The peak bins of the power spectrum `p` (see `spectrum`).
    private func peaks(power p: UnsafeMutablePointer<Float>) -> (UInt64, UInt64)? {
        var m0: UInt64 = 0, m1: UInt64 = 0
        // Whether a bin is not a number: the powers are sums of squares (≥ 0, +∞ or NaN), so
        // their sum is NaN exactly when one of them is, in whatever order it is summed.
        var lanes = SIMD4<Float>.zero
        var k = lowBin - 3
        while k + 4 <= highBin + 3 {
            lanes += UnsafeRawPointer(p + k).loadUnaligned(as: SIMD4<Float>.self)
            k += 4
        }
        var total = lanes.sum()
        while k <= highBin + 2 { total += p[k]; k += 1 }
        guard !total.isNaN else { return nil }
        do {
            // Four bins a turn in SIMD lanes, without a branch per comparison (they mispredict);
            // a turn lies wholly in one mask (k = j − lowBin is a multiple of 4). The rest bin by bin.
            let prominence = SIMD4<Float>(repeating: Self.prominence)
            let laneBits = SIMD4<UInt32>(1, 2, 4, 8)
            @inline(__always) func at(_ j: Int) -> SIMD4<Float> { UnsafeRawPointer(p + j).loadUnaligned(as: SIMD4<Float>.self) }
            var j0 = lowBin
            while j0 + 4 <= highBin {
                let v = at(j0), l3 = at(j0 - 3), r3 = at(j0 + 3)
                let peak = (v .>= at(j0 - 1)) .& (v .>= at(j0 + 1)) .& (v .>= at(j0 - 2)) .& (v .>= at(j0 + 2))
                    .& (v .>= l3) .& (v .>= r3) .& ((v .> prominence * l3) .| (v .> prominence * r3))
                let bits = UInt64(SIMD4<UInt32>(repeating: 0).replacing(with: laneBits, where: peak).wrappedSum())
                let k = j0 - lowBin
                if k < 64 { m0 |= bits << UInt64(k) } else { m1 |= bits << UInt64(k - 64) }
                j0 += 4
            }
            for j in j0..<highBin {
                let v = p[j]
                guard v >= p[j - 1], v >= p[j + 1], v >= p[j - 2], v >= p[j + 2], v >= p[j - 3], v >= p[j + 3],
                      v > Self.prominence * p[j - 3] || v > Self.prominence * p[j + 3] else { continue }
                let k = j - lowBin
                if k < 64 { m0 |= 1 << UInt64(k) } else { m1 |= 1 << UInt64(k - 64) }
            }
        }
        return (m0, m1)
    }

    /// `power[k]` = |X[k]|² of the Hann-windowed window ending at `end`, for the bins the
    /// peaks compare (`lowBin` − 3 … `highBin` + 2); `re` and `im` (size/2 each) are the FFT's
    /// working arrays.
    private func spectrum(endingAt end: UnsafePointer<Float>, re r: UnsafeMutablePointer<Float>,
                          im i: UnsafeMutablePointer<Float>, power p: UnsafeMutablePointer<Float>) {
        let half = Self.size / 2
        let start = end - windowSamples
        let step = lagStep
        let low = lowBin - 3, high = highBin + 2
        hann.withUnsafeBufferPointer { wb in
        hannReversed.withUnsafeBufferPointer { hrb in
        reversed.withUnsafeBufferPointer { revb in
        stageCos.withUnsafeBufferPointer { scb in
        stageSin.withUnsafeBufferPointer { ssb in
        realCos.withUnsafeBufferPointer { wcb in
        realSin.withUnsafeBufferPointer { wsb in
            let w = wb.baseAddress!, rev = revb.baseAddress!
            let sc = scb.baseAddress!, ss = ssb.baseAddress!, wc = wcb.baseAddress!, ws = wsb.baseAddress!
            // Halved to 4 kHz (at 8 kHz) by a (1, 2, 1)/4 filter — the peaks lie under 1.5 kHz
            // (−1.6 dB there) — then even samples to the real parts, odd to the imaginary, in
            // bit-reversed order. At higher rates each sample is first the mean of `lagStep`.
            if step == 1 {
                // Four slots of the FFT's input a turn, in its (bit-reversed) order, so that
                // they are stored together: the four windows' samples transposed into SIMD
                // lanes, then the same operations in the same order as one at a time.
                let hr = hrb.baseAddress!, hi = hr + half
                let quarter: SIMD4<Float> = SIMD4(repeating: 0.25), halfOne: SIMD4<Float> = SIMD4(repeating: 0.5)
                @inline(__always) func load(_ q: UnsafePointer<Float>) -> SIMD4<Float> {
                    UnsafeRawPointer(q).loadUnaligned(as: SIMD4<Float>.self)
                }
                var u = 0
                while u < half {
                    let p0 = start + 4 * rev[u], p1 = start + 4 * rev[u + 1]
                    let p2 = start + 4 * rev[u + 2], p3 = start + 4 * rev[u + 3]
                    let s0 = load(p0), s1 = load(p1), s2 = load(p2), s3 = load(p3)
                    let x0 = SIMD4(s0[0], s1[0], s2[0], s3[0]), x1 = SIMD4(s0[1], s1[1], s2[1], s3[1])
                    let x2 = SIMD4(s0[2], s1[2], s2[2], s3[2]), x3 = SIMD4(s0[3], s1[3], s2[3], s3[3])
                    let x4 = SIMD4(p0[4], p1[4], p2[4], p3[4])
                    let a = quarter * (x0 + x2) + halfOne * x1
                    let b = quarter * (x2 + x4) + halfOne * x3
                    UnsafeMutableRawPointer(r + u).storeBytes(of: a * load(hr + u), as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(i + u).storeBytes(of: b * load(hi + u), as: SIMD4<Float>.self)
                    u += 4
                }
            } else {
                let scale = 1 / Float(step)
                func x(_ k: Int) -> Float {
                    var a: Float = 0
                    for s in 0..<step { a += start[k * step + s] }
                    return a * scale
                }
                for n in 0..<half {
                    let a = 0.25 * (x(4 * n) + x(4 * n + 2)) + 0.5 * x(4 * n + 1)
                    let b = 0.25 * (x(4 * n + 2) + x(4 * n + 4)) + 0.5 * x(4 * n + 3)
                    let k = rev[n]
                    r[k] = a * w[2 * n]
                    i[k] = b * w[2 * n + 1]
                }
            }
            // Radix-2 butterflies: the first two stages by hand (twiddles 1 and −i), the others
            // four butterflies at a time with each stage's own twiddles (`stageCos`, `stageSin`).
            var u = 0
            while u < half {
                let ar = r[u], ai = i[u], br = r[u + 1], bi = i[u + 1]
                let cr = r[u + 2], ci = i[u + 2], dr = r[u + 3], di = i[u + 3]
                let e0r = ar + br, e0i = ai + bi, e1r = ar - br, e1i = ai - bi
                let o0r = cr + dr, o0i = ci + di, o1r = cr - dr, o1i = ci - di
                // o1 · (−i) = (o1i, −o1r)
                r[u] = e0r + o0r; i[u] = e0i + o0i
                r[u + 2] = e0r - o0r; i[u + 2] = e0i - o0i
                r[u + 1] = e1r + o1i; i[u + 1] = e1i - o1r
                r[u + 3] = e1r - o1i; i[u + 3] = e1i + o1r
                u += 4
            }
            var len = 8, offset = 0
            while len <= half {
                let h = len >> 1
                var base = 0
                while base < half {
                    var j = 0
                    while j < h {
                        let c = UnsafeRawPointer(sc + offset + j).loadUnaligned(as: SIMD4<Float>.self)
                        let s = UnsafeRawPointer(ss + offset + j).loadUnaligned(as: SIMD4<Float>.self)
                        let pur = UnsafeMutableRawPointer(r + base + j), pui = UnsafeMutableRawPointer(i + base + j)
                        let pvr = UnsafeMutableRawPointer(r + base + j + h), pvi = UnsafeMutableRawPointer(i + base + j + h)
                        let vr = pvr.loadUnaligned(as: SIMD4<Float>.self), vi = pvi.loadUnaligned(as: SIMD4<Float>.self)
                        let ur = pur.loadUnaligned(as: SIMD4<Float>.self), ui = pui.loadUnaligned(as: SIMD4<Float>.self)
                        let tr = vr * c - vi * s
                        let ti = vr * s + vi * c
                        pvr.storeBytes(of: ur - tr, as: SIMD4<Float>.self)
                        pvi.storeBytes(of: ui - ti, as: SIMD4<Float>.self)
                        pur.storeBytes(of: ur + tr, as: SIMD4<Float>.self)
                        pui.storeBytes(of: ui + ti, as: SIMD4<Float>.self)
                        j += 4
                    }
                    base += len
                }
                offset += h
                len <<= 1
            }
            // The real signal's spectrum from the half-length complex one, four bins a turn
            // in SIMD lanes (bins k…k+3 with their mirrors half−k…half−k−3, read backwards),
            // the same operations in the same order as bin by bin; the rest bin by bin.
            var k0 = low
            while k0 + 3 <= high {
                let b0 = half - k0 - 3
                let zr = UnsafeRawPointer(r + k0).loadUnaligned(as: SIMD4<Float>.self)
                let zi = UnsafeRawPointer(i + k0).loadUnaligned(as: SIMD4<Float>.self)
                let mr = UnsafeRawPointer(r + b0).loadUnaligned(as: SIMD4<Float>.self)
                let mi = UnsafeRawPointer(i + b0).loadUnaligned(as: SIMD4<Float>.self)
                let cr = SIMD4(mr[3], mr[2], mr[1], mr[0]), ci = -SIMD4(mi[3], mi[2], mi[1], mi[0])
                let c = UnsafeRawPointer(wc + k0).loadUnaligned(as: SIMD4<Float>.self)
                let s = UnsafeRawPointer(ws + k0).loadUnaligned(as: SIMD4<Float>.self)
                let er = zr + cr, ei = zi + ci
                let dr = zr - cr, di = zi - ci
                let xr = er + c * di + s * dr
                let xi = ei - c * dr + s * di
                UnsafeMutableRawPointer(p + k0).storeBytes(of: xr * xr + xi * xi, as: SIMD4<Float>.self)
                k0 += 4
            }
            for k in k0..<(high + 1) {
                let b = half - k
                let zr = r[k], zi = i[k], cr = r[b], ci = -i[b]
                let er = zr + cr, ei = zi + ci
                let dr = zr - cr, di = zi - ci
                // X = (e + w · (−i · d)) / 2; the common factor ¼ of the power is left out.
                let xr = er + wc[k] * di + ws[k] * dr
                let xi = ei - wc[k] * dr + ws[k] * di
                p[k] = xr * xr + xi * xi
            }
        }}}}}}}
    }
}

/// Held-note measurements over some frames (a region, a side of a split): how many grid
/// frames were measured and how many peaks they held in all (`FrameFeatures.heldLines`).
public struct LineCount: Sendable, Equatable {
    public var measurements = 0
    public var held = 0

    public init(measurements: Int = 0, held: Int = 0) {
        self.measurements = measurements
        self.held = held
    }

    /// Adds a frame's `heldLines` code (0: not measured).
    @inline(__always)
    mutating func add(code: UInt8) {
        guard code > 0 else { return }
        measurements += 1
        held += Int(code) - 1
    }

    /// Peaks held per measurement (0 without any).
    public var mean: Double { measurements > 0 ? Double(held) / Double(measurements) : 0 }

    static func + (a: LineCount, b: LineCount) -> LineCount {
        LineCount(measurements: a.measurements + b.measurements, held: a.held + b.held)
    }
    static func - (a: LineCount, b: LineCount) -> LineCount {
        LineCount(measurements: a.measurements - b.measurements, held: a.held - b.held)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
