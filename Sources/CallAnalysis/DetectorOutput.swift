/// Everything a `ChannelDetector` has found, one value: the regions and spans not yet handed
/// over, the level sums, the frame counts behind the health shares, the echo estimate and,
/// when asked for, a per-frame trace. Only the detector writes it.
public struct DetectorOutput: Sendable {
    /// Regions, tones, keypresses and call-progress tones found since the last hand-over
    /// (`ChannelDetector.takeSettled`).
    public internal(set) var spans = SettledSpans()
    /// Sums behind the channel's levels.
    public internal(set) var levels = LevelSums()
    /// Frames decided so far.
    public internal(set) var decidedFrames = 0
    /// Decided frames during which the channel carried background voices (counted whether or
    /// not `background_margin_db` takes them off; see `BackgroundVoicesTracker`).
    public internal(set) var backgroundFrames = 0
    /// Decided frames measured against the other channel's echo (a proven coupling; see
    /// `EchoSource`).
    public internal(set) var echoAppliedFrames = 0
    /// What the echo tracker found (nil on mono or before enough evidence); set by
    /// `ChannelDetector.finish()`.
    public internal(set) var echo: EchoEstimate?
    /// Per-frame trace, recorded only when `ChannelDetector.recordFrames` is set.
    public internal(set) var trace = FrameTrace()

    /// Share of the decided frames (0–1) that carried background voices.
    public var backgroundVoicesShare: Double { decidedFrames > 0 ? Double(backgroundFrames) / Double(decidedFrames) : 0 }
}

/// What a detector found over a stretch of the call: its closed regions (with their steady
/// frames, dip marks and splits) and its tone, keypress and call-progress spans, in frames.
/// Found frame by frame into `DetectorOutput.spans`; handed over once nothing later can change
/// them (`ChannelDetector.takeSettled`), and `ConversationAnalyzer` turns each such stretch
/// into talk, hold and tones at once, so that no list of regions grows with the call.
public struct SettledSpans: Sendable {
    /// Confirmed speech regions `[start, end)`, in order, before padding and merging.
    public internal(set) var regions: [FrameSpan] = []
    /// Per region: frames whose spectral shape barely moved from the frame before
    /// (|Δρ₁| < 0.04 and |Δρ₂| < 0.08). Music holds notes; speech moves between sounds.
    public internal(set) var regionSteadyFrames: [Int] = []
    /// Per region: the running count of dips when it opened and when it closed. The dips of
    /// any run of regions, gaps included, are a difference of two marks: no list of dip
    /// frames grows with the call.
    public internal(set) var regionDipMarks: [(opened: Int, closed: Int)] = []
    /// Per region: the running count of frames under the level (`RegionDecider.closedUnder`)
    /// when it opened and when it closed.
    public internal(set) var regionUnderMarks: [(opened: Int, closed: Int)] = []
    /// Per region: the running modulation sums (`SyllabicModulationMeter`) when it opened and
    /// when it closed.
    var regionModulationMarks: [(opened: ModulationSums, closed: ModulationSums)] = []
    /// Per region with a split (`regionSplits`): the running modulation sums at the split.
    var regionSplitModulation: [Int: ModulationSums] = [:]
    /// Per region long enough to hold words and music on hold without a pause between them
    /// (one detector region), keyed by index into `regions`: where it splits into a side that
    /// dips like speech and a side that dips like music (`RegionDecider.splitPoint`), with the
    /// steady frames and the running dip and under-the-level counts at that frame. Sparse: few
    /// regions have one.
    public internal(set) var regionSplits: [Int: (frame: Int, steady: Int, dips: Int, lines: LineCount, under: Int)] = [:]
    /// Per region: its held-note measurements (`FrameFeatures.heldLines`).
    public internal(set) var regionLines: [LineCount] = []
    /// Tone frames (`FrameFlags.tone`), as spans.
    public internal(set) var tones: [FrameSpan] = []
    /// Keypresses (DTMF digits, from the frame before the first whole one to the frame after
    /// the last) and the pauses between them, as spans.
    public internal(set) var keypresses: [FrameSpan] = []
    /// Frames of tone runs of 0.3 s or more (ring-back, dial tone), as spans; part of `tones`.
    public internal(set) var longTones: [FrameSpan] = []
    /// Frames of tones found by a window fit (ring-back, dial, busy tones; sines) or by their
    /// exact repetition (beeps, buzzers), as spans; not part of `tones`.
    public internal(set) var callTones: [FrameSpan] = []

