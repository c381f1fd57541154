@testable import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The detector's trackers one by one (see `ChannelDetector`): each fed frames, or the codes
/// the frame measurement leaves in them, and its marks or estimate checked against what its
/// rule says.
@Suite struct TrackerTests {
    /// The frames of a signal at 8 kHz.
    static func frames(_ x: [Float], sampleRate: Int = 8000) -> [FrameFeatures] {
        var extractor = FrameFeatureExtractor(sampleRate: sampleRate, parameters: AnalysisParameters())
        var out: [FrameFeatures] = []
        x.withUnsafeBufferPointer { extractor.consume($0, into: &out) }
        extractor.flush(into: &out)
        return out
    }

    /// The frames a list of marks covers, as sorted disjoint spans: a mark given at frame
    /// `i` with `back` covers `[i − back, i]`.
    static func covered(_ marks: [(frame: Int, mark: FrameMark)]) -> [FrameSpan] {
        SpanMath.normalize(marks.map { FrameSpan($0.frame - $0.mark.back, $0.frame + 1) })
    }

    // MARK: - Keypresses

    /// Feeds digit codes, one a frame; returns the marks with the frames they were given at.
    static func keypressMarks(_ codes: [UInt8], parameters: AnalysisParameters = AnalysisParameters())
        -> [(frame: Int, mark: FrameMark)] {
        var tracker = KeypressTracker(parameters: parameters)
        return codes.enumerated().compactMap { i, code in tracker.update(code).map { (i, $0) } }
    }

    /// A digit held 10 frames: a keypress once it has lasted `min_dtmf_s` (3 frames), marked
    /// from the frame before its first, on while it lasts and one missing frame past it.
    /// The next digit, 4 frames of pause later, is bridged to it (`dtmf_bridge_s`, 30 frames).
    @Test func keypressFromCodes() {
        let digit: UInt8 = 6
        var codes = [UInt8](repeating: 0, count: 60)
        for i in 10..<20 { codes[i] = digit }
        for i in 25..<35 { codes[i] = digit }
        let marks = Self.keypressMarks(codes)
        #expect(marks.first?.frame == 12 && marks.first?.mark == FrameMark(.keypress, back: 3), "\(marks)")
        // The second digit's first mark reaches back to the end of the first keypress.
        #expect(marks.contains { $0.frame == 27 && $0.mark.back == 6 }, "\(marks)")
        #expect(Self.covered(marks) == [FrameSpan(9, 36)])
        // With a pause longer than the bridge, two keypresses.
        var apart = [UInt8](repeating: 0, count: 100)
        for i in 10..<20 { apart[i] = digit }
        for i in 60..<70 { apart[i] = digit }
        #expect(Self.covered(Self.keypressMarks(apart)) == [FrameSpan(9, 21), FrameSpan(59, 71)])
        // Two frames of a digit are no keypress; nor is a digit that changes every frame.
        #expect(Self.keypressMarks([0, 6, 6, 0, 0, 6, 7, 6, 7, 6, 0]).isEmpty)
    }

    /// A keypad digit generated in code (770 + 1336 Hz, frames 50–59, after 0.5 s of quiet
    /// line) through the frame measurement, which finds it from frame 52 (the candidate gate
    /// skips the onset and every second frame until one is half a digit): marked from the
    /// frame before the first frame found to the frame after the last.
    @Test func keypressFromGeneratedDigit() {
        var g = Signals(seed: 5)
        let x = g.noise(count: 4000, rms: 1e-4)
            + Signals.keypad([(row: 1, column: 1)], sampleRate: 8000, amplitude: 0.05, onS: 0.1, offS: 0.5)
        let codes = Self.frames(x).map(\.dualTone)
        let found = codes.indices.filter { codes[$0] != 0 }
        #expect(found == Array(52...59) && found.allSatisfy { codes[$0] == 1 + 4 * 1 + 1 }, "\(codes[45..<65])")
        #expect(Self.covered(Self.keypressMarks(codes)) == [FrameSpan(51, 61)])
    }

    // MARK: - Call-progress chains

    /// Window codes as the frame measurement leaves them: a window ends every 4th frame
    /// (`CallProgressToneTest.hopFrames`), the frames between are `notEvaluated`.
    static func windowCodes(_ windows: [UInt8]) -> [UInt8] {
        windows.flatMap { [CallProgressToneTest.notEvaluated, .max, .max, $0] }
    }

    static func chainMarks(_ windows: [UInt8]) -> [(frame: Int, mark: FrameMark)] {
        var tracker = CallProgressChainTracker()
        return windowCodes(windows).enumerated().compactMap { i, code in tracker.update(code).map { (i, $0) } }
    }

