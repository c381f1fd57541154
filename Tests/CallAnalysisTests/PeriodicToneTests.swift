import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Digital beeps and buzzers of any waveform are never talk: they repeat themselves sample
/// for sample (`PeriodicToneTest`), where the per-frame tone test, built for one or two
/// sinusoids, sees a vowel (a 300 Hz sawtooth counted 2 s of talk in 2 s before the test).
@Suite struct PeriodicToneTests {
    enum Wave: String, CaseIterable, Sendable { case sawtooth, square, harmonics }

    /// `seconds` of a wave of `f0Hz` at an RMS of `rms`, starting at phase 0.
    static func wave(_ kind: Wave, f0Hz: Double, sampleRate: Int, seconds: Double, rms: Float) -> [Float] {
        let n = Int(seconds * Double(sampleRate))
        var raw: [Float] = (0..<n).map { i in
            let phase = (f0Hz * Double(i) / Double(sampleRate)).truncatingRemainder(dividingBy: 1)
            switch kind {
            case .sawtooth: return Float(2 * phase - 1)
            case .square: return phase < 0.5 ? 1 : -1
            case .harmonics:
                // Asterisk's error buzzer's lines: a fundamental and its 2nd and 3rd harmonic.
                let w = 2 * Double.pi * phase
                return Float(sin(w) + 0.9 * sin(2 * w) + 0.7 * sin(3 * w))
            }
        }
        let power = raw.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(1, n))
        let gain = rms / power.squareRoot()
        for i in raw.indices { raw[i] *= gain }
        return raw
    }

    /// A held human vowel: harmonics of an f0 that wanders the way a voice does, by a
    /// vibrato of ±`vibrato` (relative) at 5.5 Hz, a glide of `glidePerS` (relative, per
    /// second) and a cycle-to-cycle jitter of 0.3 %, its level swelling and fading 8 dB twice
    /// a second (a vowel held at one level is the per-frame tone test's business).
    static func heldVowel(f0Hz: Double, sampleRate: Int, seconds: Double, rms: Float, vibrato: Double, glidePerS: Double,
                          seed: UInt64) -> [Float] {
        var g = Signals(seed: seed)
        let n = Int(seconds * Double(sampleRate))
        let harmonics = Int(3400 / (f0Hz * 1.1))
        var phase = 0.0, jitter = 0.0
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let t = Double(i) / Double(sampleRate)
            let f = f0Hz * (1 + glidePerS * t) * (1 + vibrato * sin(2 * .pi * 5.5 * t)) * (1 + jitter)
            let before = phase
            phase += f / Double(sampleRate)
            if floor(phase) != floor(before) { jitter = 0.003 * Double(g.uniform()) }
            var v = 0.0
            for k in 1...harmonics { v += sin(2 * .pi * Double(k) * phase) / Double(k) }
            out[i] = Float(v * (0.7 + 0.3 * sin(2 * .pi * 2 * t)))
        }
        let power = out.reduce(Float(0)) { $0 + $1 * $1 } / Float(n)
        let gain = rms / power.squareRoot()
        return out.map { $0 * gain }
    }

    /// One channel: `noiseDBFS` of white noise for `seconds`, a signal mixed in at 1 s.
    static func line(_ signal: [Float], sampleRate: Int = 8000, seconds: Double = 4, noiseDBFS: Float, seed: UInt64) -> [Float] {
        var x = channel(seconds: seconds, sampleRate: sampleRate, noiseDBFS: noiseDBFS, bursts: [], burstDBFS: -30, seed: seed)
        mix(signal, into: &x, at: sampleRate)
        return x
    }

    /// Sawtooth, square and three-harmonic tones from 120 Hz to 1 kHz, at 8 and 16 kHz,
    /// 2 s at −20 dBFS on a quiet line: no talk, 2 s of tone (a few frames at each edge may
    /// fall to the detector's onset or decay).
    @Test(arguments: [(Wave.sawtooth, 300.0, 8000), (.sawtooth, 120, 8000), (.sawtooth, 300, 16000), (.square, 400, 8000),
                      (.square, 1000, 16000), (.harmonics, 343, 8000), (.harmonics, 343, 16000)] as [(Wave, Double, Int)])
    func digitalTonesAreNeverTalk(kind: Wave, f0Hz: Double, sampleRate: Int) {
        let tone = Self.wave(kind, f0Hz: f0Hz, sampleRate: sampleRate, seconds: 2, rms: 0.1)
        let out = analyze([Self.line(tone, sampleRate: sampleRate, noiseDBFS: -70, seed: 51)], sampleRate: sampleRate).channels[0]
        #expect(SpanMath.total(out.speech) == 0, "\(kind) \(f0Hz) Hz at \(sampleRate): talk \(out.speech)")
        #expect(SpanMath.total(out.tones) >= 190, "\(kind) \(f0Hz) Hz at \(sampleRate): tones \(out.tones)")
    }

    /// The periodicity test is what keeps a sawtooth out of talk: turned off
    /// (`periodic_difference` 0), the same 2 s are talk again.
    @Test func withoutTheTestASawtoothIsTalk() {
        let tone = Self.wave(.sawtooth, f0Hz: 300, sampleRate: 8000, seconds: 2, rms: 0.1)
        var p = AnalysisParameters()
        p.periodicDifference = 0
        let out = analyze([Self.line(tone, noiseDBFS: -70, seed: 51)], parameters: p).channels[0]
        #expect(SpanMath.total(out.speech) >= 190, "talk \(out.speech)")
    }

    /// In white hiss 10 and 5 dB under the tone the repetition still shows once the line's
    /// noise is allowed for: no talk, most of the 2 s counted as tone.
    @Test(arguments: [(Wave.sawtooth, Float(10)), (.sawtooth, 5), (.square, 5), (.harmonics, 10), (.harmonics, 5)])
    func digitalTonesInHissAreNeverTalk(kind: Wave, toneToNoiseDB: Float) {
        let tone = Self.wave(kind, f0Hz: kind == .square ? 400 : kind == .sawtooth ? 300 : 343, sampleRate: 8000,
                             seconds: 2, rms: 0.05)
        let noiseDBFS = 20 * log10(Float(0.05)) - toneToNoiseDB
        let out = analyze([Self.line(tone, noiseDBFS: noiseDBFS, seed: 52)]).channels[0]
        #expect(SpanMath.total(out.speech) == 0, "\(kind) at \(toneToNoiseDB) dB: talk \(out.speech)")
        #expect(SpanMath.total(out.tones) >= 180, "\(kind) at \(toneToNoiseDB) dB: tones \(out.tones)")
    }

    /// Sine tones of any frequency repeat themselves too: the special information tone
    /// (913.8, 1370.6 and 1776.7 Hz, 0.33 s each), a fax machine's calling tone (1100 Hz,
    /// 0.5 s on, 3 s off) and a 1 kHz test tone, 10 and 5 dB over white hiss, where the
    /// per-frame tone test (about 15 dB) loses them and no call-progress plan fits: no talk.
    /// (At 5 dB the special information tone's 0.33 s segments are too short for the run a
    /// tone needs once hiss has delayed the lag search: it is left out there.)
    @Test(arguments: [Float(10), 5])
    func informationFaxAndTestTonesInHissAreNeverTalk(toneToNoiseDB: Float) {
        func sine(_ hz: Double, _ seconds: Double) -> [Float] {
            (0..<Int(seconds * 8000)).map { Float(0.05 * 2.0.squareRoot() * sin(2 * .pi * hz * Double($0) / 8000)) }
        }
        let noiseDBFS = 20 * log10(Float(0.05)) - toneToNoiseDB
        let signals: [(name: String, samples: [Float], toneFrames: Int)] = [
            ("SIT", sine(913.8, 0.33) + sine(1370.6, 0.33) + sine(1776.7, 0.33), 90),
            ("CNG", sine(1100, 0.5) + [Float](repeating: 0, count: 24000) + sine(1100, 0.5), 90),
            ("1 kHz", sine(1000, 2), 190),
        ]
        for (name, samples, toneFrames) in signals where name != "SIT" || toneToNoiseDB >= 10 {
            let out = analyze([Self.line(samples, seconds: 6, noiseDBFS: noiseDBFS, seed: 57)]).channels[0]
            #expect(SpanMath.total(out.speech) == 0, "\(name) at \(toneToNoiseDB) dB: talk \(out.speech)")
            #expect(SpanMath.total(out.tones) >= toneFrames, "\(name) at \(toneToNoiseDB) dB: tones \(out.tones)")
        }
    }

    /// Voices never repeat themselves that exactly: a vowel held 1.5 s with a vibrato, or
    /// gliding 5 % a second, clean and in hiss, stays talk, and no frame of it is a tone.
    /// (A voice held within about 0.6 % of one pitch for 0.3 s, gliding under 2 % a second
    /// with hardly any jitter, would be taken for a tone: no recorded voice came near.)
    @Test(arguments: [(0.01, 0.0, Float(-90)), (0.003, 0.0, -90), (0.0, 0.05, -90), (0.0, 0.05, -45), (0.003, 0.0, -40)]
          as [(Double, Double, Float)])
    func heldVowelsStayTalk(vibrato: Double, glidePerS: Double, noiseDBFS: Float) {
        for f0 in [110.0, 180, 240] {
            let vowel = Self.heldVowel(f0Hz: f0, sampleRate: 8000, seconds: 1.5, rms: 0.05, vibrato: vibrato,
                                       glidePerS: glidePerS, seed: 53)
            let out = analyze([Self.line(vowel, noiseDBFS: noiseDBFS, seed: 54)]).channels[0]
            let talk = SpanMath.total(out.speech)
            #expect(talk >= 145 && talk <= 170, "f0 \(f0), vibrato \(vibrato), glide \(glidePerS): talk \(out.speech)")
            #expect(out.tones.isEmpty, "f0 \(f0), vibrato \(vibrato), glide \(glidePerS): tones \(out.tones)")
        }
    }

    /// Frames near a block's start compare themselves with the block before (kept as a
    /// tail): any block size gives the same result, the tone starting anywhere.
    @Test func blockSizeDoesNotChangeTones() {
        var x = Self.line(Self.wave(.sawtooth, f0Hz: 300, sampleRate: 8000, seconds: 1.2, rms: 0.05), noiseDBFS: -50, seed: 55)
        var g = Signals(seed: 56)
        mix(g.speechLike(count: 6000, sampleRate: 8000, rms: 0.05), into: &x, at: 2 * 8000 + 4000)
        let reference = analyze([x], block: 4096)
        #expect(SpanMath.total(reference.channels[0].tones) >= 110)
        for block in [333, 80, 79, 1000] {
            #expect(analyze([x], block: block) == reference, "block \(block)")
        }
    }
}
