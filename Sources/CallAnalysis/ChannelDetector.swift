#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-frame verdict of the detector, before utterance-level merging.
public enum FrameClass: UInt8, Sendable {
    /// Nothing above the channel's noise.
    case quiet = 0
    /// Energy above the noise, part of a candidate region (not yet confirmed).
    case active = 1
    /// A steady tone (ring-back, dial tone, DTMF): never speech.
    case tone = 2
}

/// Speech activity detector for one channel.
///
/// 1. **Noise tracking per band** — minimum statistics (Martin 2001) over `noiseWindowS` on
///    smoothed band powers gives a floor; frames within 4 dB of it update a running
///    mean of the noise (minima-controlled recursive averaging, Cohen), so the estimate is
///    unbiased and follows a changing floor. Floors: `absoluteFloorDBFS`, and the channel's
///    speech level minus `dynamicRangeDB` (digital silence, very clean lines).
/// 2. **Noise-whitened, speaker-weighted SNR** — each band's power divided by its noise,
///    averaged over the four bands with weights learnt from the channel's own clear speech
///    (a matched filter): white, pink and brown line noise are handled alike.
/// 3. **Tones** — a run of at least `minToneS` predictable frames (prediction gain ≥
///    `toneGainDB`) whose spectral shape (ρ₁, ρ₂) neither moves nor drifts is marked as tone
///    frames; whether a whole region is a tone is decided from its share of them.
/// 4. **Double threshold** — a region grows while the SNR, averaged over `smoothingS`,
///    stays above `offThresholdDB` and is kept only if it holds `minSpeechS` above
///    `onThresholdDB`. Decisions lag by `lookaheadS` so the noise estimate sees both sides.
/// 5. **Dips and steadiness** — frames falling back to the noise or `dipDepthDB` under the
///    speech envelope are counted, and so are frames whose spectral shape holds still; speech
///    dips several times a second and keeps moving, music on hold dips rarely and holds notes.
public struct ChannelDetector: Sendable {
    private let p: AnalysisParameters
    private let minHighFrames: Int
    private let onLinear: Float
    private let offLinear: Float
    private let halfSmoothing: Int
    private let envelopeDecay: Float
    private let dipFactor: Float
    private let rearmFactor: Float
    private let lowSNRPad: Int

    /// The line's noise per band (step 1).
    private var noise: NoiseTracker
    /// Voices behind the talker (step 1b).
    private var background: BackgroundVoicesTracker
    /// How this channel's speech stands out in each band (step 2).
    private var weights = SpeakerWeights()

    /// Decided frames during which the channel carried background voices (counted whether
    /// or not `background_margin_db` takes them off).
    public private(set) var backgroundFrames = 0
    /// Decided frames.
    public private(set) var decidedFrames = 0
    /// Decided frames measured against the other channel's echo (a proven coupling).
    private var echoAppliedFrames = 0

    /// The other channel's echo (stereo only; see `EchoSource`).
    private var echo: EchoSource
    /// The echo expected in the frame being pushed or decided, margin included (band powers).
    private var expectedEcho = SIMD4<Float>(repeating: 0)

    /// Frames not yet decided, with what the trackers marked on them.
    private var window: LookaheadWindow
    /// Steady tone runs and steady frames (step 5), keypresses (5a), call-progress tones and
    /// sines (5b, 5d), beeps and buzzers (5c): each marks frames of the window.
    private var toneRuns: ToneRunTracker
    private var keypress: KeypressTracker
    private var callProgress = CallProgressChainTracker()
    private var periodic = PeriodicToneTracker()

    // Decision state.
    private var runStart = -1
    private var runHigh = 0
    private var runSteady = 0
    private var firstAbove = -1
    private var runW = 0.0
    private var lastAbove = -1
    private var envelope: Float = 1e-20
    private var dipArmed = true

