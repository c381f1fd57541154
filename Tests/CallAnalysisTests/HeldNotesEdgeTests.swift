@testable import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Held notes at the edges: every supported kind of rate, streams too short for the window,
/// digital silence, clipping, samples that are not numbers, and where stretches end.
extension HeldNotesTests {
    /// `struckChords` at any rate (0.3 s on, 0.12 s nearly off, a new chord every 1.26 s).
    static func struckChords(seconds: Double, rms: Float, sampleRate: Int) -> [Float] {
        let chords: [[Float]] = [[220, 277, 330], [196, 247, 294], [175, 220, 262], [247, 311, 370]]
        let n = Int(seconds * Double(sampleRate)), chordLength = Int(1.26 * Double(sampleRate))
        let strike = Int(0.42 * Double(sampleRate)), on = Int(0.3 * Double(sampleRate))
        var x = [Float](repeating: 0, count: n)
        var at = 0, k = 0
        while at < n {
            let c = chord(chords[k % chords.count], count: chordLength, rms: rms, sampleRate: sampleRate)
            for i in 0..<min(chordLength, n - at) { x[at + i] = i % strike < on ? c[i] : c[i] * 0.03 }
            at += chordLength
            k += 1
        }
        return x
    }

    /// `wordsMusicWords` at any rate: words 0–2 s, struck chords 3–9 s (`musicDBFS`), words
    /// 10–12 s.
    static func wordsMusicWords(sampleRate: Int, musicDBFS: Double = -46) -> [Float] {
        var g = Signals(seed: 21)
        let sr = Double(sampleRate)
        var x = g.noise(count: 12 * sampleRate, rms: pow(10, -56.0 / 20))
        mix(Signals.voice(seconds: 2, spans: [(0, 2)], f0Hz: 140, dbfs: -30, seed: 4, sampleRate: sampleRate), into: &x, at: 0)
        mix(Self.struckChords(seconds: 6, rms: pow(Float(10), Float(musicDBFS) / 20), sampleRate: sampleRate), into: &x, at: Int(3 * sr))
        mix(Signals.voice(seconds: 2, spans: [(0, 2)], f0Hz: 140, dbfs: -30, seed: 6, sampleRate: sampleRate), into: &x,
            at: Int(10 * sr))
        return x
    }

    /// The frames (of `sampleRate / 100` samples, rounded) from `a` to `b` seconds.
    static func frames(_ a: Double, _ b: Double, sampleRate: Int) -> FrameSpan {
        let length = Double(Int((Double(sampleRate) / 100).rounded()))
        return FrameSpan(Int((a * Double(sampleRate) / length).rounded()), Int((b * Double(sampleRate) / length).rounded()))
    }

    /// The window is 513 samples averaged by 1, 2, 3 or 6 (the rate over 8 kHz, rounded): at
    /// every common rate the chords are hold and the words talk, and nothing reads outside
    /// the stream (a debug build traps there).
    @Test(arguments: [8000, 11025, 16000, 22050, 44100, 48000])
    func struckChordsAreHoldAtEveryRate(sampleRate: Int) {
        let x = Self.wordsMusicWords(sampleRate: sampleRate)
        let out = analyze([x], sampleRate: sampleRate).channels[0]
        let music = [Self.frames(3, 9, sampleRate: sampleRate)]
        let words = [Self.frames(0, 2, sampleRate: sampleRate), Self.frames(10, 12, sampleRate: sampleRate)]
        #expect(SpanMath.total(SpanMath.intersection(out.hold, music)) >= 450, "\(sampleRate) Hz: hold \(out.hold) speech \(out.speech)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, words)) >= 300, "\(sampleRate) Hz: speech \(out.speech)")
        #expect(SpanMath.intersection(out.hold, words).isEmpty, "\(sampleRate) Hz: hold \(out.hold)")
    }

