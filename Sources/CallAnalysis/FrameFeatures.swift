/// What one 10 ms frame of one channel looks like to the detector.
public struct FrameFeatures: Sendable, Equatable {
    // Declared first so that the 16-byte vector needs no padding: 48 bytes a frame, not 64.
    /// Power of the first-differenced signal in four bands centred at ¹⁄₁₆, ³⁄₁₆, ⁵⁄₁₆ and
    /// ⁷⁄₁₆ of 8 kHz (500, 1500, 2500 and 3500 Hz on narrow-band audio), from a
    /// Bartlett-windowed autocorrelation (Blackman–Tukey estimate); each band ≈ 1 kHz wide.
    /// Only ratios to the band's own noise are used, so the differencing tilt cancels.
    public var bands: SIMD4<Float>
    /// Mean square of the frame after removing its mean (DC), full scale² units.
    public var power: Float
    /// Order-4 linear-prediction gain as a power ratio (signal / residual, capped at 10⁶):
    /// ≈ 1 (0 dB) for white noise, 8–15 dB for speech, > 25 dB for one or two steady
    /// sinusoids (dial, ring-back, DTMF tones).
    public var predictionGain: Float
    /// `predictionGain` in dB.
    public var predictionGainDB: Float { Self.decibels(gain: predictionGain) }
    /// A prediction gain in dB (0 for no gain).
    static func decibels(gain: Float) -> Float { gain > 0 ? 10 * log10(gain) : 0 }
    /// Normalised autocorrelation at lag 1 and 2 (spectral shape, for steadiness).
    public var rho1: Float
    public var rho2: Float
    /// The same for the signal itself, not its difference (lag 2 derived from the
    /// difference's lag 1): low tones such as ring-back keep their shape here even when
    /// white noise dominates the differenced signal.
    public var rawRho1: Float = 0
    public var rawRho2: Float = 0
    /// Largest |sample| in the frame.
    public var peak: Float
    /// `clipped` (low 12 bits) and `heldLines` (top 4 bits) in two bytes (see `toneCodes`).
    var clipCodes: UInt16 = 0
    /// Where an 80 ms call-progress window ends (every fourth frame): the tone plan (1 +
    /// index, see `CallProgressToneTest`) that explains at least `call_tone_share` of it, or
    /// 0; `CallProgressToneTest.notEvaluated` (255) on the other frames.
    public var callTone: UInt8 = 0
    /// `dualTone` (low 6 bits) and `periodicTone` (top 2 bits) in one byte: a 49th byte
    /// would make the frame 64 bytes (its vector is 16-byte aligned), and the analysis ran
    /// measurably slower with it.
    var toneCodes: UInt8 = 0
    /// The DTMF digit two keypad tones explain (1 + 4·row + column, see `DualToneTest`), or 0:
    /// not a digit, or not tested (only frames clearly above the channel's quietest and with
    /// the spectral shape and level of the frame before are tested).
    public var dualTone: UInt8 {
        get { toneCodes & 0x3F }
        set { toneCodes = toneCodes & 0xC0 | newValue & 0x3F }
    }
    /// Whether the frame repeats the signal 15–30 ms before it (see `PeriodicToneTest`):
    /// 0 no (or not tested), 1 at a newly found lag (a run starts), 2 at the lag of the run
    /// it continues. Runs of 0.25 s are beeps and buzzers.
    public var periodicTone: UInt8 {
        get { toneCodes >> 6 }
        set { toneCodes = toneCodes & 0x3F | newValue << 6 }
    }

    /// Samples at or above the clip level (saturating at 4,095; a frame holds fewer below
    /// 409.6 kHz).
    public var clipped: UInt16 {
        get { clipCodes & 0x0FFF }
        set { clipCodes = clipCodes & 0xF000 | min(newValue, 0x0FFF) }
    }
    /// Held notes (`SpectralLineTest`): 0 where the frame was not measured (all but every
    /// twentieth frame, quiet ones, and those with neither grid frame 0.2 and 0.4 s before measured), else 1 + the
    /// number of its spectral peaks that stood in the same place in both (at most 15; see `SpectralLineTest.measure` for a gap).
    public var heldLines: UInt8 {
        get { UInt8(clipCodes >> 12) }
        set { clipCodes = clipCodes & 0x0FFF | UInt16(min(newValue, 15)) << 12 }
    }

    public init(bands: SIMD4<Float>, power: Float, predictionGain: Float, rho1: Float, rho2: Float, rawRho1: Float = 0,
                rawRho2: Float = 0, peak: Float, clipped: UInt16) {
        self.bands = bands
        self.power = power
        self.predictionGain = predictionGain
        self.rho1 = rho1
        self.rho2 = rho2
        self.rawRho1 = rawRho1
        self.rawRho2 = rawRho2
        self.peak = peak
        self.clipped = clipped
    }

    public static let silent = FrameFeatures(bands: .zero, power: 0, predictionGain: 1, rho1: 0, rho2: 0, peak: 0, clipped: 0)
}

/// The coarse quantizers whose last codes line noise can toggle on a quiet channel.
public enum CodecQuantization: String, Sendable, Equatable {
    case muLaw = "µ-law", aLaw = "A-law", pcm8 = "PCM8"

    /// The quantizer for a reader's encoding name, nil for codecs with fine or adaptive steps.
    public init?(encoding: String) { self.init(rawValue: encoding) }

