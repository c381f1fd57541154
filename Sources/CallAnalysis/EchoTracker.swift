/// Quantiles of the last `window` values given to it, from a histogram over
/// ±log2(1 + |value| / `scale`) in bins of ⅛ octave (0.38 dB, about 9 % of the value
/// wherever |value| ≫ `scale`; both signs; ±26 octaves, 78 dB). The bin is read off the
/// float's bits (exponent and top three mantissa bits: positive floats order like their
/// bit patterns), so adding a value costs a few integer operations; the transform is
/// monotone, so the quantiles of the bins are the bins of the quantiles.
///
/// Adding a value is O(1); the quantiles are read from the histogram every `refreshEvery`
/// values (one scan of the bins, at most 416 steps), so the per-value cost stays small.
struct SlidingQuantiles: Sendable {
    static let halfBins = 208
    /// The bit pattern of 1.0 shifted like the keys: bin 0 of each sign.
    private static let oneKey = Int((Float(1).bitPattern) >> 20)
    let window: Int
    let scale: Float
    private let inverseScale: Float
    private var counts: [Int32]
    private var history: [UInt16]
    private var head = 0
    /// Values in the window (at most `window`).
    private(set) var count = 0
    private var sinceRefresh = 0
    private let refreshEvery: Int
    /// The fractions whose quantiles are kept, ascending (default: the quartiles).
    let fractions: [Float]
    /// The quantiles of `fractions` as of the last refresh (0 before).
    private(set) var values: [Float]
    /// The lower quartile, median and upper quartile (with the default fractions).
    var quartiles: (low: Float, median: Float, high: Float) { (values[0], values[1], values[2]) }

    init(window: Int, scale: Float, fractions: [Float] = [0.25, 0.5, 0.75], refreshEvery: Int = 16) {
        self.window = window
        self.refreshEvery = refreshEvery
        self.scale = scale
        inverseScale = 1 / scale
        self.fractions = fractions
        values = Array(repeating: 0, count: fractions.count)
        counts = Array(repeating: 0, count: 2 * Self.halfBins)
        history = Array(repeating: 0, count: window)
    }

    mutating func add(_ value: Float) {
        let magnitude = Swift.min(abs(value) * inverseScale + 1, 6.0e7)
        let key = Swift.min(Int(magnitude.bitPattern >> 20) - Self.oneKey, Self.halfBins - 1)
        let b = UInt16(value < 0 ? Self.halfBins - 1 - key : Self.halfBins + key)
        if count == window {
            counts[Int(history[head])] -= 1
        } else {
            count += 1
        }
        history[head] = b
        counts[Int(b)] += 1
        head += 1
        if head == window { head = 0 }
        sinceRefresh += 1
        if sinceRefresh >= refreshEvery {
            sinceRefresh = 0
            refresh()
        }
    }

    private mutating func refresh() {
        var k = 0
        var cumulative: Int32 = 0
        var target = max(1, Int32(Float(count) * fractions[0]))
        let bins = counts.count
        var i = -1
        while i + 1 < bins {
            i += 1
            // Eight bins at a time while they cannot reach the target (integer sums: the
            // same bins are found as one at a time).
            if i + 8 <= bins {
                let block = counts.withUnsafeBufferPointer {
                    UnsafeRawPointer($0.baseAddress! + i).loadUnaligned(as: SIMD8<Int32>.self).wrappedSum()
                }
                if cumulative &+ block < target {
                    cumulative &+= block
                    i += 7
                    continue
                }
            }
            cumulative += counts[i]
            guard cumulative >= target else { continue }
            while k < fractions.count && cumulative >= max(1, Int32(Float(count) * fractions[k])) {
                // The middle of the bin: its key's bits with the next mantissa bit set.
                let key = i >= Self.halfBins ? i - Self.halfBins : Self.halfBins - 1 - i
                let mid = Float(bitPattern: UInt32(key + Self.oneKey) << 20 | 0x8_0000)
                let magnitude = (mid - 1) * scale
                values[k] = i < Self.halfBins ? -magnitude : magnitude
                k += 1
            }
            if k == fractions.count { break }
            target = max(1, Int32(Float(count) * fractions[k]))
        }
    }
}

