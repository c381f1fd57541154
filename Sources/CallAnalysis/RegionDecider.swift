#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Region decisions (the README's detector, steps 3 and 6): takes each frame as it leaves the
/// lookahead window, its noise-whitened SNR measured, and decides it once its centred
/// smoothing window is complete.
///
/// - **Smoothing and double threshold**: the SNR averaged over `smoothing_s` (a centred
///   moving average); a region grows while it stays above `off_threshold_db` and is kept only
///   if `min_speech_s` of it is above `on_threshold_db` *and* above the noise on its own (one
///   click smeared by the average confirms nothing). On clear speech (mean SNR ≥ 10 dB) the
///   edges are trimmed back, by at most the smoothing half-width, to the first and last frame
///   above `off_threshold_db` on its own; below 10 dB the region is widened by
///   `low_snr_pad_s` on both sides instead.
/// - **Dips and steadiness**: frames falling back to the noise or `dip_depth_db` under the
///   speech envelope (which decays 20 dB/s) are counted, and so are the region's frames whose
///   spectral shape held still (`FrameFlags.steady`); speech dips several times a second and
///   keeps moving, music on hold dips rarely and holds notes.
/// - **Words and music in one region**: every 0.25 s of an open region is marked with its
///   steady frames and dips; a region of `min_hold_s` + 1 s or more that closes is split
///   where one side dips like music and the other like speech (`splitPoint`).
///
/// Lifecycle: `init(parameters:)`; `update(_:)` per frame leaving the lookahead window, in
/// order, which decides at most one frame; at the end `decideRemaining()` until it returns
/// nil, then `finish()`, which closes the last region.
struct RegionDecider: Sendable {
    /// A frame leaving the lookahead window.
    struct Frame: Sendable {
        /// Noise-whitened, speaker-weighted SNR (linear).
        var w: Float
        /// Frame power (full scale²).
        var power: Float
        /// What the trackers marked on it.
        var flags: FrameFlags
        /// The other party's expected echo outweighs this line's noise here: not a frame of the
        /// line's noise floor (levels), whatever it is classed.
        var echoDominated: Bool
        /// While voices behind the talker are taken off (step 1b): the frame's power over the
        /// channel's background level (linear); `noBackground` otherwise.
        var level: Float = RegionDecider.noBackground
        /// Near the talker (step 1c, stereo, once the channel's loud level has settled; whether
        /// or not voices behind are taken off): the frame's power over the talker floor
        /// (`BackgroundVoicesTracker.talkerFloor`: `background_talker_db` under the talker's
        /// loud level, narrowed on a line with something behind its talker; linear);
        /// `noBackground` otherwise.
        var talker: Float = RegionDecider.noBackground
        /// Held notes measured on the frame (`FrameFeatures.heldLines`).
        var heldLines: UInt8 = 0
        /// Its band SNRs, noise-whitened (band power over the band's noise and expected echo):
        /// the spectral swing's input (`SyllabicModulationMeter`).
        var bands = SIMD4<Float>(repeating: 1)
    }

    /// `Frame.level` when no background is taken off: it passes both of its thresholds,
    /// smoothed with any other frames' (a window straddling the start or end of babble
    /// is judged by the noise alone).
    static let noBackground: Float = 1e30

    /// Where a region splits into words and music (see `splitPoint`): the frame, and the
    /// region's steady frames and the running dip count there.
    typealias Split = (frame: Int, steady: Int, dips: Int, lines: LineCount)

    /// A confirmed speech region, as it closes.
    struct Region: Sendable {
        /// Frames `[start, end)`, before padding and merging.
        var span: FrameSpan
        /// Frames whose spectral shape barely moved from the frame before.
        var steadyFrames: Int
        /// The running count of dips when the region opened and when it closed.
        var dips: (opened: Int, closed: Int)
        /// Its held-note measurements.
        var lines = LineCount()
        /// Where it splits into words and music, for regions long enough to hold both.
        var split: Split?
    }

