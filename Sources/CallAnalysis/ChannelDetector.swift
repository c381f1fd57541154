/// Per-frame verdict of the detector, before utterance-level merging.
public enum FrameClass: UInt8, Sendable {
    /// Nothing above the channel's noise.
    case quiet = 0
    /// Energy above the noise, part of a candidate region (not yet confirmed).
    case active = 1
    /// A steady tone (ring-back, dial tone, DTMF): never speech.
    case tone = 2
}

/// Speech activity detector for one channel: a thin composition of trackers, each a value
/// type that takes a frame and returns what it found (the README's "The speech detector" has
/// the steps in full, with the measurements behind them).
///
/// Per 10 ms frame, in `push`:
/// 1. `NoiseTracker` follows the line's noise per band (step 1; digital silence is not taken).
/// 2. **Other sources**: `EchoSource` (stereo, step 1a) answers the other party's echo
///    expected in the frame, band powers that are added to the noise the frame is measured
///    against. This is the seam through which evidence from outside this channel enters:
///    whatever a source expects in a frame that is not this party (here the other channel's
///    echo) confirms no speech, and is not a voice behind the talker either.
/// 3. `BackgroundVoicesTracker` (step 1b) and `SpeakerWeights` (step 2) learn from the frame,
///    measured against the noise plus what the sources expect.
/// 4. The frame enters the `LookaheadWindow`; `ToneRunTracker` (step 5), `KeypressTracker`
///    (5a), `CallProgressChainTracker` (5b, 5d) and `PeriodicToneTracker` (5c) return marks
///    (`FrameMark`) for it and the frames before it that are still in the window.
/// 5. The frame leaving the window (`lookahead_s` later, so the noise estimate has seen both
///    sides) is measured: noise-whitened, speaker-weighted SNR against the noise and the
///    sources' expectation known then. `RegionDecider` (steps 3 and 6) decides it once its
///    smoothing window is complete; each decision and the marks the frame carries are
///    recorded in `output`.
/// 6. **Hindsight** (stereo): the call's first `hindsightFrames` frames (10 s) are decided
///    only after them, the frames that were measured with no echo or voices behind taken off
///    getting the coupling and the background level known by then, and those that left the
///    window before the talker's loud level settled the level near the talker known then
///    (step 1c; `decideHeld`).
///
/// Lifecycle: `init(parameters:stereo:)`, `push` per frame, `finish()`. Everything found is in
/// `output`, one value; `takeSettled` hands over the regions and spans no later frame can
/// change. Per frame nothing is allocated but the amortized growth of lists (the decider's
/// delay, the output's spans); the trackers are structs called directly, no protocol.
public struct ChannelDetector: Sendable {
    private var noise: NoiseTracker
    /// The other channel's echo (stereo only; inactive on mono).
    private var echo: EchoSource
    private var background: BackgroundVoicesTracker
    private var weights = SpeakerWeights()
    /// Frames not yet decided, with what the trackers marked on them.
    private var window: LookaheadWindow
    private var toneRuns: ToneRunTracker
    private var keypress: KeypressTracker
    private var callProgress = CallProgressChainTracker()
    private var periodic = PeriodicToneTracker()
    private var decider: RegionDecider
    /// Hindsight (stereo): the call's first frames are decided only once this many have left
    /// the lookahead window, with the echo coupling and the background voices known by then
    /// (`decideHeld`): before the other party has talked a few seconds neither is known, and
    /// the call's opening words were decided as if neither were there. 10 s, chosen on the
    /// accuracy harness's tuning split (5 s lost 0.011 F1 on its babble scenario against
    /// 10 s, 20 s lost 0.004 on music on hold: a background level taken late from another
    /// stretch of the call). Memory: at most this many `Held` values (about 100 bytes) per
    /// channel, whatever the call's length.
    static let hindsightFrames = 1000
    /// `hindsightFrames` on a stereo call, 0 on mono. (Internal: tests set 0 before the first
    /// frame to decide as without hindsight.)
    var hindsightFrames: Int
    /// Frames that left the lookahead window so far, up to `hindsightFrames`.
    private var leftWindow = 0
    /// Frames held back, oldest first (empty once decided).
    private var heldBack: [Held] = []