    /// Seven 80 ms windows of one plan (ring-back, code 2) make a tone of 0.32 s, marked back
    /// to the first window's first frame; each further window adds its 4 new frames; one
    /// failing window inside the run is bridged.
    @Test func callProgressRun() {
        let marks = Self.chainMarks([0, 0] + [UInt8](repeating: 2, count: 7) + [0, 2, 2, 0, 0, 0])
        // Window k ends at frame 4k + 3; the run's first window (k = 2) spans frames 4…11.
        #expect(marks.first?.frame == 35 && marks.first?.mark == FrameMark(.callTone, back: 31), "\(marks)")
        #expect(Self.covered(marks) == [FrameSpan(4, 48)], "\(marks)")
        // Six windows are no tone.
        #expect(Self.chainMarks([0] + [UInt8](repeating: 2, count: 6) + [0, 0]).isEmpty)
    }

    /// Sine runs of 6 windows one failing window apart chain into a tone once they hold 12
    /// windows, marked back to the first run's first window; two windows apart they do not.
    @Test func sineChain() {
        let (a, b) = SineToneFit.codes
        let six = [UInt8](repeating: a, count: 6), otherSix = [UInt8](repeating: b, count: 6)
        let marks = Self.chainMarks([0] + six + [0] + otherSix + [0, 0])
        // First window k = 1 spans frames 0…7; the twelfth passing window ends at k = 13.
        #expect(Self.covered(marks) == [FrameSpan(0, 56)], "\(marks)")
        #expect(Self.chainMarks([0] + six + [0, 0] + otherSix + [0, 0]).isEmpty)
    }

    // MARK: - Periodic tones

    /// Feeds periodic codes and powers, with every frame before still in the window.
    static func periodicMarks(_ codes: [UInt8], powers: [Float]) -> [(frame: Int, mark: FrameMark)] {
        var tracker = PeriodicToneTracker()
        return codes.indices.compactMap { i in tracker.update(codes[i], power: powers[i], markable: i).map { (i, $0) } }
    }

    /// A run of repeating frames from frame 20 is a tone at its 25th frame (0.25 s), marked
    /// back over its onset at its level (frames 10–19, found before the lag was) but not over
    /// the quieter frames before; one failing frame inside the run is bridged.
    @Test func periodicRun() {
        let n = 70
        var codes = [UInt8](repeating: PeriodicToneTest.none, count: n)
        codes[20] = PeriodicToneTest.starts
        for i in 21..<60 { codes[i] = PeriodicToneTest.continues }
        codes[40] = PeriodicToneTest.none
        let powers = (0..<n).map { i -> Float in i < 10 ? 1e-6 : (i < 60 ? 1e-3 * (1 + Float(i % 3) * 0.1) : 1e-6) }
        let marks = Self.periodicMarks(codes, powers: powers)
        #expect(marks.first?.frame == 44 && marks.first?.mark == FrameMark(.callTone, back: 34), "\(marks)")
        #expect(Self.covered(marks) == [FrameSpan(10, 60)], "\(marks)")
        // 24 frames are no tone.
        var short = [UInt8](repeating: PeriodicToneTest.none, count: n)
        short[20] = PeriodicToneTest.starts
        for i in 21..<44 { short[i] = PeriodicToneTest.continues }
        #expect(Self.periodicMarks(short, powers: powers).isEmpty)
    }

    /// Only frames still in the lookahead window are searched for the onset.
    @Test func periodicOnsetStaysInTheWindow() {
        var tracker = PeriodicToneTracker()
        var last: FrameMark?
        for i in 0..<50 {
            let code = i < 20 ? PeriodicToneTest.none : (i == 20 ? PeriodicToneTest.starts : PeriodicToneTest.continues)
            if let m = tracker.update(code, power: 1e-3, markable: min(i, 30)) { last = m; break }
        }
        // Confirmed at frame 44 (24 frames back to the run's start); 6 more frames of the
        // onset lie in a window of 30.
        #expect(last == FrameMark(.callTone, back: 30))
    }

    // MARK: - Tone runs