    /// The verdict on one frame.
    struct Decision: Sendable {
        /// The frame's index from the start of the channel.
        var frame: Int
        /// The frame as it left the lookahead window.
        var item: Frame
        var frameClass: FrameClass
        /// High when smoothed and above the noise on its own, in a region: counted in the
        /// active-speech level.
        var confirmed: Bool
        /// The region this frame closed (the frames before it), if one closed and was kept.
        var closed: Region?
    }

    private let parameters: AnalysisParameters
    /// Frames either side of a frame in its smoothing window.
    let halfSmoothing: Int
    private let minHighFrames: Int
    /// Near the talker (step 1c): a run that never comes over the talker floor (within
    /// `background_talker_db` of the talker's loud level, or less where it narrows) is still
    /// confirmed this many frames (1 s) after the last frame of one that did: a talker's soft
    /// words between its louder ones.
    static let talkerBridgeFrames = 100
    private let onLinear: Float
    private let offLinear: Float
    /// `background_margin_db` and `background_extend_db` as power ratios: the smoothed
    /// `Frame.level` a confirmed frame and a region's frame need.
    private let backgroundOn: Float
    private let backgroundOff: Float
    private let envelopeDecay: Float
    private let dipFactor: Float
    private let rearmFactor: Float
    private let lowSNRPad: Int
    private let minHoldFrames: Int
    /// Frames between two marks of an open region (0.25 s).
    private static let markFrames = 25

    /// Frames left the window, kept until their smoothing window is complete.
    private var delay: [Frame] = []
    /// Frame index of `delay[0]`.
    private var delayFirst = 0
    /// Index of the next frame to decide.
    private(set) var nextFrame = 0
    /// Index of the last frame taken with a background level (`Frame.level`), or −1.
    private var lastLevelFrame = -1
    /// Index of the last frame taken with a talker level (`Frame.talker`), or −1.
    private var lastTalkerFrame = -1

    // The open region (run): its first frame (−1: none), frames confirming it, steady
    // frames, first and last frame above the noise on its own, sum of its SNR.
    private var runStart = -1
    private var runHigh = 0
    /// The last confirmed frame that came over the talker floor (every confirmed frame where
    /// that is not measured), or `Int.min`.
    private var lastNearTalker = Int.min
    private var runSteady = 0
    private var runLines = LineCount()
    private var firstAbove = -1
    private var lastAbove = -1
    private var runW = 0.0
    /// Every `markFrames` frames of the open run: the frame, the run's steady frames and
    /// the running dip count there (what a split needs; one entry per 0.25 s of the run).
    private var runMarks: [Split] = []
    /// The running count of frames under the level at each of `runMarks`.
    private var runMarksUnder: [Int] = []
    /// The running count of frames under the level (out of speech, or
    /// `AnalysisParameters.holdLevelDepthDB` under the envelope) when the region last closed
    /// opened and closed, and at its split (if any). Kept here, not in `Region`: a larger
    /// `Region` made every frame's `Decision` dearer to pass on (1.6 % of the analysis).
    private(set) var closedUnder: (opened: Int, closed: Int, split: Int) = (0, 0, 0)
    /// The running modulation sums (`SyllabicModulationMeter`) when the region last closed
    /// opened and closed, and at its split (if any); kept here for the same reason.
    private(set) var closedModulation = (opened: ModulationSums(), closed: ModulationSums(), split: ModulationSums())
    /// The syllabic modulation of every decided frame, and its marks for the open run (at its
    /// start and at each of `runMarks`). Measured on a stereo call's channels only: a mono
    /// channel is never judged for flat stretches (`SyllabicReference.judges`), and its marks
    /// stay empty (no swing).
    private var modulation = SyllabicModulationMeter()
    private let measuresSwing: Bool
    private var runModulationAtStart = ModulationSums()
    private var runMarksModulation: [ModulationSums] = []
    /// Frames of the open run until its next mark.
    private var toNextMark = 0
    /// The speech envelope (power, decays 20 dB/s) and whether the next dip counts.
    private var envelope: Float = 1e-20
    private var dipArmed = true
    /// Dips so far, and when the open run started.
    private var dipCount = 0
    private var runDipsAtStart = 0
    /// Frames under the level so far (see `closedUnder`), and when the open run started.
    private var underCount = 0
    private var runUnderAtStart = 0
    private let underFactor: Float

