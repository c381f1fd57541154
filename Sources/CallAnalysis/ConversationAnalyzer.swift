#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who a channel belongs to.
public enum Party: String, Sendable, Codable, CaseIterable {
    case agent, customer
    /// A mono recording: both parties on one channel.
    case mixed
}

/// Levels of one channel, all in dBFS (0 dBFS = RMS of a full-scale square wave, 1.0).
public struct ChannelLevels: Sendable, Equatable {
    /// Mean power of frames confidently in speech (active-speech level); nil if no speech.
    public var activeSpeechDBFS: Double?
    /// Mean power of frames outside speech and tones; nil if there are none.
    public var noiseFloorDBFS: Double?
    /// activeSpeech − noiseFloor (dB); nil if either is missing.
    public var snrDB: Double?
    /// Largest |sample| (dBFS); nil for digital silence.
    public var peakDBFS: Double?
    /// Share of samples at or above the clip level (0–1).
    public var clippedShare: Double

    public init(activeSpeechDBFS: Double? = nil, noiseFloorDBFS: Double? = nil, snrDB: Double? = nil,
                peakDBFS: Double? = nil, clippedShare: Double = 0) {
        self.activeSpeechDBFS = activeSpeechDBFS
        self.noiseFloorDBFS = noiseFloorDBFS
        self.snrDB = snrDB
        self.peakDBFS = peakDBFS
        self.clippedShare = clippedShare
    }
}

/// What the detector found on one channel.
public struct ChannelActivity: Sendable, Equatable {
    /// Speech at utterance level: padded, merged across pauses shorter than `mergeGapS`,
    /// with music on hold removed. Sorted, disjoint.
    public var speech: [FrameSpan]
    /// Regions recognised as music on hold (energy without speech's dips). Sorted.
    public var hold: [FrameSpan]
    /// Steady tones (ring-back, dial tone, DTMF). Sorted.
    public var tones: [FrameSpan]
    /// Keypress sequences (DTMF digits and the pauses between them); part of `tones`. Sorted.
    public var keypresses: [FrameSpan]
    public var levels: ChannelLevels
    /// Per-frame classes when recording was requested (tests), else empty.
    public var frameClasses: [FrameClass]
    /// Step 6's judgement of each utterance, in the order judged, when recording was requested
    /// (`vadtrace --utterances`), else empty. Pieces chained to hold come at the end of the
    /// settled stretch they were judged in, so the order (not the verdicts) depends on where
    /// stretches settled.
    public var judgements: [UtteranceJudgement] = []
    /// Share of the channel's frames (0–1) during which it carried voices behind the talker
    /// (babble; see `BackgroundVoicesTracker`).
    public var backgroundVoicesShare: Double = 0
    /// The stretches of `hold` that step 6 judged music on hold as a whole, by its own rules (no
    /// piece chained to hold, no music side of a split, no tone, nothing the site's library
    /// matched): what `callqa learn-hold-music` keeps. Sorted, disjoint.
    public var judgedHold: [FrameSpan] = []
    /// The site's hold music and announcements found on the channel (`KnownAudioLibrary`):
    /// hold, and never talk. Sorted by start.
    public var knownAudio: [KnownAudioMatch] = []

    /// Where only the site's audio matched on this channel (not the detector's own hold):
    /// the other channel's talk there is its own (`ConversationMetrics`).
    public var knownHoldOnly: [FrameSpan] = []
    /// Where this channel carries the other channel's matched track as an echo: its "talk"
    /// there is the music.
    public var knownAudioEcho: [FrameSpan] = []

    /// Where the site's own audio plays: hold, not talk (`frames` bounds the spans); `echo`:
    /// where the other channel's match is heard on this one.
    mutating func takeKnownAudio(_ matches: [KnownAudioMatch], echo: [FrameSpan] = [], frames: Int) {
        knownAudio = matches
        knownAudioEcho = echo
        let spans = SpanMath.normalize(matches.map { FrameSpan(max(0, $0.span.start), min(frames, $0.span.end)) })
        guard !spans.isEmpty else { return }
        knownHoldOnly = SpanMath.subtract(spans, hold)
        speech = SpanMath.subtract(speech, spans)
        hold = SpanMath.union(hold, spans)
    }

    public init(speech: [FrameSpan], hold: [FrameSpan] = [], tones: [FrameSpan] = [], keypresses: [FrameSpan] = [],
                levels: ChannelLevels, frameClasses: [FrameClass] = []) {
        self.speech = speech
        self.hold = hold
        self.tones = tones
        self.keypresses = keypresses
        self.levels = levels
        self.frameClasses = frameClasses
    }
}

/// Streams a recording's channels through frame measurement and speech detection.
///
/// Lifecycle: `init`, `consume` block after block, `finish()`. Memory does not grow with
/// the length of the call except for the lists of segments found: the detector's regions
/// are turned into talk, hold and tones stretch by stretch, as soon as no later frame can
/// change them (see `ChannelDetector.takeSettled`).
public struct ConversationAnalyzer: Sendable {
    public let parameters: AnalysisParameters
    public let sampleRate: Int
    public let channelCount: Int
    private var extractors: [FrameFeatureExtractor]
    private var detectors: [ChannelDetector]
    private var featureScratch: [[FrameFeatures]]
    /// Both channels' log powers of a block (stereo; `logPowers`), kept between blocks.
    private var logScratch: [Float] = []
    /// Per channel: talk, hold, tones and keypresses of the stretches already settled.
    private var parts: [ChannelParts]
    /// Per channel: the syllabic modulation of its talk so far (flat stretches, step 6).
    private var talk: [SyllabicReference]
    /// Per channel: step 6's judgements so far (only when recording frames).
    private var judgements: [[UtteranceJudgement]]
    private let explains: Bool
    /// Frames a stretch's last region must lie before the next frame to decide to be settled:
    /// a pause no later region can be joined or chained (music next to hold) across, padding
    /// included.
    private let settleGap: Int
    private var samplesSeen: Int64 = 0
    // Cross-channel envelope correlation (health: bleed / duplicated channel).
    private var corr = CorrelationAccumulator()
    /// Per channel: the site's own audio (hold music, announcements) found playing; empty
    /// without a library or when the rate does not allow it (`knownAudioNote`).
    private var matchers: [KnownAudioMatcher] = []
    /// Why a library given was not applied to this recording, or nil.
    public let knownAudioNote: String?