    /// The window's 513 samples at the rate's step reach into the stream's start only once
    /// that many were seen: shorter streams, in any blocks, measure nothing.
    @Test(arguments: [8000, 11025, 48000])
    func aStreamShorterThanTheWindowMeasuresNothing(sampleRate: Int) {
        let step = max(1, Int((Double(sampleRate) / 8000).rounded()))
        let n = 513 * step - 1
        let x = Self.chord([220, 277, 330], count: n, rms: 0.1, sampleRate: sampleRate)
        for block in [1, 7, n] {
            var e = FrameFeatureExtractor(sampleRate: sampleRate, parameters: AnalysisParameters())
            var out: [FrameFeatures] = []
            var i = 0
            while i < n {
                let m = min(block, n - i)
                x.withUnsafeBufferPointer { e.consume(UnsafeBufferPointer(rebasing: $0[i..<(i + m)]), into: &out) }
                i += m
            }
            e.flush(into: &out)
            #expect(out.allSatisfy { $0.heldLines == 0 })
        }
        let outcome = analyze([x], sampleRate: sampleRate, block: 7)
        #expect(outcome.channels[0].hold.isEmpty)
    }

    @Test func digitalSilenceMeasuresNothing() {
        let x = [Float](repeating: 0, count: 5 * 8000)
        #expect(Self.heldLines(x).allSatisfy { $0 == -1 })
        let out = analyze([x]).channels[0]
        #expect(out.hold.isEmpty && out.speech.isEmpty)
    }

    /// A square wave at full scale: every sample clipped (480 a frame at 48 kHz, under the
    /// 4,095 the field holds), and the held-note bits packed beside the count leave it whole.
    @Test func aFullyClippedSquareWaveIsAllClipped() {
        let sampleRate = 48000
        let x = (0..<(4 * sampleRate)).map { Float(($0 / 60) % 2 == 0 ? 1 : -1) }
        var e = FrameFeatureExtractor(sampleRate: sampleRate, parameters: AnalysisParameters())
        var features: [FrameFeatures] = []
        x.withUnsafeBufferPointer { e.consume($0, into: &features) }
        #expect(features.allSatisfy { $0.clipped == 480 })
        // One level throughout: no frame stands 3 dB over the quietest, none is measured.
        #expect(features.allSatisfy { $0.heldLines == 0 })
        let out = analyze([x], sampleRate: sampleRate)
        #expect(out.channels[0].levels.clippedShare == 1)
        var f = FrameFeatures.silent
        f.clipped = 4095
        f.heldLines = 15
        #expect(f.clipped == 4095 && f.heldLines == 15)
        f.clipped = 9000
        #expect(f.clipped == 4095 && f.heldLines == 15)
        f.heldLines = 200
        #expect(f.clipped == 4095 && f.heldLines == 15)
    }

    /// A float stream with samples that are not numbers: the frames that hold them are
    /// silent, and a window that reaches over them measures nothing (it has no spectrum), as
    /// a silent frame is not measured; the analysis goes on and finds the music around them.
    @Test func nonFiniteSamplesAreNotMeasured() {
        var x = Self.wordsMusicWords()
        // One sample not a number, one infinite, in the music (5.05 s and 7.05 s: in the
        // windows of the grid frames 510 and 710, not in those frames).
        x[40_400] = .nan
        x[56_400] = .infinity
        var e = FrameFeatureExtractor(sampleRate: 8000, parameters: AnalysisParameters())
        var features: [FrameFeatures] = []
        x.withUnsafeBufferPointer { e.consume($0, into: &features) }
        #expect(features[505].power == 0 && features[705].power == 0)
        // The grid frames whose window (513 samples back from their end) holds either sample.
        for bad in [40_400, 56_400] {
            for k in stride(from: 0, to: features.count, by: SpectralLineTest.gridFrames) {
                let end = (k + 1) * 80
                if end - 513 <= bad && bad < end {
                    #expect(features[k].heldLines == 0, "grid frame \(k) over sample \(bad): \(features[k].heldLines)")
                }
            }
        }
        let out = analyze([x]).channels[0]
        #expect(SpanMath.total(SpanMath.intersection(out.hold, [FrameSpan(300, 900)])) >= 450, "hold \(out.hold)")
    }