/// The other channel's sound heard on this one: line echo (a hybrid's reflection), acoustic
/// echo (a headset that picks up its own earpiece), or crosstalk between the two legs of a
/// recorder. On a stereo recording it is a delayed (0–70 ms), attenuated (typically 25–45 dB),
/// filtered copy of the other channel; a noise tracker takes it for this party's talk
/// wherever it stands above the line noise, since it is speech.
///
/// Per frame, the other channel's band powers over the last `lagFrames` frames give an
/// envelope (their maximum: the delay need not be known to the frame). Where the other
/// channel is active, this channel's power above its noise, divided by that envelope (both
/// summed over the bands), measures the coupling; its median over the last `window` such
/// frames is the coupling (frames where this party talks at the same time lie far above it
/// and move a median little; with no echo, this channel is at its noise and the median is
/// nothing). The coupling is believed only while this channel's level follows the other's
/// (the correlation of the two log-powers at the best lag, over frames where the other is
/// active, is at least `minCorrelation`): with independent channels this channel is quiet
/// or talks on its own rhythm when the other talks, and no coupling is applied.
///
/// The echo predicted for a frame, coupling × envelope, is added to the noise the frame's
/// SNR is measured against (`EchoSource`, `ChannelDetector`), times a margin: echo never
/// confirms speech, while this party's own voice, tens of dB over its echo, still does.
///
/// An echo path is the call's: a hybrid or a headset does not stop echoing because both
/// parties talk at once. But double talk pulls the correlation down (this channel's level
/// follows its own talker then): on a harness call, 11 s of the customer talking over the
/// agent took a −28 dB echo proven at 0.4–0.98 under 0.35 for the rest of the call, and
/// 10 s of its echo were talk again. So a coupling proven after
/// `keepEvidence` frames of the other's talk is kept for deciding frames while the
/// correlation stays at or over `keptMinCorrelation` (independent channels scatter about 0),
/// as `decisionCoupling`; what this channel learns of its own noise and voices behind
/// (`ChannelDetector.take`) goes on against the coupling proven now (`coupling`): kept, it
/// took the floor's babble for echo.
struct EchoTracker: Sendable {
    /// Frames of the other channel's history whose maximum is the envelope: 0–70 ms.
    static let lagFrames = 8
    /// The other channel counts as active when its band powers stand this far over its
    /// floor (linear, 10 dB).
    static let farActiveRatio: Float = 10
    /// Coupling evidence needed before any is applied (frames where the other is active).
    static let minEvidence = 50
    /// Correlation of the two channels' log-powers at the best lag that shows this channel
    /// follows the other.
    static let minCorrelation: Double = 0.35
    /// Above this the two channels' levels move as one (the health flag
    /// `channels_identical` says the same at this figure). Echo through a line's codec and
    /// filter, over the other line's noise, measured 0.4–0.86 on the harness; a clean
    /// digital copy (a recorder's crosstalk) follows closer. So such channels are taken for
    /// one signal (a mono call stored as stereo, 6–20 dB apart) unless the coupling is
    /// under `sameSignalCoupling` (−25 dB, as it reads): no one stores a mono call with one
    /// side 25 dB down.
    static let maxCorrelation: Double = 0.97
    static let sameSignalCoupling: Float = 0.003_16
    /// Frames where the other is active (3 s of its talk) before a proven coupling is kept
    /// through a correlation under `minCorrelation`, and the correlation it is kept at.
    static let keepEvidence = 300
    static let keptMinCorrelation: Double = 0
    /// Forgetting factor of the correlation sums per frame where the other is active
    /// (a time constant of about 20 s of the other party's talk).
    static let forget: Double = 1 - 1.0 / 2000
    /// Decay of the other channel's peak level per frame (3 dB/s).
    static let peakDecay: Float = 0.99312
    /// Rise of the other channel's floor per frame (3 dB/s).
    static let floorRise: Float = 1.00693