    /// Distance between adjacent output levels around `level` (full scale 1.0).
    /// µ-law: 8·2ˢ in 16-bit units in segment s of |x| + 132; A-law: 16 below 512, then
    /// 8·2ˢ; 8-bit PCM: 1/128.
    @inline(__always)
    public func step(at level: Float) -> Float {
        let x = abs(level) * 32768
        switch self {
        case .muLaw:
            let s = min(7, Int(((x + 132) / 132).exponent))
            return Float(8 << s) / 32768
        case .aLaw:
            guard x >= 512 else { return 16.0 / 32768 }
            let s = min(7, Int((x / 256).exponent) + 1)
            return Float(8 << s) / 32768
        case .pcm8:
            return 1.0 / 128
        }
    }
}

/// Cuts one channel's samples into 10 ms frames and measures each: DC-removed power,
/// four band powers, prediction gain, peak and clipping. O(1) work per sample, no allocation
/// after init: pass 1 over the samples (sums, extremes, first difference), pass 2 over the
/// differences (five lags), SIMD; the prediction gains four frames at a time.
public struct FrameFeatureExtractor: Sendable {
    /// Samples per frame (sample rate / 100).
    public let frameLength: Int
    /// Autocorrelation lag step: 1 at 8 kHz, 2 at 16 kHz, so bands stay at telephone frequencies.
    public let lagStep: Int
    /// Differences kept from the previous frame (4 lags).
    private let differenceHistory: Int
    private let clipLevel: Float
    /// The file's quantizer, when it is coarse enough for its idle codes to matter.
    private let quantization: CodecQuantization?
    /// A frame spanning at most this many quantizer steps is codec idle noise.
    private let idleSteps: Float
    /// Share of idle frames among the frames that are not constant, averaged over ≈ 2 s.
    private var idleShare: Float = 0
    /// The `lagStep` samples before the frame being filled (set when its filling starts),
    /// then that frame: frames that straddle two blocks.
    private var buffer: [Float]
    /// The previous frame's last `differenceHistory` differences, then this frame's. Moved
    /// out for a block (`consume`) and read through one pointer: no copy-on-write check per
    /// frame.
    private var differences: [Float]
    /// A block's frames and their autocorrelations (lags 0…4 of the differences, the
    /// prediction gains' input), kept between blocks: `consume`'s scratch lists.
    private var blockFrames: [FrameFeatures] = []
    /// Stored as the prediction gains read them: per four frames, lag 0 of the four, then
    /// lag 1, … lag 4 (`lagGroup` floats), so no transposition per four frames.
    private var blockLags: [Float] = []
    private static let lagGroup = 20
    private var fill: Int
    private static let lagCount = 5
    /// cos(π(2b+1)k/8)·w_k·2 for band b, lag k = 1…4; Bartlett lag window w_k = 1 − k/5.
    private static func bandWeightsFor(lag k: Int) -> SIMD4<Float> {
        let w = 2.0 * (1.0 - Double(k) / 5.0)
        return SIMD4<Float>((0..<4).map { b in Float(w * cos(Double.pi * Double(2 * b + 1) * Double(k) / 8.0)) })
    }
    // Held per instance: a static would cost a lazy-initialisation check per frame.
    private let bandWeight1 = Self.bandWeightsFor(lag: 1)
    private let bandWeight2 = Self.bandWeightsFor(lag: 2)
    private let bandWeight3 = Self.bandWeightsFor(lag: 3)
    private let bandWeight4 = Self.bandWeightsFor(lag: 4)
    /// The DTMF test, run only on candidate frames: more than 6 dB over the quietest frame of
    /// the last ≈ 2 s, power within a factor 2 and shape (ρ₁, ρ₂ of the differences or of the
    /// samples) within 0.08 / 0.16 of the frame before, and every second such frame; then
    /// every frame while they are at least half explained by two keypad tones. Keypad tones
    /// hold still, speech mostly moves: the test costs about 5 % of the analysis (bench).
    private let dualTone: DualToneTest
    /// The frame before's spectral shape (ρ₁, ρ₂ of the differences and of the samples):
    /// the DTMF and periodic-tone gates ask whether a frame held it.
    private var previousShape = SIMD4<Float>(repeating: 10)
    private var previousPower: Float = 0
    /// The quietest frame of the last ≈ 2 s (blocks of 0.5 s): the DTMF gate's floor.
    private var quietest = QuietestFrame(blockFrames: 50)
    /// Whether the last frame tested was half explained by two keypad tones: the next frame
    /// is then tested whatever it looks like (codecs and hiss shake a digit's shape from frame
    /// to frame), until a frame is not.
    private var lastLikelyDigit = false
    /// Ring-back, dial and busy tones over the last 80 ms, tested every 40 ms.
    private var callTone: CallProgressToneTest
    /// Frames measured so far.
    private var framesSeen = 0
    /// Frames until the next grid frame of the held-note test (every `SpectralLineTest.gridFrames`-th, the first included): a
    /// countdown, not a remainder per frame.
    private var toGrid = 0
    /// The quietest frame of the last 4–5 s (blocks of 1 s): the call-progress fit's gate.
    private var lineQuietest = QuietestFrame(blockFrames: 100)
    /// Exactly periodic tones (digital beeps and buzzers), tested on few frames.
    private var periodicTest: PeriodicToneTest
    /// The stream's last samples before the current block, as many as the periodic test's
    /// longest lag or a call-progress window before a frame reach, plus a frame: the history
    /// of a frame near the start of a block (see `withHistory`).
    private var tail: [Float]
    /// Steady sines through codecs that shake their level (`testSine`).
    private var sineFit: SineToneFit
    /// `framesSeen` when a frame last cued the sine fit: it ended a run of `sineGateRun`
    /// frames that repeated the signal before them, a streak of `sineCueStreak` frames of
    /// one shape and level (`PeriodicToneTest`), or a streak of `highSineCueStreak` frames
    /// shaped like a high sine; and the current repeating run's length.
    private var lastSineCue = Int.min / 2
    private var periodicRun = 0
    /// Frames in a row repeating the signal before them that cue the sine fit: voices make
    /// runs of a few frames now and then, a sine shaken by a codec makes longer ones.
    private static let sineGateRun = 3
    /// Frames in a row of one shape and level (±1 dB, 30 ms average; the shape within 1.5 ×
    /// `shapeHeld`'s bounds) that cue the sine fit: under 10 dB of hiss GSM 6.10 breaks a
    /// sine's repetition from frame to frame, but holds its level and rough shape over a few
    /// frames now and then. With the other cues and follow-ups the fit runs about 14,000
    /// times in an hour of a stereo call (about 0.5 µs each, from a profile); streaks of 6 frames cued a
    /// third as many fits and left more of GSM's sines talk.
    private static let sineCueStreak = 4
    /// Frames in a row whose raw shape is a sine above 1.8 kHz (`highSineCue`) that
    /// cue the sine fit too: GSM 6.10 rebuilds such a tone with a level that jumps 1–4 dB
    /// from frame to frame, which the cue above needs held.
    private static let highSineCueStreak = 3
    /// Frames in a row shaped like a high sine so far.
    private var highSineStreak = 0
    /// Whether the frame just measured gets the periodic-tone test (`testPeriodicity`).
    private var periodicWanted = false
    /// A frame and its history, assembled when they straddle two blocks.
    private var lagWindow: [Float]
    /// Held notes, measured on every twentieth frame (see `FrameFeatures.heldLines`). Optional
    /// only so that `testLines` can move it out and back (`take()`): a copy would retain and
    /// release its ten arrays on every measured frame.
    private var lineTest: SpectralLineTest?
    /// A grid frame within this power ratio (6 dB) of the line's quietest is near its floor: a
    /// look at the peaks the line holds by itself (`SpectralLineTest.lineMask`).
    private static let lineNearFloor: Float = 4
    /// `lineTest`'s window (samples of history a measurement needs before a frame's end).
    private let lineWindowSamples: Int