    /// - Parameters:
    ///   - channelCount: 1 (mono) or 2 (stereo).
    ///   - recordFrames: keep per-frame classes and step 6's judgements (`ChannelActivity
    ///     .judgements`; tests, `vadtrace`): memory grows with the call.
    /// - Parameter quantization: the recording's 8-bit quantizer, if any (see
    ///   `AnalysisParameters.codecIdleSteps`).
    /// - Parameter knownAudio: the site's hold music and announcements: where one plays it is
    ///   hold, not talk (see `KnownAudioLibrary`).
    public init(parameters: AnalysisParameters, sampleRate: Int, channelCount: Int, recordFrames: Bool = false,
                quantization: CodecQuantization? = nil, knownAudio: KnownAudioLibrary? = nil) {
        self.parameters = parameters
        if let knownAudio {
            if let m = KnownAudioMatcher(library: knownAudio, sampleRate: sampleRate) {
                matchers = Array(repeating: m, count: channelCount)
                knownAudioNote = nil
            } else {
                knownAudioNote = "the hold-music library was not applied: it is matched at 8, 16, 32 and 64 kHz, the recording is at \(sampleRate) Hz"
            }
        } else {
            knownAudioNote = nil
        }
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        extractors = (0..<channelCount).map { _ in FrameFeatureExtractor(sampleRate: sampleRate, parameters: parameters, quantization: quantization) }
        detectors = (0..<channelCount).map { _ in
            var d = ChannelDetector(parameters: parameters, stereo: channelCount == 2)
            d.recordFrames = recordFrames
            return d
        }
        featureScratch = Array(repeating: [], count: channelCount)
        for c in 0..<channelCount { featureScratch[c].reserveCapacity(64) }
        parts = Array(repeating: ChannelParts(), count: channelCount)
        talk = Array(repeating: SyllabicReference(judges: channelCount == 2), count: channelCount)
        judgements = Array(repeating: [], count: channelCount)
        explains = recordFrames
        let fps = 1.0 / frameDuration
        // Past the reach of the chain of music next to hold too (`holdChainFrames`): a stretch
        // handed over between two pieces of one chain would leave the later piece talk.
        settleGap = max(Int((parameters.mergeGapS * fps).rounded()), Self.holdChainFrames) + 2 * Int((parameters.padS * fps).rounded()) + 1
    }

    /// Music next to hold (see `activity`): the most frames between a speech utterance with
    /// held notes and hold on its line for it to be hold too (1.5 s), its shortest length
    /// (0.5 s) and the fewest held-note measurements it needs.
    static let holdChainFrames = 150
    static let minChainPieceFrames = 50
    static let minChainMeasurements = 2
    /// A piece that dips this often per second or more is words (syllables), however many
    /// peaks it holds: never chained (words right after hold, with a held vowel or two).
    static let maxChainDipsPerS = 4.5
    /// A piece without held notes that dips like music is chained when at most this share of
    /// its frames lies under the level (`AnalysisParameters.holdLevelDepthDB`). Tuning sets
    /// (analyzer 19): of the pieces of 0.5–3 s that dip like music and were left talk, 11 of 33
    /// music pieces lie at most 0.05 under (most 0.00–0.01) and 1 of 140 speech pieces (0.04, a
    /// 0.5 s word of a clean real voice, no hold near it and nothing to chain to).
    static let maxChainUnderShare = 0.05

    /// Regions that wait before a settled stretch is turned into talk: the work per stretch
    /// is small, and the lists stay short. (Internal: tests set 1 and `Int.max`, which must
    /// give the same result.)
    var settleRegions = 64

    /// Consumes the first `frameCount` samples of each channel buffer.
    public mutating func consume(channels: [[Float]], frameCount: Int) {
        precondition(channels.count == channelCount)
        for c in 0..<channelCount {
            featureScratch[c].removeAll(keepingCapacity: true)
            channels[c].withUnsafeBufferPointer { buf in
                extractors[c].consume(UnsafeBufferPointer(rebasing: buf[0..<frameCount]), into: &featureScratch[c])
                if !matchers.isEmpty { matchers[c].consume(UnsafeBufferPointer(rebasing: buf[0..<frameCount])) }
            }
        }
        samplesSeen += Int64(frameCount)
        push()
        for c in 0..<channelCount {
            if let settled = detectors[c].takeSettled(minGap: settleGap, minRegions: settleRegions) {
                settle(settled, channel: c, frames: Int.max / 2)
            }
        }
    }

    /// Step 6 on a settled stretch of channel `c` (`activity`): its parts appended, and its
    /// judgements when frames are recorded.
    private mutating func settle(_ stretch: SettledSpans, channel c: Int, frames: Int) {
        var notes: [UtteranceJudgement]? = explains ? [] : nil
        parts[c].append(Self.activity(of: stretch, frames: frames, p: parameters, talk: &talk[c], judgements: &notes))
        if let notes { judgements[c] += notes }
    }

    private mutating func push() {
        let n = featureScratch[0].count
        // Through buffer pointers: no copy-on-write check of the detectors' array and no
        // bounds checks of the frames' per frame (the frames are read through local copies
        // of the arrays, shared, not copied).
        if channelCount == 2 {
            let near = featureScratch[0], far = featureScratch[1]
            // The frames' log powers once (eight at a time) for both echo trackers and the
            // correlation, not once in each; the scratch list moved out for the block.
            var logs = logScratch
            logScratch = []
            if logs.count < 2 * n { logs = [Float](repeating: 0, count: 2 * n) }
            near.withUnsafeBufferPointer { a in
                far.withUnsafeBufferPointer { b in
                    logs.withUnsafeMutableBufferPointer { lb in
                        detectors.withUnsafeMutableBufferPointer { ds in
                            // Each detector hears the other channel's frames (echo), a block at a
                            // time (one detector's state stays in cache).
                            guard let a = a.baseAddress, let b = b.baseAddress, let la = lb.baseAddress else { return }
                            let lg = la + n
                            logPowers(a, count: n, into: la)
                            logPowers(b, count: n, into: lg)
                            ds[0].push(a, far: b, nearLogs: la, farLogs: lg, count: n)
                            ds[1].push(b, far: a, nearLogs: lg, farLogs: la, count: n)
                        }
                    }
                    logs.withUnsafeBufferPointer { lb in
                        for i in 0..<n { corr.add(a[i].power, b[i].power, logs: (lb[i], lb[n + i])) }
                    }
                }
            }
            logScratch = logs
        } else {
            detectors.withUnsafeMutableBufferPointer { ds in
                for f in featureScratch[0] { ds[0].push(f) }
            }
        }
    }

    /// Ends the stream and returns each channel's activity plus call-level facts.
    public mutating func finish() -> AnalysisOutcome {
        for c in 0..<channelCount {
            featureScratch[c].removeAll(keepingCapacity: true)
            extractors[c].flush(into: &featureScratch[c])
        }
        push()
        let frames = Int((Double(samplesSeen) / Double(sampleRate) / frameDuration).rounded(.up))
        var activities: [ChannelActivity] = []
        for c in 0..<channelCount {
            detectors[c].finish()
            if let rest = detectors[c].takeSettled(minGap: 0, minRegions: 0, force: true) {
                settle(rest, channel: c, frames: frames)
            }
        }
        Self.restoreOverlapped(&parts)
        for c in 0..<channelCount {
            activities.append(Self.channelActivity(parts[c], detector: detectors[c].output, samples: samplesSeen))
            activities[c].judgements = judgements[c]
        }
        if !matchers.isEmpty {
            let found = Self.sourceMatches(matchers.indices.map { matchers[$0].finish() })
            for c in activities.indices { activities[c].takeKnownAudio(found.kept[c], echo: found.echo[c], frames: frames) }
        }
        return AnalysisOutcome(durationS: Double(samplesSeen) / Double(sampleRate), frameCount: frames,
                               channels: activities, envelopeCorrelation: channelCount == 2 ? corr.value : nil,
                               echo: detectors.map(\.output.echo), knownAudioNote: knownAudioNote)
    }