    init(parameters: AnalysisParameters, measuresSwing: Bool = true) {
        self.measuresSwing = measuresSwing
        self.parameters = parameters
        let fps = 1.0 / frameDuration
        minHighFrames = max(1, Int((parameters.minSpeechS * fps).rounded()))
        onLinear = Float(pow(10, parameters.onThresholdDB / 10))
        offLinear = Float(pow(10, parameters.offThresholdDB / 10))
        backgroundOn = Float(pow(10, parameters.backgroundMarginDB / 10))
        backgroundOff = Float(pow(10, min(parameters.backgroundExtendDB, parameters.backgroundMarginDB) / 10))
        halfSmoothing = max(0, Int((parameters.smoothingS / frameDuration / 2).rounded(.down)))
        envelopeDecay = Float(pow(10, -0.02))          // 0.2 dB per frame, 20 dB/s
        dipFactor = Float(pow(10, -parameters.dipDepthDB / 10))
        rearmFactor = Float(pow(10, -0.3))              // within 3 dB of the envelope
        // At least as deep as a dip (a `dip_depth_db` under 4 dB makes it that shallow).
        underFactor = max(Float(pow(10, -AnalysisParameters.holdLevelDepthDB / 10)), dipFactor)
        lowSNRPad = max(0, Int((parameters.lowSNRPadS * fps).rounded()))
        minHoldFrames = Int((parameters.minHoldS * fps).rounded())
    }

    /// Whether a region is open (its end is not known yet).
    var isOpen: Bool { runStart >= 0 }

    /// Takes the next frame leaving the lookahead window; returns the decision on the frame
    /// whose smoothing window it completes (none for the first `halfSmoothing` frames).
    @inline(__always)
    mutating func update(_ item: Frame) -> Decision? {
        if item.level < Self.noBackground { lastLevelFrame = delayFirst + delay.count }
        if item.talker < Self.noBackground { lastTalkerFrame = delayFirst + delay.count }
        delay.append(item)
        // Each frame completes at most one window: frames are decided `halfSmoothing` behind.
        guard nextFrame + halfSmoothing < delayFirst + delay.count else { return nil }
        return decideNext()
    }

    /// At the end: decides the next of the frames still waiting (their smoothing windows cut
    /// short); nil when none is left.
    mutating func decideRemaining() -> Decision? {
        guard nextFrame < delayFirst + delay.count else { return nil }
        return decideNext()
    }

    /// At the end, after `decideRemaining`: closes the open region, if any.
    mutating func finish() -> Region? { closeRun(at: nextFrame) }

    @inline(__always)
    private mutating func decideNext() -> Decision {
        let i = nextFrame - delayFirst
        let lo = max(0, i - halfSmoothing), hi = min(delay.count - 1, i + halfSmoothing)
        let n = Float(hi - lo + 1)
        // The window's sums, in order, over the buffer (`lo...hi` over the array did not
        // unroll: a closed range checks for its end past `Int.max` on every frame).
        let levelWanted = lastLevelFrame >= delayFirst + lo, talkerWanted = lastTalkerFrame >= delayFirst + lo
        let (sum, level, talker) = delay.withUnsafeBufferPointer { d -> (Float, Float, Float) in
            var sum: Float = 0
            for k in lo..<(hi + 1) { sum += d[k].w }
            // The background level's ratio only where a frame of the window has one (voices
            // behind taken off); otherwise nothing to sum.
            var level = Self.noBackground
            if levelWanted {
                level = 0
                for k in lo..<(hi + 1) { level += d[k].level }
                level /= n
            }
            // The talker level's ratio (step 1c) only where it can matter: a frame that
            // confirms otherwise, with a talker level in its window.
            var talker = Self.noBackground
            if talkerWanted && sum / n >= onLinear && d[i].w >= offLinear && level >= backgroundOn {
                talker = 0
                for k in lo..<(hi + 1) { talker += d[k].talker }
                talker /= n
            }
            return (sum, level, talker)
        }
        let decision = decide(delay[i], smoothedW: sum / n, smoothedLevel: level, smoothedTalker: talker)
        // Drop what no later window needs, a thousand frames at a time (one move, not one per frame).
        let keepFrom = nextFrame - halfSmoothing
        if keepFrom - delayFirst >= 1024 {
            delay.removeFirst(keepFrom - delayFirst)
            delayFirst = keepFrom
        }
        return decision
    }

