import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ring-back, dial and busy tones are never talk, also where the per-frame tone tests lose
/// them (under hiss, through codecs): an 80 ms least-squares fit of each national tone plan
/// (`CallProgressToneTest`), 0.3 s of one plan making a tone.
@Suite struct CallProgressToneTests {
    /// Each plan's frequencies and its code in `FrameFeatures.callTone` (pairs first).
    static let plans: [(hz: [Float], code: UInt8)] = [
        ([350, 440], 1), ([440, 480], 2), ([480, 620], 3), ([400, 450], 4), ([350, 450], 5),
        ([400], 6), ([425], 7), ([440], 8), ([450], 9),
    ]

    /// A tone of `hz` (each at `amplitude`), `onS` on and `offS` off, `cycles` times.
    static func tone(_ hz: [Float], sampleRate: Int = 8000, amplitude: Float, onS: Double, offS: Double = 0,
                     cycles: Int = 1) -> [Float] {
        let on = Int(onS * Double(sampleRate)), off = Int(offS * Double(sampleRate))
        var out: [Float] = []
        for _ in 0..<cycles {
            for n in 0..<on {
                let t = Float(n) / Float(sampleRate)
                out.append(hz.reduce(Float(0)) { $0 + amplitude * sin(2 * .pi * $1 * t + $1) })
            }
            out += [Float](repeating: 0, count: off)
        }
        return out
    }

    /// The codes the extractor gives a signal, frame by frame (`UInt8.max` where no window
    /// ends).
    static func codes(_ x: [Float], sampleRate: Int = 8000) -> [UInt8] {
        var e = FrameFeatureExtractor(sampleRate: sampleRate, parameters: AnalysisParameters())
        var out: [FrameFeatures] = []
        x.withUnsafeBufferPointer { e.consume($0, into: &out) }
        return out.map(\.callTone)
    }

    /// Every plan is recognised as itself in every window (one ends every fourth frame;
    /// `UInt8.max` on the others) that lies inside the tone, at 8 and 16 kHz, and nothing is
    /// claimed before the tone starts.
    @Test(arguments: [8000, 16000])
    func everyPlanIsRecognised(sampleRate: Int) {
        for plan in Self.plans {
            var g = Signals(seed: 5)
            let quiet = g.noise(count: sampleRate / 2, rms: 1e-4)
            let codes = Self.codes(quiet + Self.tone(plan.hz, sampleRate: sampleRate, amplitude: 0.05, onS: 1), sampleRate: sampleRate)
            let windows = codes.enumerated().filter { $0.element != UInt8.max }
            #expect(windows.allSatisfy { $0.offset % 4 == 3 }, "windows end every fourth frame")
            let before = windows.filter { $0.offset < 50 }.map(\.element)
            #expect(before.count >= 12 && before.allSatisfy { $0 == 0 }, "\(plan.hz) before the tone: \(before)")
            let inside = windows.filter { $0.offset >= 58 && $0.offset < 148 }.map(\.element)
            #expect(inside.count >= 22 && inside.allSatisfy { $0 == plan.code }, "\(plan.hz) Hz at \(sampleRate): \(inside)")
        }
    }

    /// Ring-back, dial and busy tones with their cadences, and a continuous European tone, in
    /// white noise from 20 dB down to 3 dB under the tone (the per-frame tone test needs about
    /// 15 dB): never talk, and counted as tone time.
    @Test(arguments: [(0, 20), (1, 3), (2, 3), (3, 3), (4, 3), (6, 3), (1, 20)] as [(Int, Float)])
    func tonesInHissAreNeverTalk(planIndex: Int, toneToNoiseDB: Float) {
        let plan = Self.plans[planIndex]
        // Each tone at 0.02: −37 dBFS for one, −34 dBFS for a pair.
        let tonePower = Float(plan.hz.count) * 0.02 * 0.02 / 2
        let noiseDBFS = 10 * log10(tonePower) - toneToNoiseDB
        var x = channel(seconds: 9, noiseDBFS: noiseDBFS, bursts: [], burstDBFS: -30, seed: 41)
        mix(Self.tone(plan.hz, amplitude: 0.02, onS: 2, offS: 1, cycles: 2), into: &x, at: 8000)
        mix(Self.tone(plan.hz, amplitude: 0.02, onS: 1.5), into: &x, at: 7 * 8000)
        let out = analyze([x]).channels[0]
        #expect(SpanMath.total(out.speech) == 0, "\(plan.hz) Hz, \(toneToNoiseDB) dB: talk \(out.speech)")
        // 5.5 s of tone; a few frames at each edge may stay below the noise.
        #expect(SpanMath.total(out.tones) >= 500, "\(plan.hz) Hz, \(toneToNoiseDB) dB: tones \(out.tones)")
    }