    /// Each channel's matches without those that are the other channel's echo — a match of a
    /// track that overlaps a match of the same track with more landmarks on the other channel
    /// (the line that plays the music carries it louder and cleaner than the echo of it; a
    /// looping track may be explained at another turn of the loop there, so the offset is not
    /// compared) — and, per channel, where those echoes lie.
    static func sourceMatches(_ found: [[KnownAudioMatch]]) -> (kept: [[KnownAudioMatch]], echo: [[FrameSpan]]) {
        guard found.count == 2 else { return (found, found.map { _ in [] }) }
        func echoes(_ m: KnownAudioMatch, of other: [KnownAudioMatch]) -> Bool {
            other.contains { o in
                o.track == m.track && o.landmarks > m.landmarks && o.span.start < m.span.end && m.span.start < o.span.end
            }
        }
        let split = (0..<2).map { c in
            (kept: found[c].filter { !echoes($0, of: found[1 - c]) }, echo: found[c].filter { echoes($0, of: found[1 - c]) })
        }
        return (split.map(\.kept), split.map { SpanMath.normalize($0.echo.map(\.span)) })
    }

    /// Talk, hold, tones and keypresses of a settled stretch of one channel (see
    /// `SettledSpans`); `frames` bounds the padding of regions at the end of the call.
    static func activity(of d: SettledSpans, frames: Int, p: AnalysisParameters) -> ChannelParts {
        var talk = SyllabicReference()
        return activity(of: d, frames: frames, p: p, talk: &talk)
    }

    /// `activity(of:frames:p:)` with the channel's talk so far (`SyllabicReference`), which
    /// the stretch's talk is added to.
    static func activity(of d: SettledSpans, frames: Int, p: AnalysisParameters, talk: inout SyllabicReference) -> ChannelParts {
        var none: [UtteranceJudgement]?
        return activity(of: d, frames: frames, p: p, talk: &talk, judgements: &none)
    }