    /// Confirmed speech regions `[start, end)` in frames, in order, before padding and merging.
    public private(set) var regions: [FrameSpan] = []
    /// Per region: frames whose spectral shape barely moved from the frame before
    /// (|Δρ₁| < 0.04 and |Δρ₂| < 0.08). Music holds notes; speech moves between sounds.
    public private(set) var regionSteadyFrames: [Int] = []
    /// Per region: the running count of dips when it opened and when it closed. The dips
    /// of any run of regions, gaps included, are a difference of two marks: no list of
    /// dip frames grows with the call.
    public private(set) var regionDipMarks: [(opened: Int, closed: Int)] = []
    /// Per region long enough to hold words and music on hold without a pause between
    /// them (one detector region): where it splits into a side that dips like speech and a
    /// side that dips like music, found as the region closed (see `splitPoint`), with the
    /// steady frames and the running dip count at that frame. Sparse: few regions have one.
    public private(set) var regionSplits: [Int: (frame: Int, steady: Int, dips: Int)] = [:]
    /// Every `markFrames` frames of the open run: the frame, the run's steady frames and
    /// the running dip count there (what a split needs; one entry per 0.25 s of the run).
    private var runMarks: [(frame: Int, steady: Int, dips: Int)] = []
    private static let markFrames = 25
    /// Frames of the open run until its next mark.
    private var toNextMark = 0
    private let minHoldFrames: Int
    /// Dips so far.
    private var dipCount = 0
    private var runDipsAtStart = 0
    /// Tone frames, as spans.
    public private(set) var tones: [FrameSpan] = []
    /// Keypresses (DTMF digits, from the frame before the first whole one to the frame after
    /// the last) and the pauses between them, as spans.
    public private(set) var keypresses: [FrameSpan] = []
    /// Frames of tone runs of 0.3 s or more (ring-back, dial tone), as spans; part of `tones`.
    public private(set) var longTones: [FrameSpan] = []
    /// Frames of tones found by a window fit (ring-back, dial, busy tones; sines) or by their
    /// exact repetition (beeps, buzzers), as spans; not part of `tones` (see `updateCallTone`,
    /// `updatePeriodicTone`).
    public private(set) var callTones: [FrameSpan] = []
    /// Per-frame classes, recorded only when `recordFrames` is set (tests, debugging).
    public private(set) var frameClasses: [FrameClass] = []
    /// Per-frame band SNRs (band power / band noise, linear), recorded with `frameClasses`.
    public private(set) var frameSNR: [SIMD4<Float>] = []
    /// Per-frame prediction gain (dB), recorded with `frameClasses`.
    public private(set) var frameGain: [Float] = []
    /// Record `frameClasses` (memory grows with length: tests only).
    public var recordFrames = false

    // Level statistics.
    public private(set) var speechPowerSum: Double = 0
    public private(set) var speechFrames = 0
    public private(set) var noisePowerSum: Double = 0
    public private(set) var noiseFrames = 0
    public private(set) var peak: Float = 0
    public private(set) var clippedSamples: Int64 = 0

    /// A detector for a mono recording's channel.
    public init(parameters: AnalysisParameters) {
        self.init(parameters: parameters, stereo: false)
    }

    /// A detector for one channel; on a stereo call it takes the other channel's frames
    /// (`push(_:far:)`) to tell its echo from this party's talk.
    public init(parameters: AnalysisParameters, stereo: Bool) {
        p = parameters
        let fps = 1.0 / frameDuration
        let lookahead = parameters.lookaheadFrames
        minHighFrames = max(1, Int((parameters.minSpeechS * fps).rounded()))
        onLinear = Float(pow(10, parameters.onThresholdDB / 10))
        offLinear = Float(pow(10, parameters.offThresholdDB / 10))
        halfSmoothing = max(0, Int((parameters.smoothingS / frameDuration / 2).rounded(.down)))
        envelopeDecay = Float(pow(10, -0.02))          // 0.2 dB per frame, 20 dB/s
        dipFactor = Float(pow(10, -parameters.dipDepthDB / 10))
        rearmFactor = Float(pow(10, -0.3))              // within 3 dB of the envelope
        lowSNRPad = max(0, Int((parameters.lowSNRPadS * fps).rounded()))
        minHoldFrames = Int((parameters.minHoldS * fps).rounded())
        window = LookaheadWindow(lookahead: lookahead)
        toneRuns = ToneRunTracker(parameters: parameters)
        keypress = KeypressTracker(parameters: parameters)
        echo = EchoSource(parameters: parameters, lookahead: lookahead, stereo: stereo)
        noise = NoiseTracker(parameters: parameters)
        background = BackgroundVoicesTracker(parameters: parameters)
    }

    /// What the echo tracker found: the coupling from the other channel (dB, median over
    /// the last frames where the other party talked), its delay (ms, 10 ms resolution), the
    /// correlation of the two channels' levels at that delay, and the share of the frames
    /// decided while a proven coupling was taken off (nil on mono or before enough evidence).
    public var echoEstimate: EchoEstimate? {
        echo.estimate(decidedFrames: decidedFrames, appliedFrames: echoAppliedFrames)
    }

