import CallAnalysis
import Testing

/// DTMF keypresses are never talk: found frame by frame by fitting one keypad row tone and
/// one column tone (`DualToneTest`), confirmed by `min_dtmf_s` of the same digit.
@Suite struct KeypressTests {
    /// The sixteen keys of the keypad, row by row.
    static let allKeys = (0..<4).flatMap { r in (0..<4).map { c in (row: r, column: c) } }

    /// All sixteen keys (100 ms digits, 100 ms pauses) over white line noise from clean to 5.5 dB
    /// under the tones.
    @Test(arguments: [-75, -45, -40, -36] as [Float])
    func keySequenceIsNeverTalk(noiseDBFS: Float) {
        // Tones at 0.03 each: −30.5 dBFS together; noise 44.5, 14.5, 9.5 and 5.5 dB under them.
        var x = channel(seconds: 6, noiseDBFS: noiseDBFS, bursts: [], burstDBFS: -30, seed: 31)
        let keys = Signals.keypad(Self.allKeys, sampleRate: 8000, amplitude: 0.03)
        mix(keys, into: &x, at: 8000)
        let out = analyze([x]).channels[0]
        #expect(SpanMath.total(out.speech) == 0, "talk \(out.speech)")
        // One sequence, from the first digit to the last (pauses bridged), 1.0–4.1 s.
        #expect(out.keypresses.count == 1, "\(out.keypresses)")
        if let k = out.keypresses.first {
            // Under the loudest hiss the first digit may be found a few frames late.
            #expect(abs(k.startS - 1.0) <= 0.06 && abs(k.endS - 4.1) <= 0.03, "\(k)")
        }
    }

    /// Every key is found as its own row and column, in frames that lie inside a digit.
    @Test func everyKeyIsRecognised() {
        for (row, column) in Self.allKeys {
            let x = Signals.keypad([(row, column)], sampleRate: 8000, amplitude: 0.1, onS: 0.1, offS: 0)
            var e = FrameFeatureExtractor(sampleRate: 8000, parameters: AnalysisParameters())
            var out: [FrameFeatures] = []
            // Half a second of quiet first, so the candidate gate knows the line's floor.
            var g = Signals(seed: 3)
            let quiet = g.noise(count: 4000, rms: 1e-4)
            (quiet + x).withUnsafeBufferPointer { e.consume($0, into: &out) }
            let codes = out.dropFirst(50).dropFirst(2).prefix(7).map(\.dualTone)
            #expect(codes.allSatisfy { $0 == UInt8(1 + 4 * row + column) }, "key \(row),\(column): \(codes)")
        }
    }

    /// The same keys at 16 kHz (the test runs on every fourth sample there).
    @Test func sixteenKilohertzKeys() {
        var x = channel(seconds: 5, sampleRate: 16000, noiseDBFS: -60, bursts: [], burstDBFS: -30, seed: 32)
        mix(Signals.keypad(Array(Self.allKeys.prefix(8)), sampleRate: 16000, amplitude: 0.05), into: &x, at: 16000)
        let out = analyze([x], sampleRate: 16000).channels[0]
        #expect(SpanMath.total(out.speech) == 0, "talk \(out.speech)")
        #expect(SpanMath.total(out.keypresses) >= 150)
    }

    /// A held vowel whose harmonics fall near keypad tones (f0 = 697/3 Hz puts the 3rd on
    /// 697 Hz and the 6th between 1336 and 1477 Hz) is no keypress: the other harmonics
    /// leave far more than 20 % of its energy unexplained. (Held this still, a vowel may be
    /// taken for a steady tone; that is the tone test's business.) Speech-like bursts neither.
    @Test(arguments: [697.0 / 3, 1209.0 / 5, 120, 210] as [Float])
    func voicesAreNotKeypresses(f0Hz: Float) {
        var x = channel(seconds: 5, noiseDBFS: -60, bursts: [(3, 4.5)], burstDBFS: -25, seed: 33)
        mix(Signals.vowel(count: 12000, sampleRate: 8000, f0Hz: f0Hz, rms: 0.05), into: &x, at: 8000)
        let out = analyze([x]).channels[0]
        #expect(out.keypresses.isEmpty, "\(out.keypresses)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, [FrameSpan(300, 450)])) >= 140, "talk \(out.speech)")
    }

    /// A customer who speaks and keys digits 50 ms later: the words stay talk, the digits
    /// do not, though the detector saw one region.
    @Test func speechRightBeforeKeysKeepsTheSpeech() {
        var x = channel(seconds: 6, noiseDBFS: -60, bursts: [(1, 2.5)], burstDBFS: -25, seed: 34)
        mix(Signals.keypad(Array(Self.allKeys.prefix(6)), sampleRate: 8000, amplitude: 0.03), into: &x, at: 20400)
        let out = analyze([x]).channels[0]
        let talk = SpanMath.total(out.speech)
        #expect(talk >= 140 && talk <= 160, "talk \(out.speech)")
        #expect(SpanMath.total(SpanMath.intersection(out.speech, [FrameSpan(256, 370)])) == 0, "\(out.speech)")
        #expect(out.keypresses.count == 1)
    }

    /// Keypresses are also tones in the call metrics (`tone_s`), and listed by time.
    @Test func metricsListKeypresses() {
        let agent = channel(seconds: 5, noiseDBFS: -60, bursts: [(0.5, 1.5)], burstDBFS: -25, seed: 35)
        var customer = channel(seconds: 5, noiseDBFS: -60, bursts: [], burstDBFS: -25, seed: 36)
        mix(Signals.keypad(Array(Self.allKeys.prefix(4)), sampleRate: 8000, amplitude: 0.03), into: &customer, at: 16000)
        let m = ConversationMetrics(outcome: analyze([agent, customer]), agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.keypresses.count == 1)
        #expect(m.toneS >= 0.7)
        #expect(m.parties[.customer]?.talkS == 0)
    }
}