    /// `activity(of:frames:p:talk:)`, appending each utterance's judgement to `judgements`
    /// unless it is nil.
    static func activity(of d: SettledSpans, frames: Int, p: AnalysisParameters, talk: inout SyllabicReference,
                         judgements: inout [UtteranceJudgement]?) -> ChannelParts {
        let fps = 1.0 / frameDuration
        let pad = Int((p.padS * fps).rounded())
        let gap = Int((p.mergeGapS * fps).rounded())
        // Pad, then join regions whose gap is shorter than mergeGapS (utterance level).
        // Utterances, with the detected frames they hold, how many of those are steady, and
        // the dips from their first region's opening to their last region's closing.
        struct Region {
            var span: FrameSpan; var frames: Int; var steady: Int; var dips: (opened: Int, closed: Int); var tonal: Bool
            var lines: LineCount; var under: (opened: Int, closed: Int)
            var modulation: (opened: ModulationSums, closed: ModulationSums)
        }
        /// Joined regions: `members` index the regions they were joined from (contiguous).
        struct Utterance {
            var span: FrameSpan; var frames: Int; var steady: Int; var dipsFrom: Int; var dipsTo: Int; var members: Range<Int>
            var lines: LineCount; var underFrom: Int; var underTo: Int
            var modulationFrom: ModulationSums; var modulationTo: ModulationSums
            /// Its syllabic modulation (dB), nil where the detector gave none (tests).
            var modulationDB: Double? { (modulationTo - modulationFrom).depthDB }
            /// Its spectral swing (dB), nil where the detector gave none.
            var spectralDB: Double? { (modulationTo - modulationFrom).spectralDB }
        }
        func join(_ regions: [Region], _ indices: [Int]) -> [Utterance] {
            var merged: [Utterance] = []
            for i in indices {
                let r = regions[i]
                if let last = merged.last, r.span.start - last.span.end < gap {
                    merged[merged.count - 1].span.end = max(last.span.end, r.span.end)
                    merged[merged.count - 1].frames += r.frames
                    merged[merged.count - 1].steady += r.steady
                    merged[merged.count - 1].lines = merged[merged.count - 1].lines + r.lines
                    merged[merged.count - 1].dipsTo = r.dips.closed
                    merged[merged.count - 1].underTo = r.under.closed
                    merged[merged.count - 1].modulationTo = r.modulation.closed
                    merged[merged.count - 1].members = last.members.lowerBound..<(i + 1)
                } else {
                    merged.append(Utterance(span: r.span, frames: r.frames, steady: r.steady, dipsFrom: r.dips.opened,
                                            dipsTo: r.dips.closed, members: i..<(i + 1), lines: r.lines,
                                            underFrom: r.under.opened, underTo: r.under.closed,
                                            modulationFrom: r.modulation.opened, modulationTo: r.modulation.closed))
                }
            }
            return merged
        }
        var tones: [FrameSpan] = []
        var regions: [Region] = []
        let tonesAndKeys = SpanMath.normalize(d.tones + d.keypresses)
        /// A detected span as a region: padded, tonal when at least `tone_region_share` of it
        /// is tone frames (a tone unless it belongs to music on hold: held notes, decided below).
        func region(_ r: FrameSpan, steady: Int, dips: (opened: Int, closed: Int), lines: LineCount,
                    under: (opened: Int, closed: Int), modulation: (opened: ModulationSums, closed: ModulationSums)) -> Region {
            let toneFrames = Double(SpanMath.total(SpanMath.intersection([r], d.tones)))
            return Region(span: FrameSpan(max(0, r.start - pad), min(frames, r.end + pad)), frames: r.length, steady: steady,
                          dips: dips, tonal: toneFrames >= p.toneRegionShare * Double(r.length), lines: lines, under: under,
                          modulation: modulation)
        }
        for (i, r) in d.regions.enumerated() {
            // A region nearly all tone frames or keypresses is a tone (ring-back, DTMF, dial
            // tone) as a whole. Keypresses in a region of speech are cut out of it below.
            let toneOrKeyFrames = Double(SpanMath.total(SpanMath.intersection([r], tonesAndKeys)))
            if toneOrKeyFrames >= p.pureToneShare * Double(r.length) {
                tones.append(r)
                continue
            }
            let marks = d.regionDipMarks[i], under = d.regionUnderMarks[i]
            let modulation = d.regionModulationMarks[i]
            if let split = d.regionSplits[i] {
                // Words and music in one region: judged as two regions, with no pause between
                // them (the split of step 6 and the music of a speech utterance take it up).
                let atSplit = d.regionSplitModulation[i] ?? modulation.opened
                regions.append(region(FrameSpan(r.start, split.frame), steady: split.steady, dips: (marks.opened, split.dips),
                                      lines: split.lines, under: (under.opened, split.under),
                                      modulation: (modulation.opened, atSplit)))
                regions.append(region(FrameSpan(split.frame, r.end), steady: d.regionSteadyFrames[i] - split.steady,
                                      dips: (split.dips, marks.closed), lines: d.regionLines[i] - split.lines,
                                      under: (split.under, under.closed), modulation: (atSplit, modulation.closed)))
            } else {
                regions.append(region(r, steady: d.regionSteadyFrames[i], dips: marks, lines: d.regionLines[i], under: under,
                                      modulation: modulation))
            }
        }
        // Music on hold: long regions that dip too rarely for speech, given how steady their
        // spectrum is (music holds notes: the steadier, the more dips it takes to be speech).
        var speech: [FrameSpan] = []
        /// The regions the speech utterances were joined from.
        var speechRegions: [FrameSpan] = []
        /// The speech utterances, as the indices of the regions they were joined from.
        var speechPieces: [[Int]] = []
        /// The flat utterances (`isFlat`), as the indices of their regions: no talk; hold when
        /// chained to hold (music next to hold), as a short held stretch is.
        var flatPieces: [[Int]] = []
        /// Their spans (tones held 0.3 s or more in them are tones, as in talk).
        var flatSpans: [FrameSpan] = []
        /// The flat utterances under 0.6 s (`UtteranceJudgement.Rule.brief`), apart: chained to
        /// hold only as a speech piece is (a link of no evidence otherwise: as flat pieces, two
        /// of them 2.5 s before hold on the agent's line carried the hold back over the
        /// customer's words, `heldout13`'s `contact_center-10-alaw-synthetic-10`).
        var briefPieces: [[Int]] = []
        /// The spans of the brief flat utterances and of those of 0.6–1.5 s flat for dipping like
        /// music (`UtteranceJudgement.Rule.shortLikeMusic`): talk again where the other party talks
        /// over them (`restoreOverlapped`).
        var overlappable: [FrameSpan] = []
        var hold: [FrameSpan] = []
        // The utterances judged hold as a whole (`UtteranceJudgement.Verdict.hold`): no piece
        // chained to hold, no music side of a split (`ChannelActivity.judgedHold`).
        var judgedHold: [FrameSpan] = []
        let minHold = Int((p.minHoldS * fps).rounded())
        /// Every tone frame the detector found (per frame, held 0.3 s or more, or by a tone
        /// plan's fit): a short held stretch, and an utterance whose strong held notes count
        /// (`AnalysisParameters.strongHeldLines`), has fewer than `tone_region_share` of its
        /// frames in them (music's held notes pass the per-frame tests now and then; a
        /// sawtooth's harmonics are held notes too, and it is a tone).
        let anyTones = SpanMath.normalize(d.tones + d.longTones + d.callTones)
        func fewTones(_ u: Utterance) -> Bool {
            Double(SpanMath.total(SpanMath.intersection([u.span], anyTones))) < p.toneRegionShare * Double(u.span.length)
        }
        /// How far the utterance's dips per second lie above the most a hold region may
        /// have, given its steady share and held notes (negative: dips like music).
        func speechMargin(_ u: Utterance) -> Double {
            p.holdMargin(dips: u.dipsTo - u.dipsFrom, durationFrames: u.span.length, detectedFrames: u.frames, steady: u.steady,
                         lines: u.lines, strongLines: fewTones(u))
        }
        let minLineHold = Int((p.minLineHoldS * fps).rounded())
        /// A short held stretch (`AnalysisParameters.shortHoldMargin`): `length` frames (from
        /// `min_line_hold_s`) from `span`'s start, holding notes whatever its steady share,
        /// `margin` the held-note allowance's margin (`holdMargin`). Not hold on its own: a
        /// slow monotone synthetic voice (an IVR prompt, flite at 1.6–2× its duration, 2–3 s)
        /// holds notes and a steady spectrum and dips as rarely (margin −0.5 to −1.9, 0.2–0.56
        /// under the level, 1.1–4.4 held peaks: the music's stretches of the tuning sets lie
        /// in the same ranges), so it is a piece of the chain of music next to hold that joins
        /// only a group with hold in it.
        func isShortHeld(span: FrameSpan, length: Int, frames: Int, steady: Int, lines: LineCount, margin: Double) -> Bool {
            let steadyShare = frames > 0 ? Double(steady) / Double(frames) : 0
            return length >= minLineHold && p.holdsNotesAtAnySteadyShare(lines)
                && lines.mean > AnalysisParameters.shortHoldMinHeldLines
                && steadyShare < AnalysisParameters.shortHoldMaxSteadyShare
                && Double(SpanMath.total(SpanMath.intersection([span], anyTones))) < p.toneRegionShare * Double(length)
                && margin < -AnalysisParameters.shortHoldMargin
        }
        /// Held level: few of its frames under the level, and dips within the allowance that
        /// gives (`AnalysisParameters.levelAllowance`).
        func holdsLevel(_ u: Utterance) -> Bool {
            let allowance = AnalysisParameters.levelAllowance(under: u.underTo - u.underFrom, durationFrames: u.span.length)
            return allowance > 0 && speechMargin(u) < allowance
        }
        /// A held level that is a talker's: its level swings at `heldLevelTalkShare` of its line's
        /// talk's or more and its spectrum at `levelFlatSpectralShare` or more (whatever the
        /// spectral median: on a 5 dB line the talk's own is under 3 dB).
        func heldLikeTalk(_ u: Utterance) -> Bool {
            guard let s = swings(u) else { return false }
            return s.level >= AnalysisParameters.heldLevelTalkShare * s.levelReference
                && s.spectral >= AnalysisParameters.levelFlatSpectralShare * s.spectralReference
        }
        /// The utterance's level and spectral swings beside its line's talk's medians so far, where
        /// it is judged against them (a stereo channel with 2 s of talk behind it); nil otherwise.
        func swings(_ u: Utterance) -> (level: Double, levelReference: Double, spectral: Double, spectralReference: Double)? {
            guard talk.judges, talk.frames >= AnalysisParameters.flatReferenceFrames,
                  let level = u.modulationDB, let spectral = u.spectralDB,
                  let levelReference = talk.medianDB, let spectralReference = talk.spectralMedianDB else { return nil }
            return (level, levelReference, spectral, spectralReference)
        }
        /// Flat: swinging less in level and spectrum than any voice does
        /// (`AnalysisParameters.absoluteFlatLevelDB`, whatever the line's talk so far); or (`AnalysisParameters.flatShare`) its level's syllabic swing far under its line's
        /// talk so far, and small (smaller where its spectrum moves as talk's does, smaller
        /// still for a `member` region split off a talk utterance); or its spectrum's swing far
        /// under the talk's (`spectralFlatShare`). A whole utterance under 1.5 s (0.6 s or more):
        /// both swings far under the talk's (`AnalysisParameters.shortFlatShare`), or its level's
        /// far under it, dipping like music and holding notes (`AnalysisParameters.shortMusicLevelShare`); under 0.6 s, its
        /// level's swing far under the talk's and small (`AnalysisParameters.briefFlatShare`). The
        /// rule that found it flat, nil where it is not.
        func flatRule(_ u: Utterance, member: Bool = false) -> UtteranceJudgement.Rule? {
            let long = u.span.length >= AnalysisParameters.flatMinFrames
            if !member && u.span.length < AnalysisParameters.shortFlatMinFrames {
                // Under 0.6 s: no onset, no syllable (`AnalysisParameters.briefFlatShare`).
                guard let s = swings(u) else { return nil }
                let flat = s.level < AnalysisParameters.briefFlatShare * s.levelReference && s.level < AnalysisParameters.briefFlatLevelDB
                return flat ? .brief : nil
            }
            guard long || (!member && u.span.length >= AnalysisParameters.shortFlatMinFrames) else { return nil }
            if talk.judges, let level = u.modulationDB, let spectral = u.spectralDB,
               level < (long ? AnalysisParameters.absoluteFlatLevelDB : AnalysisParameters.shortFlatLevelDB),
               spectral < (long ? AnalysisParameters.absoluteFlatSpectralDB : AnalysisParameters.shortFlatSpectralDB) {
                return long ? .floor : .shortFloor
            }
            guard let s = swings(u) else { return nil }
            if !long {
                let flat = s.level < AnalysisParameters.shortFlatShare * s.levelReference
                    && s.spectralReference >= AnalysisParameters.spectralMinReferenceDB
                    && s.spectral < AnalysisParameters.shortSpectralFlatShare * s.spectralReference
                if flat { return .shortAgainstTalk }
                let music = s.level < AnalysisParameters.shortMusicLevelShare * s.levelReference && speechMargin(u) < 0
                    && u.lines.mean >= AnalysisParameters.shortMusicHeldPeaks
                return music ? .shortLikeMusic : nil
            }
            let spectrumJudges = s.spectralReference >= AnalysisParameters.spectralMinReferenceDB
            // Its spectrum swings as its line's talk does: the 3.0 dB cap (`levelFlatSpectralShare`).
            let spectrumLikeTalk = spectrumJudges && s.spectral >= AnalysisParameters.levelFlatSpectralShare * s.spectralReference
            let cap = member ? AnalysisParameters.memberFlatMaxDepthDB
                : spectrumLikeTalk ? AnalysisParameters.talkSpectrumFlatMaxDepthDB : AnalysisParameters.flatMaxDepthDB
            if s.level < AnalysisParameters.flatShare * s.levelReference && s.level < cap { return .level }
            return spectrumJudges && s.spectral < AnalysisParameters.spectralFlatShare * s.spectralReference ? .spectrum : nil
        }
        func isFlat(_ u: Utterance, member: Bool = false) -> Bool { flatRule(u, member: member) != nil }
        /// Talk, whatever its dips say (`AnalysisParameters.talkSwingLevelShare`): it dips nearly
        /// as often as speech, holds almost no notes, and its level and spectrum swing as its
        /// line's talk so far does.
        func swingsLikeTalk(_ u: Utterance) -> Bool {
            guard u.lines.mean < AnalysisParameters.talkSwingMaxHeldPeaks, let s = swings(u),
                  s.spectralReference >= AnalysisParameters.spectralMinReferenceDB,
                  s.level >= AnalysisParameters.talkSwingLevelShare * s.levelReference,
                  s.spectral >= AnalysisParameters.talkSwingSpectralShare * s.spectralReference else { return false }
            return speechMargin(u) > -AnalysisParameters.talkSwingDipMargin
        }
        /// Words one at a time, not music (`AnalysisParameters.wordsApartLevelSwingDB`): its level
        /// swings from each word down to the pause after it by more than music on hold does, its
        /// spectrum moves from word to word (a drum loop's hits repeat one spectrum), and it holds
        /// no notes. Whatever its dips say and whether or not its line has talk behind it (stereo:
        /// the swings are measured there only).
        func wordsApart(_ u: Utterance) -> Bool {
            guard let level = u.modulationDB, let spectral = u.spectralDB else { return false }
            return level >= AnalysisParameters.wordsApartLevelSwingDB && spectral >= AnalysisParameters.wordsApartSpectralSwingDB
                && u.lines.mean < AnalysisParameters.wordsApartMaxHeldPeaks
        }
        /// Records how `u` was judged, with the figures it was judged on and the rule that decided
        /// (`vadtrace --utterances`; nothing is worked out when nothing is recorded).
        func note(_ u: Utterance, _ verdict: UtteranceJudgement.Verdict, rule: @autoclosure () -> UtteranceJudgement.Rule? = nil) {
            guard judgements != nil else { return }
            judgements?.append(UtteranceJudgement(
                span: u.span, verdict: verdict, rule: rule(), levelSwingDB: u.modulationDB, spectralSwingDB: u.spectralDB,
                levelReferenceDB: talk.medianDB, spectralReferenceDB: talk.spectralMedianDB, referenceFrames: talk.frames,
                dipMargin: speechMargin(u), heldPeaks: u.lines.mean,
                steadyShare: u.frames > 0 ? Double(u.steady) / Double(u.frames) : 0))
        }
        /// Long enough (shorter with held notes) and dipping like music; or `min_hold_s` long
        /// and holding its level (fewer dips than the held level allows) unless it swings in level
        /// and spectrum as its line's talk does (`heldLikeTalk`: voices behind a talker, or a noisy
        /// line, hold the level between the words; analyzer 24), or holding notes and
        /// dipping faster than any voice (`speechMaxDipsPerS`: a beat, not syllables). The beat
        /// needs held notes: a voice through a line that drops packets (20 ms gaps, 15 % of
        /// them) or crackles (clicks 10 times a second, each lifting the envelope the dips are
        /// measured against) dips that fast too, and hold would take the speech of both parties.
        /// The rule that found it hold, nil where it is not.
        func holdRule(_ u: Utterance) -> UtteranceJudgement.Rule? {
            if swingsLikeTalk(u) || wordsApart(u) { return nil }
            let steadyShare = u.frames > 0 ? Double(u.steady) / Double(u.frames) : 0
            let heldNotes = p.heldLinesOver(u.lines, steadyShare: steadyShare, strong: fewTones(u)) > 0
            if u.span.length >= (heldNotes ? min(minHold, minLineHold) : minHold) && speechMargin(u) < 0 { return .dips }
            if u.span.length >= minHold && holdsLevel(u) && !heldLikeTalk(u) { return .heldLevel }
            let beat = heldNotes && u.span.length >= minHold
                && Double(u.dipsTo - u.dipsFrom) >= AnalysisParameters.speechMaxDipsPerS * Double(u.span.length) * frameDuration
            return beat ? .beat : nil
        }
        func isHold(_ u: Utterance) -> Bool { holdRule(u) != nil }
        /// A speech utterance with its music taken out (`music`, regions hold on their own): hold,
        /// flat (`isFlat`), or talk. With `splittingFlat`, a member region flat on its own (music
        /// and words with no pause between them long enough to part them) is flat, and the rest
        /// is joined again and judged again (not split further).
        func judge(_ w: Utterance, without music: Set<Int>, splittingFlat: Bool) {
            let members = w.members.filter { !regions[$0].tonal && !music.contains($0) }
            if let rule = holdRule(w) {
                note(w, .hold, rule: rule)
                hold.append(w.span)
                judgedHold.append(w.span)
                return
            }
            if let rule = flatRule(w) {
                note(w, .flat, rule: rule)
                // Flat: far less syllabic swing, or far less movement of its spectrum, than this
                // line's talk so far — not talk.
                // A brief one is chained to hold as it was as talk (`briefPieces`).
                if rule == .brief { briefPieces.append(members) } else { flatPieces.append(members) }
                if rule == .brief || rule == .shortLikeMusic { overlappable.append(w.span) }
                flatSpans.append(w.span)
                return
            }
            let flat = splittingFlat && members.count > 1 ? members.filter { i in
                guard let u = join(regions, [i]).first else { return false }
                return isFlat(u, member: true)
            } : []
            if !flat.isEmpty {
                for f in join(regions, flat) {
                    note(f, .flatRegion, rule: flatRule(f, member: true)
                            ?? f.members.compactMap { join(regions, [$0]).first.flatMap { flatRule($0, member: true) } }.first)
                    flatPieces.append(f.members.filter { flat.contains($0) })
                    flatSpans.append(f.span)
                }
                for x in join(regions, members.filter { !flat.contains($0) }) {
                    judge(x, without: music.union(flat), splittingFlat: false)
                }
                return
            }
            note(w, .talk)
            if let depth = w.modulationDB, let spectral = w.spectralDB {
                talk.add(depthDB: depth, spectralDB: spectral, frames: w.span.length)
            }
            speech.append(w.span)
            speechRegions += members.map { regions[$0].span }
            speechPieces.append(members)
        }
        /// Hold at `min_hold_s` or longer: the music side of a split (a shorter side with held
        /// notes would split words off music's own louder passages).
        func isLongHold(_ u: Utterance) -> Bool { u.span.length >= minHold && speechMargin(u) < 0 }
        /// Words that run straight into music on the same line (or music into words), with a
        /// pause under `merge_gap_s`, are joined to it and judged with it. Splits `members`
        /// (a joined utterance's regions, in order) where one side is hold and the other, at
        /// least a second long, dips like speech; of such splits, the one whose sides differ
        /// most in dips per second and held notes (`splitContrast`). Nil when there is none.
        func splitAtMusic(_ members: [Int]) -> (words: [Int], music: [Int])? {
            guard members.count > 1 else { return nil }
            // Each side as one utterance, from running sums (the members of a joined
            // utterance are consecutive and each pause between them is under merge_gap_s).
            let n = members.count
            var frames = [0], steady = [0], ends = [Int.min]
            var lines = [LineCount()]
            for i in members {
                frames.append(frames.last! + regions[i].frames)
                steady.append(steady.last! + regions[i].steady)
                lines.append(lines.last! + regions[i].lines)
                ends.append(max(ends.last!, regions[i].span.end))
            }
            var tailEnds = [Int](repeating: Int.min, count: n + 1)
            for k in stride(from: n - 1, through: 0, by: -1) { tailEnds[k] = max(tailEnds[k + 1], regions[members[k]].span.end) }
            func side(_ r: Range<Int>) -> Utterance {
                let first = regions[members[r.lowerBound]], last = regions[members[r.upperBound - 1]]
                let end = r.lowerBound == 0 ? ends[r.upperBound] : tailEnds[r.lowerBound]
                return Utterance(span: FrameSpan(first.span.start, end), frames: frames[r.upperBound] - frames[r.lowerBound],
                                 steady: steady[r.upperBound] - steady[r.lowerBound], dipsFrom: first.dips.opened,
                                 dipsTo: last.dips.closed, members: members[r.lowerBound]..<(members[r.upperBound - 1] + 1),
                                 lines: lines[r.upperBound] - lines[r.lowerBound], underFrom: first.under.opened,
                                 underTo: last.under.closed, modulationFrom: first.modulation.opened,
                                 modulationTo: last.modulation.closed)
            }
            var best: (k: Int, wordsFirst: Bool, contrast: Double)?
            for k in 1..<n {
                let head = side(0..<k), tail = side(k..<n)
                for (wordsFirst, w, m) in [(true, head, tail), (false, tail, head)]
                where isLongHold(m) && w.span.length >= 100 && speechMargin(w) >= 1 {
                    let contrast = p.splitContrast(words: (speechMargin(w), w.lines), music: (speechMargin(m), m.lines))
                    if contrast > best?.contrast ?? -.infinity { best = (k, wordsFirst, contrast) }
                }
            }
            return best.map { b in
                let head = Array(members[..<b.k]), tail = Array(members[b.k...])
                return b.wordsFirst ? (head, tail) : (tail, head)
            }
        }
        /// A split utterance: the music is hold and keeps its held notes; the words' tonal
        /// regions are tones, the rest is speech.
        func apply(_ split: (words: [Int], music: [Int]), music: [Utterance]) {
            for m in music { note(m, .musicSplitFromWords) }
            hold.append(contentsOf: music.map(\.span))
            for i in split.words where regions[i].tonal { tones.append(regions[i].span) }
            let words = Set(split.words.filter { !regions[$0].tonal })
            for v in join(regions, words.sorted()) {
                note(v, .wordsSplitFromMusic)
                speech.append(v.span)
                let members = v.members.filter { words.contains($0) }
                speechRegions += members.map { regions[$0].span }
                speechPieces.append(members)
            }
        }
        for u in join(regions, Array(regions.indices)) {
            if isHold(u) {
                if let split = splitAtMusic(Array(u.members)) {
                    apply(split, music: join(regions, split.music))
                } else {
                    note(u, .hold, rule: holdRule(u))
                    hold.append(u.span)
                    judgedHold.append(u.span)
                }
                continue
            }
            // Not hold as a whole: its tonal regions are tones; the rest is joined again on
            // its own and judged the same way.
            for i in u.members where regions[i].tonal { tones.append(regions[i].span) }
            for v in join(regions, u.members.filter { !regions[$0].tonal }) {
                if let rule = holdRule(v) {
                    note(v, .hold, rule: rule)
                    hold.append(v.span)
                    judgedHold.append(v.span)
                    continue
                }
                let members = v.members.filter { !regions[$0].tonal }
                // Words and music joined into one utterance that is words as a whole (the
                // music broken by short quiet passages into regions shorter than min_hold_s):
                // split as a hold utterance is, when the music side lasts at least twice
                // min_hold_s. Shorter, it is no better told from a slow passage of speech
                // (prompts of 3–5 s with few pauses split off as music otherwise).
                if let split = splitAtMusic(members) {
                    let music = join(regions, split.music)
                    if music.allSatisfy({ $0.span.length >= 2 * minHold }) {
                        apply(split, music: music)
                        continue
                    }
                }
                // A member region that is hold on its own is hold (words running into music
                // judged as words with it), and the rest is joined again without it.
                let music = members.count > 1 ? Set(members.filter { join(regions, [$0]).allSatisfy(isHold) }) : []
                for i in music.sorted() {
                    if judgements != nil, let r = join(regions, [i]).first { note(r, .holdRegion, rule: holdRule(r)) }
                    hold.append(regions[i].span)
                }
                for w in music.isEmpty ? [v] : join(regions, members.filter { !music.contains($0) }) {
                    judge(w, without: music, splittingFlat: true)
                }
            }
        }
        // Music next to hold: a speech utterance of at least 0.5 s that holds notes (at least 2
        // measurements, as many held peaks as `hold_held_lines` allows more dips for, a steady
        // share under 0.3) within `holdChainFrames` of hold on this line is hold too, and so on
        // along a chain (music cut by its quiet passages into pieces too short to judge alone).
        // The chains are the groups of such pieces and hold spans, in order of their starts,
        // each next one starting within `holdChainFrames` of the group's latest end: a group
        // with hold in it is hold (one sort and one pass, however long the chain). So is a group
        // of two pieces or more with no hold in it that spans `min_hold_s` or more, when every
        // piece of it also dips like music (music whose quiet passages cut all of it into
        // pieces too short to judge alone, with nothing to chain to). Pieces that dip
        // `maxChainDipsPerS` or more are words, never chained. A piece without held notes that
        // dips like music and holds its level (`maxChainUnderShare`) is chained the same way:
        // a sustained passage of music without a note held in place for 0.4 s (a pad, a chord
        // that swells), cut off by the quiet passages the line's noise tracker takes in. So is a
        // short held stretch (`isShortHeld`), in a group with hold only.
        typealias Chainable = (span: FrameSpan, members: [Int], music: Bool, shortHeld: Bool)
        func chainPiece(_ members: [Int]) -> Chainable? {
            guard let first = members.first, let last = members.last else { return nil }
            let lines = members.reduce(LineCount()) { $0 + regions[$1].lines }
            let frames = members.reduce(0) { $0 + regions[$1].frames }, steady = members.reduce(0) { $0 + regions[$1].steady }
            let length = regions[last].span.end - regions[first].span.start
            let dips = regions[last].dips.closed - regions[first].dips.opened
            guard length >= Self.minChainPieceFrames, Double(dips) < Self.maxChainDipsPerS * Double(length) * frameDuration
            else { return nil }
            let margin = p.holdMargin(dips: dips, durationFrames: length, detectedFrames: frames, steady: steady, lines: lines)
            let heldNotes = p.heldLinesOver(lines, steadyShare: Double(steady) / Double(max(1, frames)),
                                            minMeasurements: Self.minChainMeasurements) > 0
            let under = regions[last].under.closed - regions[first].under.opened
            let heldLevel = margin < 0 && Double(under) <= Self.maxChainUnderShare * Double(length)
            let span = FrameSpan(regions[first].span.start, members.map { regions[$0].span.end }.max()!)
            if heldNotes || heldLevel { return (span, members, margin < 0, false) }
            guard isShortHeld(span: span, length: length, frames: frames, steady: steady, lines: lines, margin: margin)
            else { return nil }
            return (span, members, true, true)
        }
        // A flat piece is chained as a speech piece is, or else as a short held stretch (a link
        // to hold only).
        let chainable: [Chainable] = (speechPieces + briefPieces).compactMap(chainPiece) + flatPieces.compactMap { members in
            guard let first = members.first else { return nil }
            return chainPiece(members)
                ?? (FrameSpan(regions[first].span.start, members.map { regions[$0].span.end }.max()!), members, true, true)
        }
        if !chainable.isEmpty {
            /// The chained pieces of `pieces` (indices into `chainable`): the groups with hold in
            /// them, and with `musicGroups` the groups of music pieces only spanning `min_hold_s`.
            func chained(_ pieces: [Int], musicGroups: Bool) -> [Int] {
                // (span, index into `chainable`, or −1 for hold)
                let items = (hold.map { ($0, -1) } + pieces.map { (chainable[$0].span, $0) })
                    .sorted { ($0.0.start, $0.1) < ($1.0.start, $1.1) }
                var chained: [Int] = []
                var group: [Int] = [], groupHasHold = false, groupEnd = Int.min, groupStart = 0, groupMusic = true
                func close() {
                    if groupHasHold || (musicGroups && group.count >= 2 && groupMusic && groupEnd - groupStart >= minHold) {
                        chained += group
                    }
                }
                for (span, k) in items {
                    if groupEnd == Int.min || span.start - groupEnd > Self.holdChainFrames {
                        if groupEnd != Int.min { close() }
                        group.removeAll(keepingCapacity: true)
                        groupHasHold = false
                        groupMusic = true
                        groupStart = span.start
                    }
                    if k < 0 { groupHasHold = true } else { group.append(k); groupMusic = groupMusic && chainable[k].music }
                    groupEnd = max(groupEnd, span.end)
                }
                close()
                return chained
            }
            // A short held stretch is hold only in a group with hold: it links pieces to hold,
            // but is no piece of a group of music alone, nor a link in one (two slow prompts of
            // a monotone voice 1 s apart, or words between two such prompts, stay talk).
            let all = Array(chainable.indices)
            let joined = all.contains { chainable[$0].shortHeld }
                ? Set(chained(all, musicGroups: false) + chained(all.filter { !chainable[$0].shortHeld }, musicGroups: true)).sorted()
                : chained(all, musicGroups: true)
            var gone = Set<FrameSpan>()
            for k in joined {
                judgements?.append(UtteranceJudgement(span: chainable[k].span, verdict: .chainedToHold))
                hold.append(chainable[k].span)
                for i in chainable[k].members { gone.insert(regions[i].span) }
            }
            if !gone.isEmpty { speechRegions.removeAll { gone.contains($0) } }
        }
        hold = SpanMath.normalize(hold)
        // A hold span that is nearly all a call-progress tone found by its fit is that tone (a
        // dial tone through a codec that breaks up the per-frame test); music that holds a
        // chord on a plan's frequencies for a while stays hold.
        hold.removeAll { h in
            let fitted = SpanMath.total(SpanMath.intersection([h], d.callTones))
            if Double(fitted) >= p.pureToneShare * Double(h.length) {
                tones.append(h)
                return true
            }
            return false
        }
        judgedHold = SpanMath.normalize(judgedHold).filter { h in
            Double(SpanMath.total(SpanMath.intersection([h], d.callTones))) < p.pureToneShare * Double(h.length)
        }
        // Keypresses and tones held 0.3 s or more are tones whatever region they fell in (a
        // customer keying digits right after speaking; ring-back right after words on a
        // mono line). Music on hold keeps its held notes.
        let steadyTones = SpanMath.normalize(d.longTones + d.callTones)
        let talkOrFlat = SpanMath.normalize(speech + SpanMath.subtract(SpanMath.normalize(flatSpans), hold))
        let cutOut = d.keypresses + SpanMath.intersection(talkOrFlat, steadyTones)
        // Call-progress tones found by their fit are tones wherever they lie outside hold
        // (also where the line's noise tracker took them for background).
        tones = SpanMath.normalize(tones + cutOut + SpanMath.subtract(d.callTones, hold))
        // Speech again from its regions: the tones cut out of each region first, then the
        // pieces joined across short pauses, so that a pause between words and a tone is not
        // talk (joined first, it was). What cutting a keypress or a tone of 0.3 s or more out
        // leaves of a region, under 0.15 s, is the tone's own onset or decay (the smoothing's
        // reach, a codec's smear), not a word.
        let cuts = SpanMath.normalize(cutOut)
        var pieces: [FrameSpan] = []
        for r in SpanMath.normalize(speechRegions) {
            let left = SpanMath.subtract([r], tones)
            let wasCut = !SpanMath.intersection([r], cuts).isEmpty
            pieces += wasCut ? left.filter { $0.length >= 15 } : left
        }
        speech = []
        for piece in pieces {
            if let last = speech.last, piece.start - last.end < gap {
                speech[speech.count - 1].end = max(last.end, piece.end)
            } else {
                speech.append(piece)
            }
        }
        // Tones are never speech, even when padding or a join reached into them.
        speech = SpanMath.subtract(speech, tones)
        return ChannelParts(speech: speech, hold: hold, judgedHold: judgedHold, tones: tones, keypresses: d.keypresses,
                            flatUnlessOverlapped: SpanMath.subtract(SpanMath.normalize(overlappable), SpanMath.normalize(hold + tones)))
    }