    /// A steady 1 kHz sine is a tone run from its first frames and a long tone once it has
    /// lasted 0.3 s; its frames hold their shape (steady). Speech-like noise bursts are
    /// neither.
    @Test func toneRuns() {
        let sine = (0..<8000).map { n in 0.05 * sin(2 * Float.pi * 1000 * Float(n) / 8000) }
        var tracker = ToneRunTracker(parameters: AnalysisParameters())
        var marks: [(frame: Int, mark: FrameMark)] = []
        var steady = 0
        for (i, f) in Self.frames(sine).enumerated() {
            let m = tracker.update(f)
            if m.steady { steady += 1 }
            if let r = m.run { marks.append((i, r)) }
        }
        #expect(steady >= 98, "steady frames \(steady)")
        // The 30 ms averages start from silence: the run starts once they hold the level.
        let covered = Self.covered(marks)
        #expect(covered.count == 1 && covered[0].start <= 3 && covered[0].end == 100, "\(covered)")
        // The first mark covers `min_tone_s` (8 frames); 30 frames make a long tone, and
        // every frame after it is marked long.
        #expect(marks.first?.mark == FrameMark(.tone, back: tracker.minToneFrames - 1), "\(marks.prefix(2))")
        let long = marks.filter { $0.mark.flags.contains(.longTone) }
        #expect(long.first?.mark == FrameMark([.tone, .longTone], back: tracker.minRawToneFrames - 1), "\(long.prefix(2))")
        #expect(long.first.map { $0.frame - $0.mark.back } == covered.first?.start)
        #expect(long.count == 100 - (long.first?.frame ?? 100))

        let words = channel(seconds: 2, noiseDBFS: -60, bursts: [(0.2, 1.8)], burstDBFS: -25, seed: 8)
        var other = ToneRunTracker(parameters: AnalysisParameters())
        let wordMarks = Self.frames(words).compactMap { other.update($0).run }
        #expect(wordMarks.isEmpty, "\(wordMarks.prefix(3))")
    }

    // MARK: - Noise

    /// White noise at −50 dBFS: the noise estimate per band converges within 1.5 dB of the
    /// mean band power within 2 s, and a 1 s speech-like burst 20 dB over it moves the
    /// estimate by less than 1 dB. Digital silence is not taken.
    @Test func noiseConvergesOnWhiteNoise() {
        let x = channel(seconds: 6, noiseDBFS: -50, bursts: [(3, 4)], burstDBFS: -30, seed: 21)
        let frames = Self.frames(x)
        var tracker = NoiseTracker(parameters: AnalysisParameters())
        var mean = SIMD4<Float>.zero
        for f in frames[0..<300] { mean += f.bands / 300 }
        var at2s = SIMD4<Float>.zero, inBurst = SIMD4<Float>.zero
        for (i, f) in frames.enumerated() {
            let taken = tracker.update(f)
            #expect(taken)
            if i == 199 { at2s = tracker.bands }
            if i == 399 { inBurst = tracker.bands }
        }
        for b in 0..<4 {
            let offDB = 10 * log10(at2s[b] / mean[b])
            #expect(abs(offDB) < 1.5, "band \(b): \(offDB) dB")
            let movedDB = 10 * log10(inBurst[b] / at2s[b])
            #expect(abs(movedDB) < 1, "band \(b) in the burst: \(movedDB) dB")
        }
        #expect(tracker.measured)
        // Digital silence leaves the estimate as it was.
        let before = tracker.bands
        let silenceTaken = tracker.update(.silent)
        #expect(!silenceTaken)
        #expect(tracker.bands == before)
    }

    // MARK: - Background voices

    /// A smoothed SNR that never falls back to the noise (5 dB throughout) is voices behind
    /// the talker once 100 frames are in, on a line whose noise is measured (the 10th
    /// percentile's sign); 0 dB is not. On a stereo call they are then taken off: the
    /// reference is the background level (the frame power's 30th percentile).
    @Test func backgroundVoices() {
        let noise = SIMD4<Float>(repeating: 1e-6)
        let fiveDB = noise * pow(10, 0.5)
        var babble = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for i in 0..<150 {
            babble.update(smoothed: fiveDB, noise: noise, lineNoiseMeasured: true, power: 1e-4, farTalks: false)
            if i == 98 { #expect(!babble.heard && babble.reference == 0) }
        }
        #expect(babble.heard)
        #expect(abs(10 * log10(babble.reference) + 40) < 0.1, "reference \(10 * log10(babble.reference)) dBFS")
        // The same on a mono call: heard (health), not taken off.
        var mono = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: false)
        for _ in 0..<150 { mono.update(smoothed: fiveDB, noise: noise, lineNoiseMeasured: true, power: 1e-4, farTalks: false) }
        #expect(mono.heard && mono.reference == 0)
        // On a line whose noise is one of the floors: not heard.
        var clean = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for _ in 0..<150 { clean.update(smoothed: fiveDB, noise: noise, lineNoiseMeasured: false, power: 1e-4, farTalks: false) }
        #expect(!clean.heard && clean.reference == 0)
        // Stationary noise (0 dB) and digital silence: not heard.
        var stationary = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for i in 0..<300 {
            if i % 10 == 0 {
                stationary.updateSilence(lineNoiseMeasured: true, farTalks: false)
            } else {
                stationary.update(smoothed: noise, noise: noise, lineNoiseMeasured: true, power: 1e-6, farTalks: false)
            }
        }
        #expect(!stationary.heard)
        // `background_margin_db` 0: heard, never taken off.
        var p = AnalysisParameters()
        p.backgroundMarginDB = 0
        var measured = BackgroundVoicesTracker(parameters: p, stereo: true)
        for _ in 0..<150 { measured.update(smoothed: fiveDB, noise: noise, lineNoiseMeasured: true, power: 1e-4, farTalks: false) }
        #expect(measured.heard && measured.reference == 0)
    }