    /// Adds a decided frame's spans: `frame` joins the tone, keypress, long-tone and
    /// call-tone spans its flags name.
    @inline(__always)
    mutating func add(frame: Int, flags: FrameFlags) {
        if flags.contains(.tone) { Self.extend(&tones, with: frame) }
        if flags.contains(.keypress) { Self.extend(&keypresses, with: frame) }
        if flags.contains(.longTone) { Self.extend(&longTones, with: frame) }
        if flags.contains(.callTone) { Self.extend(&callTones, with: frame) }
    }

    /// Adds a closed region, with the running counts of frames under the level when it opened
    /// and closed and at its split (`RegionDecider.closedUnder`).
    mutating func add(_ r: RegionDecider.Region, under: (opened: Int, closed: Int, split: Int),
                      modulation: (opened: ModulationSums, closed: ModulationSums, split: ModulationSums)) {
        if let s = r.split {
            regionSplits[regions.count] = (s.frame, s.steady, s.dips, s.lines, under.split)
            regionSplitModulation[regions.count] = modulation.split
        }
        regions.append(r.span)
        regionSteadyFrames.append(r.steadyFrames)
        regionDipMarks.append(r.dips)
        regionUnderMarks.append((under.opened, under.closed))
        regionModulationMarks.append((modulation.opened, modulation.closed))
        regionLines.append(r.lines)
    }

    /// Whether a span ends at or after `frame` (it may still grow).
    func anySpan(reaching frame: Int) -> Bool {
        for spans in [tones, keypresses, longTones, callTones] {
            if let l = spans.last, l.end >= frame { return true }
        }
        return false
    }

    /// Returns everything and empties the lists (keeping their capacity).
    mutating func take() -> SettledSpans {
        let out = self
        regions.removeAll(keepingCapacity: true)
        regionSteadyFrames.removeAll(keepingCapacity: true)
        regionDipMarks.removeAll(keepingCapacity: true)
        regionUnderMarks.removeAll(keepingCapacity: true)
        regionModulationMarks.removeAll(keepingCapacity: true)
        regionSplitModulation.removeAll(keepingCapacity: true)
        regionLines.removeAll(keepingCapacity: true)
        regionSplits.removeAll(keepingCapacity: true)
        tones.removeAll(keepingCapacity: true)
        keypresses.removeAll(keepingCapacity: true)
        longTones.removeAll(keepingCapacity: true)
        callTones.removeAll(keepingCapacity: true)
        return out
    }

    /// Appends `frame` to the last span if it continues it, else as a span of its own.
    @inline(__always)
    private static func extend(_ spans: inout [FrameSpan], with frame: Int) {
        if let last = spans.last, last.end == frame {
            spans[spans.count - 1].end = frame + 1
        } else {
            spans.append(FrameSpan(frame, frame + 1))
        }
    }
}

/// Sums behind a channel's levels (`ChannelLevels`), over decided frames.
public struct LevelSums: Sendable, Equatable {
    /// Power (full scale²) of frames confirming speech, summed, and their count.
    public internal(set) var speechPowerSum: Double = 0
    public internal(set) var speechFrames = 0
    /// Power of quiet frames (outside speech and tones, not dominated by the other party's
    /// expected echo), summed, and their count.
    public internal(set) var noisePowerSum: Double = 0
    public internal(set) var noiseFrames = 0
    /// Largest |sample| (full scale 1).
    public internal(set) var peak: Float = 0
    /// Samples at or above the clip level.
    public internal(set) var clippedSamples: Int64 = 0
}

/// The detector's view of each frame, for tests and tuning (`vadtrace`); memory grows with
/// the call.
public struct FrameTrace: Sendable {
    /// Per frame: its class.
    public internal(set) var classes: [FrameClass] = []
    /// Per frame: band power over the noise it was measured against (echo included), linear.
    public internal(set) var bandSNR: [SIMD4<Float>] = []
    /// Per frame: the order-4 prediction gain (dB).
    public internal(set) var predictionGainDB: [Float] = []
    /// Per frame: the speaker-weighted SNR the region decider took (linear).
    public internal(set) var weightedSNR: [Float] = []
    /// Per frame, when it was decided: the background tracker's 10th percentile of the
    /// smoothed SNR (dB), its median while the other party talks (dB; −99 before it is
    /// known), whether it heard voices behind the talker (0/1), its background level (dBFS).
    public internal(set) var background: [SIMD4<Float>] = []
    /// Per frame, as it entered: its smoothed SNR as the background tracker took it (dB; −30
    /// for digital silence, −99 before the noise is known) and whether the other party talked
    /// (0/1).
    public internal(set) var backgroundInput: [SIMD2<Float>] = []
    /// Per frame, when it was decided (stereo): the echo expected in it (dBFS, band powers
    /// summed, margin included; −120 when none) and the line's noise it was measured against
    /// (dBFS, summed).
    public internal(set) var echo: [SIMD2<Float>] = []
}