    /// A channel's activity: its stretches' talk, hold, tones and keypresses in order, with
    /// the detector's levels.
    static func channelActivity(_ parts: ChannelParts, detector d: DetectorOutput, samples: Int64) -> ChannelActivity {
        let l = d.levels
        let levels = ChannelLevels(
            activeSpeechDBFS: l.speechFrames > 0 ? dB(l.speechPowerSum / Double(l.speechFrames)) : nil,
            noiseFloorDBFS: l.noiseFrames > 0 ? dB(l.noisePowerSum / Double(l.noiseFrames)) : nil,
            snrDB: nil,
            peakDBFS: l.peak > 0 ? 20 * log10(Double(l.peak)) : nil,
            clippedShare: samples > 0 ? Double(l.clippedSamples) / Double(samples) : 0)
        var withSNR = levels
        if let s = levels.activeSpeechDBFS, let n = levels.noiseFloorDBFS { withSNR.snrDB = s - n }
        var activity = ChannelActivity(speech: parts.speech, hold: parts.hold, tones: parts.tones, keypresses: parts.keypresses,
                                       levels: withSNR, frameClasses: d.trace.classes)
        activity.backgroundVoicesShare = d.backgroundVoicesShare
        activity.judgedHold = parts.judgedHold
        return activity
    }
}