    /// A frame that left the lookahead window, with what was known of it then.
    private struct Held {
        var bands: SIMD4<Float>
        var power: Float
        /// The frame's prediction gain (linear; in dB only for the trace, so no logarithm per frame).
        var predictionGain: Float
        var flags: FrameFlags
        /// The line's band noise, and the speaker weights (zero while the noise was unknown).
        var noise: SIMD4<Float>
        var weights: SIMD4<Float>
        /// The other channel's envelope (`EchoSource.update`), the echo expected from it and
        /// whether a proven coupling gave it.
        var envelope: SIMD4<Float>
        var expected: SIMD4<Float>
        var applied: Bool
        /// The background level voices behind are taken off against (0: not taken off), and
        /// whether voices were heard behind.
        var reference: Float
        var talkerFloor: Float
        var heard: Bool
        var traceBackground: SIMD4<Float>
        var heldLines: UInt8
    }

    /// Everything found so far (regions and spans until handed over by `takeSettled`).
    public private(set) var output = DetectorOutput()
    /// Record `output.trace` (memory grows with length: tests and tuning only).
    public var recordFrames = false

    /// A detector for a mono recording's channel.
    public init(parameters: AnalysisParameters) {
        self.init(parameters: parameters, stereo: false)
    }

    /// A detector for one channel; on a stereo call it takes the other channel's frames
    /// (`push(_:far:)`) to tell its echo from this party's talk.
    public init(parameters: AnalysisParameters, stereo: Bool) {
        let lookahead = parameters.lookaheadFrames
        noise = NoiseTracker(parameters: parameters)
        echo = EchoSource(parameters: parameters, stereo: stereo)
        background = BackgroundVoicesTracker(parameters: parameters, stereo: stereo)
        window = LookaheadWindow(lookahead: lookahead)
        toneRuns = ToneRunTracker(parameters: parameters)
        keypress = KeypressTracker(parameters: parameters)
        decider = RegionDecider(parameters: parameters, measuresSwing: stereo)
        hindsightFrames = stereo ? Self.hindsightFrames : 0
        heldBack.reserveCapacity(hindsightFrames)
    }

    /// Feeds the next frame of a stereo call with the other channel's frame at the same time
    /// (a mono detector ignores `far`); decides the frame that leaves the lookahead window.
    public mutating func push(_ f: FrameFeatures, far: FrameFeatures) {
        window.makeUnique()
        pushFrame(f, far: far)
    }

    /// `push(_:far:)` once the window is known to be the detector's own (`makeUnique`).
    @inline(__always)
    private mutating func pushFrame(_ f: FrameFeatures, far: FrameFeatures) {
        let signal = noise.update(f)
        let (expected, envelope) = echo.update(near: f, nearNoise: noise.bands, nearNoiseMeasured: noise.measured, far: far)
        take(f, signal: signal, expected: expected, envelope: envelope,
             farTalks: echo.active && background.farTalks(power: far.power))
    }

    /// `push(_:far:)` for `count` frames of a stereo call, this channel's and the other's, with
    /// their log powers (`logPowers`, taken once for both detectors); the lookahead window
    /// made the detector's own once for them.
    mutating func push(_ near: UnsafePointer<FrameFeatures>, far: UnsafePointer<FrameFeatures>,
                       nearLogs: UnsafePointer<Float>, farLogs: UnsafePointer<Float>, count: Int) {
        window.makeUnique()
        for i in 0..<count {
            let f = near[i], g = far[i]
            let signal = noise.update(f)
            let (expected, envelope) = echo.update(near: f, nearLog: nearLogs[i], nearNoise: noise.bands,
                                                   nearNoiseMeasured: noise.measured, far: g, farLog: farLogs[i])
            take(f, signal: signal, expected: expected, envelope: envelope,
                 farTalks: echo.active && background.farTalks(power: g.power))
        }
    }