    /// Feeds the next frame of a stereo call with the other channel's frame at the same time.
    public mutating func push(_ f: FrameFeatures, far: FrameFeatures) {
        let signal = noise.update(f)
        expectedEcho = echo.update(near: f, nearNoise: noise.bands, far: far)
        pushMeasured(f, signal: signal)
    }

    /// Feeds the next frame; decides the frame that leaves the lookahead window.
    public mutating func push(_ f: FrameFeatures) {
        push(f, far: .silent)
    }

    /// `push` once the noise has taken the frame (`signal`: not digital silence).
    private mutating func pushMeasured(_ f: FrameFeatures, signal: Bool) {
        if noise.known {
            let against = noise.bands + expectedEcho
            if signal {
                // Against the noise and the other party's echo expected now: echo is no voice behind.
                background.update(smoothed: noise.smoothed, noise: against, lineNoiseMeasured: noise.measured)
            } else {
                background.updateSilence(lineNoiseMeasured: noise.measured)
            }
            weights.update(bandSNR: f.bands / against)
        }
        let tone = toneRuns.update(f)
        window.push(f, flags: tone.steady ? .steady : [])
        if let m = keypress.update(f.dualTone) { window.mark(m) }
        if let m = callProgress.update(f.callTone) { window.mark(m) }
        if let m = periodic.update(f.periodicTone, power: f.power, markable: window.markable) { window.mark(m) }
        if let m = tone.run { window.mark(m) }
        peak = max(peak, f.peak)
        clippedSamples += Int64(f.clipped)
        if window.isFull { decideOldest() }
    }

    /// Decides every remaining frame and closes the last region.
    public mutating func finish() {
        while window.count > 0 { decideOldest() }
        decideLast()
        closeRun(at: nextToDecide)
    }

    // MARK: - Decisions

    private struct Pending {
        var w: Float
        var power: Float
        var tone: Bool
        var steady: Bool
        var keypress: Bool
        var longTone: Bool
        var callTone: Bool
        /// The other party's expected echo outweighs this line's noise here: not a frame
        /// of the line's noise floor (levels), whatever it is classed.
        var echoDominated = false
    }

    /// Frames leaving the lookahead window, kept until their smoothing window is complete.
    private var delay: [Pending] = []
    private var delayFirst = 0        // frame index of delay[0]
    private var nextToDecide = 0

    /// Moves the oldest frame out of the lookahead window; decides every frame whose
    /// centred smoothing window (±halfSmoothing frames) is now complete.
    private mutating func decideOldest() {
        let (f, flags) = window.removeOldest()
        let tone = flags.contains(.tone), steady = flags.contains(.steady), keypress = flags.contains(.keypress)
        let longTone = flags.contains(.longTone), callTone = flags.contains(.callTone)
        if echo.active {
            let e = echo.remove()
            expectedEcho = e.expected
            if e.applied { echoAppliedFrames += 1 }
        }
        decidedFrames += 1
        if background.heard { backgroundFrames += 1 }
        // Noise-whitened SNR (linear): band power over band noise, weighted by how much the
        // channel's speech stands out in each band.
        let bandSNR = f.bands / (noise.bands + expectedEcho)
        let w = noise.known ? weights.weighted(bandSNR) / background.factor : 0
        var item = Pending(w: w, power: f.power, tone: tone, steady: steady, keypress: keypress, longTone: longTone,
                           callTone: callTone)
        item.echoDominated = echo.active && expectedEcho.sum() > noise.bands.sum()
        if recordFrames {
            frameSNR.append(bandSNR)
            frameGain.append(f.predictionGainDB)
        }
        delay.append(item)
        while nextToDecide + halfSmoothing < delayFirst + delay.count { decideNext() }
    }

    private mutating func decideLast() {
        while nextToDecide < delayFirst + delay.count { decideNext() }
    }

    private mutating func decideNext() {
        let i = nextToDecide - delayFirst
        let lo = max(0, i - halfSmoothing), hi = min(delay.count - 1, i + halfSmoothing)
        var sum: Float = 0
        for k in lo...hi { sum += delay[k].w }
        decide(delay[i], smoothedW: sum / Float(hi - lo + 1))
        // Drop what no later window needs, a thousand frames at a time (one move, not one per frame).
        let keepFrom = nextToDecide - halfSmoothing
        if keepFrom - delayFirst >= 1024 {
            delay.removeFirst(keepFrom - delayFirst)
            delayFirst = keepFrom
        }
    }

