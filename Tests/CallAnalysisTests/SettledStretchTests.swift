@testable import CallAnalysis
import Testing

/// The detector's regions are turned into talk, hold and tones stretch by stretch as soon
/// as nothing later can change them, so that memory does not grow with the call. Where the
/// stretches end must not matter: the same two-channel call, handed over after every
/// settled region or only at the end, gives the same outcome, whatever the block size.
@Suite struct SettledStretchTests {
    /// Four minutes of a two-party call with noise: speech-like turns of 0.5–4 s with short
    /// and long pauses, keypresses, ring-back, a sawtooth beep, and words running into
    /// music-like noise, on both channels.
    static func call() -> [[Float]] {
        var channels: [[Float]] = []
        for c in 0..<2 {
            var g = Signals(seed: 90 + UInt64(c))
            var x = g.noise(count: 240 * 8000, rms: 0.002)
            var t = 0.5 + Double(c) * 1.3
            var k = 0
            while t < 232 {
                let length = 0.5 + Double(k % 7) * 0.5
                mix(g.speechLike(count: Int(length * 8000), sampleRate: 8000, rms: 0.03), into: &x, at: Int(t * 8000))
                t += length + [0.1, 0.25, 0.6, 2.0, 5.0][k % 5]
                if k % 23 == 5 {
                    mix(Signals.keypad([(0, 1), (2, 2), (3, 0)], sampleRate: 8000, amplitude: 0.03), into: &x, at: Int(t * 8000))
                    t += 1
                } else if k % 31 == 9 {
                    mix(Signals.ringback(count: 16000, sampleRate: 8000, amplitude: 0.02), into: &x, at: Int(t * 8000))
                    t += 3
                } else if k % 37 == 11 {
                    mix(PeriodicToneTests.wave(.sawtooth, f0Hz: 300, sampleRate: 8000, seconds: 0.6, rms: 0.03), into: &x,
                        at: Int(t * 8000))
                    t += 1
                }
                k += 1
            }
            channels.append(x)
        }
        return channels
    }

    @Test func whereStretchesEndChangesNothing() {
        let x = Self.call()
        let whole = analyze(x, block: 4096, settleRegions: Int.max)
        #expect(whole.channels.allSatisfy { $0.speech.count > 40 && !$0.tones.isEmpty && !$0.keypresses.isEmpty })
        #expect(analyze(x, block: 4096, settleRegions: 1) == whole)
        #expect(analyze(x, block: 333, settleRegions: 1) == whole)
        #expect(analyze(x, block: 4096, settleRegions: 64) == whole)
    }
}
