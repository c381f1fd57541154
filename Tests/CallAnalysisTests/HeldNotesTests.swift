@testable import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Held notes (`SpectralLineTest`, step 6): music on hold holds its notes' peaks in place for
/// 0.3 s and more, a voice moves them with its pitch.
@Suite struct HeldNotesTests {
    /// A chord of three notes with four harmonics each (falling 6 dB per harmonic), held.
    static func chord(_ notesHz: [Float], count: Int, rms: Float, sampleRate: Int = 8000) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        for f in notesHz {
            for h in 1...4 where f * Float(h) < 3400 {
                let a = 1 / Float(h)
                for n in 0..<count { x[n] += a * sin(2 * .pi * f * Float(h) * Float(n) / Float(sampleRate)) }
            }
        }
        let r = (x.reduce(0) { $0 + $1 * $1 } / Float(count)).squareRoot()
        return x.map { $0 * rms / r }
    }

    /// Music on hold as it leaks at 10 dB: each chord struck three times (0.3 s on, 0.12 s
    /// nearly off), a new chord every 1.26 s, so that it dips as often as speech does.
    static func struckChords(seconds: Double, rms: Float) -> [Float] {
        let chords: [[Float]] = [[220, 277, 330], [196, 247, 294], [175, 220, 262], [247, 311, 370]]
        let n = Int(seconds * 8000)
        var x = [Float](repeating: 0, count: n)
        var at = 0, k = 0
        while at < n {
            let c = chord(chords[k % chords.count], count: 10080, rms: rms)
            for i in 0..<min(10080, n - at) { x[at + i] = i % 3360 < 2400 ? c[i] : c[i] * 0.03 }
            at += 10080
            k += 1
        }
        return x
    }

    /// `heldLines` of every measured frame (−1 where it was not measured).
    static func heldLines(_ x: [Float]) -> [Int] {
        var e = FrameFeatureExtractor(sampleRate: 8000, parameters: AnalysisParameters())
        var out: [FrameFeatures] = []
        x.withUnsafeBufferPointer { e.consume($0, into: &out) }
        return out.enumerated().filter { $0.offset % SpectralLineTest.gridFrames == 0 }.map { Int($0.element.heldLines) - 1 }
    }

    @Test func aHeldChordHoldsItsPeaks() {
        // 1 s of line noise (the quietest a frame must stand 3 dB over), then 2 s of the chord.
        var g = Signals(seed: 3)
        var x = g.noise(count: 24000, rms: 0.001)
        mix(Self.chord([220, 277, 330], count: 16000, rms: 0.05), into: &x, at: 8000)
        let held = Self.heldLines(x)
        // Golden, a grid frame every 0.2 s: the noise is not measured; the chord's first grid
        // frame (1.0 s) has neither frame before it measured; at 1.2 s its pair is the window
        // that held mostly noise (0), at 1.4 s that window is the oldest of the three (0); then
        // 9 of the chord's 11 distinct frequencies under 1.5 kHz hold through all three (3
        // notes × 4 harmonics; peaks within 3 bins of a louder one are not peaks).
        #expect(held.map(String.init).joined(separator: ",") == "-1,-1,-1,-1,-1,-1,0,0,9,9,9,9,9,9,9")
    }

    @Test func aGapCountsThePairLessTwo() {
        // The chord of `aHeldChordHoldsItsPeaks`, off for 0.1 s around 2 s (line noise alone):
        // the grid frame at 2.0 s is not measured; at 2.2 s the oldest frame (1.8 s) and at
        // 2.4 s the middle one (2.2 s) make a pair, whose 9 held peaks count 9 − 2; from
        // 2.6 s on all three frames are measured again.
        var g = Signals(seed: 3)
        var x = g.noise(count: 32000, rms: 0.001)
        var c = Self.chord([220, 277, 330], count: 24000, rms: 0.05)
        for i in 7600..<8400 { c[i] = 0 }
        mix(c, into: &x, at: 8000)
        let held = Self.heldLines(x)
        #expect(held.map(String.init).joined(separator: ",") == "-1,-1,-1,-1,-1,-1,0,0,9,9,-1,7,7,9,9,9,9,9,9,9")
    }

    @Test func aVoiceMovesItsPeaks() {
        let x = Signals.voice(seconds: 4, spans: [(0, 4)], f0Hz: 130, dbfs: -26, seed: 5)
        let measured = Self.heldLines(x).filter { $0 >= 0 }
        // 20 grid frames in 4 s; the first two have fewer than two frames before them.
        #expect(measured.count >= 15)
        let mean = Double(measured.reduce(0, +)) / Double(measured.count)
        // A gliding pitch keeps few peaks in place (the chord above keeps 9), under
        // `hold_held_lines` (0.5).
        #expect(mean < 0.5, "mean held peaks \(mean)")
    }

    @Test func quietGridFramesAreNotMeasured() {
        var g = Signals(seed: 9)
        let x = g.noise(count: 24000, rms: 0.001)
        // Line noise alone: no grid frame stands 3 dB over the quietest once that is known
        // (the first second has no quietest yet to stand over).
        let held = Self.heldLines(x)
        #expect(held.suffix(15).allSatisfy { $0 == -1 }, "\(held)")
    }

    /// 2 s of words, 1 s pause, 6 s of struck chords 10 dB over the line's noise, 1 s pause,
    /// 2 s of words.
    static func wordsMusicWords() -> [Float] {
        var g = Signals(seed: 21)
        var x = g.noise(count: 12 * 8000, rms: pow(10, -56.0 / 20))
        mix(Signals.voice(seconds: 2, spans: [(0, 2)], f0Hz: 140, dbfs: -30, seed: 4), into: &x, at: 0)
        mix(Self.struckChords(seconds: 6, rms: pow(10, -46.0 / 20)), into: &x, at: 3 * 8000)
        mix(Signals.voice(seconds: 2, spans: [(0, 2)], f0Hz: 140, dbfs: -30, seed: 6), into: &x, at: 10 * 8000)
        return x
    }

    @Test func struckChordsUnderNoiseAreHold() {
        let x = Self.wordsMusicWords()
        let music = [FrameSpan(300, 900)]
        let out = analyze([x])
        let hold = SpanMath.total(SpanMath.intersection(out.channels[0].hold, music))
        let talk = SpanMath.total(SpanMath.intersection(out.channels[0].speech, music))
        // The chords' first strike after the pause has no partner 0.3 s before it: the first
        // chord (1.26 s) splits off as words; the rest is hold.
        #expect(hold >= 480, "hold \(out.channels[0].hold) speech \(out.channels[0].speech)")
        #expect(talk <= 130)
        // The words either side stay talk.
        #expect(SpanMath.total(SpanMath.intersection(out.channels[0].speech, [FrameSpan(0, 200), FrameSpan(1000, 1200)])) >= 300)
        // Without held notes the same chords dip like speech: talk (the cue is what decides).
        var p = AnalysisParameters()
        p.holdDipsPerHeldLine = 0
        p.minLineHoldS = p.minHoldS
        let before = analyze([x], parameters: p)
        #expect(SpanMath.total(SpanMath.intersection(before.channels[0].speech, music)) >= 400,
                "hold \(before.channels[0].hold) speech \(before.channels[0].speech)")
    }

    /// Music cut by a quiet passage: a piece of 1.26 s (too short to judge alone) 0.8 s after
    /// hold is hold too; the same piece 4 s from any hold stays talk.
    @Test func musicNextToHoldIsHold() {
        var g = Signals(seed: 31)
        var x = g.noise(count: 20 * 8000, rms: pow(10, -56.0 / 20))
        let rms = Float(pow(10, -46.0 / 20))
        mix(Self.struckChords(seconds: 5.04, rms: rms), into: &x, at: 3 * 8000)
        let piece = Self.struckChords(seconds: 1.26, rms: rms)
        mix(piece, into: &x, at: Int(8.84 * 8000))
        mix(piece, into: &x, at: 14 * 8000)
        let out = analyze([x]).channels[0]
        let near = [FrameSpan(884, 1010)], far = [FrameSpan(1400, 1526)]
        #expect(SpanMath.total(SpanMath.intersection(out.hold, [FrameSpan(300, 804)])) >= 400, "hold \(out.hold)")
        #expect(SpanMath.total(SpanMath.intersection(out.hold, near)) >= 110, "hold \(out.hold) speech \(out.speech)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, near)) == 0, "speech \(out.speech)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, far)) >= 110, "hold \(out.hold) speech \(out.speech)")
        #expect(SpanMath.total(SpanMath.intersection(out.hold, far)) == 0)
    }

    /// The window reaches 64 ms back, across block boundaries (kept as a tail): any block
    /// size gives the same analysis.
    @Test func blockSizeDoesNotChangeHeldNotes() {
        let x = Self.wordsMusicWords()
        let reference = analyze([x], block: 4096)
        #expect(SpanMath.total(reference.channels[0].hold) >= 480)
        for block in [333, 80, 79, 1000, 513] {
            #expect(analyze([x], block: block) == reference, "block \(block)")
        }
    }

    /// At 16 kHz the window's samples are first averaged in pairs: the same chords are hold.
    @Test func wideBandChordsAreHold() {
        let narrow = Self.wordsMusicWords()
        // Each 8 kHz sample twice (a 16 kHz stream with nothing above 4 kHz but the noise).
        var g = Signals(seed: 41)
        let noise = g.noise(count: narrow.count * 2, rms: pow(10, -62.0 / 20))
        let wide = (0..<(narrow.count * 2)).map { narrow[$0 / 2] + noise[$0] }
        let out = analyze([wide], sampleRate: 16000).channels[0]
        #expect(SpanMath.total(SpanMath.intersection(out.hold, [FrameSpan(300, 900)])) >= 480, "hold \(out.hold) speech \(out.speech)")
    }

    @Test func heldNotesAllowNothingWhereTheShapeHoldsStill() {
        let p = AnalysisParameters()
        let strong = LineCount(measurements: 20, held: 50)
        // Unsteady shape (noise shakes it): 2.5 held peaks per measurement allow 1.5 × (2.5 − 0.5) = 3 dips/s more.
        let shaken = p.holdMargin(dips: 8, durationFrames: 200, detectedFrames: 200, steady: 20, lines: strong)
        let plain = p.holdMargin(dips: 8, durationFrames: 200, detectedFrames: 200, steady: 20, lines: LineCount())
        #expect(abs((plain - shaken) - 3) < 1e-9)
        // A steady shape that holds its peaks is a monotone voice as much as music: no allowance.
        let steady = p.holdMargin(dips: 8, durationFrames: 200, detectedFrames: 200, steady: 80, lines: strong)
        let steadyPlain = p.holdMargin(dips: 8, durationFrames: 200, detectedFrames: 200, steady: 80, lines: LineCount())
        #expect(steady == steadyPlain)
        // Fewer than three measurements say nothing.
        #expect(p.heldLinesOver(LineCount(measurements: 2, held: 20), steadyShare: 0.1) == 0)
        #expect(p.heldLinesOver(LineCount(measurements: 3, held: 24), steadyShare: 0.1) == 7.5)
        #expect(p.heldLinesOver(LineCount(measurements: 3, held: 24), steadyShare: 0.3) == 0)
    }
}