    private mutating func decide(_ item: Pending, smoothedW: Float) {
        let frame = nextToDecide
        nextToDecide += 1
        // Tone frames are recorded apart; whether a region is a tone is decided on the
        // whole region (share of tone frames), so a steady vowel never splits speech (only
        // runs of 0.3 s or more, no vowel, are cut out of it).
        if item.tone { Self.extend(&tones, with: frame) }
        if item.keypress { Self.extend(&keypresses, with: frame) }
        if item.longTone { Self.extend(&longTones, with: frame) }
        if item.callTone { Self.extend(&callTones, with: frame) }
        let cls: FrameClass = smoothedW >= offLinear ? .active : (item.tone ? .tone : .quiet)
        if cls == .active {
            if runStart < 0 {
                runStart = frame; runHigh = 0; runSteady = 0; firstAbove = -1; runW = 0; runDipsAtStart = dipCount
                runMarks.removeAll(keepingCapacity: true)
                toNextMark = Self.markFrames
            } else {
                toNextMark -= 1
                if toNextMark == 0 {
                    runMarks.append((frame, runSteady, dipCount))
                    toNextMark = Self.markFrames
                }
            }
            runW += Double(item.w)
            // Frames above the noise on their own: the region's edges are trimmed to them.
            if item.w >= offLinear {
                if firstAbove < 0 { firstAbove = frame }
                lastAbove = frame
            }
            if item.steady { runSteady += 1 }
            // Confirmation counts frames high when smoothed and above the noise on their own,
            // so one loud click smeared over the smoothing window confirms nothing.
            if smoothedW >= onLinear && item.w >= offLinear {
                runHigh += 1
                speechPowerSum += Double(item.power)
                speechFrames += 1
            }
        } else {
            closeRun(at: frame)
            if cls == .quiet && !item.echoDominated {
                noisePowerSum += Double(item.power)
                noiseFrames += 1
            }
        }
        // Dips: back to the noise, or far under the speech envelope (which decays 20 dB/s);
        // the next dip counts once the level is back within 3 dB of the envelope.
        // Compared in the power domain: no logarithm per frame.
        let level = max(item.power, 1e-20)
        envelope = max(level, envelope * envelopeDecay)
        let isDip = cls != .active || level < envelope * dipFactor
        if isDip {
            if dipArmed { dipCount += 1; dipArmed = false }
        } else if level > envelope * rearmFactor {
            dipArmed = true
        }
        if recordFrames { frameClasses.append(cls) }
    }

    /// Appends `frame` to the last span if it continues it, else as a span of its own.
    private static func extend(_ spans: inout [FrameSpan], with frame: Int) {
        if let last = spans.last, last.end == frame {
            spans[spans.count - 1].end = frame + 1
        } else {
            spans.append(FrameSpan(frame, frame + 1))
        }
    }

    private mutating func closeRun(at frame: Int) {
        guard runStart >= 0 else { return }
        if runHigh >= minHighFrames {
            // The centred average reaches up to `halfSmoothing` frames past a loud onset or
            // offset; frames there that are not above the noise on their own are dropped.
            // Only on clear speech (mean whitened SNR ≥ 10 dB): at low SNR, onsets and
            // decays really are under the noise frame by frame and trimming would cut speech.
            var start = runStart, end = frame
            if firstAbove >= 0 && runW >= 10 * Double(frame - runStart) {
                start = min(max(start, firstAbove), runStart + halfSmoothing)
                end = max(min(end, lastAbove + 1), frame - halfSmoothing)
            } else {
                // Speech under the noise: its onset and decay are there but below what a
                // frame shows; `lowSNRPadS` restores them.
                start = max(0, start - lowSNRPad)
                end += lowSNRPad
            }
            let span = FrameSpan(start, max(start + 1, end))
            if span.length >= minHoldFrames + 100, let split = splitPoint(span) {
                regionSplits[regions.count] = split
            }
            regions.append(span)
            regionSteadyFrames.append(runSteady)
            regionDipMarks.append((runDipsAtStart, dipCount))
        }
        runStart = -1
        runHigh = 0
        runSteady = 0
    }
}

/// What the detector found over a stretch of the call that nothing later can change: its
/// closed regions (with their steady frames, dip marks and splits) and its tone,
/// keypress and call-progress spans. `ConversationAnalyzer` turns each stretch into talk,
/// hold and tones as soon as it is settled, so that no list of regions grows with the call.
struct SettledSpans: Sendable {
    var regions: [FrameSpan] = []
    var regionSteadyFrames: [Int] = []
    var regionDipMarks: [(opened: Int, closed: Int)] = []
    /// Keyed by index into `regions`.
    var regionSplits: [Int: (frame: Int, steady: Int, dips: Int)] = [:]
    var tones: [FrameSpan] = []
    var keypresses: [FrameSpan] = []
    var longTones: [FrameSpan] = []
    var callTones: [FrameSpan] = []
}

