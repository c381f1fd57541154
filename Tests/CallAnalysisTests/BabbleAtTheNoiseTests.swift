import Testing
@testable import CallAnalysis

/// Voices behind the talker at the level of the line's noise (analyzer 21, step 1c's narrowed
/// margin): the accuracy harness's hardest calls put 3–8 voices 5–20 dB under the agent on a
/// line whose noise is as loud as they are. Neither of step 1b's signs rises there (the noise
/// floor sits under voices and noise together), and every burst of the voices came within
/// 15 dB of the agent's loud level: as talk. On such a line (its background, the 30th
/// percentile of its power, within 21 dB of the loud level) a run must also stand
/// `background_talker_over_db` (6 dB) over the background, but never closer to the loud level
/// than `background_talker_near_db` (8 dB).
@Suite struct BabbleAtTheNoiseTests {
    /// The agent's voice at −18 dBFS; five voices behind it at −30 dBFS and the line's noise
    /// at −32 dBFS (12 and 14 dB under the voice); the customer on a quiet line.
    static func call() -> [[Float]] {
        var agent = channel(seconds: 30, noiseDBFS: -32, bursts: [], burstDBFS: 0, seed: 41)
        mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.agentTalk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
        mix(Signals.babble(seconds: 30, voices: 5, dbfs: -30, seed: 43), into: &agent, at: 0)
        var customer = channel(seconds: 30, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
        mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.customerTalk, f0Hz: 210, dbfs: -20, seed: 45),
            into: &customer, at: 0)
        return [agent, customer]
    }

    static let truth = TalkerOverBabbleTests.agentTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }

    /// Talk more than 2 s from any of the agent's turns: only the voices behind it (a burst
    /// within a second after a turn is confirmed as the talker's soft words would be).
    static func awayFromTheTurns(_ speech: [FrameSpan]) -> Int {
        let near = SpanMath.normalize(truth.map { FrameSpan(max(0, $0.start - 200), $0.end + 200) })
        return SpanMath.total(SpanMath.subtract(speech, near))
    }

    @Test func theVoicesAtTheNoiseAreNoTalk() {
        let out = analyze(Self.call())
        let speech = out.channels[0].speech
        let kept = SpanMath.total(SpanMath.intersection(speech, Self.truth))
        #expect(kept == SpanMath.total(Self.truth), "kept \(kept) of \(SpanMath.total(Self.truth))")
        #expect(Self.awayFromTheTurns(speech) == 0, "\(speech)")
        // Neither sign of step 1b rises: it is step 1c that tells them apart.
        #expect(out.channels[0].backgroundVoicesShare == 0)
        // Golden, a quarter second a character: the agent's four turns (4–6.5, 10–13, 17–19.5,
        // 24–27.5 s) grown by up to half a second into the voices around them (how far a run
        // grows is unchanged), a burst of the voices 1.25–2 s after the first turn (within a
        // second of its last confirmed frame: taken as the talker's soft words), and nothing else.
        let golden = String(repeating: "0", count: 16) + String(repeating: "1", count: 12) + "000" + "111"
            + String(repeating: "0", count: 6) + String(repeating: "1", count: 14) + String(repeating: "0", count: 14)
            + String(repeating: "1", count: 10) + String(repeating: "0", count: 17) + String(repeating: "1", count: 15)
            + String(repeating: "0", count: 10)
        #expect(TalkerOverBabbleTests.quarters(speech) == golden, "\(TalkerOverBabbleTests.quarters(speech))")
    }

    /// With the margin kept at 15 dB (`background_talker_near_db` 0, analyzer 20) the voices'
    /// bursts away from the agent's turns are talk: the test above fails without the rule.
    @Test func withoutNarrowingTheVoicesAreTalk() {
        var p = AnalysisParameters()
        p.backgroundTalkerNearDB = 0
        let speech = analyze(Self.call(), parameters: p).channels[0].speech
        #expect(Self.awayFromTheTurns(speech) >= 100, "\(speech)")
    }

    /// The talker's own soft words, 12 dB under its voice and 1.5 s after a turn (past the
    /// second after one that keeps soft words anyway), stay talk on the noisy line (noise 14 dB
    /// under the voice: with it they stand well over the background) as on a line whose pauses
    /// are digital silence (nothing behind the talker: the margin stays 15 dB). Words 16 dB
    /// under the voice are dropped on the clean line by the 15 dB margin (step 1c's limit,
    /// analyzer 19) and kept on the noisy one, whose noise lifts them within it.
    @Test func softWordsStay() {
        let soft = [(8.0, 8.8)]
        func line(noiseDBFS: Float?, softDBFS: Float) -> [[Float]] {
            var agent = noiseDBFS.map { channel(seconds: 30, noiseDBFS: $0, bursts: [], burstDBFS: 0, seed: 41) }
                ?? [Float](repeating: 0, count: 240_000)
            mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.agentTalk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
            mix(Signals.voice(seconds: 30, spans: soft, f0Hz: 130, dbfs: softDBFS, seed: 46), into: &agent, at: 0)
            var customer = channel(seconds: 30, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
            mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.customerTalk, f0Hz: 210, dbfs: -20, seed: 45),
                into: &customer, at: 0)
            return [agent, customer]
        }
        let words = soft.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        func kept(_ noise: Float?, _ softDBFS: Float) -> Int {
            SpanMath.total(SpanMath.intersection(analyze(line(noiseDBFS: noise, softDBFS: softDBFS)).channels[0].speech, words))
        }
        #expect(kept(-32, -30) == 80)
        #expect(kept(nil, -30) == 80)
        #expect(kept(-32, -34) >= 70)
        #expect(kept(nil, -34) == 0)
    }

    /// The parameters' ranges: the narrowest margin is no wider than the widest.
    @Test func nearIsNoWiderThanTheMargin() {
        var p = AnalysisParameters()
        p.backgroundTalkerNearDB = 16
        #expect(p.validationError()?.contains("background_talker_near_db") == true)
        p.backgroundTalkerNearDB = 15
        #expect(p.validationError() == nil)
    }
}