    /// The other channel's band powers of the last `lagFrames` (8) frames, held inline (no
    /// array): no copy-on-write check or bounds check per frame.
    private var farRing = InlineArray<8, SIMD4<Float>>(repeating: .zero)
    /// The other channel's log-power (dB), lag k frames ago in lane k.
    private var farLog = SIMD8<Float>(repeating: -120)
    private var pos = 0
    private var ratios: SlidingQuantiles
    /// Forgetting sums of x, x², n and, per lag in the lanes, of y, y², x·y (x = this
    /// channel's log-power, y = the other's `lag` frames earlier).
    private var sx = 0.0, sxx = 0.0, n = 0.0
    private var sy = SIMD8<Double>(repeating: 0), syy = SIMD8<Double>(repeating: 0), sxy = SIMD8<Double>(repeating: 0)
    private(set) var farActiveFrames = 0
    /// The other channel's loud level: a peak of its envelope (summed bands) that decays
    /// 3 dB a second.
    private var farPeak: Float = 0
    /// The other channel's quiet level: a minimum of its envelope that rises 3 dB a second
    /// (this tracker's own, so that the result never depends on how the call is cut into
    /// blocks: the other detector's noise is known only at block ends).
    private var farFloor: Float = .greatestFiniteMagnitude
    /// Coupling (power ratio) applied now: 0 while unproven. One figure for all bands: a
    /// median per band is pulled to nothing wherever the echo lies under that band's noise
    /// in most frames, and a band the line filtered off is only overestimated (a little of
    /// this party's sensitivity lost there while the other party talks).
    private(set) var coupling: Float = 0
    /// Coupling a frame is decided against: `coupling` while one is proven; while none is (the
    /// correlation under `minCorrelation`, or the median not clear of 0 or over `maxCoupling`,
    /// as this party's own words in double talk push it), the last one proven once
    /// `keepEvidence` frames were in, while the correlation stays at or over
    /// `keptMinCorrelation` (and is no same-signal figure); else 0.
    private(set) var decisionCoupling: Float = 0
    /// The last coupling proven after `keepEvidence` frames (0: none).
    private var kept: Float = 0
    let maxCoupling: Float

    /// - Parameter maxCouplingDB: coupling above this is no echo but the same signal on
    ///   both channels (a mono call stored as stereo): nothing is taken away then.
    init(maxCouplingDB: Double, window: Int = 1000) {
        ratios = SlidingQuantiles(window: window, scale: 1e-6, refreshEvery: 32)
        maxCoupling = Float(pow10(maxCouplingDB / 10))
    }

    /// Takes the next frame of both channels; returns the other channel's envelope for this
    /// frame (band powers, maximum over the last `lagFrames` frames), which times `coupling`
    /// is the echo expected in it.
    /// - Parameters:
    ///   - near: this channel's band powers and frame power; `nearNoise` its band noise
    ///     (negative while unknown), `nearNoiseMeasured` whether that is the line's noise
    ///     and not a floor (`NoiseTracker.measured`).
    ///   - far: the other channel's band powers and frame power.
    mutating func update(near: SIMD4<Float>, nearPower: Float, nearNoise: SIMD4<Float>, nearNoiseMeasured: Bool = true,
                         far: SIMD4<Float>, farPower: Float) -> SIMD4<Float> {
        update(near: near, nearPower: nearPower, nearLog: logPower(nearPower), nearNoise: nearNoise,
               nearNoiseMeasured: nearNoiseMeasured, far: far, farLog: logPower(farPower))
    }

    /// `update(near:nearPower:nearNoise:nearNoiseMeasured:far:farPower:)` with both frames'
    /// log powers (`logPower`) known: a block's are taken once for both channels' trackers
    /// and the envelope correlation (`logPowers`).
    mutating func update(near: SIMD4<Float>, nearPower: Float, nearLog: Float, nearNoise: SIMD4<Float>,
                         nearNoiseMeasured: Bool = true, far: SIMD4<Float>, farLog farFrameLog: Float) -> SIMD4<Float> {
        farRing[pos] = far
        farLog = SIMD8(farFrameLog, farLog[0], farLog[1], farLog[2], farLog[3], farLog[4], farLog[5], farLog[6])
        var envelope = farRing[0]
        for k in 1..<farRing.count { envelope = vmax(envelope, farRing[k]) }
        pos += 1
        if pos == Self.lagFrames { pos = 0 }
        let farLevel = envelope.sum()
        farPeak = max(farLevel, farPeak * Self.peakDecay)
        farFloor = min(max(farLevel, 1e-20), farFloor * Self.floorRise)
        // Only where the other party is loud (within 10 dB of its peak) does its echo stand
        // over this line's noise; frames where it talks softly hold only this line's noise
        // and pulled the median towards nothing (−34 dB measured for a −25 dB echo).
        guard nearNoise.x > 0, farLevel > Self.farActiveRatio * farFloor,
              farLevel > 0.1 * farPeak else { return envelope }
        farActiveFrames += 1
        // Signed: with no echo this channel's power scatters about its noise, and the median
        // of the ratio stays near 0 (clamped at 0, the positive half of the scatter made a
        // coupling of its own out of nothing). On a clean line (`nearNoiseMeasured` false:
        // the "noise" is a floor, −70 dBFS or the talker's level − 45 dB, with digital
        // silence under it) nothing is subtracted: an echo a few dB over that floor, under it
        // in its quieter frames, held the median at nothing while its louder syllables read
        // as talk (the correlation gate stays: with no echo this channel is silent or talks
        // on its own rhythm while the other talks). Not on a codec's idle frames (power 0,
        // `codec_idle_steps`): they hide an echo under the quantizer's step, and held the
        // median at nothing on clean µ-law and A-law lines the same way.
        if nearPower > 0 {
            let under = nearNoiseMeasured ? nearNoise.sum() : 0
            ratios.add((near.sum() - under) / max(envelope.sum(), 1e-20))
        }
        let x = Double(nearLog)
        let y = SIMD8<Double>(farLog)
        sx = sx * Self.forget + x
        sxx = sxx * Self.forget + x * x
        n = n * Self.forget + 1
        sy = sy * Self.forget + y
        syy = syy * Self.forget + y * y
        sxy = sxy * Self.forget + x * y
        if farActiveFrames % 32 == 0 { refresh() }
        return envelope
    }