    /// - Parameters:
    ///   - sampleRate: Hz, > 0.
    ///   - clipLevel: |sample| at or above this counts as clipped.
    ///   - quantization: the file's 8-bit quantizer, if any; with `idleSteps` > 0, a frame
    ///     whose samples all lie within `idleSteps` steps of it (line noise toggling the last
    ///     codes of a quiet channel) is measured as digital silence, keeping its peak.
    ///   - dtmfShare, dtmfMaxTwistDB: see `AnalysisParameters.dtmfShare`.
    public init(sampleRate: Int, clipLevel: Double, quantization: CodecQuantization? = nil, idleSteps: Double = 0,
                dtmfShare: Double = AnalysisParameters().dtmfShare, dtmfMaxTwistDB: Double = AnalysisParameters().dtmfMaxTwistDB,
                callToneShare: Double = AnalysisParameters().callToneShare,
                periodicDifference: Double = AnalysisParameters().periodicDifference) {
        self.quantization = idleSteps > 0 ? quantization : nil
        self.idleSteps = Float(idleSteps)
        frameLength = max(1, Int((Double(sampleRate) * frameDuration).rounded()))
        lagStep = max(1, Int((Double(sampleRate) / 8000.0).rounded()))
        differenceHistory = (Self.lagCount - 1) * lagStep
        self.clipLevel = Float(clipLevel)
        buffer = [Float](repeating: 0, count: lagStep + frameLength)
        differences = [Float](repeating: 0, count: differenceHistory + frameLength)
        fill = 0
        dualTone = DualToneTest(sampleRate: sampleRate, frameLength: frameLength, minShare: dtmfShare, maxTwistDB: dtmfMaxTwistDB)
        callTone = CallProgressToneTest(sampleRate: sampleRate, frameLength: frameLength, minShare: callToneShare)
        periodicTest = PeriodicToneTest(sampleRate: sampleRate, frameLength: frameLength, maxDifference: periodicDifference)
        sineFit = SineToneFit(sampleRate: sampleRate, frameLength: frameLength, minShare: callToneShare)
        let lines = SpectralLineTest(sampleRate: sampleRate, lagStep: lagStep)
        lineTest = lines
        lineWindowSamples = lines.windowSamples
        tail = [Float](repeating: 0, count: max(periodicTest.maxLag, (CallProgressToneTest.windowFrames - 1) * frameLength,
                                                lines.windowSamples - frameLength) + frameLength)
        lagWindow = tail
    }

    /// An extractor with the clip level, codec-idle and DTMF settings of `parameters`.
    public init(sampleRate: Int, parameters p: AnalysisParameters, quantization: CodecQuantization? = nil) {
        self.init(sampleRate: sampleRate, clipLevel: p.clipLevel, quantization: quantization, idleSteps: p.codecIdleSteps,
                  dtmfShare: p.dtmfShare, dtmfMaxTwistDB: p.dtmfMaxTwistDB, callToneShare: p.callToneShare,
                  periodicDifference: p.periodicDifference)
    }

