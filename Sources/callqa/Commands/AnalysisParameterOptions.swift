import ArgumentParser
import CallAnalysis
import Pipeline

/// Command-line overrides for every analysis parameter; absent options keep the defaults.
struct AnalysisParameterOptions: ParsableArguments {
    @Option(help: "Noise-whitened SNR (dB) that confirms speech.")
    var onThresholdDb: Double?
    @Option(help: "Smoothed SNR (dB) above which a speech region continues.")
    var offThresholdDb: Double?
    @Option(help: "Moving-average length of the noise-whitened SNR (s).")
    var smoothingS: Double?
    @Option(help: "Minimum confirmed speech in a region (s); shorter bursts are clicks.")
    var minSpeechS: Double?
    @Option(help: "Pauses shorter than this count as speech (s).")
    var mergeGapS: Double?
    @Option(help: "Padding added before and after each region (s).")
    var padS: Double?
    @Option(help: "Padding added before and after regions whose mean SNR is under 10 dB (s).")
    var lowSnrPadS: Double?
    @Option(help: "Window of the noise-floor tracker (s).")
    var noiseWindowS: Double?
    @Option(help: "Decision delay that lets the noise tracker look ahead (s).")
    var lookaheadS: Double?
    @Option(help: "Speech below this level is ignored (dBFS).")
    var absoluteFloorDbfs: Double?
    @Option(help: "Noise estimate never lower than speech level minus this (dB).")
    var dynamicRangeDb: Double?
    @Option(help: "Prediction gain above which a steady frame may be a tone (dB).")
    var toneGainDb: Double?
    @Option(help: "Minimum length of a steady tone (s).")
    var minToneS: Double?
    @Option(help: "A region with at least this share of tone frames is tonal: a tone unless part of music on hold (0–1).")
    var toneRegionShare: Double?
    @Option(help: "A region with at least this share of tone frames is a tone whatever surrounds it (0–1).")
    var pureToneShare: Double?
    @Option(help: "DTMF: share of a frame's energy one keypad row and one column tone must explain (0–1).")
    var dtmfShare: Double?
    @Option(help: "DTMF: largest level difference between a digit's two tones (dB).")
    var dtmfMaxTwistDb: Double?
    @Option(help: "DTMF: shortest keypress, the same digit in consecutive frames (s).")
    var minDtmfS: Double?
    @Option(help: "DTMF: pauses between keypresses up to this long belong to the key sequence (s).")
    var dtmfBridgeS: Double?
    @Option(help: "Ring-back, dial, busy tones and sines: share of 80 ms one national tone plan or one sine must explain, for 0.32 s (0–1).")
    var callToneShare: Double?
    @Option(help: "Beeps, buzzers: largest normalised difference from the signal 15–30 ms before, for 0.25 s (0–1; 0: off).")
    var periodicDifference: Double?
    @Option(help: "Minimum length of a music-on-hold region (s).")
    var minHoldS: Double?
    @Option(help: "Hold music: fewer energy dips per second than this plus --hold-dips-per-steady-share × the region's steady share.")
    var holdMaxDipsPerS: Double?
    @Option(help: "Dips per second a region needs per unit of steady share (frames whose spectrum holds still) to be speech.")
    var holdDipsPerSteadyShare: Double?
    @Option(help: "Held notes: peaks a region holds in place through three grid frames 0.2 s apart (mean per measurement) above which it may dip more and still be hold music.")
    var holdHeldLines: Double?
    @Option(help: "Dips per second a region may have more, per held peak over --hold-held-lines, and still be hold music.")
    var holdDipsPerHeldLine: Double?
    @Option(help: "Minimum length of a music-on-hold region with held notes (s).")
    var minLineHoldS: Double?
    @Option(help: "Depth of an energy dip under the speech envelope (dB).")
    var dipDepthDb: Double?
    @Option(help: "µ-law, A-law, 8-bit PCM: a frame within this many quantizer steps is codec idle noise, not talk (0 = off).")
    var codecIdleSteps: Double?
    @Option(help: "Stereo: the other channel's echo expected in a frame counts as noise this much louder (dB).")
    var echoMarginDb: Double?
    @Option(help: "Stereo: a coupling between the channels above this (dB) is one signal on both, not echo: nothing is taken off.")
    var echoMaxCouplingDb: Double?
    @Option(help: "Background voices: the channel's running 10th-percentile SNR above this means voices behind the talker (dB).")
    var backgroundTriggerDb: Double?
    @Option(help: "Background voices (stereo): the median SNR of the channel while the other party talks above this means voices behind the talker (dB).")
    var backgroundGateDb: Double?
    @Option(help: "Background voices: talk is then confirmed only this far over the channel's background level (dB; 0 = measure only).")
    var backgroundMarginDb: Double?
    @Option(help: "Background voices: talk then extends only while this far over the background level (dB).")
    var backgroundExtendDb: Double?
    @Option(help: "Stereo: talk is confirmed only within this many dB of the channel's talker level (its loud level), or within 1 s after talk that is (0 = off).")
    var backgroundTalkerDb: Double?
    @Option(help: "Stereo, a line with noise or voices behind its talker: the narrowest the talker margin gets (dB; 0, or --background-talker-db or more, = never narrows).")
    var backgroundTalkerNearDb: Double?
    @Option(help: "Stereo: where the talker margin narrows, talk must also stand this far over the channel's background level (dB).")
    var backgroundTalkerOverDb: Double?
    @Option(help: "Silent gaps at least this long count as non-talk time (s).")
    var minSilenceS: Double?
    @Option(help: "Silent gaps at least this long are dead air (s).")
    var deadAirS: Double?
    @Option(help: "Minimum overlap for an interruption (s).")
    var minInterruptionS: Double?
    @Option(help: "|sample| at or above this is clipped (full scale 1.0).")
    var clipLevel: Double?
    @Option(help: "Health: speech SNR below this is flagged (dB).")
    var lowSnrDb: Double?
    @Option(help: "Health: clipped-sample share above this is flagged (0–1).")
    var clippingShare: Double?