    /// Feeds the next frame (the other channel, if any, silent); decides the frame that leaves
    /// the lookahead window.
    public mutating func push(_ f: FrameFeatures) {
        push(f, far: .silent)
    }

    /// Decides every remaining frame and closes the last region.
    public mutating func finish() {
        window.makeUnique()
        while window.count > 0 { decideOldest() }
        if !heldBack.isEmpty { decideHeld() }
        while let d = decider.decideRemaining() { record(d) }
        if let r = decider.finish() { output.spans.add(r, under: decider.closedUnder, modulation: decider.closedModulation) }
        output.echo = echo.estimate(decidedFrames: output.decidedFrames, appliedFrames: output.echoAppliedFrames)
    }

    /// `push` once the noise has taken the frame.
    /// - Parameters:
    ///   - signal: whether the frame is not digital silence (`NoiseTracker.update`).
    ///   - expected: what the other sources expect in the frame (band powers).
    ///   - envelope: the other channel's envelope at the frame (`EchoSource.update`), which the
    ///     window keeps with it for the echo expected when it is decided.
    @inline(__always)
    private mutating func take(_ f: FrameFeatures, signal: Bool, expected: SIMD4<Float>, envelope: SIMD4<Float>, farTalks: Bool) {
        let tone = toneRuns.update(f)
        if noise.known {
            let against = noise.bands + expected
            if signal {
                // While the other party talks, against the noise floored lower
                // (`NoiseTracker.backgroundBands`): voices behind a quiet talker lie around the
                // absolute floor.
                background.update(smoothed: noise.smoothed, noise: against, farNoise: noise.backgroundBands + expected,
                                  lineNoiseMeasured: noise.measured, power: f.power,
                                  farTalks: farTalks, tonal: tone.run?.flags.contains(.longTone) ?? false)
            } else {
                background.updateSilence(lineNoiseMeasured: noise.measured, farTalks: farTalks)
            }
            weights.update(bandSNR: f.bands / against)
        }
        if recordFrames { output.trace.backgroundInput.append(SIMD2(noise.known ? background.lastInput : -99, farTalks ? 1 : 0)) }
        window.push(f, flags: tone.steady ? .steady : [], envelope: envelope)
        if let m = keypress.update(f.dualTone) { window.mark(m) }
        if let m = callProgress.update(f.callTone) { window.mark(m) }
        if let m = periodic.update(f.periodicTone, power: f.power, markable: window.markable) { window.mark(m) }
        if let m = tone.run { window.mark(m) }
        output.levels.peak = max(output.levels.peak, f.peak)
        output.levels.clippedSamples += Int64(f.clipped)
        if window.isFull { decideOldest() }
    }

    /// Moves the oldest frame out of the lookahead window, with what is known of it now (the
    /// noise, the speaker weights, the echo and background voices taken off), and hands it
    /// to the region decider; on a stereo call, the call's first `hindsightFrames` frames
    /// are held back instead and decided at once after them (`decideHeld`).
    @inline(__always)
    private mutating func decideOldest() {
        let (f, flags, envelope) = window.removeOldest()
        var held = Held(bands: f.bands, power: f.power, predictionGain: f.predictionGain, flags: flags,
                        noise: noise.bands, weights: noise.known ? weights.weights : .zero,
                        envelope: .zero, expected: .zero, applied: false,
                        reference: background.reference, talkerFloor: background.talkerFloor, heard: background.heard,
                        traceBackground: recordFrames ? background.traceValues : .zero, heldLines: f.heldLines)
        if echo.active {
            let e = echo.expected(envelope: envelope)
            held.expected = e.expected
            held.applied = e.applied
            held.envelope = envelope
        }
        if leftWindow < hindsightFrames {
            leftWindow += 1
            heldBack.append(held)
            return
        }
        if !heldBack.isEmpty { decideHeld() }
        decide(held)
    }

