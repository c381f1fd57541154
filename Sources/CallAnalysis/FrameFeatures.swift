/// What one 10 ms frame of one channel looks like to the detector.
public struct FrameFeatures: Sendable, Equatable {
    /// Mean square of the frame after removing its mean (DC), full scale² units.
    public var power: Float
    /// Power of the first-differenced signal in four bands centred at ¹⁄₁₆, ³⁄₁₆, ⁵⁄₁₆ and
    /// ⁷⁄₁₆ of 8 kHz (500, 1500, 2500 and 3500 Hz on narrow-band audio), from a
    /// Bartlett-windowed autocorrelation (Blackman–Tukey estimate); each band ≈ 1 kHz wide.
    /// Only ratios to the band's own noise are used, so the differencing tilt cancels.
    public var bands: SIMD4<Float>
    /// Order-4 linear-prediction gain (dB): ≈ 0 for white noise, 8–15 for speech,
    /// > 25 for one or two steady sinusoids (dial, ring-back, DTMF tones).
    public var predictionGainDB: Float
    /// Normalised autocorrelation at lag 1 and 2 (spectral shape, for steadiness).
    public var rho1: Float
    public var rho2: Float
    /// Largest |sample| in the frame.
    public var peak: Float
    /// Samples at or above the clip level.
    public var clipped: Int32

    public static let silent = FrameFeatures(power: 0, bands: .zero, predictionGainDB: 0, rho1: 0, rho2: 0, peak: 0, clipped: 0)
}

/// Cuts one channel's samples into 10 ms frames and measures each: DC-removed power,
/// four band powers, prediction gain, peak and clipping. O(1) work per sample, no allocation
/// after init: seven multiply-adds and five subtractions per sample, eight samples at a time.
public struct FrameFeatureExtractor: Sendable {
    /// Samples per frame (sample rate / 100).
    public let frameLength: Int
    /// Autocorrelation lag step: 1 at 8 kHz, 2 at 16 kHz, so bands stay at telephone frequencies.
    public let lagStep: Int
    private let history: Int
    private let clipLevel: Float
    private var buffer: [Float]
    private var fill: Int
    private static let lagCount = 5
    /// cos(π(2b+1)k/8)·w_k·2 for band b, lag k = 1…4; Bartlett lag window w_k = 1 − k/5.
    private static let bandWeights: [SIMD4<Float>] = (1...4).map { k in
        let w = 2.0 * (1.0 - Double(k) / 5.0)
        return SIMD4<Float>((0..<4).map { b in Float(w * cos(Double.pi * Double(2 * b + 1) * Double(k) / 8.0)) })
    }

    /// - Parameters:
    ///   - sampleRate: Hz, > 0.
    ///   - clipLevel: |sample| at or above this counts as clipped.
    public init(sampleRate: Int, clipLevel: Double) {
        frameLength = max(1, Int((Double(sampleRate) * frameDuration).rounded()))
        lagStep = max(1, Int((Double(sampleRate) / 8000.0).rounded()))
        history = Self.lagCount * lagStep
        self.clipLevel = Float(clipLevel)
        buffer = [Float](repeating: 0, count: history + frameLength)
        fill = 0
    }

    /// Appends the features of every frame completed by `samples` to `out`.
    public mutating func consume(_ samples: UnsafeBufferPointer<Float>, into out: inout [FrameFeatures]) {
        var i = 0
        let n = samples.count
        while i < n {
            let take = min(frameLength - fill, n - i)
            buffer.withUnsafeMutableBufferPointer { buf in
                let dst = buf.baseAddress! + history + fill
                dst.update(from: samples.baseAddress! + i, count: take)
            }
            fill += take
            i += take
            if fill == frameLength {
                out.append(measure())
                fill = 0
            }
        }
    }

    /// Features of the trailing partial frame, if any (zero-padded), then resets.
    public mutating func flush(into out: inout [FrameFeatures]) {
        guard fill > 0 else { return }
        buffer.withUnsafeMutableBufferPointer { buf in
            for j in (history + fill)..<(history + frameLength) { buf[j] = 0 }
        }
        out.append(measure())
        fill = 0
    }