    @OptionGroup var holdMusic: HoldMusicOption

    /// `base` (the defaults, or a settings file's values) with every given option applied.
    func parameters(base: AnalysisParameters = AnalysisParameters()) throws -> AnalysisParameters {
        var p = base
        let pairs: [(Double?, WritableKeyPath<AnalysisParameters, Double>)] = [
            (onThresholdDb, \.onThresholdDB), (offThresholdDb, \.offThresholdDB), (smoothingS, \.smoothingS), (minSpeechS, \.minSpeechS),
            (mergeGapS, \.mergeGapS), (padS, \.padS), (lowSnrPadS, \.lowSNRPadS), (noiseWindowS, \.noiseWindowS), (lookaheadS, \.lookaheadS),
            (absoluteFloorDbfs, \.absoluteFloorDBFS), (dynamicRangeDb, \.dynamicRangeDB), (toneGainDb, \.toneGainDB),
            (minToneS, \.minToneS), (toneRegionShare, \.toneRegionShare), (pureToneShare, \.pureToneShare),
            (dtmfShare, \.dtmfShare), (dtmfMaxTwistDb, \.dtmfMaxTwistDB), (minDtmfS, \.minDTMFS), (dtmfBridgeS, \.dtmfBridgeS),
            (callToneShare, \.callToneShare), (periodicDifference, \.periodicDifference), (minHoldS, \.minHoldS), (holdMaxDipsPerS, \.holdMaxDipsPerS), (holdDipsPerSteadyShare, \.holdDipsPerSteadyShare),
            (holdHeldLines, \.holdHeldLines), (holdDipsPerHeldLine, \.holdDipsPerHeldLine), (minLineHoldS, \.minLineHoldS),
            (dipDepthDb, \.dipDepthDB), (codecIdleSteps, \.codecIdleSteps),
            (echoMarginDb, \.echoMarginDB), (echoMaxCouplingDb, \.echoMaxCouplingDB),
            (backgroundTriggerDb, \.backgroundTriggerDB), (backgroundGateDb, \.backgroundGateDB),
            (backgroundMarginDb, \.backgroundMarginDB), (backgroundExtendDb, \.backgroundExtendDB), (backgroundTalkerDb, \.backgroundTalkerDB),
            (backgroundTalkerNearDb, \.backgroundTalkerNearDB), (backgroundTalkerOverDb, \.backgroundTalkerOverDB), (minSilenceS, \.minSilenceS), (deadAirS, \.deadAirS),
            (minInterruptionS, \.minInterruptionS), (clipLevel, \.clipLevel), (lowSnrDb, \.lowSNRDB),
            (clippingShare, \.clippingShare),
        ]
        for (value, path) in pairs { if let value { p[keyPath: path] = value } }
        if let message = p.validationError() { throw ValidationError(message) }
        return p
    }
}

/// `--hold-music` for commands without the analysis parameters (run, watch).
struct HoldMusicOption: ParsableArguments {
    @Option(name: .customLong("hold-music"),
            help: ArgumentHelp("The site's own hold music and announcements: an audio file or a folder of them (searched with its subfolders; repeatable; default: the settings file's analysis.hold_music). Where one plays it is hold, never talk.",
                               valueName: "path"))
    var paths: [String] = []

    /// The hold-music library: `--hold-music` if given, else the settings file's; nil for none.
    /// A library that cannot be read stops the command (exit 2: bad configuration).
    func knownAudio(settings: SettingsFile) throws -> KnownAudioLibrary? {
        do {
            return try HoldMusicLibrary.load(optional: paths.isEmpty ? settings.holdMusic : paths)
        } catch {
            Terminal.error(error.message)
            throw ExitCode(2)
        }
    }
}