/// The talk, hold, tones and keypresses of a stretch of one channel, or of all its settled
/// stretches so far, in order.
struct ChannelParts: Sendable {
    var speech: [FrameSpan] = []
    var hold: [FrameSpan] = []
    /// The utterances of `hold` judged hold as a whole (`ChannelActivity.judgedHold`).
    var judgedHold: [FrameSpan] = []
    var tones: [FrameSpan] = []
    var keypresses: [FrameSpan] = []
    /// Utterances step 6 found flat by rules a listener's short reply can meet too (whole
    /// utterances under 0.6 s by their level alone, `UtteranceJudgement.Rule.brief`; of 0.6–1.5 s
    /// dipping like music and holding notes, `shortLikeMusic`), out of hold and tones: not talk,
    /// unless the other party talks over them (`ConversationAnalyzer.restoreOverlapped`).
    var flatUnlessOverlapped: [FrameSpan] = []

    /// Appends a later stretch's.
    mutating func append(_ part: ChannelParts) {
        speech += part.speech
        hold += part.hold
        judgedHold += part.judgedHold
        tones += part.tones
        keypresses += part.keypresses
        flatUnlessOverlapped += part.flatUnlessOverlapped
    }
}

extension ConversationAnalyzer {
    /// How near the other party's talk (frames, 1 s) a piece of `ChannelParts.flatUnlessOverlapped`
    /// is talk again (`restoreOverlapped`).
    static let overlapReach = 100