    /// Ring-back after words on the same line (a mono recording: the caller's words, then
    /// the transfer rings): the words stay talk, the tone and the pause before it are not.
    /// Words 1–3 s at −26 dBFS (peaks), ring-back −34 dBFS for 2 s from `toneStartS`.
    /// - 3.05 s over noise 3 dB under the tone: straight after the words, whose decay runs
    ///   into it; the tone is known from the first 80 ms window that lies mostly in it, one
    ///   40 ms step at most after its onset.
    /// - 3.25 s over noise 6 dB under the tone: the per-frame tone tests miss it there, so
    ///   the detector takes it for a region of its own, which the pause under `merge_gap_s`
    ///   used to join to the words (pauses join words, never words to a tone).
    @Test(arguments: [(3.05, -37, 42), (3.25, -40, 43)] as [(Double, Float, UInt64)])
    func ringbackAfterWordsOnOneLine(toneStartS: Double, noiseDBFS: Float, seed: UInt64) {
        var x = channel(seconds: 8, noiseDBFS: noiseDBFS, bursts: [(1, 3)], burstDBFS: -26, seed: seed)
        mix(Signals.ringback(count: 16000, sampleRate: 8000, amplitude: 0.02), into: &x, at: Int(toneStartS * 8000))
        let out = analyze([x]).channels[0]
        let talk = SpanMath.total(out.speech)
        #expect(talk >= 185 && talk <= 220, "talk \(out.speech)")
        // The words end at 3 s; their decay under the noise may reach 90 ms past.
        let inTone = SpanMath.total(SpanMath.intersection(out.speech, [FrameSpan(309, Int(toneStartS * 100) + 205)]))
        #expect(inTone == 0, "ring-back or the pause before it counted as talk: \(out.speech)")
    }

    /// The window ends (every fourth frame) of a channel's words (1–3 s), and the call tones
    /// the detector finds when the first of them carry `codes` and the rest 0.
    static func wordsWithWindowCodes(_ codes: [UInt8]) -> (ends: [Int], tones: [FrameSpan]) {
        let x = channel(seconds: 4, noiseDBFS: -60, bursts: [(1, 3)], burstDBFS: -26, seed: 7)
        var extractor = FrameFeatureExtractor(sampleRate: 8000, parameters: AnalysisParameters())
        var frames: [FrameFeatures] = []
        x.withUnsafeBufferPointer { extractor.consume($0, into: &frames) }
        let ends = frames.indices.filter { $0 >= 120 && $0 < 280 && frames[$0].callTone != UInt8.max }
        for (k, end) in ends.enumerated() { frames[end].callTone = k < codes.count ? codes[k] : 0 }
        var d = ChannelDetector(parameters: AnalysisParameters())
        for frame in frames { d.push(frame) }
        d.finish()
        return (ends, d.output.spans.callTones)
    }

    /// The sine fit (`SineToneFit`) gives a run of windows one of its two codes and the next
    /// run the other: a window of another sine inside a run starts a new run, never stands
    /// for a failing window bridged. Bridged, ten windows alternating between runs of one
    /// or two windows made a 0.48 s tone of words (six asterisk prompts did).
    @Test func windowsOfOtherSinesBreakARun() {
        let (ends, alternating) = Self.wordsWithWindowCodes([10, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10])
        #expect(ends.count >= 20)
        #expect(alternating.isEmpty, "alternating runs made a tone: \(alternating)")
        // One run of nine windows with a failing one inside: a tone (the bridge still holds).
        let steady = Self.wordsWithWindowCodes([10, 10, 10, 10, 0, 10, 10, 10, 10]).tones
        #expect(SpanMath.total(steady) >= 30, "one run of nine windows: \(steady)")
    }

    /// Sines back to back (the special information tone's three 0.33 s segments): each run
    /// alone is under the 7 windows of a tone, as the window straddling each edge fails;
    /// two runs of 6 at most one window apart make a chain of 12, a tone from the first
    /// run's first window. Two windows apart they stay two short runs.
    @Test func sinesBackToBackAreATone() {
        let six = [UInt8](repeating: 10, count: 6), otherSix = [UInt8](repeating: 11, count: 6)
        let (ends, chained) = Self.wordsWithWindowCodes(six + [0] + otherSix)
        // 13 windows: 12 × 4 frames + 8, from the first window's first frame.
        #expect(chained == [FrameSpan(ends[0] - 7, ends[12] + 1)], "chain: \(chained)")
        let apart = Self.wordsWithWindowCodes(six + [0, 0] + otherSix).tones
        #expect(apart.isEmpty, "two windows apart: \(apart)")
        let alone = Self.wordsWithWindowCodes(six).tones
        #expect(alone.isEmpty, "one run of six: \(alone)")
    }

    /// Voices hold their harmonics still only briefly: held vowels whose harmonics fall on
    /// the plans' frequencies (f0 = 220 Hz: 440 Hz; 212.5 Hz: 425 Hz; 110 Hz: 440 Hz), and
    /// speech-like noise, get no code at all; their other harmonics hold most of the energy.
    @Test(arguments: [220, 212.5, 110, 150] as [Float])
    func heldVowelsAreNoCallTone(f0Hz: Float) {
        var g = Signals(seed: 6)
        let x = g.noise(count: 4000, rms: 1e-4) + Signals.vowel(count: 12000, sampleRate: 8000, f0Hz: f0Hz, rms: 0.05)
            + g.speechLike(count: 8000, sampleRate: 8000, rms: 0.05)
        let codes = Self.codes(x).filter { $0 != UInt8.max }
        #expect(codes.count >= 70 && codes.allSatisfy { $0 == 0 }, "f0 \(f0Hz): \(codes.filter { $0 != 0 }.count) windows coded")
    }
}