    /// Voices behind the talker no louder than the line's noise: the smoothed SNR spreads
    /// over 0…4 dB and falls back to the noise often enough that the 10th percentile stays
    /// under `background_trigger_db`. While the other party talks it stands at 2 dB: heard by
    /// that sign (median over `background_gate_db`), taken off; stationary noise (±1 dB) is not.
    @Test func voicesAtTheNoiseAreHeardWhileTheOtherPartyTalks() {
        let noise = SIMD4<Float>(repeating: 1e-6)
        var g = Signals(seed: 5)
        var babble = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        var stationary = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for i in 0..<3000 {
            let far = i % 3 == 0                                  // the other party talks a third of the time
            let babbleDB = 2 + 2 * g.uniform(), noiseDB = g.uniform()
            babble.update(smoothed: noise * pow(10, babbleDB / 10), noise: noise, lineNoiseMeasured: true, power: 1e-5, farTalks: far)
            stationary.update(smoothed: noise * pow(10, noiseDB / 10), noise: noise, lineNoiseMeasured: true, power: 1e-6, farTalks: far)
        }
        #expect(babble.traceValues[0] < 1.5, "10th percentile \(babble.traceValues[0]) dB")
        #expect(babble.heard && babble.reference > 0)
        #expect(abs((babble.whileFarTalksDB ?? -99) - 2) < 0.5, "\(String(describing: babble.whileFarTalksDB))")
        #expect(!stationary.heard && stationary.reference == 0)
        #expect(abs(stationary.whileFarTalksDB ?? -99) < 0.5, "\(String(describing: stationary.whileFarTalksDB))")
        // Without the other party (mono), the same voices are not heard: that sign needs it.
        var mono = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: false)
        var h = Signals(seed: 5)
        for _ in 0..<3000 {
            mono.update(smoothed: noise * pow(10, (2 + 2 * h.uniform()) / 10), noise: noise, lineNoiseMeasured: true, power: 1e-5,
                        farTalks: false)
        }
        #expect(!mono.heard)
    }

    /// Analyzer 28: the median while the other party talks is taken against `farNoise` (the
    /// noise floored lower), the 10th percentile against `noise`. Voices at the floor (0 dB
    /// against it, 5 dB against the lower one) are taken off once the other party has talked
    /// 100 frames; against the floor alone (no `farNoise`) they are not. A talker alone, 5 dB
    /// over the lower floor and 0 dB over the floor all along, the other party silent, is not
    /// taken for voices behind: the 10th percentile reads the floor.
    @Test func theMedianWhileTheOtherPartyTalksTakesTheLowerFloor() {
        let floor = SIMD4<Float>(repeating: 1e-7), lower = floor * pow(10, -0.5)
        var g = Signals(seed: 6)
        var voices = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        var floorOnly = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        var alone = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for i in 0..<600 {
            let far = i % 2 == 0
            let smoothed = floor * pow(10, 0.2 * g.uniform() / 10)
            voices.update(smoothed: smoothed, noise: floor, farNoise: lower, lineNoiseMeasured: false, power: 4e-7, farTalks: far)
            floorOnly.update(smoothed: smoothed, noise: floor, lineNoiseMeasured: false, power: 4e-7, farTalks: far)
            alone.update(smoothed: smoothed, noise: floor, farNoise: lower, lineNoiseMeasured: true, power: 4e-7, farTalks: false)
        }
        #expect(voices.reference > 0)
        #expect(abs((voices.whileFarTalksDB ?? -99) - 5) < 0.5, "\(String(describing: voices.whileFarTalksDB))")
        #expect(floorOnly.reference == 0)
        #expect(abs(floorOnly.whileFarTalksDB ?? -99) < 0.5, "\(String(describing: floorOnly.whileFarTalksDB))")
        #expect(alone.reference == 0 && !alone.heard, "10th percentile \(alone.traceValues[0]) dB")
    }

    /// A clean line (its pauses digital silence) whose party talks over the other now and
    /// then: what it holds while the other talks is its own voice, 20 dB over the floor, and
    /// silence; never voices behind, whatever that median says.
    @Test func aCleanLineHasNoVoicesBehind() {
        let noise = SIMD4<Float>(repeating: 1e-6)
        var t = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        for i in 0..<3000 {
            let far = i % 2 == 0
            if i % 10 < 3 {
                t.updateSilence(lineNoiseMeasured: true, farTalks: far)
            } else {
                t.update(smoothed: noise * 100, noise: noise, lineNoiseMeasured: true, power: 1e-3, farTalks: far)
            }
            #expect(!t.heard, "frame \(i)")
            if t.heard { break }
        }
        #expect((t.whileFarTalksDB ?? -99) > 10)
    }

    /// The other party talks where its power is within 10 dB of its loud level and 10 dB
    /// over its quiet level: a voice at −20 dBFS in turns over −60 dBFS noise talks; a
    /// keyboard at −55 dBFS in its pauses does not.
    @Test func theOtherPartyTalksAtItsVoicesLevel() {
        var t = BackgroundVoicesTracker(parameters: AnalysisParameters(), stereo: true)
        var talks = 0, voiced = 0, keys = 0
        for i in 0..<6000 {
            // Turns of 2 s every 4 s: loud frames, a quieter one in four (−33 dBFS); pauses
            // of line noise with a key click every half second.
            let second = i / 100
            let power: Float = second % 4 < 2 ? 1e-2 * (i % 20 < 15 ? 1 : 0.05) : (i % 50 == 0 ? 3e-6 : 1e-6)
            let talking = t.farTalks(power: power)
            guard i >= 1000 else { continue }
            if second % 4 < 2 && i % 20 < 15 {
                voiced += 1
                talks += talking ? 1 : 0
            } else if second % 4 >= 2 {
                keys += talking ? 1 : 0
            }
        }
        #expect(talks == voiced, "\(talks) of \(voiced)")
        #expect(keys == 0, "\(keys)")
    }

    // MARK: - Region decisions

    /// Decides frames of a given whitened SNR (linear); returns the class string and the
    /// regions closed.
    static func decide(_ snr: [Float], parameters: AnalysisParameters = AnalysisParameters())
        -> (classes: String, regions: [RegionDecider.Region], confirmed: Int) {
        var decider = RegionDecider(parameters: parameters)
        var decisions: [RegionDecider.Decision] = []
        for w in snr {
            if let d = decider.update(RegionDecider.Frame(w: w, power: w * 1e-4, flags: [], echoDominated: false)) {
                decisions.append(d)
            }
        }
        while let d = decider.decideRemaining() { decisions.append(d) }
        var regions = decisions.compactMap(\.closed)
        if let r = decider.finish() { regions.append(r) }
        #expect(decisions.map(\.frame) == Array(snr.indices))
        return (runLength(classString(decisions.map(\.frameClass))), regions, decisions.filter(\.confirmed).count)
    }

    /// A clear region (20 dB for 0.5 s): the smoothing (±4 frames) makes frames active before
    /// and after it, and the region is trimmed back to its frames above the noise on their
    /// own. At 3 dB it is padded by `low_snr_pad_s` (4 frames) instead. A single loud frame
    /// is no region (1 frame confirming it, under the 5 of `min_speech_s`).
    @Test func regionDecisions() {
        let clear = [Float](repeating: 0, count: 50) + [Float](repeating: 100, count: 50) + [Float](repeating: 0, count: 50)
        let c = Self.decide(clear)
        #expect(c.classes == "0×46 1×58 0×46")
        #expect(c.regions.map(\.span) == [FrameSpan(50, 100)])
        #expect(c.confirmed == 50)

        let faint = [Float](repeating: 0.5, count: 50) + [Float](repeating: 2, count: 50) + [Float](repeating: 0.5, count: 50)
        let f = Self.decide(faint)
        // Active while the 9-frame average is at least 0.6 dB (1.148): from 4 frames of 2 in
        // the window (0.5 + 4 · 1.5 / 9 = 1.17; 3 frames: 1.0), frames 49–100. Mean SNR
        // under 10 dB: padded by 4 frames on both sides.
        #expect(f.classes == "0×49 1×52 0×49")
        #expect(f.regions.map(\.span) == [FrameSpan(49 - 4, 101 + 4)])

        var click = [Float](repeating: 0, count: 100)
        click[50] = 1000
        let k = Self.decide(click)
        #expect(k.classes == "0×46 1×9 0×45")
        #expect(k.regions.isEmpty && k.confirmed == 1)
    }

    // MARK: - The window

    /// Marks reach only the frames still in the lookahead window; frames leave it in order,
    /// with their flags.
    @Test func windowMarks() {
        var window = LookaheadWindow(lookahead: 3)
        for i in 0..<3 { window.push(.silent, flags: i == 1 ? .steady : []) }
        window.mark(FrameMark(.tone, back: 10))
        #expect(window.count == 3 && window.markable == 2 && !window.isFull)
        window.push(.silent, flags: [])
        window.mark(FrameMark(.keypress, back: 1))
        #expect(window.isFull)
        let flags = (0..<4).map { _ in window.removeOldest().flags }
        #expect(flags == [.tone, [.tone, .steady], [.tone, .keypress], .keypress])
        #expect(window.count == 0)
    }

    /// A copy of a window is a value: once made its own (`makeUnique`), marking and moving it
    /// leaves the original as it was (the slots are shared only until then).
    @Test func windowCopiesAreValues() {
        var window = LookaheadWindow(lookahead: 3)
        for i in 0..<3 { window.push(.silent, flags: i == 1 ? .steady : []) }
        var copy = window
        copy.makeUnique()
        copy.mark(FrameMark(.tone, back: 10))
        _ = copy.removeOldest()
        copy.push(.silent, flags: .keypress)
        window.makeUnique()
        let original = (0..<3).map { _ in window.removeOldest().flags }
        #expect(original == [[], .steady, []])
        let copied = (0..<3).map { _ in copy.removeOldest().flags }
        #expect(copied == [[.tone, .steady], .tone, .keypress])
    }

    /// On mono the echo source expects nothing and reports nothing.
    @Test func inactiveEchoSource() {
        var echo = EchoSource(parameters: AnalysisParameters(), stereo: false)
        let f = FrameFeatures(bands: SIMD4(repeating: 1e-3), power: 1e-3, predictionGain: 1, rho1: 0, rho2: 0, peak: 0.1, clipped: 0)
        let taken = echo.update(near: f, nearNoise: SIMD4(repeating: 1e-6), far: f)
        #expect(taken.expected == .zero && taken.envelope == .zero)
        #expect(echo.expected(envelope: taken.envelope).expected == .zero)
        #expect(echo.estimate(decidedFrames: 1, appliedFrames: 0) == nil)
    }

    /// Codec-idle frames (power 0: an echo under a µ-law or A-law quantizer's step) are no
    /// evidence of the coupling. The other party talks at −26…−14 dBFS in two-second turns;
    /// its echo, 30 dB down, is idle wherever it falls under −47 dBFS (7 of the 11 loud
    /// levels), as a clean line's codec sends it. The louder echo frames prove a coupling of
    /// about −30 dB (reading low by up to 3 dB: the envelope is the loudest frame of the last
    /// 70 ms). Counted as ratios, the idle frames held the median under 0: no coupling, and
    /// the echo's louder syllables were talk (analyzer 15).
    /// The other party of the echo trackers' tests: 2 s of talk at −26…−14 dBFS (a 13-step
    /// pattern of levels), then 2 s of pause at `pauseDB`; frame `i`'s power, and whether it talks.
    static func otherParty(_ i: Int, pauseDB: Float = -70) -> (power: Float, talks: Bool, levelDB: Float) {
        let talks = (i / 200) % 2 == 0
        let levelDB: Float = talks ? -20 + Float((i * 7) % 13 - 6) : pauseDB
        return (pow(10, levelDB / 10), talks, levelDB)
    }

    @Test func codecIdleFramesAreNoCouplingEvidence() {
        var tracker = EchoTracker(maxCouplingDB: -10)
        let noise = SIMD4<Float>(repeating: 1e-9)
        for i in 0..<4000 {
            let (level, talks, levelDB) = Self.otherParty(i)
            let echo = level * 1e-3
            let nearPower: Float = talks && levelDB >= -17 ? echo + 4e-9 : 0
            let near = nearPower > 0 ? SIMD4(repeating: nearPower / 4) : SIMD4(repeating: 1e-20)
            _ = tracker.update(near: near, nearPower: nearPower, nearNoise: noise, far: SIMD4(repeating: level / 4), farPower: level)
        }
        #expect(tracker.coupling > 0)
        #expect(tracker.couplingDB <= -29 && tracker.couplingDB >= -34, "\(tracker.couplingDB)")
    }

    /// On a clean line the noise is a floor (`NoiseTracker.measured` false, −70 dBFS or the
    /// talker's level − 45 dB), not something under the echo: the coupling is this line's
    /// power over the other's envelope, with nothing subtracted. Here the other party talks
    /// at −26…−14 dBFS, its echo 30 dB down (−54…−44 dBFS) over a floor at −47 dBFS: most of
    /// its frames lie under the floor, and only its louder syllables stand over it (the talk
    /// that analyzer 15 counted). Not subtracting the floor proves the coupling (reading
    /// low by up to 6 dB, as the envelope is the loudest frame of the last 70 ms);
    /// subtracting it put the median under 0, as it still does where the floor is the
    /// line's noise measured.
    @Test func aCleanLinesFloorIsNotSubtractedFromItsEcho() {
        func run(measured: Bool) -> EchoTracker {
            var tracker = EchoTracker(maxCouplingDB: -10)
            let floor = SIMD4<Float>(repeating: 2e-5 / 4)
            for i in 0..<4000 {
                let (level, talks, _) = Self.otherParty(i, pauseDB: -90)
                let nearPower: Float = talks ? level * 1e-3 : 1e-12
                _ = tracker.update(near: SIMD4(repeating: nearPower / 4), nearPower: nearPower, nearNoise: floor,
                                   nearNoiseMeasured: measured, far: SIMD4(repeating: level / 4), farPower: level)
            }
            return tracker
        }
        let clean = run(measured: false)
        #expect(clean.coupling > 0)
        #expect(clean.couplingDB <= -29 && clean.couplingDB >= -37, "\(clean.couplingDB)")
        #expect(run(measured: true).coupling == 0)
    }

    /// Double talk after a proven coupling: the other party talks 2 s in every 4 s, its echo
    /// 30 dB down; from frame 3,000 to 9,000 this party talks too (1.5 s in every 3 s, at the
    /// other's level, on its own rhythm). The coupling proven before (`coupling`) falls to 0
    /// as the correlation falls under `minCorrelation`; the one frames are decided against
    /// (`decisionCoupling`) is kept. Channels that never echo keep nothing.
    @Test func aProvenCouplingIsKeptThroughDoubleTalk() {
        func run(echoes: Bool, checkpoints: Set<Int>, _ body: (Int, EchoTracker) -> Void) {
            var tracker = EchoTracker(maxCouplingDB: -10)
            let noise = SIMD4<Float>(repeating: 1e-9)
            for i in 0..<9000 {
                let level = Self.otherParty(i).power
                let ownDB: Float = -20 + Float((i * 11) % 17 - 8)
                let own: Float = i >= 3000 && (i / 150) % 2 == 0 ? pow(10, ownDB / 10) : 0
                let nearPower = (echoes ? level * 1e-3 : 0) + own + 4e-9
                _ = tracker.update(near: SIMD4(repeating: nearPower / 4), nearPower: nearPower, nearNoise: noise,
                                   far: SIMD4(repeating: level / 4), farPower: level)
                if checkpoints.contains(i) { body(i, tracker) }
            }
        }
        var proven: Float = 0
        run(echoes: true, checkpoints: [2999, 8999]) { i, t in
            let correlation = t.bestLag?.correlation ?? -1
            if i == 2999 {
                // Proven before the double talk (−36 dB as read: the envelope is the loudest
                // of the last eight frames, which swing ±6 dB here).
                #expect(correlation >= EchoTracker.minCorrelation, "\(correlation)")
                #expect(t.coupling > 0 && t.decisionCoupling == t.coupling, "\(t.coupling) \(t.decisionCoupling)")
                proven = t.coupling
            } else {
                #expect(correlation < EchoTracker.minCorrelation && correlation >= EchoTracker.keptMinCorrelation, "\(correlation)")
                #expect(t.coupling == 0)
                #expect(t.decisionCoupling == proven && proven > 0, "\(t.decisionCoupling) vs \(proven)")
            }
        }
        run(echoes: false, checkpoints: [2999, 8999]) { i, t in
            #expect(t.coupling == 0 && t.decisionCoupling == 0, "\(i): \(t.coupling) \(t.decisionCoupling)")
        }
    }

    /// The other case of a coupling no longer proven: this party's own words push the median
    /// over `echo_max_coupling_db` while the correlation still holds (here it talks whenever the
    /// other does, 6 dB over the other's level, from frame 3,000 on). The kept coupling is decided
    /// against, not the median of the double talk. (Before analyzer 27's mend nothing was.)
    @Test func aProvenCouplingIsKeptWhereOwnWordsPushTheMedianUp() {
        var tracker = EchoTracker(maxCouplingDB: -10)
        let noise = SIMD4<Float>(repeating: 1e-9)
        var proven: Float = 0
        for i in 0..<9000 {
            let (level, talks, _) = Self.otherParty(i)
            let own: Float = i >= 3000 && talks ? 4 * level : 0
            let nearPower = level * 1e-3 + own + 4e-9
            _ = tracker.update(near: SIMD4(repeating: nearPower / 4), nearPower: nearPower, nearNoise: noise,
                               far: SIMD4(repeating: level / 4), farPower: level)
            if i == 2999 {
                #expect(tracker.coupling > 0)
                proven = tracker.coupling
            }
        }
        let correlation = tracker.bestLag?.correlation ?? -1
        #expect(correlation >= EchoTracker.minCorrelation, "\(correlation)")
        // The median is this party's words (about 0 dB of the other's envelope): not proven.
        #expect(tracker.couplingDB > -10, "\(tracker.couplingDB)")
        #expect(tracker.coupling == 0)
        // Decided against the last coupling proven (here at the double talk's first frames,
        // within 3 dB of the one before it), not that median.
        let decision = tracker.decisionCoupling
        #expect(decision > 0 && proven > 0 && abs(fastDB(decision) - fastDB(proven)) < 3, "\(decision) vs \(proven)")
    }

    /// Hindsight: the echo of the other party's first words, decided before the coupling
    /// was proven, is taken off once it is. The agent opens the call with a short word (0.3 s;
    /// the coupling needs 50 frames of its loud talk, and the next word comes 2 s later),
    /// the customer's clean line carries only its echo (30 dB down, 20 ms late): with
    /// hindsight the customer has no talk; deciding each frame as it leaves the lookahead
    /// window, the echo of the agent's first words is talk.
    @Test func theEchoOfTheFirstWordsIsTakenOffInHindsight() {
        let agentBursts: [(Double, Double)] = [(0.2, 0.5), (2.5, 2.8), (4, 6), (7, 9.5), (10.5, 13)]
        let agent = channel(seconds: 14, noiseDBFS: -60, bursts: agentBursts, burstDBFS: -20, seed: 51)
        var customer = [Float](repeating: 0, count: agent.count)
        for i in 160..<customer.count { customer[i] = 0.0316 * agent[i - 160] }
        let near = Self.frames(customer), far = Self.frames(agent)
        func run(hindsight: Bool) -> DetectorOutput {
            var d = ChannelDetector(parameters: AnalysisParameters(), stereo: true)
            if !hindsight { d.hindsightFrames = 0 }
            for i in near.indices { d.push(near[i], far: far[i]) }
            d.finish()
            return d.output
        }
        let late = run(hindsight: true)
        #expect(late.echo?.applied == true)
        #expect(late.spans.regions.isEmpty, "\(late.spans.regions)")
        #expect(!run(hindsight: false).spans.regions.isEmpty)
    }

    // MARK: - The composition

    /// The other channel's evidence enters only through the echo source: a stereo detector
    /// whose other channel is silent decides every frame as a mono detector does, and a mono
    /// detector ignores the other channel. (Here its talk is all at one level: near the talker,
    /// step 1c, applies to stereo calls whatever the other channel holds, and drops talk far
    /// under a channel's loud level there — `NearTheTalkerTests.monoIsUnchanged`.)
    @Test func otherChannelEntersOnlyThroughTheEchoSource() {
        var x = channel(seconds: 8, noiseDBFS: -50, bursts: [(1, 2.5), (4, 6)], burstDBFS: -25, seed: 41)
        mix(Signals.keypad([(row: 0, column: 2), (row: 3, column: 1)], sampleRate: 8000, amplitude: 0.03), into: &x, at: 52000)
        let far = channel(seconds: 8, noiseDBFS: -45, bursts: [(2, 5)], burstDBFS: -20, seed: 42)
        let frames = Self.frames(x), farFrames = Self.frames(far)
        func run(stereo: Bool, far: [FrameFeatures]?) -> DetectorOutput {
            var d = ChannelDetector(parameters: AnalysisParameters(), stereo: stereo)
            d.recordFrames = true
            for (i, f) in frames.enumerated() {
                if let far { d.push(f, far: far[i]) } else { d.push(f) }
            }
            d.finish()
            return d.output
        }
        let mono = run(stereo: false, far: nil)
        // The two bursts, then the two digits (regions of their own, which the analyzer takes
        // for tones: they are keypresses), found from their third frame.
        #expect(mono.spans.regions == [FrameSpan(100, 250), FrameSpan(400, 601), FrameSpan(650, 660), FrameSpan(666, 680)])
        #expect(mono.spans.keypresses == [FrameSpan(651, 681)])
        #expect(mono.decidedFrames == frames.count && mono.trace.classes.count == frames.count)
        #expect(mono.echo == nil)
        for other in [run(stereo: true, far: [FrameFeatures](repeating: .silent, count: frames.count)),
                      run(stereo: false, far: farFrames)] {
            #expect(other.spans.regions == mono.spans.regions && other.spans.keypresses == mono.spans.keypresses)
            #expect(other.spans.tones == mono.spans.tones && other.spans.callTones == mono.spans.callTones)
            #expect(other.levels == mono.levels)
            #expect(other.trace.classes == mono.trace.classes)
            #expect(other.echo == nil && other.echoAppliedFrames == 0)
        }
    }
}