    /// A piece step 6 found flat by a rule a listener's short reply can meet too
    /// (`ChannelParts.flatUnlessOverlapped`) is talk again where the other party talks within
    /// `overlapReach` (1 s) of it (stereo): a "yes", "no", "mm-hm" during or right after the other
    /// party's turn on a noisy line, or over the other party's echo, swings as little as music
    /// poking over the threshold (the noise or the echo fills the 0.25 s before it), and a hummed
    /// "mm-hm" holds its note and dips no more than music; a backchannel is exactly such a word.
    /// Music on hold plays while the other party listens. The red-team check of analyzer 25's
    /// first form (860 stereo calls built to hurt it: soft replies 0–16 dB under their talker,
    /// clean to 5 dB lines, codecs, line echo; 5,090 short words analyzer 24 heard) lost 87 of
    /// them; restored where the other party's talk overlaps them, 21 (in its micro-pauses, or in
    /// its pauses); within 0.5 s, 12; within 1 s, none. The price on the 25 accuracy sets: 83
    /// calls better than analyzer 24 instead of 109 (echo and voices behind a talker right beside
    /// the other party's words are talk again), none worse. Each channel is judged against the
    /// other's speech as step 6 left it.
    static func restoreOverlapped(_ parts: inout [ChannelParts]) {
        guard parts.count == 2 else { return }
        let back = (0..<2).map { c in
            parts[c].flatUnlessOverlapped.filter {
                !SpanMath.intersection([FrameSpan(max(0, $0.start - overlapReach), $0.end + overlapReach)], parts[1 - c].speech).isEmpty
            }
        }
        for c in 0..<2 where !back[c].isEmpty { parts[c].speech = SpanMath.normalize(parts[c].speech + back[c]) }
    }
}