    /// The correlation at the best lag, and that lag (frames).
    var bestLag: (lag: Int, correlation: Double)? {
        var best: (Int, Double)?
        guard n > 1 else { return nil }
        let vx = sxx - sx * sx / n
        guard vx > 1e-9 else { return nil }
        for lag in 0..<Self.lagFrames {
            let vy = syy[lag] - sy[lag] * sy[lag] / n
            guard vy > 1e-9 else { continue }
            let r = (sxy[lag] - sx * sy[lag] / n) / (vx * vy).squareRoot()
            if r > best?.1 ?? -.infinity { best = (lag, r) }
        }
        return best.map { (lag: $0.0, correlation: $0.1) }
    }

    /// The broadband coupling (dB, this channel's power above its noise against the other
    /// channel's envelope), median over the window.
    var couplingDB: Float { ratios.quartiles.median > 1e-10 ? fastDB(ratios.quartiles.median) : -100 }

    private mutating func refresh() {
        let correlation = bestLag?.correlation
        let proven = provenCoupling(correlation: correlation)
        coupling = proven
        if proven > 0 && farActiveFrames >= Self.keepEvidence { kept = proven }
        // The kept one stands while the correlation is at or over `keptMinCorrelation` and no
        // same-signal figure.
        let keeps = kept > 0 && correlation.map { (Self.keptMinCorrelation...Self.maxCorrelation).contains($0) } == true
        decisionCoupling = proven > 0 ? proven : keeps ? kept : 0
    }

    /// The coupling the window proves now at the best lag's `correlation`, or 0.
    private func provenCoupling(correlation: Double?) -> Float {
        guard farActiveFrames >= Self.minEvidence, let correlation, correlation >= Self.minCorrelation,
              correlation <= Self.maxCorrelation || ratios.quartiles.median < Self.sameSignalCoupling else { return 0 }
        // The median must stand clear of 0 by three standard errors of a median (1.25 σ / √n,
        // σ from the quartiles) as if the window's frames were independent; they are not
        // (syllables span many frames), so this gate is weaker than the figure says, and the
        // correlation gate carries most of the weight.
        let q = ratios.quartiles
        let standardError = 1.2533 * (q.high - q.low) / 1.349 / Float(ratios.count).squareRoot()
        return q.median > 3 * standardError && q.median <= maxCoupling ? q.median : 0
    }
}

@inline(__always) private func pow10(_ x: Double) -> Double {
    #if canImport(Glibc)
    return Glibc.pow(10, x)
    #else
    return Darwin.pow(10, x)
    #endif
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The other channel's sound measured on one channel of a stereo call (see `EchoTracker`).
public struct EchoEstimate: Sendable, Equatable {
    /// This channel's power above its noise against the other channel's level, median over
    /// the frames where the other party talked (dB; −100 when nothing of it is heard).
    public var couplingDB: Double
    /// The lag at which this channel's level follows the other's best (ms, 10 ms steps).
    public var delayMs: Double
    /// Correlation of the two channels' frame log-powers at that lag, over frames where the
    /// other party talked (−1…1).
    public var correlation: Double
    /// Share of the channel's frames (0–1) decided while a proven coupling was taken off
    /// (correlation 0.35–0.97, clear of 0, under `echo_max_coupling_db`), or one kept through
    /// double talk (`EchoTracker.decisionCoupling`).
    public var appliedShare: Double
    /// Whether echo was taken off at all (in at least 1 % of the frames).
    public var applied: Bool { appliedShare >= 0.01 }

    public init(couplingDB: Double, delayMs: Double, correlation: Double, appliedShare: Double) {
        self.couplingDB = couplingDB
        self.delayMs = delayMs
        self.correlation = correlation
        self.appliedShare = appliedShare
    }
}