    /// Appends the features of every frame completed by `samples` to `out`.
    ///
    /// The block's frames are measured into a scratch list with their autocorrelations (the
    /// prediction gains' input), their gains filled four at a time, then appended at once:
    /// no array is grown or checked for sharing per frame.
    public mutating func consume(_ samples: UnsafeBufferPointer<Float>, into out: inout [FrameFeatures]) {
        let n = samples.count
        guard let base = samples.baseAddress else { return }
        let capacity = n / frameLength + 2
        // Moved out for the block (taken back below), so that their pointers may be held
        // while `self` changes.
        var d = differences, frameList = blockFrames, lagList = blockLags
        (differences, blockFrames, blockLags) = ([], [], [])
        if frameList.count < capacity {
            frameList = Array(repeating: .silent, count: capacity)
            lagList = Array(repeating: 0, count: (capacity + 3) / 4 * Self.lagGroup)
        }
        d.withUnsafeMutableBufferPointer { db in
            let dp = db.baseAddress!
            frameList.withUnsafeMutableBufferPointer { framesBuffer in
                lagList.withUnsafeMutableBufferPointer { lagsBuffer in
                    let frames = framesBuffer.baseAddress!, lags = lagsBuffer.baseAddress!
                    var k = 0
                    var i = 0
                    while i < n {
                        // A whole frame inside the block, with the samples its lags reach back to:
                        // measured where it lies, no copy.
                        if fill == 0 && i >= lagStep && n - i >= frameLength {
                            var f = measure(base + i, differences: dp, lags: lags + Self.lagSlot(k))
                            testTones(&f, block: base, start: i)
                            frames[k] = f
                            k += 1
                            i += frameLength
                            continue
                        }
                        if fill == 0 { keepHistory(base, at: i) }
                        let take = min(frameLength - fill, n - i)
                        buffer.withUnsafeMutableBufferPointer { buf in
                            let dst = buf.baseAddress! + lagStep + fill
                            dst.update(from: base + i, count: take)
                        }
                        fill += take
                        i += take
                        if fill == frameLength {
                            var f = measureBuffered(differences: dp, lags: lags + Self.lagSlot(k))
                            testTones(&f, block: base, start: i - frameLength)
                            frames[k] = f
                            k += 1
                            fill = 0
                        }
                    }
                    Self.fillPredictionGains(frames, lags: lags, count: k)
                    out.append(contentsOf: UnsafeBufferPointer(start: frames, count: k))
                }
            }
        }
        (differences, blockFrames, blockLags) = (d, frameList, lagList)
        keepTail(base, count: n)
    }

    /// Sets `buffer`'s first `lagStep` samples to the ones before sample `i` of the block
    /// (`tail` holds the stream's samples before the block), as a straddling frame starts
    /// filling there.
    private mutating func keepHistory(_ block: UnsafePointer<Float>, at i: Int) {
        let l = lagStep
        tail.withUnsafeBufferPointer { t in
            buffer.withUnsafeMutableBufferPointer { buf in
                for k in 0..<l {
                    let at = i - l + k
                    buf[k] = at >= 0 ? block[at] : t[t.count + at]
                }
            }
        }
    }

    /// The tests that need the frame's samples and those before it, on the frame that starts
    /// `start` samples into the block (negative: it began in the block before): the
    /// periodic-tone test where `periodicTest.wantsSamples` asked for it, and the sine fit
    /// at the end of a window no tone plan explained. Both rarely run.
    @inline(__always)
    private mutating func testTones(_ f: inout FrameFeatures, block: UnsafePointer<Float>, start: Int) {
        if periodicWanted { testPeriodicity(&f, block: block, start: start) } else { periodicRun = 0 }
        if toGrid == 0 {
            toGrid = SpectralLineTest.gridFrames - 1
            testLines(&f, block: block, start: start)
        } else {
            toGrid -= 1
        }
        if f.callTone == 0 {
            testSine(&f, block: block, start: start)
        } else if f.callTone != CallProgressToneTest.notEvaluated && sineFit.runOpen(above: CallProgressToneTest.foldHz) {
            testSineOverPlan(&f, block: block, start: start)
        }
    }

    /// The periodic-tone test. Out of line: few frames get here, and the frame loop stays small.
    @inline(never)
    private mutating func testPeriodicity(_ f: inout FrameFeatures, block: UnsafePointer<Float>, start: Int) {
        let floor = lineQuietest.power, power = f.power
        var test = periodicTest
        f.periodicTone = withHistory(block: block, start: start, history: test.maxLag) {
            test.push($0, power: power, floor: floor)
        }
        periodicTest = test
        periodicRun = f.periodicTone == 0 ? 0 : periodicRun + 1
        if periodicRun >= Self.sineGateRun { lastSineCue = framesSeen }
    }

    /// Held notes on a grid frame (every twentieth) 3 dB over the line's quietest of the last
    /// 4–5 s; quieter grid frames are skipped (pauses: nothing to hold). Grid frames within 6 dB
    /// of the quietest are also looks at the peaks the line holds by itself (mains hum), which
    /// no frame's held notes count (analyzer 20: a voice over a 60 Hz buzz 8–12 dB under it held
    /// the buzz's harmonics and was taken for music on hold, with the other party's words). Out
    /// of line: one frame in twenty gets here.
    @inline(never)
    private mutating func testLines(_ f: inout FrameFeatures, block: UnsafePointer<Float>, start: Int) {
        let n = frameLength
        let history = lineWindowSamples - n
        let measured = f.power > 2 * lineQuietest.power
        let nearFloor = f.power > 0 && f.power <= Self.lineNearFloor * lineQuietest.power
        guard framesSeen * frameLength >= lineWindowSamples, measured || nearFloor else {
            lineTest!.skip()
            return
        }
        // Moved out and back, not copied: a copy would share its buffers (retained and
        // released each time) and copy them on write.
        var test = lineTest.take()!
        let held = withHistory(block: block, start: start, history: history) { end -> Int? in
            if measured { return test.measure(endingAt: end + n, lookAtLine: nearFloor) }
            // A pause: now and then a look at the peaks the line holds in it (mains hum).
            test.skip(quietEndingAt: end + n)
            return nil
        }
        lineTest = consume test
        f.heldLines = held.map { UInt8(min($0, 14) + 1) } ?? 0
    }