extension ChannelDetector {
    /// Hands over everything found so far, if it is settled: no region is open, the last
    /// one ended at least `minGap` frames before the next frame to decide (so no later
    /// region can join it, padded or not), and no tone, keypress or call-progress span
    /// reaches that frame (so none can grow). Only when at least `minRegions` regions are
    /// waiting; `force` hands over everything (the end of the call).
    mutating func takeSettled(minGap: Int, minRegions: Int, force: Bool = false) -> SettledSpans? {
        if !force {
            guard runStart < 0, regions.count >= minRegions, let last = regions.last,
                  nextToDecide - last.end >= minGap else { return nil }
            for spans in [tones, keypresses, longTones, callTones] {
                if let l = spans.last, l.end >= nextToDecide { return nil }
            }
        }
        let out = SettledSpans(regions: regions, regionSteadyFrames: regionSteadyFrames, regionDipMarks: regionDipMarks,
                               regionSplits: regionSplits, tones: tones, keypresses: keypresses, longTones: longTones,
                               callTones: callTones)
        regions.removeAll(keepingCapacity: true)
        regionSteadyFrames.removeAll(keepingCapacity: true)
        regionDipMarks.removeAll(keepingCapacity: true)
        regionSplits.removeAll(keepingCapacity: true)
        tones.removeAll(keepingCapacity: true)
        keypresses.removeAll(keepingCapacity: true)
        longTones.removeAll(keepingCapacity: true)
        callTones.removeAll(keepingCapacity: true)
        return out
    }
}

extension ChannelDetector {
    /// Words and music on hold in one region (no pause between them for the analyzer's
    /// split to use): of the run's marks (every 0.25 s), the one where one side, at least
    /// `min_hold_s` long, dips like music and the other, at least 1 s long, dips at least
    /// 1 per second more than music may; of several, the one whose sides differ most. That
    /// mark lies up to `min_hold_s` short of the region's end, which may come early in the
    /// music (a quiet passage ends the region); so the split then moves on into the music
    /// side while the next 0.5 s still dips like syllables (2 dips or more).
    private func splitPoint(_ span: FrameSpan) -> (frame: Int, steady: Int, dips: Int)? {
        typealias Side = (frames: Int, margin: Double)
        /// The region's two sides at a mark: their lengths and how far they dip above music.
        func sides(_ m: (frame: Int, steady: Int, dips: Int)) -> (head: Side, tail: Side) {
            let head = (frames: m.frame - span.start, steady: m.steady, dips: m.dips - runDipsAtStart)
            let tail = (frames: span.end - m.frame, steady: runSteady - m.steady, dips: dipCount - m.dips)
            return ((head.frames, p.holdMargin(dips: head.dips, durationFrames: head.frames, detectedFrames: head.frames,
                                               steady: head.steady)),
                    (tail.frames, p.holdMargin(dips: tail.dips, durationFrames: tail.frames, detectedFrames: tail.frames,
                                               steady: tail.steady)))
        }
        var best: (index: Int, wordsFirst: Bool, contrast: Double)?
        for (i, m) in runMarks.enumerated() where m.frame > span.start && m.frame < span.end {
            let (head, tail) = sides(m)
            for (wordsFirst, words, music) in [(true, head, tail), (false, tail, head)]
            where music.frames >= minHoldFrames && music.margin < 0 && words.frames >= 100 && words.margin >= 1 {
                if words.margin - music.margin > best?.contrast ?? -.infinity { best = (i, wordsFirst, words.margin - music.margin) }
            }
        }
        guard let b = best else { return nil }
        // What is left of the music side must still dip like music, over at least 1 s.
        func musicLeft(_ m: (frame: Int, steady: Int, dips: Int)) -> Bool {
            let music = b.wordsFirst ? sides(m).tail : sides(m).head
            return music.frames >= 100 && music.margin < 0
        }
        var k = b.index
        if b.wordsFirst {
            while k + 2 < runMarks.count && runMarks[k + 2].dips - runMarks[k].dips >= 2 && musicLeft(runMarks[k + 1]) { k += 1 }
        } else {
            while k >= 2 && runMarks[k].dips - runMarks[k - 2].dips >= 2 && musicLeft(runMarks[k - 1]) { k -= 1 }
        }
        return runMarks[k]
    }
}