/// Power ratio → dB, clamped at −120 dB for digital silence.
func dB(_ power: Double) -> Double { power > 1e-12 ? 10 * log10(power) : -120 }

/// Raw result of the detector for all channels, before party mapping.
public struct AnalysisOutcome: Sendable, Equatable {
    /// Exact duration: samples / sample rate (s).
    public var durationS: Double
    /// Number of 10 ms frames covering the duration.
    public var frameCount: Int
    public var channels: [ChannelActivity]
    /// Pearson correlation of the two channels' frame log-powers over frames where
    /// either is above −70 dBFS; nil on mono. Near 1: the same signal on both channels.
    public var envelopeCorrelation: Double?
    /// Per channel: the other channel's sound heard on it (stereo; nil on mono or with too
    /// little of the other party's talk to measure).
    public var echo: [EchoEstimate?]
    /// Why a hold-music library given was not applied (`ConversationAnalyzer.knownAudioNote`).
    public var knownAudioNote: String?

    public init(durationS: Double, frameCount: Int, channels: [ChannelActivity], envelopeCorrelation: Double?,
                echo: [EchoEstimate?] = [], knownAudioNote: String? = nil) {
        self.knownAudioNote = knownAudioNote
        self.durationS = durationS
        self.frameCount = frameCount
        self.channels = channels
        self.envelopeCorrelation = envelopeCorrelation
        self.echo = echo
    }
}

/// Streaming Pearson correlation of log-powers.
struct CorrelationAccumulator: Sendable, Equatable {
    var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0

    mutating func add(_ a: Float, _ b: Float) {
        add(a, b, logs: (logPower(a), logPower(b)))
    }

    /// `add(_:_:)` with both powers' `logPower` known.
    @inline(__always)
    mutating func add(_ a: Float, _ b: Float, logs: (Float, Float)) {
        guard a > 1e-7 || b > 1e-7 else { return }
        let x = Double(logs.0), y = Double(logs.1)
        n += 1; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y
    }

    var value: Double? {
        guard n >= 100 else { return nil }
        let vx = sxx - sx * sx / n, vy = syy - sy * sy / n
        guard vx > 1e-9, vy > 1e-9 else { return nil }
        return (sxy - sx * sy / n) / (vx * vy).squareRoot()
    }
}