    @inline(__always)
    private mutating func decide(_ item: Frame, smoothedW: Float, smoothedLevel: Float, smoothedTalker: Float) -> Decision {
        let frame = nextFrame
        nextFrame += 1
        // Tone frames are counted apart; whether a region is a tone is decided on the whole
        // region (share of tone frames), so a steady vowel never splits speech.
        let above = smoothedW >= offLinear && smoothedLevel >= backgroundOff
        let cls: FrameClass = above ? .active : (item.flags.contains(.tone) ? .tone : .quiet)
        var decision = Decision(frame: frame, item: item, frameClass: cls, confirmed: false, closed: nil)
        if cls == .active {
            if runStart < 0 {
                runStart = frame; runHigh = 0; runSteady = 0; runLines = LineCount(); firstAbove = -1; runW = 0
                runDipsAtStart = dipCount
                runUnderAtStart = underCount
                runModulationAtStart = modulation.sums
                runMarks.removeAll(keepingCapacity: true)
                runMarksUnder.removeAll(keepingCapacity: true)
                runMarksModulation.removeAll(keepingCapacity: true)
                toNextMark = Self.markFrames
            } else {
                toNextMark -= 1
                if toNextMark == 0 {
                    runMarks.append((frame, runSteady, dipCount, runLines))
                    runMarksUnder.append(underCount)
                    runMarksModulation.append(modulation.sums)
                    toNextMark = Self.markFrames
                }
            }
            runW += Double(item.w)
            // Frames above the noise on their own: the region's edges are trimmed to them.
            if item.w >= offLinear {
                if firstAbove < 0 { firstAbove = frame }
                lastAbove = frame
            }
            if item.flags.contains(.steady) { runSteady += 1 }
            runLines.add(code: item.heldLines)
            // Confirmation counts frames high when smoothed and above the noise on their own,
            // so one loud click smeared over the smoothing window confirms nothing.
            if smoothedW >= onLinear && item.w >= offLinear && smoothedLevel >= backgroundOn {
                runHigh += 1
                decision.confirmed = true
                if smoothedTalker >= 1 { lastNearTalker = frame }
            }
        } else if runStart >= 0 {
            // Only where a run is open (`closeRun` returns nil at once otherwise): the call
            // returns the optional region through memory, and reading it back after every
            // quiet frame stalled on the stores just made (a twelfth of the decider's time).
            decision.closed = closeRun(at: frame)
        }
        // Dips: back to the noise, or far under the speech envelope (which decays 20 dB/s);
        // the next dip counts once the level is back within 3 dB of the envelope.
        // Compared in the power domain: no logarithm per frame.
        let level = max(item.power, 1e-20)
        envelope = max(level, envelope * envelopeDecay)
        // Frames under the level: out of speech, or `holdLevelDepthDB` under the envelope
        // (music on hold is compressed and stays near its level; speech falls between sounds).
        // Every dip is under the level (never deeper than a dip), and a frame under the level
        // is not back within 3 dB of the envelope unless a dip is that shallow too: one test
        // on the frames near the envelope, as before.
        if cls != .active || level < envelope * underFactor {
            underCount &+= 1
            if dipArmed && (cls != .active || level < envelope * dipFactor) { dipCount += 1; dipArmed = false }
        } else if level > envelope * rearmFactor {
            dipArmed = true
        }
        if measuresSwing { modulation.add(power: level, bands: item.bands) }
        return decision
    }