    /// At the end of an 80 ms window no tone plan explained: the sine fit, if one of the
    /// window's frames cued it or a window held a sine lately (`SineToneFit.wanted`).
    @inline(never)
    private mutating func testSine(_ f: inout FrameFeatures, block: UnsafePointer<Float>, start: Int) {
        guard framesSeen - lastSineCue <= CallProgressToneTest.windowFrames || sineFit.wanted else {
            sineFit.skip()
            return
        }
        f.callTone = pushSineWindow(block: block, start: start)
    }

    /// A window a tone plan explained while the run of a sine above
    /// `CallProgressToneTest.foldHz` is open: the sine's, if the fit holds it still. Such a
    /// sine folds onto the plans' band (the plans are fitted on every fifth sample at
    /// 8 kHz): 2 kHz reads as the 400 Hz plan in some windows, and a run broken by them
    /// never made a tone. Sines below are left to the plans, as before.
    @inline(never)
    private mutating func testSineOverPlan(_ f: inout FrameFeatures, block: UnsafePointer<Float>, start: Int) {
        let code = pushSineWindow(block: block, start: start)
        if code != 0 { f.callTone = code }
    }

    /// The sine fit's code for the 80 ms window that ends with the frame starting `start`
    /// samples into the block.
    private mutating func pushSineWindow(block: UnsafePointer<Float>, start: Int) -> UInt8 {
        let history = (CallProgressToneTest.windowFrames - 1) * frameLength
        var fit = sineFit
        let code = withHistory(block: block, start: start, history: history) { fit.push($0 - history) }
        sineFit = fit
        return code
    }

    /// Calls `body` with a pointer to the frame that starts `start` samples into the block
    /// (negative: in the block before), `history` samples before it readable.
    @inline(__always)
    private mutating func withHistory<R>(block: UnsafePointer<Float>, start: Int, history: Int,
                                         _ body: (UnsafePointer<Float>) -> R) -> R {
        if start >= history { return body(block + start) }
        let fromTail = history - start
        let fromBlock = start + frameLength
        return tail.withUnsafeBufferPointer { t in
            lagWindow.withUnsafeMutableBufferPointer { w in
                let dst = w.baseAddress!
                dst.update(from: t.baseAddress! + (t.count - fromTail), count: fromTail)
                (dst + fromTail).update(from: block, count: fromBlock)
                return body(dst + history)
            }
        }
    }

    /// Keeps the stream's last `tail.count` samples, this block's included.
    private mutating func keepTail(_ block: UnsafePointer<Float>, count n: Int) {
        tail.withUnsafeMutableBufferPointer { t in
            let dst = t.baseAddress!
            let size = t.count
            if n >= size {
                dst.update(from: block + (n - size), count: size)
            } else {
                dst.update(from: dst + n, count: size - n)
                (dst + (size - n)).update(from: block, count: n)
            }
        }
    }

    /// Features of the trailing partial frame, if any (zero-padded), then resets.
    public mutating func flush(into out: inout [FrameFeatures]) {
        guard fill > 0 else { return }
        buffer.withUnsafeMutableBufferPointer { buf in
            for j in (lagStep + fill)..<(lagStep + frameLength) { buf[j] = 0 }
        }
        var lags = [Float](repeating: 0, count: Self.lagGroup)
        var d = differences
        differences = []
        var f = lags.withUnsafeMutableBufferPointer { lb in
            d.withUnsafeMutableBufferPointer { db in measureBuffered(differences: db.baseAddress!, lags: lb.baseAddress!) }
        }
        differences = d
        fill = 0
        lags.withUnsafeBufferPointer { Self.fillPredictionGains(&f, lags: $0.baseAddress!, count: 1) }
        out.append(f)
    }

    /// Levinson–Durbin recursion, order 4, for the frames appended since `first`, four
    /// frames at a time in SIMD lanes: the recursion is a chain of dependent divisions, so
    /// one frame at a time leaves the processor waiting (about 12 % of the analysis in a profile).
    /// Each lane stops where its reflection coefficient leaves (−1, 1) (the estimates are
    /// not a valid autocorrelation: numerical noise on near-silent frames) or its residual
    /// reaches 10⁻⁶ of the power (60 dB cap). Frames with no power get a gain of 1 (0 dB).
    private static func fillPredictionGains(_ dst: UnsafeMutablePointer<FrameFeatures>, lags: UnsafePointer<Float>,
                                            count total: Int) {
        // Four frames in the lanes at once, read as stored (`blockLags`); the lanes are
        // independent, so the last turn's empty lanes (zero, gain 1, not stored) change nothing.
        let raw = UnsafeRawPointer(lags)
        var start = 0
        while start < total {
            let count = min(4, total - start)
            let group = raw + start / 4 * lagGroup * MemoryLayout<Float>.stride
            @inline(__always) func lag(_ j: Int) -> SIMD4<Float> {
                let r = group.loadUnaligned(fromByteOffset: 16 * j, as: SIMD4<Float>.self)
                return count == 4 ? r : r.replacing(with: 0, where: SIMD4<Int32>(0, 1, 2, 3) .>= Int32(count))
            }
            let gains = Self.predictionGains(r0: lag(0), lag(1), lag(2), lag(3), lag(4))
            dst[start].predictionGain = gains[0]
            if count > 1 { dst[start + 1].predictionGain = gains[1] }
            if count > 2 { dst[start + 2].predictionGain = gains[2] }
            if count > 3 { dst[start + 3].predictionGain = gains[3] }
            start += 4
        }
    }

