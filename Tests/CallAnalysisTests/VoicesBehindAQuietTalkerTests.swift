import Testing
@testable import CallAnalysis

/// Voices behind a quiet talker (analyzer 28): a customer at −58 dBFS in a shop whose voices
/// are 12 dB under her, at −70 dBFS, on a line with no noise of its own. The noise estimate
/// stops at `absolute_floor_dbfs` (−70 dBFS), right where the voices lie: measured against
/// it, their 10th percentile and their median while the agent talks read about 0 dB, as a
/// clean line's pauses would, neither of step 1b's signs rose, and every burst of them over
/// the floor became the customer's talk (the accuracy harness's `tbabble` tuning draw: a
/// customer at −58 dBFS measured talking 92 % of a call she talks 19 % of). Step 1b's median
/// while the agent talks is now taken against the noise floored 5 dB lower
/// (`NoiseTracker.backgroundBands`).
@Suite struct VoicesBehindAQuietTalkerTests {
    static let customerTalk: [(Double, Double)] = [(2, 4.5), (11, 13), (24, 27), (35, 38.5), (52, 56)]
    static let agentTalk: [(Double, Double)] = [(0.3, 1.8), (5, 10.5), (14, 23), (28, 34), (39.5, 51), (57, 59.5)]

    /// The customer's voice at −58 dBFS over five voices at −70 dBFS all minute, nothing
    /// else on her line; the agent at −20 dBFS on a line with noise at −50 dBFS.
    static func call() -> [[Float]] {
        var agent = channel(seconds: 60, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 51)
        mix(Signals.voice(seconds: 60, spans: agentTalk, f0Hz: 130, dbfs: -20, seed: 52), into: &agent, at: 0)
        var customer = Signals.babble(seconds: 60, voices: 5, dbfs: -70, seed: 53)
        mix(Signals.voice(seconds: 60, spans: customerTalk, f0Hz: 210, dbfs: -58, seed: 54), into: &customer, at: 0)
        return [agent, customer]
    }

    static let truth = customerTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }

    @Test func theQuietTalkerKeepsItsTalkAndTheVoicesGainNone() {
        let out = analyze(Self.call())
        let speech = out.channels[1].speech
        let kept = SpanMath.total(SpanMath.intersection(speech, Self.truth))
        let gained = SpanMath.total(SpanMath.subtract(speech, Self.truth))
        #expect(Double(kept) >= 0.95 * Double(SpanMath.total(Self.truth)), "kept \(kept) of \(SpanMath.total(Self.truth))")
        #expect(gained <= 100, "gained \(gained) frames: \(speech)")
        #expect(TalkerOverBabbleTests.quarters(speech, seconds: 60) == Self.golden, "\(TalkerOverBabbleTests.quarters(speech, seconds: 60))")
    }

    /// Golden, a quarter second a character: her five turns and nothing of the voices. With
    /// `NoiseTracker.backgroundFloorUnderDB` at 0 (analyzer 27) this test fails: 4.4 s of the
    /// voices are talk (442 frames outside her turns).
    static let golden: String = {
        var cells = [Character](repeating: "0", count: 240)
        for (a, b) in customerTalk { for q in Int(a * 4)..<Int(b * 4) { cells[q] = "1" } }
        return String(cells)
    }()
}