    /// Ends the open run at `frame`; returns it if it holds enough confirmed speech.
    private mutating func closeRun(at frame: Int) -> Region? {
        guard runStart >= 0 else { return nil }
        defer {
            runStart = -1
            runHigh = 0
            runSteady = 0
            runLines = LineCount()
        }
        guard runHigh >= minHighFrames, lastNearTalker >= runStart - Self.talkerBridgeFrames else { return nil }
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
        let split = span.length >= minHoldFrames + 100 ? splitPoint(span) : nil
        closedUnder = (runUnderAtStart, underCount, split.map { runMarksUnder[$0] } ?? 0)
        closedModulation = (runModulationAtStart, modulation.sums, split.map { runMarksModulation[$0] } ?? ModulationSums())
        return Region(span: span, steadyFrames: runSteady, dips: (runDipsAtStart, dipCount), lines: runLines,
                      split: split.map { runMarks[$0] })
    }

    /// Words and music on hold in one region (no pause between them for the analyzer's
    /// split to use): of the run's marks (every 0.25 s), the one where one side, at least
    /// `min_hold_s` long, dips like music and the other, at least 1 s long, dips at least
    /// 1 per second more than music may; of several, the one whose sides differ most
    /// (`AnalysisParameters.splitContrast`). That
    /// mark lies up to `min_hold_s` short of the region's end, which may come early in the
    /// music (a quiet passage ends the region); so the split then moves on into the music
    /// side while the next 0.5 s still dips like syllables (2 dips or more). Returns the
    /// mark's index in `runMarks`.
    private func splitPoint(_ span: FrameSpan) -> Int? {
        let p = parameters
        typealias Side = (frames: Int, margin: Double, lines: LineCount)
        /// The region's two sides at a mark: their lengths and how far they dip above music.
        func sides(_ m: Split) -> (head: Side, tail: Side) {
            let head = (frames: m.frame - span.start, steady: m.steady, dips: m.dips - runDipsAtStart, lines: m.lines)
            let tail = (frames: span.end - m.frame, steady: runSteady - m.steady, dips: dipCount - m.dips, lines: runLines - m.lines)
            return ((head.frames, p.holdMargin(dips: head.dips, durationFrames: head.frames, detectedFrames: head.frames,
                                               steady: head.steady, lines: head.lines), head.lines),
                    (tail.frames, p.holdMargin(dips: tail.dips, durationFrames: tail.frames, detectedFrames: tail.frames,
                                               steady: tail.steady, lines: tail.lines), tail.lines))
        }
        var best: (index: Int, wordsFirst: Bool, contrast: Double)?
        for (i, m) in runMarks.enumerated() where m.frame > span.start && m.frame < span.end {
            let (head, tail) = sides(m)
            for (wordsFirst, words, music) in [(true, head, tail), (false, tail, head)]
            where music.frames >= minHoldFrames && music.margin < 0 && words.frames >= 100 && words.margin >= 1 {
                let contrast = p.splitContrast(words: (words.margin, words.lines), music: (music.margin, music.lines))
                if contrast > best?.contrast ?? -.infinity { best = (i, wordsFirst, contrast) }
            }
        }
        guard let b = best else { return nil }
        // What is left of the music side must still dip like music, over at least 1 s.
        func musicLeft(_ m: Split) -> Bool {
            let music = b.wordsFirst ? sides(m).tail : sides(m).head
            return music.frames >= 100 && music.margin < 0
        }
        var k = b.index
        if b.wordsFirst {
            while k + 2 < runMarks.count && runMarks[k + 2].dips - runMarks[k].dips >= 2 && musicLeft(runMarks[k + 1]) { k += 1 }
        } else {
            while k >= 2 && runMarks[k].dips - runMarks[k - 2].dips >= 2 && musicLeft(runMarks[k - 1]) { k -= 1 }
        }
        return k
    }
}