    /// Where frame `k` of a block writes its lag 0 in `blockLags` (lag j: 4·j floats on).
    @inline(__always)
    private static func lagSlot(_ k: Int) -> Int { (k >> 2) &* lagGroup &+ (k & 3) }

    @inline(__always)
    private static func predictionGains(r0: SIMD4<Float>, _ r1: SIMD4<Float>, _ r2: SIMD4<Float>, _ r3: SIMD4<Float>,
                                        _ r4: SIMD4<Float>) -> SIMD4<Float> {
        let one = SIMD4<Float>(repeating: 1)
        let valid = r0 .> 1e-12
        let power = r0.replacing(with: 1, where: .!valid)
        let minE = power * 1e-6
        var e = power
        var active = valid
        // One step: k from the residual correlation `acc`; lanes still active take the new
        // residual; a lane whose |k| ≥ 1 keeps its residual and stops; one whose residual
        // falls to the cap takes the cap and stops.
        @inline(__always) func step(_ acc: SIMD4<Float>) -> SIMD4<Float> {
            let k = acc / e
            active .&= vmax(k, -k) .< one
            e.replace(with: e * (one - k * k), where: active)
            let capped = active .& (e .<= minE)
            e.replace(with: minE, where: capped)
            active .&= .!capped
            return k
        }
        let k1 = step(r1)
        let a1 = k1
        let k2 = step(r2 - a1 * r1)
        let b1 = a1 - k2 * a1, b2 = k2
        let k3 = step(r3 - b1 * r2 - b2 * r1)
        let c1 = b1 - k3 * b2, c2 = b2 - k3 * b1, c3 = k3
        _ = step(r4 - c1 * r3 - c2 * r2 - c3 * r1)
        let gain = power / e
        // Non-finite input (overflowing float files) gives NaN here: no gain, not a tone.
        return gain.replacing(with: 1, where: .!valid .| .!(gain .< .infinity))
    }

    /// Features of the frame assembled in `buffer` (frames that straddle two blocks, and
    /// the last one): measured from a stack copy (`measure` may not read `self` meanwhile).
    private mutating func measureBuffered(differences dp: UnsafeMutablePointer<Float>, lags: UnsafeMutablePointer<Float>) -> FrameFeatures {
        let count = lagStep + frameLength
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { tmp in
            let t = tmp.baseAddress!
            buffer.withUnsafeBufferPointer { t.initialize(from: $0.baseAddress!, count: count) }
            return measure(t + lagStep, differences: dp, lags: lags)
        }
    }