    /// Decides the frames held back from the call's start (hindsight): a frame decided
    /// with no echo taken off takes the coupling proven since, if any; one decided with no
    /// voices behind taken off takes the background level they are taken off against now,
    /// if they are; one decided before the talker's loud level settled takes the level it is
    /// near the talker against now (step 1c). Everything else (its noise, speaker weights,
    /// marks) is as it was when it left the window.
    private mutating func decideHeld() {
        let frames = heldBack
        heldBack = []
        for var h in frames {
            if echo.active && !h.applied {
                let e = echo.expected(envelope: h.envelope)
                h.expected = e.expected
                h.applied = e.applied
            }
            if h.reference == 0 && background.reference > 0 {
                h.reference = background.reference
                h.heard = h.heard || background.heard
            }
            if h.talkerFloor == 0 { h.talkerFloor = background.talkerFloor }
            decide(h)
        }
    }

    /// Measures a frame that left the lookahead window against the noise and the sources'
    /// expectation known for it, and hands it to the region decider.
    @inline(__always)
    private mutating func decide(_ h: Held) {
        if h.applied { output.echoAppliedFrames += 1 }
        output.decidedFrames += 1
        if h.heard { output.backgroundFrames += 1 }
        // Noise-whitened SNR (linear): band power over band noise, weighted by how much the
        // channel's speech stands out in each band.
        let bandSNR = h.bands / (h.noise + h.expected)
        let w = (bandSNR * h.weights).sum()
        // With voices behind the talker taken off (step 1b), the frame's power over the
        // background level; otherwise nothing to pass.
        let level = h.reference > 0 ? h.power / h.reference : RegionDecider.noBackground
        let talker = h.talkerFloor > 0 ? h.power / h.talkerFloor : RegionDecider.noBackground
        let item = RegionDecider.Frame(w: w, power: h.power, flags: h.flags,
                                       echoDominated: echo.active && h.expected.sum() > h.noise.sum(), level: level,
                                       talker: talker, heldLines: h.heldLines, bands: bandSNR)
        if recordFrames {
            output.trace.bandSNR.append(bandSNR)
            output.trace.predictionGainDB.append(FrameFeatures.decibels(gain: h.predictionGain))
            output.trace.weightedSNR.append(w)
            output.trace.background.append(h.traceBackground)
            output.trace.echo.append(SIMD2(fastDB(max(h.expected.sum(), 1e-12)), fastDB(max(h.noise.sum(), 1e-12))))
        }
        if let d = decider.update(item) { record(d) }
    }

    /// Records a decision: the frame's spans, the region it closed, the level sums.
    @inline(__always)
    private mutating func record(_ d: RegionDecider.Decision) {
        // Tone frames are recorded apart; whether a region is a tone is decided on the
        // whole region (share of tone frames), so a steady vowel never splits speech (only
        // runs of 0.3 s or more, no vowel, are cut out of it).
        output.spans.add(frame: d.frame, flags: d.item.flags)
        if let r = d.closed { output.spans.add(r, under: decider.closedUnder, modulation: decider.closedModulation) }
        if d.confirmed {
            output.levels.speechPowerSum += Double(d.item.power)
            output.levels.speechFrames += 1
        } else if d.frameClass == .quiet && !d.item.echoDominated {
            output.levels.noisePowerSum += Double(d.item.power)
            output.levels.noiseFrames += 1
        }
        if recordFrames { output.trace.classes.append(d.frameClass) }
    }
}

extension ChannelDetector {
    /// Hands over the regions and spans found so far, if they are settled: no region is open,
    /// the last one ended at least `minGap` frames before the next frame to decide (so no
    /// later region can join it, padded or not), and no tone, keypress or call-progress span
    /// reaches that frame (so none can grow). Only when at least `minRegions` regions are
    /// waiting; `force` hands over everything (the end of the call).
    mutating func takeSettled(minGap: Int, minRegions: Int, force: Bool = false) -> SettledSpans? {
        if !force {
            let next = decider.nextFrame
            guard !decider.isOpen, output.spans.regions.count >= minRegions, let last = output.spans.regions.last,
                  next - last.end >= minGap, !output.spans.anySpan(reaching: next) else { return nil }
        }
        return output.spans.take()
    }
}