    private mutating func measure() -> FrameFeatures {
        let n = frameLength
        let h = history
        let l = lagStep
        var f = buffer.withUnsafeBufferPointer { buf -> FrameFeatures in
            let base = buf.baseAddress! + h
            // x: the samples, for power, DC, peak and clipping. d = x[n] − x[n−l]: a first
            // difference (high-pass, +6 dB/octave) whose autocorrelation feeds the bands and
            // the predictor, so DC wander and sub-audio rumble never reach the detector.
            var s8 = SIMD8<Float>.zero, p8 = SIMD8<Float>.zero
            var r0 = SIMD8<Float>.zero, r1 = SIMD8<Float>.zero, r2 = SIMD8<Float>.zero
            var r3 = SIMD8<Float>.zero, r4 = SIMD8<Float>.zero
            var pk = SIMD8<Float>.zero
            var clip8 = SIMD8<Int32>.zero
            let clipV = SIMD8<Float>(repeating: clipLevel)
            let raw = UnsafeRawPointer(base)
            let stride = MemoryLayout<Float>.stride
            var j = 0
            while j + 8 <= n {
                let x = raw.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
                let x1 = raw.loadUnaligned(fromByteOffset: (j - l) * stride, as: SIMD8<Float>.self)
                let x2 = raw.loadUnaligned(fromByteOffset: (j - 2 * l) * stride, as: SIMD8<Float>.self)
                let x3 = raw.loadUnaligned(fromByteOffset: (j - 3 * l) * stride, as: SIMD8<Float>.self)
                let x4 = raw.loadUnaligned(fromByteOffset: (j - 4 * l) * stride, as: SIMD8<Float>.self)
                let x5 = raw.loadUnaligned(fromByteOffset: (j - 5 * l) * stride, as: SIMD8<Float>.self)
                let d0 = x - x1, d1 = x1 - x2, d2 = x2 - x3, d3 = x3 - x4, d4 = x4 - x5
                // Plain multiply-add, not addingProduct: without an FMA target that calls
                // libm's fmaf per lane (the whole analysis ran 4.7× slower with it).
                s8 += x
                p8 += x * x
                r0 += d0 * d0
                r1 += d0 * d1
                r2 += d0 * d2
                r3 += d0 * d3
                r4 += d0 * d4
                let ax = x.replacing(with: -x, where: x .< 0)
                pk.replace(with: ax, where: ax .> pk)
                clip8 &+= SIMD8<Int32>(repeating: 0).replacing(with: 1, where: ax .>= clipV)
                j += 8
            }
            var s = s8.sum(), sq = p8.sum()
            var c0 = r0.sum(), c1 = r1.sum(), c2 = r2.sum(), c3 = r3.sum(), c4 = r4.sum()
            var peak = pk.max()
            var clipped = clip8.wrappedSum()
            while j < n {
                let x = base[j]
                let d0 = x - base[j - l], d1 = base[j - l] - base[j - 2 * l]
                let d2 = base[j - 2 * l] - base[j - 3 * l], d3 = base[j - 3 * l] - base[j - 4 * l]
                let d4 = base[j - 4 * l] - base[j - 5 * l]
                s += x
                sq += x * x
                c0 += d0 * d0; c1 += d0 * d1; c2 += d0 * d2; c3 += d0 * d3; c4 += d0 * d4
                peak = max(peak, abs(x))
                if abs(x) >= clipLevel { clipped += 1 }
                j += 1
            }
            let inv = 1 / Float(n)
            let mean = s * inv
            let power = max(0, sq * inv - mean * mean)
            let dPower = c0 * inv
            let c = SIMD4<Float>(c1, c2, c3, c4) * inv
            var bands = SIMD4<Float>(repeating: dPower)
            for k in 0..<4 { bands = bands.addingProduct(Self.bandWeights[k], SIMD4<Float>(repeating: c[k])) }
            let floor = SIMD4<Float>(repeating: dPower * 1e-4 + 1e-20)
            bands = pointwiseMax(bands, floor)
            let gain = Self.predictionGainDB(power: dPower, lags: c)
            let rho = dPower > 0 ? SIMD2<Float>(c[0], c[1]) / dPower : .zero
            return FrameFeatures(power: power, bands: bands, predictionGainDB: gain, rho1: rho.x, rho2: rho.y,
                                 peak: peak, clipped: clipped)
        }
        // Keep the last `history` samples for the next frame's lags.
        buffer.withUnsafeMutableBufferPointer { buf in
            let b = buf.baseAddress!
            b.update(from: b + n, count: h)
        }
        if !f.power.isFinite { f = .silent }
        return f
    }

    /// Levinson–Durbin recursion, order 4, without allocation; returns
    /// 10·log10(power / residual), capped at 60 dB.
    @inline(__always)
    private static func predictionGainDB(power: Float, lags: SIMD4<Float>) -> Float {
        guard power > 1e-12 else { return 0 }
        let r0 = Double(power)
        let r = SIMD4<Double>(Double(lags[0]), Double(lags[1]), Double(lags[2]), Double(lags[3]))
        var a = SIMD4<Double>.zero          // a[0] = a1 … a[3] = a4
        var e = r0
        let minE = r0 * 1e-6
        for i in 0..<4 {
            var acc = r[i]
            for j in 0..<i { acc -= a[j] * r[i - 1 - j] }
            let k = acc / e
            // |k| ≥ 1: the estimates are not a valid autocorrelation (numerical noise on
            // near-silent frames); keep the gain reached so far.
            guard abs(k) < 1 else { break }
            var next = a
            next[i] = k
            for j in 0..<i { next[j] = a[j] - k * a[i - 1 - j] }
            a = next
            e *= (1 - k * k)
            if e <= minE { e = minE; break }
        }
        return Float(10 * log10(r0 / e))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