    /// Features of the frame at `frame` (`frameLength` samples; the `lagStep` samples
    /// before it must be readable and be the previous frame's last ones); `dbuf` holds the
    /// previous frame's last `differenceHistory` differences, then room for this frame's;
    /// `lags` takes the autocorrelations its prediction gain is computed from (lag j at
    /// `lags[4 * j]`, see `blockLags`).
    @inline(__always)
    private mutating func measure(_ frame: UnsafePointer<Float>, differences dbuf: UnsafeMutablePointer<Float>,
                                  lags: UnsafeMutablePointer<Float>) -> FrameFeatures {
        let n = frameLength
        let l = lagStep
        let dh = differenceHistory
        var f = { () -> FrameFeatures in
                let x0 = UnsafeRawPointer(frame)
                let d0 = UnsafeMutableRawPointer(dbuf + dh)
                let stride = MemoryLayout<Float>.stride
                // Pass 1 over x: sum (DC), sum of squares, extremes; writes the first
                // difference d = x[n] − x[n−l] (high-pass, +6 dB/octave), whose
                // autocorrelation feeds the bands and the predictor, so DC wander and
                // sub-audio rumble never reach the detector.
                var s8 = SIMD8<Float>.zero, p8 = SIMD8<Float>.zero
                var hi8 = SIMD8<Float>(repeating: -.greatestFiniteMagnitude), lo8 = SIMD8<Float>(repeating: .greatestFiniteMagnitude)
                // One byte offset walks the frame, its lag and the differences (bounded by
                // the end, unchecked: no overflow test and counter copy per turn).
                let lagBytes = -l * stride
                let dOffset = d0 - UnsafeMutableRawPointer(mutating: x0)
                let whole8 = n & ~7
                let end8 = x0 + whole8 * stride
                var px = x0
                let step8 = 8 * stride
                while px < end8 {
                    let x = px.loadUnaligned(as: SIMD8<Float>.self)
                    let xl = px.loadUnaligned(fromByteOffset: lagBytes, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(mutating: px).storeBytes(of: x - xl, toByteOffset: dOffset, as: SIMD8<Float>.self)
                    // Plain multiply-add, not addingProduct: without an FMA target that calls
                    // libm's fmaf per lane (the whole analysis ran 4.7× slower with it).
                    s8 += x
                    p8 += x * x
                    hi8 = vmax(hi8, x)
                    lo8 = vmin(lo8, x)
                    px += step8
                }
                var j = whole8
                var s = s8.sum(), sq = p8.sum()
                var top = hmax(hi8), bottom = -hmax(-lo8)
                let xs = frame
                let ds = dbuf + dh
                while j < n {
                    let x = xs[j]
                    ds[j] = x - xs[j - l]
                    s += x
                    sq += x * x
                    top = max(top, x)
                    bottom = min(bottom, x)
                    j += 1
                }
                // Pass 2 over d: autocorrelation at lags 0…4 (in steps of l).
                var r0 = SIMD4<Float>.zero, r1 = SIMD4<Float>.zero, r2 = SIMD4<Float>.zero
                var r3 = SIMD4<Float>.zero, r4 = SIMD4<Float>.zero
                // One read head, the lags at fixed byte offsets from it, two steps of four a
                // turn (the same sums in the same order: each lane adds its samples in turn).
                let l1 = -l * stride, l2 = 2 * l1, l3 = 3 * l1, l4 = 4 * l1
                var p0 = UnsafeRawPointer(d0)
                @inline(__always) func lagStep(_ p: UnsafeRawPointer) {
                    let a = p.loadUnaligned(as: SIMD4<Float>.self)
                    r0 += a * a
                    r1 += a * p.loadUnaligned(fromByteOffset: l1, as: SIMD4<Float>.self)
                    r2 += a * p.loadUnaligned(fromByteOffset: l2, as: SIMD4<Float>.self)
                    r3 += a * p.loadUnaligned(fromByteOffset: l3, as: SIMD4<Float>.self)
                    r4 += a * p.loadUnaligned(fromByteOffset: l4, as: SIMD4<Float>.self)
                }
                let whole4 = n & ~3
                let end8d = p0 + (n & ~7) * stride, end4d = p0 + whole4 * stride
                while p0 < end8d {
                    lagStep(p0)
                    lagStep(p0 + 4 * stride)
                    p0 += 8 * stride
                }
                if p0 < end4d { lagStep(p0) }
                j = whole4
                var c0 = r0.sum(), c1 = r1.sum(), c2 = r2.sum(), c3 = r3.sum(), c4 = r4.sum()
                while j < n {
                    let a = ds[j]
                    c0 += a * a; c1 += a * ds[j - l]; c2 += a * ds[j - 2 * l]; c3 += a * ds[j - 3 * l]; c4 += a * ds[j - 4 * l]
                    j += 1
                }
                let peak = max(top, -bottom)
                if let q = quantization, top > bottom {
                    // Codec idle noise: nothing but the last codes flipping. Its power jumps
                    // 10–15 dB from frame to frame with the number of flips and would read as
                    // talk. Only where such frames are common (line noise under a quiet
                    // channel): on a clean line they are the faint ends of words.
                    let idle = top - bottom <= idleSteps * q.step(at: (top + bottom) * 0.5)
                    idleShare += ((idle ? 1 : 0) - idleShare) * 0.005
                    if idle && idleShare > 0.3 {
                        lags[0] = 0; lags[4] = 0; lags[8] = 0; lags[12] = 0; lags[16] = 0
                        return FrameFeatures(bands: SIMD4(repeating: 1e-20), power: 0, predictionGain: 1, rho1: 0, rho2: 0,
                                             peak: peak, clipped: 0)
                    }
                }
                // Clipping is rare: count only in frames whose peak reaches the clip level.
                var clipped = 0
                if peak >= clipLevel {
                    for k in 0..<n where abs(xs[k]) >= clipLevel { clipped += 1 }
                }
                let inv = 1 / Float(n)
                let mean = s * inv
                let power = max(0, sq * inv - mean * mean)
                let dPower = c0 * inv
                c1 *= inv; c2 *= inv; c3 *= inv; c4 *= inv
                var bands = SIMD4<Float>(repeating: dPower)
                bands += bandWeight1 * c1
                bands += bandWeight2 * c2
                bands += bandWeight3 * c3
                bands += bandWeight4 * c4
                let floor = dPower * 1e-4 + 1e-20
                bands = bands.replacing(with: floor, where: bands .< floor)
                lags[0] = dPower; lags[4] = c1; lags[8] = c2; lags[12] = c3; lags[16] = c4
                let inverse = dPower > 0 ? 1 / dPower : 0
                // Raw autocorrelation (DC removed): lag l measured, lag 2l from the
                // difference's lag l, r(2) = 2·r(1) − r(0) − r_d(1) (stationary within the frame).
                // Σ x·x[−l] without a sixth accumulator in pass 1 (its registers are full):
                // Σd² = Σx² + Σx[−l]² − 2·Σx·x[−l], and Σx[−l]² is Σx² with the frame's last
                // l samples swapped for the l before it.
                var shifted = sq
                if l == 1 {
                    // 8 kHz: one term (the loop's index arithmetic cost more than it).
                    shifted += xs[-1] * xs[-1] - xs[n - 1] * xs[n - 1]
                } else {
                    for k in 0..<l { shifted += xs[k - l] * xs[k - l] - xs[n - l + k] * xs[n - l + k] }
                }
                let raw1 = 0.5 * (sq + shifted - c0) * inv - mean * mean
                let raw2 = 2 * raw1 - power - c1
                let rawInverse = power > 0 ? 1 / power : 0
                return FrameFeatures(bands: bands, power: power, predictionGain: 1, rho1: c1 * inverse, rho2: c2 * inverse,
                                     rawRho1: raw1 * rawInverse, rawRho2: raw2 * rawInverse, peak: peak,
                                     clipped: UInt16(min(clipped, 0x0FFF)))
        }()
        // Keep the last differences the next frame's lags reach back to (4 or 8 values, four
        // at a time: a memmove call costs more).
        let raw = UnsafeMutableRawPointer(dbuf), from = raw + n * 4
        var k = 0
        while k < dh {
            raw.storeBytes(of: from.loadUnaligned(fromByteOffset: k * 4, as: SIMD4<Float>.self), toByteOffset: k * 4,
                           as: SIMD4<Float>.self)
            k &+= 4
        }
        if !f.power.isFinite { f = .silent }
        // Both gates below ask whether the spectral shape held (`shapeHeld`), each only once
        // its cheaper conditions pass.
        let shape = SIMD4(f.rho1, f.rho2, f.rawRho1, f.rawRho2), before = previousShape
        previousShape = shape
        if let floor = dualToneCandidate(power: f.power, shape: shape, before: before) {
            (f.dualTone, lastLikelyDigit) = dualTone.classify(frame, floorPower: floor)
        } else {
            lastLikelyDigit = false
        }
        // The call-progress fit skips frames within 5 dB of the line's quietest of the last
        // 4–5 s (the pauses of a call: most of its frames) once that is known, unless a tone
        // was found lately (a tone held that long becomes the quietest itself). Over 2 s a
        // monologue can hold the quietest above the line's noise, and a tone after it would
        // be skipped.
        f.callTone = callTone.push(frame, power: f.power,
                                   measure: f.power > 3 * lineQuietest.power || callTone.toneLately || framesSeen < 200)
        lineQuietest.add(f.power)
        framesSeen += 1
        periodicWanted = periodicTest.wantsSamples(power: f.power, shape: shape, before: before, floor: lineQuietest.power)
        if periodicTest.cueStreak >= Self.sineCueStreak { lastSineCue = framesSeen }
        if shape.z < 0.156 {
            highSineCue(shape, before, power: f.power)
        } else {
            highSineStreak = 0
        }
        return f
    }

    /// The quietest frame power of the last ≈ 2 s if the frame is worth the DTMF test (see
    /// `dualTone`), else nil; updates the gate's state.
    @inline(__always)
    private mutating func dualToneCandidate(power: Float, shape: SIMD4<Float>, before: SIMD4<Float>) -> Float? {
        let floor = quietest.power
        let candidate = power > 4 * floor && (lastLikelyDigit || (framesSeen & 1 == 0
            && power < 2 * previousPower && previousPower < 2 * power && shapeHeld(shape, before)))
        previousPower = power
        quietest.add(power)
        return candidate ? floor : nil
    }

}

/// Whether a frame's spectral shape (ρ₁, ρ₂ of the differences, then of the samples) lies
/// within 0.08 / 0.16 (times `scale`) of the frame before's, in either pair: the DTMF,
/// periodic-tone and sine-fit gates' steadiness (keypad and periodic tones hold still,
/// speech mostly moves).
@inline(__always)
func shapeHeld(_ shape: SIMD4<Float>, _ before: SIMD4<Float>, within scale: Float = 1) -> Bool {
    (abs(shape.x - before.x) < 0.08 * scale && abs(shape.y - before.y) < 0.16 * scale)
        || (abs(shape.z - before.z) < 0.08 * scale && abs(shape.w - before.w) < 0.16 * scale)
}

extension FrameFeatureExtractor {
    /// The high-sine cue for a frame whose raw ρ₁ (`shape.z`) is under 0.156 (the others
    /// reset the streak where they are measured): does its raw shape (ρ₁, ρ₂ of the samples)
    /// hold a sine above 1.8 kHz with at least 0.4 of the frame's power over white noise,
    /// held from the frame before (1.5 × `shapeHeld`'s bounds)? A sine of share s and
    /// frequency ω gives ρ₁ = s·cos ω, ρ₂ = s·cos 2ω, so s = (−ρ₂ + √(ρ₂² + 8ρ₁²)) / 2 and
    /// cos ω = ρ₁ / s < cos(2π · 1800 / 8000) = 0.156, which needs ρ₁ < 0.156 (s ≤ 1): most
    /// frames stop before the call. s ≥ 0.4 ⇔ ρ₁² ≥ 0.08 + 0.2·ρ₂; the square root only for
    /// the few left. At 0.6, GSM 6.10 at 10 dB broke a 2.6 kHz tone's streaks for 0.15 s;
    /// at 0.4 the fit runs 1 % more often on voices. Voices seldom look like that (voiced
    /// sounds have ρ₁ near 1 at 8 kHz); the fit decides anyway. Out of line: the frame loop
    /// stays small (inline it cost 3 %).
    @inline(never)
    private mutating func highSineCue(_ shape: SIMD4<Float>, _ before: SIMD4<Float>, power: Float) {
        let r1 = shape.z, r2 = shape.w
        var high = power > 3 * lineQuietest.power && r1 * r1 >= 0.08 + 0.2 * r2
        if high {
            let share = (-r2 + (r2 * r2 + 8 * r1 * r1).squareRoot()) * 0.5
            high = r1 < 0.156 * share && shapeHeld(shape, before, within: 1.5)
        }
        highSineStreak = high ? highSineStreak + 1 : 0
        if highSineStreak >= Self.highSineCueStreak { lastSineCue = framesSeen }
    }
}

/// The power of the quietest frame over the current block of `blockFrames` frames and the
/// four before (the window slides a block at a time). Frames at or under −100 dBFS are left
/// out: digital silence says nothing about how quiet the line gets.
struct QuietestFrame: Sendable {
    let blockFrames: Int
    private var blocks = SIMD4<Float>(repeating: .greatestFiniteMagnitude)
    /// The quietest of `blocks`, kept as they move (frame powers are finite and not negative,
    /// so the minimum is the same in any order).
    private var blocksMin: Float = .greatestFiniteMagnitude
    private var current: Float = .greatestFiniteMagnitude
    private var frames = 0

    init(blockFrames: Int) { self.blockFrames = blockFrames }

    /// The quietest so far; `greatestFiniteMagnitude` before any frame.
    @inline(__always)
    var power: Float {
        min(blocksMin, current)
    }

    @inline(__always)
    mutating func add(_ power: Float) {
        if power > 1e-10 { current = min(current, power) }
        frames += 1
        if frames == blockFrames {
            blocks = SIMD4(current, blocks.x, blocks.y, blocks.z)
            // Lane by lane: SIMD's min() is a generic, unspecialised call here.
            blocksMin = min(min(blocks.x, blocks.y), min(blocks.z, blocks.w))
            current = .greatestFiniteMagnitude
            frames = 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
