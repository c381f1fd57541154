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
    /// Complex FFT of size/2 points: cos and −sin of each stage's twiddles from the third
    /// stage on (stage of length L: 2πj/L for j < L/2, stages one after the other), and the
    /// bit-reversed order.
    private let stageCos: [Float]
    private let stageSin: [Float]
    private let reversed: [Int]
    /// Post-processing twiddles of the real FFT: e^{−2πik/size}.
    private let realCos: [Float]
    private let realSin: [Float]
    private var re: [Float]
    private var im: [Float]
    private var power: [Float]
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
        realCos = (0...half).map { Float(cos(2 * Double.pi * Double($0) / Double(Self.size))) }
        realSin = (0...half).map { Float(-sin(2 * Double.pi * Double($0) / Double(Self.size))) }
        re = [Float](repeating: 0, count: half)
        im = [Float](repeating: 0, count: half)
        power = [Float](repeating: 0, count: half + 1)
        history = Array(repeating: nil, count: Self.lagFrames / Self.gridFrames)
    }

    /// Stands in while the extractor's own test is swapped out (never measures).
    static let placeholder = SpectralLineTest(sampleRate: 8000, lagStep: 1)

    /// A grid frame that was not measured (too quiet): it holds nothing for the frames after it.
    mutating func skip() {
        history.removeFirst()
        history.append(nil)
    }

    /// Measures the grid frame whose window ends at `end` (`windowSamples` readable before
    /// it); returns its peaks held through the two grid frames before (`lagFrames` back) or,
    /// when one of those was not measured (struck notes: a gap), those it holds with the
    /// other less `pairDiscount`; nil when neither was measured. A window that holds a sample that is not a number (a frame the
    /// extractor made silent) is not measured either.
    mutating func measure(endingAt end: UnsafePointer<Float>) -> Int? {
        let mask = peaks(endingAt: end)
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
    mutating func peaks(endingAt end: UnsafePointer<Float>) -> (UInt64, UInt64)? {
        spectrum(endingAt: end)
        var m0: UInt64 = 0, m1: UInt64 = 0
        var total: Float = 0
        for k in (lowBin - 3)...(highBin + 2) { total += power[k] }
        guard !total.isNaN else { return nil }
        power.withUnsafeBufferPointer { p in
            for j in lowBin..<highBin {
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
    /// peaks compare (`lowBin` − 3 … `highBin` + 2).
    private mutating func spectrum(endingAt end: UnsafePointer<Float>) {
        let half = Self.size / 2
        let start = end - windowSamples
        let step = lagStep
        let low = lowBin - 3, high = highBin + 2
        hann.withUnsafeBufferPointer { wb in
        reversed.withUnsafeBufferPointer { revb in
        re.withUnsafeMutableBufferPointer { rb in
        im.withUnsafeMutableBufferPointer { ib in
        stageCos.withUnsafeBufferPointer { scb in
        stageSin.withUnsafeBufferPointer { ssb in
        realCos.withUnsafeBufferPointer { wcb in
        realSin.withUnsafeBufferPointer { wsb in
        power.withUnsafeMutableBufferPointer { pb in
            let w = wb.baseAddress!, rev = revb.baseAddress!, r = rb.baseAddress!, i = ib.baseAddress!
            let sc = scb.baseAddress!, ss = ssb.baseAddress!, wc = wcb.baseAddress!, ws = wsb.baseAddress!
            let p = pb.baseAddress!
            // Halved to 4 kHz (at 8 kHz) by a (1, 2, 1)/4 filter — the peaks lie under 1.5 kHz
            // (−1.6 dB there) — then even samples to the real parts, odd to the imaginary, in
            // bit-reversed order. At higher rates each sample is first the mean of `lagStep`.
            if step == 1 {
                var x = start
                for n in 0..<half {
                    let a = 0.25 * (x[0] + x[2]) + 0.5 * x[1]
                    let b = 0.25 * (x[2] + x[4]) + 0.5 * x[3]
                    let k = rev[n]
                    r[k] = a * w[2 * n]
                    i[k] = b * w[2 * n + 1]
                    x += 4
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
            // The real signal's spectrum from the half-length complex one, bin by bin.
            for k in low...high {
                let b = half - k
                let zr = r[k], zi = i[k], cr = r[b], ci = -i[b]
                let er = zr + cr, ei = zi + ci
                let dr = zr - cr, di = zi - ci
                // X = (e + w · (−i · d)) / 2; the common factor ¼ of the power is left out.
                let xr = er + wc[k] * di + ws[k] * dr
                let xi = ei - wc[k] * dr + ws[k] * di
                p[k] = xr * xr + xi * xi
            }
        }}}}}}}}}
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