    /// Music chained to hold (1.5 s apart at most) is chained wherever the detector's
    /// stretches end: handed over after every region or only at the end, in any blocks.
    @Test func chainedMusicDoesNotDependOnWhereStretchesEnd() {
        var g = Signals(seed: 31)
        var x = g.noise(count: 20 * 8000, rms: pow(10, -56.0 / 20))
        let rms = Float(pow(10, -46.0 / 20))
        mix(Self.struckChords(seconds: 5.04, rms: rms), into: &x, at: 3 * 8000)
        mix(Self.struckChords(seconds: 1.26, rms: rms), into: &x, at: Int(8.84 * 8000))
        mix(Self.struckChords(seconds: 1.26, rms: rms), into: &x, at: Int(14 * 8000))
        let whole = analyze([x], block: 4096, settleRegions: Int.max)
        #expect(SpanMath.total(SpanMath.intersection(whole.channels[0].hold, [FrameSpan(884, 1010)])) >= 110)
        for (regions, block) in [(1, 4096), (1, 333), (64, 4096)] {
            let out = analyze([x], block: block, settleRegions: regions)
            #expect(out == whole, "settle after \(regions) regions, blocks of \(block): hold \(out.channels[0].hold)")
        }
    }

    /// A chain runs both ways and as far as its links reach: a piece 0.8 s before hold and
    /// five after it, each 0.8 s after the one before, are hold; a piece 4.5 s after the
    /// last stays talk.
    @Test func aChainRunsBothWaysLinkByLink() {
        var g = Signals(seed: 33)
        var x = g.noise(count: 28 * 8000, rms: pow(10, -56.0 / 20))
        let rms = Float(pow(10, -46.0 / 20))
        let piece = Self.struckChords(seconds: 1.26, rms: rms)
        mix(piece, into: &x, at: Int(1.94 * 8000))
        mix(Self.struckChords(seconds: 5.04, rms: rms), into: &x, at: 4 * 8000)
        var pieces = [FrameSpan(194, 320)]
        for k in 0..<5 {
            let start = 904 + 206 * k
            mix(piece, into: &x, at: start * 80)
            pieces.append(FrameSpan(start, start + 126))
        }
        mix(piece, into: &x, at: 2280 * 80)
        let out = analyze([x]).channels[0]
        for p in pieces {
            #expect(SpanMath.total(SpanMath.intersection(out.hold, [p])) >= 110, "\(p): hold \(out.hold) speech \(out.speech)")
            #expect(SpanMath.intersection(out.speech, [p]).isEmpty, "\(p): speech \(out.speech)")
        }
        #expect(SpanMath.intersection(out.hold, [FrameSpan(2280, 2406)]).isEmpty, "hold \(out.hold)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, [FrameSpan(2280, 2406)])) >= 110, "speech \(out.speech)")
    }

    /// Stereo at 16 kHz: the same outcome for any block size. The chords 10 dB under the
    /// words (not 16 as in the mono tests): on a stereo call step 1c measures runs against the
    /// talker's loud level, and music 16 dB under the words falls more than 15 dB under it
    /// (README, step 1c's limits).
    @Test func stereoWideBandIsTheSameForAnyBlockSize() {
        let a = Self.wordsMusicWords(sampleRate: 16000, musicDBFS: -40)
        var g = Signals(seed: 77)
        var b = g.noise(count: a.count, rms: pow(10, -60.0 / 20))
        mix(Signals.voice(seconds: 3, spans: [(0, 3)], f0Hz: 210, dbfs: -28, seed: 8, sampleRate: 16000), into: &b, at: 16000 * 9 / 2)
        let reference = analyze([a, b], sampleRate: 16000, block: 4096)
        #expect(SpanMath.total(reference.channels[0].hold) >= 450)
        for block in [333, 160, 159, 1026, 7] {
            #expect(analyze([a, b], sampleRate: 16000, block: block) == reference, "block \(block)")
        }
    }
}
